/**
 * Cancellation (on the virtual clock), the lease against a second run, and a concurrent writer
 * under faults: the gate never overwrites a newer revision.
 */
import { describe, expect, test } from '@jest/globals';
import { exitCodeFor } from '../../src/gate/result.js';
import { formatLease, LOCK_ANNOTATION } from '../../src/gate/lock.js';
import { clone } from '../../src/k8s/meta.js';
import type { Deployment } from '../../src/k8s/objects.js';
import { runScenario, type Measured, type ScenarioSpec } from './support.js';

const one = (behaviour: ScenarioSpec['workloads'][0]['behaviour'], seed = 1): ScenarioSpec => ({
  seed,
  apiErrorRate: 0,
  workloads: [{ name: 'app0', strategy: 'RollingUpdate', replicas: 4, surge: [1, 0], behaviour }],
});

function stored(run: Measured): Deployment {
  return run.parts.simulation.store.get<Deployment>('Deployment', 'default', 'app0')!;
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
      expect(stored(run).metadata.annotations?.[LOCK_ANNOTATION]).toBeUndefined();
    });
  }

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

describe('a second gate run on the same Deployment (lease rollout-gate.dev/lock)', () => {
  const leased =
    (holder: string, expiresInMs: number) => (parts: Parameters<NonNullable<Parameters<typeof runScenario>[3]>>[0]) => {
      const store = parts.simulation.store;
      const d = clone(store.get<Deployment>('Deployment', 'default', 'app0')!);
      d.metadata.annotations = {
        ...(d.metadata.annotations ?? {}),
        [LOCK_ANNOTATION]: formatLease({ holder, expiresAt: parts.simulation.clock.now() + expiresInMs }),
      };
      store.update('Deployment', d);
    };

  test('a live lease of another run: failed, reason Locked, exit 3, nothing applied', async () => {
    const run = await runScenario(one('good'), undefined, {}, leased('ci-run-41', 300_000));
    expect(run.result).toMatchObject({ result: 'failed', reason: 'Locked', applied: [] });
    expect(exitCodeFor(run.result.result)).toBe(3);
    expect(run.result.workloads.map((w) => [w.name, w.result, w.reason])).toEqual([['app0', 'failed', 'Locked']]);
    expect(run.result.workloads[0]!.message).toMatch(/being deployed by another gate run \(ci-run-41, lease until /);
    expect(run.images).toEqual({ app0: 'app0:1' });
    // The other run's lease is left alone.
    expect(stored(run).metadata.annotations?.[LOCK_ANNOTATION]).toMatch(/^ci-run-41\//);
  });

  test('an expired lease (a run killed without releasing it) is taken over', async () => {
    const run = await runScenario(one('good'), undefined, { lockHolder: 'ci-run-42' }, leased('ci-run-41', -1000));
    expect(run.result.result).toBe('succeeded');
    expect(stored(run).metadata.annotations?.[LOCK_ANNOTATION]).toBeUndefined();
  });

  test('held during the run under the record field manager, released at the end, whatever the outcome', async () => {
    for (const behaviour of ['good', 'missing'] as const) {
      const seen: Array<string | undefined> = [];
      const run = await runScenario(
        one(behaviour),
        { apiErrorRate: 0.2, watchDropEverySeconds: 10, seed: 9 },
        { lockHolder: 'ci-run-43' },
        (parts) =>
          parts.simulation.clock.after(2_500, 'look', () =>
            seen.push(
              parts.simulation.store.get<Deployment>('Deployment', 'default', 'app0')!.metadata.annotations?.[
                LOCK_ANNOTATION
              ],
            ),
          ),
      );
      expect(run.result.result).toBe(behaviour === 'good' ? 'succeeded' : 'rolled-back');
      expect(seen[0]).toMatch(/^ci-run-43\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const d = stored(run);
      expect(d.metadata.annotations?.[LOCK_ANNOTATION]).toBeUndefined();
    }
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
