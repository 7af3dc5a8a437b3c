/**
 * krane's and kubedog's lesson (their issue trackers): one flaky pull must not fail a deploy; a wall of
 * back-offs must. The scenario's `flakyPulls: N` makes the first N pulls of an image fail with a
 * registry 503 (no verdict on the image itself), so only the pull grace window can decide.
 */
import { describe, it, expect } from '@jest/globals';
import { contract, deployment, gate, simulate, state } from './support.js';

describe('a transient registry error', () => {
  it('that recovers within the grace window does not fail the rollout', async () => {
    // Pods go one at a time (maxSurge 1, maxUnavailable 0). A pod pulling on a node without the
    // image fails once (2 s), retries 10 s later, pulls for 2 s and starts 1 s after: ready 15 s
    // after its creation. Pod 1 (0 s -> 15 s) and pod 2 (15 s -> 30 s) pull; pod 3, created at
    // 30 s, lands on a node that already has the image and starts 1 s later: kubectl's rule holds
    // at 31 s, and pod 3 must stay Ready for the 10 s stability window: 41 s.
    const parts = simulate('images:\n  "web:2": { flakyPulls: 1 }\n', [deployment('web', 'web:1')]);
    const { result, log } = await gate(parts, [deployment('web', 'web:2')]);
    expect(result.result).toBe('succeeded');
    expect(result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'web', result: 'succeeded', revision: 2 },
    ]);
    expect(result.workloads[0]!.durationSeconds).toBe(41);
    expect(state(parts, 'web').image).toBe('web:2');
    expect(log.lines.some((l) => l.includes('failed'))).toBe(false);
  });

  it('that keeps failing past the 30 s grace window fails with the evidence and rolls back', async () => {
    // Pulls fail at 2 s, 14 s, 36 s...; the window counts from the first Failed event (2 s) and is
    // strict: still progressing at 32 s, failed at the next look, one second later.
    const parts = simulate('images:\n  "web:2": { flakyPulls: 10 }\n', [deployment('web', 'web:1')]);
    const { result } = await gate(parts, [deployment('web', 'web:2')]);
    const w = result.workloads[0]!;
    expect(result.result).toBe('rolled-back');
    expect(contract(w)).toEqual({
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'rolled-back',
      revision: 2,
      rolledBackTo: 3,
      reason: 'ImagePullBackOff',
      detectedAfterSeconds: 33,
    });
    expect(w.evidence?.[0]?.message).toBe('Back-off pulling image "web:2"');
    expect(w.evidence?.[0]?.events?.some((e) => e.includes('503 Service Unavailable'))).toBe(true);
    expect(state(parts, 'web').image).toBe('web:1');
  });

  it('fails sooner with a shorter --image-pull-grace', async () => {
    const parts = simulate('images:\n  "web:2": { flakyPulls: 10 }\n', [deployment('web', 'web:1')]);
    const { result } = await gate(parts, [deployment('web', 'web:2')], { policy: { imagePullGraceSeconds: 5 } });
    expect(result.workloads[0]!.detectedAfterSeconds).toBe(8);
    expect(result.workloads[0]!.reason).toBe('ImagePullBackOff');
  });
});

describe('a Deployment paused with kubectl', () => {
  it("stays paused through the gate's server-side apply, and is reported, not rolled back", async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    // `kubectl rollout pause` writes spec.paused under its own field manager.
    const { store } = parts.simulation;
    const live = store.get('Deployment', 'default', 'web')!;
    const { updateObject } = await import('../../src/cluster/sim/applyObject.js');
    updateObject(
      store,
      live,
      { ...live, spec: { ...(live.spec as object), paused: true } },
      { manager: 'kubectl-rollout', time: '2026-01-01T00:00:00Z' },
    );
    parts.simulation.settle();
    const { result } = await gate(parts, [deployment('web', 'web:2')]);
    const w = result.workloads[0]!;
    expect(w.reason).toBe('Paused');
    expect(result.result).toBe('failed');
    expect(store.get<import('../../src/k8s/objects.js').Deployment>('Deployment', 'default', 'web')!.spec.paused).toBe(
      true,
    );
  });
});
