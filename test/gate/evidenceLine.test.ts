/**
 * Where a failure points in the manifest: the failing container's image line; the `resources:` of
 * the container that requests what does not fit for Unschedulable; the first container's image for
 * a failure without a container (Stalled), never the document's first line when a better one exists.
 */
import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { manifestLine } from '../../src/gate/captureEvidence.js';
import { loadManifests } from '../../src/manifest/index.js';
import { cli } from '../cli/support.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function worker() {
  const { documents, errors } = loadManifests({ patterns: ['examples/unschedulable/worker-v2.yaml'], cwd: root });
  expect(errors).toEqual([]);
  return documents[0]!;
}

describe('manifestLine', () => {
  it('a container: its image line (19)', () => {
    expect(manifestLine(worker(), { container: 'worker', reason: 'CrashLoopBackOff' })).toBe(19);
  });

  it('Unschedulable: the resources line of the container that requests (22)', () => {
    expect(manifestLine(worker(), { reason: 'Unschedulable' })).toBe(22);
  });

  it('no container, another reason (Stalled): the first container image line (19)', () => {
    expect(manifestLine(worker(), { reason: 'Stalled' })).toBe(19);
  });

  it('Unschedulable without requests nor field lines: the image line, else the document line', () => {
    const doc = worker();
    const { lineOf: _ignored, ...noLines } = doc;
    expect(manifestLine(noLines, { reason: 'Unschedulable' })).toBe(19);
    expect(manifestLine({ ...noLines, imageLines: {} }, { reason: 'Unschedulable' })).toBe(1);
  });
});

describe('the run points at that line', () => {
  it.each([
    ['unschedulable', 'worker-v2.yaml', 22, 'deployment "worker" failed: Unschedulable: '],
    ['never-ready', 'web-v2.yaml', 19, 'deployment "web" failed: Stalled: '],
  ])('%s', async (example, file, line, text) => {
    const run = await cli([
      'run',
      '--simulate',
      '-f',
      `examples/${example}/${file}`,
      '--scenario',
      `examples/${example}/scenario.yaml`,
    ]);
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => l.includes(': error: '));
    expect(errors.map((l) => l.slice(0, `examples/${example}/${file}:${line}: error: ${text}`.length))).toEqual([
      `examples/${example}/${file}:${line}: error: ${text}`,
    ]);
    expect(run.stdout).toContain(`    manifest: examples/${example}/${file}:${line}\n`);
  });
});
