/**
 * Golden tests of the report renderers: every case of fixtures.ts is rendered as text, job
 * summary, JSON and action outputs, and compared byte for byte with test/report/golden/.
 *
 * To regenerate the golden files ON PURPOSE (after an intended change of the output), run
 *   UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/report
 * then review the diff of test/report/golden/ before committing it.
 */
import { describe, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { actionOutputs } from '../../src/report/outputs.js';
import { renderJson } from '../../src/report/json.js';
import { renderJobSummary } from '../../src/report/summary.js';
import { renderTextSummary } from '../../src/report/text.js';
import { goldenCases } from './fixtures.js';

import { goldenFiles } from '../support/golden.js';
const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const BLOB_URL = 'https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567';

const expectGolden = goldenFiles(GOLDEN_DIR);

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
