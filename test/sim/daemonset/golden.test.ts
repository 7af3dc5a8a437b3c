/**
 * DaemonSet golden traces: each `cases/<name>.input.yaml` is replayed on a fresh simulated cluster
 * and its trace must equal `cases/<name>.output.txt` byte for byte. Regenerate on purpose only:
 *
 *   UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/sim/daemonset/golden.test.ts
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goldenFiles } from '../../support/golden.js';
import { parseInput, runGolden } from './runner.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'cases');
const expectGolden = goldenFiles(dir);
const inputs = readdirSync(dir)
  .filter((f) => f.endsWith('.input.yaml'))
  .sort();

describe('DaemonSet golden traces', () => {
  it('has a case for every story', () => expect(inputs.length).toBeGreaterThanOrEqual(7));

  for (const file of inputs) {
    const name = file.slice(0, -'.input.yaml'.length);
    it(name, () => {
      const { trace } = runGolden(parseInput(readFileSync(join(dir, file), 'utf8')));
      expectGolden(`${name}.output.txt`, trace);
    });
  }
});

describe('DaemonSet determinism', () => {
  for (const name of ['max-surge-1', 'crash-every-node']) {
    it(`replays ${name} twice with byte-identical store histories`, () => {
      const input = readFileSync(join(dir, `${name}.input.yaml`), 'utf8');
      const a = runGolden(parseInput(input));
      const b = runGolden(parseInput(input));
      expect(a.history.length).toBeGreaterThan(80);
      expect(b.history.join('\n')).toBe(a.history.join('\n'));
      expect(b.trace).toBe(a.trace);
    });
  }
});
