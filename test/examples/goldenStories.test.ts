/**
 * Golden reports of every story in examples/: what a person reads after a real run of the story
 * (`rollout-gate run --simulate -f <manifest> --scenario <scenario>`: the log's summary and the job
 * summary with its chart) and before it (the PR plan's sticky comment), compared byte for byte with
 * test/examples/golden/. The verdicts themselves are asserted by examples.test.ts; these files are
 * read by people in review, so a change of wording, chart or plan shows up as a diff.
 *
 * To regenerate the golden files ON PURPOSE (after an intended change of the output), run
 *   UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/examples/goldenStories.test.ts
 * then read the diff of test/examples/golden/ before committing it.
 */
import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { runDeploy } from '../../src/app/runDeploy.js';
import { runPlan } from '../../src/app/runPlan.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import { renderPlanComment } from '../../src/plan/render.js';
import { renderJobSummary } from '../../src/report/summary.js';
import { renderTextSummary } from '../../src/report/text.js';
import { goldenFiles } from '../support/golden.js';
import { EXPECTED, storyRequest } from './stories.js';

const expectGolden = goldenFiles(fileURLToPath(new URL('./golden/', import.meta.url)));
const BLOB_URL = 'https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567';

describe.each(Object.entries(EXPECTED))('story %s', (folder, story) => {
  it('the run: its verdict, the log summary and the job summary', async () => {
    const result = await runDeploy(storyRequest(folder, story.manifest), new MemoryLog());
    // The planted verdict first: a golden of the wrong story is worth nothing.
    expect(result.result).toBe(story.result);
    expectGolden(`${folder}.txt`, `${renderTextSummary(result).join('\n')}\n`);
    expectGolden(`${folder}.md`, renderJobSummary(result, { blobUrl: BLOB_URL }));
  });

  it('the PR plan: its sticky comment', async () => {
    const { plan } = await runPlan(storyRequest(folder, story.manifest));
    expectGolden(`${folder}.plan.md`, renderPlanComment(plan, { blobUrl: BLOB_URL }));
  });
});
