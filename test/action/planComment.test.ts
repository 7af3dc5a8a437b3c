/**
 * A PR comment that cannot be written never turns a passing plan's step red: `run()` with a fake
 * @actions/core (CoreLike) on a pull_request event whose GitHub API is unreachable (a closed port
 * on loopback) warns and still passes; a plan that fails still fails.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreLike } from '../../src/main.js';

const root = new URL('../..', import.meta.url).pathname;

interface Calls {
  warning: string[];
  notice: string[];
  failed: string[];
  outputs: Record<string, unknown>;
}

/** The parts of @actions/core main.ts calls, recording what it would print. */
function fakeCore(inputs: Record<string, string>): { core: CoreLike; calls: Calls } {
  const calls: Calls = { warning: [], notice: [], failed: [], outputs: {} };
  const input = (name: string) => inputs[name] ?? '';
  const core = {
    getInput: input,
    getMultilineInput: (name: string) =>
      input(name)
        .split('\n')
        .filter((l) => l !== ''),
    getBooleanInput: (name: string) => input(name) === 'true',
    setOutput: (name: string, value: unknown) => void (calls.outputs[name] = value),
    setFailed: (m: string | Error) => void calls.failed.push(String(m)),
    setSecret: () => undefined,
    info: () => undefined,
    notice: (m: string | Error) => void calls.notice.push(String(m)),
    warning: (m: string | Error) => void calls.warning.push(String(m)),
    error: () => undefined,
    group: <T>(_name: string, fn: () => Promise<T>) => fn(),
    summary: {} as CoreLike['summary'],
  } as unknown as CoreLike;
  return { core, calls };
}

/** A loopback port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const saved = { ...process.env };
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-gate-comment-'));
  writeFileSync(join(dir, 'event.json'), JSON.stringify({ pull_request: { number: 7 } }));
  process.env.GITHUB_EVENT_NAME = 'pull_request';
  process.env.GITHUB_EVENT_PATH = join(dir, 'event.json');
  process.env.GITHUB_REPOSITORY = 'acme/app';
  process.env.GITHUB_API_URL = `http://127.0.0.1:${await closedPort()}`;
  delete process.env.GITHUB_STEP_SUMMARY;
  process.chdir(root);
});

afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('plan mode, PR comment unreachable', () => {
  it('warns and passes when the plan passes', async () => {
    const { run } = await import('../../src/main.js');
    const { core, calls } = fakeCore({
      manifests: 'examples/update/web-v2.yaml',
      scenario: 'examples/update/scenario.yaml',
      mode: 'plan',
      'github-token': 'x',
      // No registry is asked: the outcome must not depend on docker.io being reachable.
      'check-images': 'false',
    });
    await run(core);
    expect(calls.failed).toEqual([]);
    expect(calls.outputs.result).toBe('planned');
    expect(calls.outputs['comment-url']).toBe('');
    expect(calls.warning.filter((w) => w.startsWith('rollout-gate:'))).toEqual([
      'rollout-gate: the plan could not be posted as a PR comment (fetch failed). The plan is in the job summary.',
    ]);
  }, 30_000);

  it('still fails the step when the plan predicts a failure', async () => {
    const { run } = await import('../../src/main.js');
    const { core, calls } = fakeCore({
      manifests: 'examples/typo-image/web-v2.yaml',
      scenario: 'examples/typo-image/scenario.yaml',
      mode: 'plan',
      'github-token': 'x',
      // No registry is asked: the outcome must not depend on docker.io being reachable.
      'check-images': 'false',
    });
    await run(core);
    expect(calls.failed).toEqual(['rollout-gate plan: would-fail']);
    expect(calls.warning.filter((w) => w.includes('could not be posted'))).toHaveLength(1);
  }, 30_000);
});
