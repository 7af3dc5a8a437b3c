/**
 * The stability window end to end on the simulated cluster (virtual time): an image that crashes
 * a second after it starts is Ready for that second. Under Recreate, or a RollingUpdate whose last
 * new pod becomes ready as the old one goes (1 replica, maxUnavailable 0), kubectl's rule holds
 * for that instant; the gate keeps watching until the window has passed and rolls the crash back.
 */
import { describe, expect, test } from '@jest/globals';
import type { Deployment } from '../../src/k8s/objects.js';
import { contract, deployment, gate, simulate, state } from './support.js';

const CRASHING = 'images: { "web:2": { crash: true } }';

function recreate(image: string): Deployment {
  const d = deployment('web', image, { replicas: 2 });
  d.spec.strategy = { type: 'Recreate' };
  return d;
}

describe('a crashing image whose pods are all Ready for an instant', () => {
  test("Recreate: the window is awaited, the crash inside it is CrashLoopBackOff, rolled back; kubectl's success line never printed", async () => {
    const parts = simulate(CRASHING, [recreate('web:1')]);
    const run = await gate(parts, [recreate('web:2')]);
    expect(run.result.result).toBe('rolled-back');
    expect(run.result.workloads.map(contract)).toEqual([
      {
        kind: 'Deployment',
        namespace: 'default',
        name: 'web',
        result: 'rolled-back',
        revision: 2,
        rolledBackTo: 3,
        reason: 'CrashLoopBackOff',
        detectedAfterSeconds: 8,
      },
    ]);
    const rollout = run.log.lines.slice(run.log.lines.indexOf('== Rollout'));
    expect(rollout).toContain('default/web: Waiting for 2 new pods to stay ready for 10 s (0 s so far)...');
    expect(rollout.slice(0, rollout.indexOf('== Rollback'))).not.toContain(
      'default/web: deployment "web" successfully rolled out',
    );
    expect(state(parts, 'web')).toMatchObject({ image: 'web:1', revision: '3' });
  });

  test('RollingUpdate, 1 replica, maxUnavailable 0: rolled back too', async () => {
    const one = (image: string) => deployment('web', image, { replicas: 1, maxSurge: 1, maxUnavailable: 0 });
    const parts = simulate(CRASHING, [one('web:1')]);
    const run = await gate(parts, [one('web:2')]);
    expect(run.result.workloads.map((w) => [w.result, w.reason])).toEqual([['rolled-back', 'CrashLoopBackOff']]);
    expect(state(parts, 'web')).toMatchObject({ image: 'web:1' });
  });

  test("a window of 0 is kubectl's rule alone: the crashing Recreate rollout is judged succeeded (the hole the window closes)", async () => {
    const parts = simulate(CRASHING, [recreate('web:1')]);
    const run = await gate(parts, [recreate('web:2')], { policy: { stableSeconds: 0 } });
    expect(run.result.workloads.map((w) => [w.result, w.reason])).toEqual([['succeeded', undefined]]);
  });
});
