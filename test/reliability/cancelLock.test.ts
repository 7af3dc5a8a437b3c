/**
 * Cancellation (on the virtual clock), the lease against a second run, and a concurrent writer
 * under faults: the gate never overwrites a newer revision.
 */
import { describe, expect, test } from '@jest/globals';
import { exitCodeFor } from '../../src/gate/result.js';
import type { SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import { blankLease, LEASE_DURATION_SECONDS, LOCK_ANNOTATION } from '../../src/gate/lock.js';
import { runGate } from '../../src/gate/runGate.js';
import { microTime, type Lease } from '../../src/k8s/lease.js';
import { clone } from '../../src/k8s/meta.js';
import type { Deployment } from '../../src/k8s/objects.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import { deployment, documents, gate, leaseOf, simulate, stored as stored2 } from '../gate/support.js';
import { runScenario, type Measured, type ScenarioSpec } from './support.js';

const one = (behaviour: ScenarioSpec['workloads'][0]['behaviour'], seed = 1): ScenarioSpec => ({
  seed,
  apiErrorRate: 0,
  workloads: [{ name: 'app0', strategy: 'RollingUpdate', replicas: 4, surge: [1, 0], behaviour }],
});

function stored(run: Measured): Deployment {
  return run.parts.simulation.store.get<Deployment>('Deployment', 'default', 'app0')!;
}

function leaseIn(parts: SimulatedClusterParts): Lease {
  return parts.simulation.store.get<Lease>('Lease', 'default', 'rollout-gate.app0')!;
}

/** Another run's Lease on Deployment `name`, renewed `renewedAgoMs` ago. */
function leasedOn(parts: SimulatedClusterParts, name: string, holder: string, renewedAgoMs: number): void {
  const renewed = microTime(parts.simulation.clock.now() - renewedAgoMs);
  parts.simulation.store.create('Lease', {
    ...blankLease({ namespace: 'default', name }),
    spec: { holderIdentity: holder, leaseDurationSeconds: 60, acquireTime: renewed, renewTime: renewed },
  });
}

describe('cancellation (SIGINT/SIGTERM) at a given simulated time', () => {
  for (const faulty of [false, true]) {
    test(`mid-rollout, rollback-on-cancel true: rolled back, failed, reason Cancelled, exit 3${faulty ? ' (with faults)' : ''}`, async () => {
      const controller = new AbortController();
      const run = await runScenario(
        one('never-ready'),
        faulty ? { apiErrorRate: 0.2, watchDropEverySeconds: 10, seed: 5 } : undefined,
        { signal: controller.signal },
        (parts) => parts.simulation.clock.after(15_000, 'SIGINT', () => controller.abort()),
      );
      expect(run.result.result).toBe('failed');
      expect(run.result.reason).toBe('Cancelled');
      expect(exitCodeFor(run.result.result)).toBe(3);
      expect(run.result.workloads.map((w) => [w.name, w.result, w.reason])).toEqual([
        ['app0', 'rolled-back', 'Cancelled'],
      ]);
      expect(run.images).toEqual({ app0: 'app0:1' });
      expect(run.undos).toEqual({ app0: 1 });
      expect(run.paused).toEqual([]);
      expect(run.log.lines.some((l) => /cancelled after 1[5-7](\.\d)? s; rolling back/.test(l))).toBe(true);
      expect(leaseIn(run.parts).spec!.holderIdentity).toBe('');
    });
  }

  test('SIGINT: the undo is written first, then the Lease released, both within 10 s, before the rollback is verified', async () => {
    // web:1 pods take 30 s to become ready: verifying the rollback outlasts GitHub's grace.
    const parts = simulate('images: { "web:1": { readySeconds: 30 }, "web:2": { ready: never } }', [
      deployment('web', 'web:1', { maxSurge: 0, maxUnavailable: 1 }),
    ]);
    const clock = parts.simulation.clock;
    const controller = new AbortController();
    const signalled = clock.now() + 15_000;
    clock.at(signalled, 'SIGINT', () => controller.abort());
    let undone: number | undefined;
    let released: number | undefined;
    parts.simulation.store.watch((event) => {
      const o = event.object as Deployment & Lease;
      if (clock.now() < signalled) return;
      if (o.kind === 'Deployment' && o.spec.template.spec?.containers[0]?.image === 'web:1') undone ??= clock.now();
      if (o.kind === 'Lease' && o.spec?.holderIdentity === '') released ??= clock.now();
    });
    const run = await gate(parts, [deployment('web', 'web:2', { maxSurge: 0, maxUnavailable: 1 })], {
      signal: controller.signal,
    });
    expect(run.result.workloads.map((w) => [w.result, w.reason])).toEqual([['rolled-back', 'Cancelled']]);
    expect(undone).toBeDefined();
    expect(released).toBeDefined();
    expect(undone!).toBeLessThanOrEqual(released!);
    expect(released! - signalled).toBeLessThan(10_000);
    // The run itself ended only once the restored pods were ready, well after the release.
    expect(clock.now() - released!).toBeGreaterThanOrEqual(25_000);
  });

  test('rollback-on-cancel false: left as applied, failed, reason Cancelled', async () => {
    const controller = new AbortController();
    const run = await runScenario(
      one('never-ready'),
      undefined,
      { signal: controller.signal, rollbackOnCancel: false },
      (parts) => parts.simulation.clock.after(15_000, 'SIGTERM', () => controller.abort()),
    );
    expect(run.result).toMatchObject({ result: 'failed', reason: 'Cancelled' });
    expect(run.result.workloads.map((w) => [w.result, w.reason])).toEqual([['failed', 'Cancelled']]);
    expect(run.images).toEqual({ app0: 'app0:2' });
    expect(run.undos).toEqual({});
  });

  test('cancelled before the apply: nothing applied', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = await runScenario(one('good'), undefined, { signal: controller.signal });
    expect(run.result).toMatchObject({ result: 'failed', reason: 'Cancelled', applied: [] });
    expect(run.result.workloads.map((w) => [w.result, w.reason])).toEqual([['unchanged', 'Cancelled']]);
    expect(run.images).toEqual({ app0: 'app0:1' });
  });

  test('a cancel after the verdict changes nothing: a healthy rollout still succeeds', async () => {
    const controller = new AbortController();
    const run = await runScenario(one('good'), undefined, { signal: controller.signal }, (parts) =>
      parts.simulation.clock.after(600_000, 'late SIGINT', () => controller.abort()),
    );
    expect(run.result.result).toBe('succeeded');
  });
});

describe('a second gate run on the same Deployment (Lease rollout-gate.<name>)', () => {
  /** Seeds the Lease of app0 as another run left it: `holder`, renewed `renewedAgoMs` ago. */
  const leased = (holder: string, renewedAgoMs: number) => (parts: SimulatedClusterParts) => {
    const renewed = microTime(parts.simulation.clock.now() - renewedAgoMs);
    parts.simulation.store.create('Lease', {
      ...blankLease({ namespace: 'default', name: 'app0' }),
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: LEASE_DURATION_SECONDS,
        acquireTime: renewed,
        renewTime: renewed,
        leaseTransitions: 3,
      },
    });
  };

  test('a live Lease of another run: failed, reason Locked, exit 3, nothing applied, their Lease untouched', async () => {
    let before: Lease | undefined;
    const run = await runScenario(one('good'), undefined, {}, (parts) => {
      leased('ci-run-41', 59_000)(parts);
      before = clone(leaseIn(parts));
    });
    expect(run.result).toMatchObject({ result: 'failed', reason: 'Locked', applied: [] });
    expect(exitCodeFor(run.result.result)).toBe(3);
    expect(run.result.workloads.map((w) => [w.name, w.result, w.reason])).toEqual([['app0', 'failed', 'Locked']]);
    // Renewed 59 s ago for 60 s: held one more second.
    expect(run.result.workloads[0]!.message).toBe(
      'deployment "app0" is being deployed by another gate run (ci-run-41, Lease rollout-gate.app0 held until ' +
        `${new Date(Date.parse(before!.spec!.renewTime!) + 60_000).toISOString()} unless renewed); nothing was applied`,
    );
    expect(run.images).toEqual({ app0: 'app0:1' });
    expect(leaseIn(run.parts)).toEqual(before);
  });

  test('a Lease lapsed one second ago (a run killed without releasing it) is taken over, counting a transition', async () => {
    let acquired: Lease | undefined;
    const run = await runScenario(one('good'), undefined, { lockHolder: 'ci-run-42' }, (parts) => {
      leased('ci-run-41', 61_000)(parts);
      parts.simulation.clock.after(1_000, 'look', () => (acquired = clone(leaseIn(parts))));
    });
    expect(run.result.result).toBe('succeeded');
    expect(acquired!.spec).toMatchObject({ holderIdentity: 'ci-run-42', leaseTransitions: 4 });
    // Released as client-go releases: no holder, a 1 s duration, transitions kept.
    expect(leaseIn(run.parts).spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 4 });
  });

  test('held during the run, renewed every 20 s, released at the end, whatever the outcome (with faults)', async () => {
    for (const behaviour of ['good', 'never-ready', 'missing'] as const) {
      const seen: Array<{ at: number; spec: Lease['spec'] }> = [];
      const run = await runScenario(
        one(behaviour),
        { apiErrorRate: 0.2, watchDropEverySeconds: 10, seed: 9 },
        { lockHolder: 'ci-run-43' },
        (parts) => {
          // (From 0.5 s on: a missing image is detected at 2 s and may be rolled back within a second.)
          for (let t = 500; t < 200_000; t += 1_000) {
            parts.simulation.clock.after(t, 'look', () => {
              const spec = parts.simulation.store.get<Lease>('Lease', 'default', 'rollout-gate.app0')?.spec;
              if (spec?.holderIdentity) seen.push({ at: parts.simulation.clock.now(), spec: clone(spec) });
            });
          }
        },
      );
      expect(run.result.result).toBe(behaviour === 'good' ? 'succeeded' : 'rolled-back');
      expect({ behaviour, spec: seen[0]?.spec }).toMatchObject({
        behaviour,
        spec: {
          holderIdentity: 'ci-run-43',
          leaseDurationSeconds: 60,
          leaseTransitions: 0,
        },
      });
      expect(seen[0]!.spec!.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      // Never lapsed while the run lived: each look finds a renewal less than ~30 s old.
      for (const { at, spec } of seen) {
        expect(spec!.holderIdentity).toBe('ci-run-43');
        expect(at - Date.parse(spec!.renewTime!)).toBeLessThan(30_000);
      }
      // The never-ready rollout lasts over 40 s: taken, then renewed 20 s later (the waits are capped to that).
      const renewals = [...new Set(seen.map((x) => Date.parse(x.spec!.renewTime!)))];
      if (behaviour === 'never-ready') {
        expect(renewals.length).toBeGreaterThanOrEqual(2);
        expect(renewals[1]! - renewals[0]!).toBeGreaterThanOrEqual(20_000);
        expect(renewals[1]! - renewals[0]!).toBeLessThan(21_000);
      }
      expect(leaseIn(run.parts).spec!.holderIdentity).toBe('');
      // Nothing of the lock on the Deployment.
      expect(stored(run).metadata.annotations?.[LOCK_ANNOTATION]).toBeUndefined();
    }
  });

  test('a Deployment this run is about to create is locked before it exists', async () => {
    const parts = simulate('images: {}');
    leasedOn(parts, 'fresh', 'ci-run-44', 0);
    const run = await gate(parts, [deployment('fresh', 'fresh:1')]);
    expect(run.result).toMatchObject({ result: 'failed', reason: 'Locked', applied: [] });
    expect(stored2(parts, 'fresh')).toBeUndefined();
  });
});

describe('a killed run (SIGKILL: no release, no more renewals)', () => {
  test('blocks the next run for at most a minute after its last renewal, then the next proceeds', async () => {
    const parts = simulate('images: { "web:2": { ready: never } }', [deployment('web', 'web:1')]);
    // The first run dies 45 s into its rollout: from then on, nothing it awaits ever answers.
    const dies = parts.simulation.clock.now() + 45_000;
    const dying = Object.create(parts.cluster) as typeof parts.cluster;
    dying.waitForChange = (ms) =>
      parts.cluster.clock.now() + ms >= dies
        ? (parts.simulation.clock.runUntil(dies), new Promise<void>(() => undefined))
        : parts.cluster.waitForChange(ms);
    void runGate(
      dying,
      {
        documents: documents([deployment('web', 'web:2')]),
        rollback: 'on-failure',
        rollbackTimeoutSeconds: 300,
        onNoGoodRevision: 'leave',
        force: false,
        policy: DEFAULT_POLICY,
        lockHolder: 'killed-run',
      },
      new MemoryLog(),
    );
    // Let the dying run reach its last wait.
    for (let i = 0; i < 1000 && parts.simulation.clock.now() < dies; i++) await Promise.resolve();
    expect(parts.simulation.clock.now()).toBe(dies);
    const lease = leaseOf(parts, 'web')!;
    expect(lease.spec!.holderIdentity).toBe('killed-run');
    const lapses = Date.parse(lease.spec!.renewTime!) + 60_000;
    expect(lapses - dies).toBeLessThanOrEqual(60_000);

    parts.simulation.clock.runUntil(lapses - 1_000);
    const blocked = await gate(parts, [deployment('web', 'web:3')], { lockHolder: 'next-run' });
    expect(blocked.result).toMatchObject({ result: 'failed', reason: 'Locked', applied: [] });
    expect(blocked.result.workloads[0]!.message).toContain('(killed-run, Lease rollout-gate.web held until');

    parts.simulation.clock.runUntil(lapses);
    const next = await gate(parts, [deployment('web', 'web:3')], { lockHolder: 'next-run' });
    expect(next.result.result).toBe('succeeded');
    expect(stored2(parts, 'web')!.spec.template.spec!.containers[0]!.image).toBe('web:3');
  });
});

describe('a concurrent writer, with faults: the gate never overwrites a newer revision', () => {
  test('someone deploys app0:3 during a failing rollout, over 30 fault seeds', async () => {
    let superseded = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const run = await runScenario(
        one(seed % 2 ? 'missing' : 'crash', seed),
        { apiErrorRate: 0.2, watchDropEverySeconds: 10, seed },
        {},
        (parts) => {
          // 0.5-1.7 s after this run's apply is committed, someone runs `kubectl set image`.
          let scheduled = false;
          parts.simulation.store.watch((event) => {
            const d = event.object as Deployment;
            if (scheduled || d.kind !== 'Deployment' || d.spec.template.spec?.containers[0]?.image !== 'app0:2') return;
            scheduled = true;
            parts.simulation.clock.after(500 + (seed % 5) * 300, 'kubectl set image', () => {
              const store = parts.simulation.store;
              const current = clone(store.get<Deployment>('Deployment', 'default', 'app0')!);
              current.spec.template.spec!.containers[0]!.image = 'app0:3';
              store.update('Deployment', current);
            });
          });
        },
      );
      expect(run.images).toEqual({ app0: 'app0:3' });
      expect(run.undos).toEqual({});
      expect(run.result.workloads.map((w) => [w.result, w.reason])).toEqual([['failed', 'Superseded']]);
      superseded++;
    }
    process.stdout.write(`concurrent writer: ${superseded}/30 runs reported Superseded, 0 overwrites\n`);
  });
});
