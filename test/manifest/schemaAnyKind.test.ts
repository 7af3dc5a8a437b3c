/**
 * The OpenAPI schema check runs for every built-in kind the loader accepts (issue 10 met strict),
 * not only the kinds of earlier versions; a custom resource gets the envelope check only (its
 * schema is its CRD's, on the cluster).
 */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_RESOURCES, joinApiVersion } from '../../src/k8s/builtinResources.js';
import { schemaForKind } from '../../src/k8s/schema/index.js';
import { loadManifests } from '../../src/manifest/index.js';

function problems(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-anykind-schema-'));
  writeFileSync(join(dir, 'x.yaml'), text);
  return loadManifests({ patterns: ['x.yaml'], cwd: dir }).errors.map((e) => `${e.file}:${e.line}: ${e.message}`);
}

describe('schema validation of every built-in kind', () => {
  test('every kind and served version of the resource table has a schema', () => {
    const missing = BUILTIN_RESOURCES.flatMap((r) =>
      r.versions.map((v) => `${joinApiVersion(r.group, v)} ${r.kind}`),
    ).filter((gvk) => !schemaForKind(gvk.split(' ')[0]!, gvk.split(' ')[1]!));
    expect(missing).toEqual([]);
  });

  test('an HPA, a CronJob and a Role are refused at the line of the wrong field', () => {
    expect(
      problems(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplica: 2
  maxReplicas: 4
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  suspend: "no"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: job, image: busybox}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules:
  - apiGroups: [""]
    resources: [pods]
    verb: [get]
`),
    ).toEqual([
      'x.yaml:7: HorizontalPodAutoscaler "web": strict decoding error: unknown field "spec.minReplica"',
      'x.yaml:16: The CronJob "nightly" is invalid: spec.suspend: expected a boolean, got the string "no"',
      'x.yaml:29: The Role "reader" is invalid: rules[0].verbs: Required value',
      'x.yaml:31: Role "reader": strict decoding error: unknown field "rules[0].verb"',
    ]);
  });

  test('a custom resource is not held to any built-in schema', () => {
    expect(
      problems(`apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  anything: [1, "two"]
`),
    ).toEqual([]);
  });
});
