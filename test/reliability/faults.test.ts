/**
 * The reliability proof of issue 6: 200 seeded random scenarios, each run by the gate twice on the
 * simulated cluster (virtual time), fault-free and with faults: up to 20% of requests failing
 * (429 with Retry-After, 500, 503, connection resets, half of those on writes after the write was
 * committed, 409s on conditional writes) and every watch dropped every 10 s (stale cache until
 * resumed; 410 Gone on some resumes). The verdict must be the same; no Deployment is undone twice,
 * left paused, or left anywhere but the new good revision or the last good one.
 */
import { describe, expect, test } from '@jest/globals';
import {
  drawScenario,
  NEW,
  OLD,
  runScenario,
  siblingRace,
  verdict,
  type Measured,
  type ScenarioSpec,
} from './support.js';

const SCENARIOS = 200;

describe('200 seeded random scenarios, fault-free vs faulty', () => {
  test('same verdict, no double rollback, nothing paused, every Deployment at the new or the last good revision', async () => {
    const figures = {
      scenarios: 0,
      runs: 0,
      verdictMismatches: 0,
      /** Same verdict but for a sibling's reason, both failing within the same second (see siblingRace). */
      siblingRaces: 0,
      doubleRollbacks: 0,
      leftPaused: 0,
      elsewhere: 0,
      deployments: 0,
      outcomes: {} as Record<string, number>,
      faults: {} as Record<string, number>,
      requests: { faultFree: 0, faulty: 0 },
      maxErrorRate: 0,
    };
    const problems: string[] = [];
    const check = (spec: ScenarioSpec, run: Measured, label: string) => {
      figures.runs++;
      for (const [name, n] of Object.entries(run.undos))
        if (n > 1) {
          figures.doubleRollbacks++;
          problems.push(`seed ${spec.seed} ${label}: ${name} undone ${n} times`);
        }
      figures.leftPaused += run.paused.length;
      for (const w of run.result.workloads) {
        const image = run.images[w.name];
        const expected = w.result === 'succeeded' ? NEW(w.name) : OLD(w.name);
        if (image !== expected && !(w.result === 'failed' && w.reason === 'Superseded')) {
          figures.elsewhere++;
          problems.push(`seed ${spec.seed} ${label}: ${w.name} ${w.result} ends at ${image}`);
        }
      }
    };
    for (let seed = 1; seed <= SCENARIOS; seed++) {
      const spec = drawScenario(seed);
      figures.scenarios++;
      figures.deployments += spec.workloads.length;
      figures.maxErrorRate = Math.max(figures.maxErrorRate, spec.apiErrorRate);
      const clean = await runScenario(spec, undefined);
      const faulty = await runScenario(spec, {
        apiErrorRate: spec.apiErrorRate,
        watchDropEverySeconds: 10,
        seed: seed * 31 + 7,
      });
      check(spec, clean, 'fault-free');
      check(spec, faulty, 'faulty');
      const same = JSON.stringify(verdict(clean.result)) === JSON.stringify(verdict(faulty.result));
      if (!same && siblingRace(clean.result, faulty.result)) figures.siblingRaces++;
      else if (!same) {
        figures.verdictMismatches++;
        problems.push(
          `seed ${seed} ${JSON.stringify(spec.workloads)}: fault-free ${JSON.stringify(verdict(clean.result))} vs faulty ${JSON.stringify(verdict(faulty.result))}`,
        );
      }
      for (const w of clean.result.workloads)
        figures.outcomes[`${w.result}${w.reason ? ` ${w.reason}` : ''}`] =
          (figures.outcomes[`${w.result}${w.reason ? ` ${w.reason}` : ''}`] ?? 0) + 1;
      for (const [k, v] of Object.entries(faulty.faults)) figures.faults[k] = (figures.faults[k] ?? 0) + v;
      figures.requests.faultFree += clean.requests;
      figures.requests.faulty += faulty.requests;
    }
    process.stdout.write(`reliability figures: ${JSON.stringify(figures, null, 1)}\n`);
    if (problems.length) process.stdout.write(problems.slice(0, 30).join('\n') + '\n');
    expect(problems).toEqual([]);
    expect(figures).toMatchObject({ verdictMismatches: 0, doubleRollbacks: 0, leftPaused: 0, elsewhere: 0 });
  });
});
