/**
 * Golden tests of the report renderers: every case of fixtures.ts is rendered as text, job
 * summary, JSON and action outputs, and compared byte for byte with test/report/golden/.
 *
 * To regenerate the golden files ON PURPOSE (after an intended change of the output), run
 *   UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/report
 * then review the diff of test/report/golden/ before committing it.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionOutputs } from '../../src/report/outputs.js';
import { renderJson } from '../../src/report/json.js';
import { renderJobSummary } from '../../src/report/summary.js';
import { renderTextSummary } from '../../src/report/text.js';
import { goldenCases } from './fixtures.js';

const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const BLOB_URL = 'https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567';

function expectGolden(file: string, actual: string): void {
  const path = join(GOLDEN_DIR, file);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${file}: run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe.each(Object.entries(goldenCases))('golden %s', (name, result) => {
  it('text summary', () => {
    expectGolden(`${name}.txt`, `${renderTextSummary(result).join('\n')}\n`);
  });

  it('job summary', () => {
    expectGolden(`${name}.md`, renderJobSummary(result, { blobUrl: BLOB_URL }));
  });

  it('JSON result', () => {
    expectGolden(`${name}.json`, `${renderJson(result)}\n`);
  });

  it('action outputs', () => {
    expectGolden(`${name}.outputs.json`, `${JSON.stringify(actionOutputs(result), null, 2)}\n`);
  });
});
