/**
 * Lifecycle property test (issue 9, "Proof"): seeded random sequences of what happens to a
 * Deployment over its life (gate deploys of good, flaky, missing, crashing and never-ready images;
 * an autoscaler and people with real kubectl; a second gate run at once; a gate run killed after
 * its apply), each over ONE long-lived cluster served over HTTP and driven through the gate's real
 * adapter, checked after every step against the model's oracle (model.ts, runSequence.ts).
 *
 * Deterministic: the sequences come from a fixed seed (LIFECYCLE_SEED), image behaviours and the
 * oracle do not depend on timing. Bounded: LIFECYCLE_RUNS sequences (default 4, about two minutes
 * on a loaded 2-core machine), the whole check including shrinking within LIFECYCLE_TIME_LIMIT_MS.
 * A failure prints the shrunk sequence, the step and the broken invariant.
 */
import { expect, test } from '@jest/globals';
import fc from 'fast-check';
import { describeStep, stepArbitrary, type Step } from './model.js';
import { newFigures, runSequence } from './runSequence.js';

const RUNS = Number(process.env.LIFECYCLE_RUNS ?? 4);
const SEED = Number(process.env.LIFECYCLE_SEED ?? 9009);
const TIME_LIMIT_MS = Number(process.env.LIFECYCLE_TIME_LIMIT_MS ?? 150_000);

test('every verdict over a Deployment’s life is the oracle’s, and every invariant holds after every step', async () => {
  const figures = newFigures();
  const details = await fc.check(
    fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 8 }), async (steps: Step[]) => {
      await runSequence(steps, figures);
    }),
    { seed: SEED, numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
  );
  const summary = {
    seed: SEED,
    runs: RUNS,
    ...figures,
    failed: details.failed,
    interrupted: details.interrupted,
    shrinks: details.numShrinks,
  };
  process.stdout.write(`lifecycle figures: ${JSON.stringify(summary)}\n`);
  const steps = (details.counterexample as [Step[]] | null)?.[0];
  const counterexample = details.failed
    ? {
        steps: (steps ?? []).map((s, i) => describeStep(s, i + 1)),
        json: JSON.stringify(steps),
        broken: String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance).split('\n')[0],
        replay: `LIFECYCLE_SEED=${SEED} (fast-check path ${details.counterexamplePath})`,
      }
    : undefined;
  if (counterexample) process.stdout.write(`lifecycle counterexample: ${JSON.stringify(counterexample, null, 1)}\n`);
  expect(counterexample).toBeUndefined();
  expect(figures.failures).toBe(0);
  // An interrupted check passes in fast-check once one run passed: every sequence must have run.
  expect({ interrupted: details.interrupted, runs: details.numRuns }).toEqual({ interrupted: false, runs: RUNS });
}, 600_000);
