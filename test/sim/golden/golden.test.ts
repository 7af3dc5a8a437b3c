/**
 * Golden traces (kwok-style): each `cases/<name>.input.yaml` (a scenario plus steps) is replayed
 * on a fresh simulated cluster and its trace must equal `cases/<name>.output.txt` byte for byte.
 *
 * Regenerate on purpose only, after a deliberate behaviour change, and review the diff:
 *
 *   UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/sim/golden
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseInput, runGolden } from './runner.js';
import { goldenFiles } from '../../support/golden.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'cases');
const expectGolden = goldenFiles(dir);
const inputs = readdirSync(dir)
  .filter((f) => f.endsWith('.input.yaml'))
  .sort();

describe('golden traces', () => {
  it('has a case for every story', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of inputs) {
    const name = file.slice(0, -'.input.yaml'.length);
    it(name, () => {
      const { trace } = runGolden(parseInput(readFileSync(join(dir, file), 'utf8')));
      expectGolden(`${name}.output.txt`, trace);
    });
  }
});

describe('determinism', () => {
  for (const name of ['rolling-3-replicas', 'story1-update-typo-undo', 'job-backoff-limit-2-fails']) {
    it(`replays ${name} twice with byte-identical store histories`, () => {
      const input = readFileSync(join(dir, `${name}.input.yaml`), 'utf8');
      const a = runGolden(parseInput(input));
      const b = runGolden(parseInput(input));
      expect(a.history.length).toBeGreaterThan(40);
      expect(b.history.join('\n')).toBe(a.history.join('\n'));
      expect(b.trace).toBe(a.trace);
    });
  }
});
