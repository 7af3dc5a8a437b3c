/**
 * The simulated API server refuses what a real one refuses for StatefulSets
 * (pkg/apis/apps/validation/validation.go ValidateStatefulSet / ValidateStatefulSetUpdate), with the
 * real messages, and defaults what it defaults (SetDefaults_StatefulSet).
 */
import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../../../src/k8s/apiError.js';
import { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { StatefulSet } from '../../../src/k8s/statefulSet.js';

function setup(): Simulation {
  const sim = new Simulation([]);
  sim.store.create('Namespace', { metadata: { name: 'default' } });
  return sim;
}

function web(): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

function refusal(write: () => unknown): string {
  try {
    write();
  } catch (err) {
    if (err instanceof ApiError) return `${err.code} ${err.message}`;
    throw err;
  }
  throw new Error('the write was accepted');
}

describe('StatefulSet defaults and validation', () => {
  it('defaults OrderedReady, RollingUpdate with partition 0, Retain/Retain and ten revisions', () => {
    const sim = setup();
    const created = sim.store.create('StatefulSet', web());
    expect(created.spec.podManagementPolicy).toBe('OrderedReady');
    expect(created.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    expect(created.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(created.spec.revisionHistoryLimit).toBe(10);
    expect(created.spec.volumeClaimTemplates![0]!.spec).toEqual({
      resources: { requests: { storage: '1Gi' } },
      volumeMode: 'Filesystem',
    });
  });

  it('keeps an explicit RollingUpdate without rollingUpdate as it is (no partition)', () => {
    const sim = setup();
    const set = web();
    set.spec.updateStrategy = { type: 'RollingUpdate' };
    expect(sim.store.create('StatefulSet', set).spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
  });

  it('refuses a selector that does not match the template labels', () => {
    const set = web();
    set.spec.selector = { matchLabels: { app: 'other' } };
    expect(refusal(() => setup().store.create('StatefulSet', set))).toBe(
      '422 StatefulSet.apps "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    );
  });

  it('refuses a negative partition', () => {
    const set = web();
    set.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -1 } };
    expect(refusal(() => setup().store.create('StatefulSet', set))).toBe(
      '422 StatefulSet.apps "web" is invalid: spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
    );
  });

  it('accepts a new image, replicas and partition; refuses a change to volumeClaimTemplates or serviceName', () => {
    const sim = setup();
    const created = sim.store.create('StatefulSet', web());
    const next = structuredClone(created);
    next.spec.template.spec!.containers[0]!.image = 'nginx:1.28';
    next.spec.replicas = 5;
    next.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 2 } };
    const updated = sim.store.update('StatefulSet', next);
    expect(updated.metadata.generation).toBe(2);
    const bigger = structuredClone(updated);
    bigger.spec.volumeClaimTemplates![0]!.spec = { resources: { requests: { storage: '2Gi' } } };
    const forbidden =
      "422 StatefulSet.apps \"web\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
    expect(refusal(() => sim.store.update('StatefulSet', bigger))).toBe(forbidden);
    const renamed = structuredClone(updated);
    renamed.spec.serviceName = 'other';
    expect(refusal(() => sim.store.update('StatefulSet', renamed))).toBe(forbidden);
  });
});
