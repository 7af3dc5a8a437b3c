/**
 * Issue 9 #2 and #3 as they were reproduced: through the real adapter (client-node over HTTP)
 * against `serve`, where an annotation write bumps the Deployment's generation as on a real API
 * server (pkg/registry/apps/deployment/strategy.go PrepareForUpdate). Simulated time runs 20x.
 */
import { describe, expect, test } from '@jest/globals';
import { createSimulatedCluster, parseScenario } from '../../../src/cluster/sim/index.js';
import { exitCodeFor } from '../../../src/gate/result.js';
import type { Deployment } from '../../../src/k8s/objects.js';
import { clone } from '../../../src/k8s/meta.js';
import { DEFAULT_POLICY } from '../../../src/rollout/policy.js';
import { at, deployment, documents, replicaSets, state, stored } from '../../gate/support.js';
import { gateOverHttp } from '../../support/servedGate.js';

const input = {
  policy: { ...DEFAULT_POLICY },
  rollback: 'on-failure' as const,
  rollbackTimeoutSeconds: 300,
  onNoGoodRevision: 'leave' as const,
  force: false,
};

describe('issue 9 over HTTP against serve', () => {
  test('issue 9 #3: two Deployments with a change-cause, one fails: the untouched one is unchanged, run exits 1', async () => {
    const parts = createSimulatedCluster(parseScenario('images: { "b:2": { pull: missing } }', 'scenario.yaml'), {
      objects: [deployment('a', 'a:1'), deployment('b', 'b:1')],
    });
    const { result } = await gateOverHttp(parts, {
      ...input,
      documents: documents([deployment('a', 'a:1'), deployment('b', 'b:2')]),
      changeCause: 'deploy 1f3e2a9 by ci',
    });
    expect(exitCodeFor(result.result)).toBe(1);
    expect(result.workloads.map((w) => [w.name, w.result, w.reason, w.revision, w.rolledBackTo])).toEqual([
      ['a', 'unchanged', undefined, 1, undefined],
      ['b', 'rolled-back', 'ErrImagePull', 2, 3],
    ]);
    expect(stored(parts, 'a')!.metadata.annotations!['kubernetes.io/change-cause']).toBe('deploy 1f3e2a9 by ci');
    expect(replicaSets(parts, 'a')).toEqual(['1 a:1 3/3']);
  }, 60_000);

  test('issue 9 #2: kubectl scale mid failing rollout still rolls back (exit 1, rolled-back, replicas = the scaled count)', async () => {
    const parts = createSimulatedCluster(parseScenario('images: { "web:2": { crash: true } }', 'scenario.yaml'), {
      objects: [deployment('web', 'web:1')],
    });
    // 3 s after the gate's apply (however long the requests before it took in real time).
    const stop = parts.simulation.store.watch((e) => {
      const applied = e.kind === 'Deployment' && (e.object as Deployment).spec.template.spec?.containers[0]?.image;
      if (applied !== 'web:2') return;
      stop();
      at(parts, 3, 'kubectl scale --replicas=5', () => {
        const d = clone(stored(parts, 'web')!) as Deployment;
        d.spec.replicas = 5;
        parts.simulation.store.update('Deployment', d);
      });
    });
    const { result } = await gateOverHttp(parts, { ...input, documents: documents([deployment('web', 'web:2')]) });
    expect(exitCodeFor(result.result)).toBe(1);
    expect(result.workloads.map((w) => [w.result, w.reason, w.revision, w.rolledBackTo])).toEqual([
      ['rolled-back', 'CrashLoopBackOff', 2, 3],
    ]);
    expect(state(parts, 'web')).toMatchObject({ image: 'web:1', revision: '3', replicas: 5 });
  }, 60_000);
});
