/**
 * `-f -` (issue 10): `helm template ... | rollout-gate run -f -`. A Helm-template-style stream
 * (`---` separators, `# Source:` comments, an empty document) is piped into the built CLI.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { onlyJson, ROOT } from '../cli/support.js';
import { ensureBuilt } from '../secrets/support.js';

const HELM_TEMPLATE = `---
# Source: shop/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: shop
  labels:
    helm.sh/chart: shop-0.1.0
---
# Source: shop/templates/empty.yaml
---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector:
    app: shop
  ports:
    - port: 80
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
        - name: shop
          image: nginx:1.27
---
# Source: shop/templates/hpa.yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: shop
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: shop
  minReplicas: 2
  maxReplicas: 4
`;

function run(args: string[], input: string) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/rollout-gate.js'), ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

beforeAll(() => ensureBuilt(), 120_000);

describe('run -f - (standard input)', () => {
  test('a Helm-template stream piped in: every object applied, named STDIN:<line>; exit 0', () => {
    // The namespace must exist, as on a real cluster: the chart's last document creates it (applied first).
    const withNamespace = `${HELM_TEMPLATE}---\n# Source: shop/templates/namespace.yaml\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n`;
    const out = run(['run', '--simulate', '-f', '-', '-n', 'shop', '-o', 'json'], withNamespace);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    const json = onlyJson(out.stdout);
    expect([json.errors, json.result, out.status]).toEqual([[], 'succeeded', 0]);
    expect(
      (json.applied as Array<Record<string, unknown>>).map((a) => `${a.kind} ${a.namespace} ${a.file}:${a.line}`),
    ).toEqual([
      'Namespace undefined STDIN:56',
      'ServiceAccount shop STDIN:3',
      'Service shop STDIN:13',
      'Deployment shop STDIN:24',
      'HorizontalPodAutoscaler shop STDIN:43',
    ]);
  });

  test('a problem in the stream points at STDIN:<line>; exit 2, nothing applied', () => {
    const broken = HELM_TEMPLATE.replace('  replicas: 2\n', '  replicas: -1\n');
    const out = run(['run', '--simulate', '-f', '-', '-o', 'json'], broken);
    const json = onlyJson(out.stdout);
    expect(out.status).toBe(2);
    expect(json.result).toBe('invalid');
    expect(json.applied).toBeUndefined();
    expect(json.errors).toEqual([
      {
        file: 'STDIN',
        // The line of the field (spec.replicas), not of the document.
        line: 29,
        message:
          'The Deployment "shop" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      },
    ]);
  });
});
