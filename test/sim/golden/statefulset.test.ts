/**
 * StatefulSet golden traces: each `statefulset/<name>.input.yaml` is replayed on a fresh simulated
 * cluster and its trace must equal `statefulset/<name>.output.txt` byte for byte.
 *
 *   UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/sim/golden/statefulset.test.ts
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goldenFiles } from '../../support/golden.js';
import { parseInput, runStatefulSetGolden } from './statefulSetRunner.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'statefulset');
const expectGolden = goldenFiles(dir);
const inputs = readdirSync(dir)
  .filter((f) => f.endsWith('.input.yaml'))
  .sort();

describe('StatefulSet golden traces', () => {
  for (const file of inputs) {
    const name = file.slice(0, -'.input.yaml'.length);
    it(name, () => {
      const { trace } = runStatefulSetGolden(parseInput(readFileSync(join(dir, file), 'utf8')));
      expectGolden(`${name}.output.txt`, trace);
    });
  }
});

describe('StatefulSet determinism', () => {
  for (const name of ['ordered-create-rolling-update', 'typo-stuck-undo-delete']) {
    it(`replays ${name} twice with byte-identical store histories`, () => {
      const input = readFileSync(join(dir, `${name}.input.yaml`), 'utf8');
      const a = runStatefulSetGolden(parseInput(input));
      const b = runStatefulSetGolden(parseInput(input));
      expect(a.history.length).toBeGreaterThan(100);
      expect(b.history.join('\n')).toBe(a.history.join('\n'));
      expect(b.trace).toBe(a.trace);
    });
  }
});
