import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Deployment, ReplicaSet } from '../../src/k8s/objects.js';
import { historyRevisions, rolloutHistoryStdout, viewDeploymentHistory } from '../../src/rollback/history.js';
import { undoPatch } from '../../src/rollback/undoPatch.js';

const groups = JSON.parse(readFileSync(new URL('../fixtures/k8s-vectors.json', import.meta.url), 'utf8'))
  .groups as Record<string, Array<{ name: string; input: Record<string, any>; expected: Record<string, any> }>>;

/** The kubectl history test's fixture: a Deployment with selector foo=bar owning moons-1..4. */
const historyVectors = groups['kubectl.deploymentHistoryView']!;
const historyRss = historyVectors[0]!.input.replicaSets as Array<Record<string, any>>;
const deployment: Deployment = {
  metadata: { name: 'moons', namespace: 'default', uid: 'uid-moons' },
  spec: { selector: { matchLabels: { foo: 'bar' } }, template: {} },
};
const replicaSets: ReplicaSet[] = historyRss.map((r) => ({
  metadata: {
    name: r.name,
    namespace: 'default',
    uid: `uid-${r.name}`,
    labels: r.labels,
    annotations: {
      'deployment.kubernetes.io/revision': r.revision,
      ...(r.changeCause ? { 'kubernetes.io/change-cause': r.changeCause } : {}),
    },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'moons', uid: 'uid-moons', controller: true }],
  },
  spec: {
    selector: { matchLabels: r.labels },
    template: { metadata: { labels: r.labels }, spec: { containers: [{ name: 'test', image: r.image }] } },
  },
}));

describe('kubectl.deploymentHistoryView', () => {
  for (const v of historyVectors) {
    it(v.name, () => {
      if (v.expected.revisionsReturned) {
        expect(historyRevisions(deployment, replicaSets)).toEqual(v.expected.revisionsReturned);
      } else {
        expect(viewDeploymentHistory(deployment, replicaSets, v.input.revision)).toBe(v.expected.output);
      }
    });
  }
});

describe('kubectl.rolloutHistoryCommandOutput', () => {
  for (const v of groups['kubectl.rolloutHistoryCommandOutput']!) {
    it(v.name, () => {
      const resource = `deployment.apps/${String(v.input.resource).split('/')[1]}`;
      expect(rolloutHistoryStdout(resource, v.input.viewHistoryReturns, v.input.revisionFlag)).toBe(v.expected.stdout);
    });
  }
});

describe('kubectl.getDeploymentPatch', () => {
  for (const v of groups['kubectl.getDeploymentPatch']!) {
    it(v.name, () => {
      const result = undoPatch(v.input.podTemplate, v.input.annotations);
      expect(result.patchType).toBe(v.expected.patchType);
      expect(result.patch).toBe(v.expected.patch);
    });
  }
});
