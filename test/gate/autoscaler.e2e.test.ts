/**
 * The gate meets a real autoscaler mid-rollout (controllers/hpa on the virtual clock), instead of a
 * scripted `kubectl scale`: `web` has an HPA (2-8 replicas, CPU target 50% of a 200m request), the
 * manifests leave `replicas` to it, and the load (the scenario's usage) is 150% from the start, so
 * the HPA scales while the gate watches. A good image succeeds with the count the HPA chose; a typo'd
 * image is rolled back to the last good template and verified, the HPA not blocking the rollback.
 */
import { describe, expect, test } from '@jest/globals';
import type { HorizontalPodAutoscaler } from '../../src/cluster/sim/controllers/hpa/types.js';
import type { SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import type { KubeEvent, Pod } from '../../src/k8s/objects.js';
import { contract, gate, simulate, state } from './support.js';
import { hpa, web } from '../sim/hpa/support.js';

const SCENARIO = `
images:
  "web:1": { usage: { cpu: 300m } }
  # The new version takes 20 s to become ready, so the rollout is still running when the HPA acts.
  "web:2": { readySeconds: 20, usage: { cpu: 300m } }
  # The typo: the registry answers only after 40 s (a slow registry), the HPA has scaled by then.
  "web:typo": { pull: missing, pullSeconds: 40 }
`;

function start(): SimulatedClusterParts {
  return simulate(SCENARIO, [web('web:1', 2), hpa({ kind: 'Deployment', name: 'web' }, { min: 2, max: 8 })]);
}

/** The HPA's rescales during the run: `<seconds since the apply> New size: N`. */
function rescales(parts: SimulatedClusterParts, since: number): string[] {
  const h = parts.simulation.store.mustGet<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', 'default', 'web');
  return parts.simulation.events
    .eventsFor(h)
    .filter((e: KubeEvent) => e.reason === 'SuccessfulRescale')
    .map((e) => `${(Date.parse(e.firstTimestamp!) - since) / 1000} ${e.message!.split(';')[0]}`);
}

describe('the gate with a real HPA scaling mid-rollout', () => {
  test('a good image succeeds with the replica count the HPA chose', async () => {
    const parts = start();
    const run = await gate(parts, [web('web:2')]);
    expect(run.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'web', result: 'succeeded', revision: 2 },
    ]);
    // 27 s: one ready pod, the new ones unready or unmeasured (0% on a scale-up): 50%, no change.
    expect(rescales(parts, run.start)).toEqual(['42 New size: 4', '57 New size: 6', '72 New size: 8']);
    expect(state(parts, 'web')).toEqual({ image: 'web:2', revision: '2', lastGood: '2/76cb7bfddd', replicas: 8 });
    expect(run.log.lines).toEqual([
      '== Apply',
      'deployment/web configured',
      '== Rollout',
      'default/web: Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated...',
      'default/web: Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
      // The HPA's 4, 6 and 8, followed as they come.
      'default/web: Waiting for deployment "web" rollout to finish: 3 out of 4 new replicas have been updated...',
      'default/web: Waiting for deployment "web" rollout to finish: 4 out of 6 new replicas have been updated...',
      'default/web: Waiting for deployment "web" rollout to finish: 5 out of 8 new replicas have been updated...',
      'default/web: Waiting for deployment "web" rollout to finish: 6 out of 8 new replicas have been updated...',
      'default/web: Waiting for deployment "web" rollout to finish: 7 out of 8 new replicas have been updated...',
      'default/web: Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
      'default/web: Waiting for 1 new pod to stay ready for 10 s (0 s so far)...',
      'default/web: deployment "web" successfully rolled out',
    ]);
  });

  test('a typo is rolled back to the last good template and verified while the HPA scales', async () => {
    const parts = start();
    const run = await gate(parts, [web('web:typo')]);
    expect(run.result.workloads.map(contract)).toEqual([
      {
        kind: 'Deployment',
        namespace: 'default',
        name: 'web',
        result: 'rolled-back',
        revision: 2,
        rolledBackTo: 3,
        reason: 'ErrImagePull',
        detectedAfterSeconds: 40,
      },
    ]);
    expect(rescales(parts, run.start)).toEqual(['27 New size: 4', '42 New size: 6']);
    expect(state(parts, 'web')).toEqual({ image: 'web:1', revision: '3', lastGood: '3/65c48ffd5', replicas: 6 });
    expect(run.log.lines).toEqual([
      '== Apply',
      'deployment/web configured',
      '== Rollout',
      'default/web: Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated...',
      'default/web: Waiting for deployment "web" rollout to finish: 2 out of 4 new replicas have been updated...',
      'error: deployment "web" failed: ErrImagePull: 1 of 2 new pods cannot pull image "web:typo" (ErrImagePull: not found); the registry says the image does not exist',
      '== Rollback',
      'rolling deployment "web" back to web:1, the template of revision 1 (ReplicaSet web-65c48ffd5): the previous revision 1, fully available before this run',
      'default/web: Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
      'default/web: Waiting for 3 new pods to stay ready for 10 s (0 s so far)...',
      'default/web: deployment "web" successfully rolled out',
      'deployment "web" rolled back to web:1, the last good template (revision 1, now revision 3: an undo re-adds it as the newest revision), and healthy again',
    ]);
    // The rollback kept the HPA's count (6, set at 42 s, after the failure at 40 s) and every pod runs web:1.
    const pods = parts.simulation.store
      .list<Pod>('Pod', 'default')
      .filter((p) => p.metadata.labels?.app === 'web' && !p.metadata.deletionTimestamp);
    expect(pods.map((p) => `${p.spec.containers[0]!.image} ${p.status?.containerStatuses?.[0]?.ready}`)).toEqual(
      Array(6).fill('web:1 true'),
    );
  });
});
