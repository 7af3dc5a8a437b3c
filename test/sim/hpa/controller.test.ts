/**
 * The HPA controller on the virtual clock (controllers/hpa): a Deployment under a load curve from
 * the scenario, synced every 15 s; a ReplicationController target; a missing target.
 */
import { describe, expect, test } from '@jest/globals';
import { applyObject } from '../../../src/cluster/sim/applyObject.js';
import type { SimulatedClusterParts } from '../../../src/cluster/sim/index.js';
import { hpaTargets } from '../../../src/cluster/sim/api/hpaTargets.js';
import { rfc3339 } from '../../../src/k8s/meta.js';
import type { KubeObject } from '../../../src/k8s/objects.js';
import { hpa, hpaEvents, hpaOf, replicasOf, start, web } from './support.js';

function apply(parts: SimulatedClusterParts, obj: KubeObject): void {
  applyObject(parts.simulation.store, obj, {
    manager: 'kubectl',
    force: false,
    time: rfc3339(parts.simulation.clock.now()),
  });
  parts.simulation.settle();
}

/** `<seconds since the HPA was created> <target replicas> <TARGETS>` after each sync, for `syncs` syncs. */
function timeline(parts: SimulatedClusterParts, syncs: number): string[] {
  const out: string[] = [];
  const t0 = parts.simulation.clock.now();
  for (let i = 1; i <= syncs; i++) {
    parts.simulation.advance(15_000);
    out.push(`${(parts.simulation.clock.now() - t0) / 1000} ${replicasOf(parts)} ${hpaTargets(hpaOf(parts))}`);
  }
  return out;
}

describe('the HPA controller', () => {
  test('follows a load curve: up under load (the scale-up limit, then max), down 5 minutes after the load falls', () => {
    // 200m requested per pod; 100m = 50% (on target) until 60 s, 300m = 150% until 4 min, then 40m = 20%.
    const parts = start(
      'images: { "web:1": { usage: { cpu: [{ at: 0s, value: 100m }, { at: 60s, value: 300m }, { at: 4m, value: 40m }] } } }',
      [web('web:1', 2)],
    );
    apply(parts, hpa({ kind: 'Deployment', name: 'web' }, { min: 2, max: 6 }));
    const seen = timeline(parts, 40);
    expect(seen.slice(0, 7)).toEqual([
      // Fresh pods: no full metric window since they became ready (the CPU initialization rule).
      '15 2 cpu: <unknown>/50%',
      '30 2 cpu: 50%/50%',
      '45 2 cpu: 50%/50%',
      // The 60 s sync reads the scrape before the load rose.
      '60 2 cpu: 50%/50%',
      // 150%: ceil(2 × 3) = 6, limited to max(2 × 2, 4) = 4.
      '75 4 cpu: 150%/50%',
      // The 2 new pods are unready (0% on a scale-up): (600m + 0) / 800m = 75% -> ceil(4 × 1.5) = 6.
      '90 6 cpu: 150%/50%',
      '105 6 cpu: 150%/50%',
    ]);
    // The load falls at 4 min (seen at 255 s): 20% proposes 3, but the highest recommendation of the
    // last 5 minutes (18 at 240 s) holds 6 until the 555 s sync, the first with 240 s out of the window.
    expect(seen.slice(15, 17)).toEqual(['240 6 cpu: 150%/50%', '255 6 cpu: 20%/50%']);
    expect(seen.slice(34, 38)).toEqual([
      '525 6 cpu: 20%/50%',
      '540 6 cpu: 20%/50%',
      '555 3 cpu: 20%/50%',
      '570 3 cpu: 20%/50%',
    ]);
    // At 600 s, 3 pods at 20% propose 2; the recommendations of 3 since 555 s hold it.
    expect(hpaOf(parts).status!.conditions!.map((c) => `${c.type} ${c.status} ${c.reason}`)).toEqual([
      'AbleToScale True ScaleDownStabilized',
      'ScalingActive True ValidMetricFound',
      'ScalingLimited False DesiredWithinRange',
    ]);
    expect(hpaEvents(parts)).toEqual([
      'FailedGetResourceMetric: did not receive metrics for targeted pods (pods might be unready)',
      'FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)',
      'SuccessfulRescale: New size: 4; reason: cpu resource utilization (percentage of request) above target',
      'SuccessfulRescale: New size: 6; reason: cpu resource utilization (percentage of request) above target',
      'SuccessfulRescale: New size: 3; reason: All metrics below target',
    ]);
  });

  test('scales a ReplicationController through its scale subresource (map selector)', () => {
    const parts = start('images: { "web:1": { usage: { cpu: 400m } } }', []);
    apply(parts, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { app: 'legacy' },
        template: {
          metadata: { labels: { app: 'legacy' } },
          spec: { containers: [{ name: 'c', image: 'web:1', resources: { requests: { cpu: '200m' } } }] },
        },
      },
    });
    apply(parts, hpa({ kind: 'ReplicationController', name: 'legacy', apiVersion: 'v1' }, { max: 3 }));
    parts.simulation.advance(60_000);
    const rc = parts.simulation.store.mustGet<KubeObject & { spec: { replicas: number } }>(
      'ReplicationController',
      'default',
      'legacy',
    );
    // 200%: ceil(1 × 4) = 4, limited to maxReplicas 3.
    expect(rc.spec.replicas).toBe(3);
    expect(hpaEvents(parts, 'legacy').filter((e) => e.startsWith('SuccessfulRescale'))).toEqual([
      'SuccessfulRescale: New size: 3; reason: cpu resource utilization (percentage of request) above target',
    ]);
    expect(
      parts.simulation.store.list('Pod', 'default').filter((p) => p.metadata.labels?.app === 'legacy'),
    ).toHaveLength(3);
  });

  test('a missing target: AbleToScale False FailedGetScale, with the API error, every sync', () => {
    const parts = start('', []);
    apply(parts, hpa({ kind: 'Deployment', name: 'nowhere' }, { max: 3 }));
    parts.simulation.advance(14_999);
    expect(hpaOf(parts, 'nowhere').status).toBeUndefined();
    parts.simulation.advance(1);
    expect(hpaOf(parts, 'nowhere').status).toEqual({
      observedGeneration: 1,
      desiredReplicas: 0,
      conditions: [
        {
          type: 'AbleToScale',
          status: 'False',
          lastTransitionTime: rfc3339(parts.simulation.clock.now()),
          reason: 'FailedGetScale',
          message: `the HPA controller was unable to get the target's current scale: deployments.apps "nowhere" not found`,
        },
      ],
    });
    parts.simulation.advance(30_000);
    const events = parts.simulation.events.eventsFor(hpaOf(parts, 'nowhere'));
    expect(events.map((e) => [e.type, e.reason, e.message, e.count])).toEqual([
      ['Warning', 'FailedGetScale', 'deployments.apps "nowhere" not found', 3],
    ]);
  });
});
