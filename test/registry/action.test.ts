/**
 * The action's plan mode with the image check: `registry-credentials` is masked (the whole input,
 * each password and its Basic header value) before the registry is asked, and the check's answer
 * reaches the outputs; `check-images: false` turns it off. `run()` with a fake @actions/core.
 *   NODE_OPTIONS=--experimental-vm-modules npx jest test/registry/action.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreLike } from '../../src/main.js';
import { startRegistry, type RunningRegistry } from './support.js';

interface Calls {
  secrets: string[];
  failed: string[];
  info: string[];
  outputs: Record<string, unknown>;
}

function fakeCore(inputs: Record<string, string>): { core: CoreLike; calls: Calls } {
  const calls: Calls = { secrets: [], failed: [], info: [], outputs: {} };
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
    setSecret: (s: string) => void calls.secrets.push(s),
    info: (m: string) => void calls.info.push(m),
    notice: () => undefined,
    warning: () => undefined,
    error: () => undefined,
    group: <T>(_name: string, fn: () => Promise<T>) => fn(),
    summary: {} as CoreLike['summary'],
  } as unknown as CoreLike;
  return { core, calls };
}

const saved = { ...process.env };
let dir = '';
let registry: RunningRegistry;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-gate-action-registry-'));
  mkdirSync(join(dir, 'docker'));
  process.env.DOCKER_CONFIG = join(dir, 'docker');
  process.env.GITHUB_WORKSPACE = dir;
  process.env.GITHUB_EVENT_NAME = 'push';
  delete process.env.GITHUB_EVENT_PATH;
  delete process.env.GITHUB_STEP_SUMMARY;
  registry = await startRegistry({ users: { dev: 'tok-9f2e-secret', pusher: 'x' }, publicRepositories: [] });
  await registry.push('private/api', '3');
  writeFileSync(
    join(dir, 'api.yaml'),
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: api }',
      'spec:',
      '  selector: { matchLabels: { app: api } }',
      '  template:',
      '    metadata: { labels: { app: api } }',
      '    spec:',
      '      containers:',
      `        - { name: api, image: "${registry.host}/private/api:3" }`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  process.env = saved;
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('plan mode with registry-credentials', () => {
  it('masks the input, the password and the Basic value, then finds the private image', async () => {
    const { run } = await import('../../src/main.js');
    const input = `${registry.host}=dev:tok-9f2e-secret`;
    const { core, calls } = fakeCore({
      manifests: 'api.yaml',
      mode: 'plan',
      comment: 'false',
      'registry-credentials': input,
    });
    await run(core);
    expect(calls.secrets).toEqual([input, 'tok-9f2e-secret', Buffer.from('dev:tok-9f2e-secret').toString('base64')]);
    expect(calls.failed).toEqual([]);
    expect(calls.outputs.result).toBe('planned');
    const plan = JSON.parse(String(calls.outputs.json)) as { images: { results: Array<{ result: string }> } };
    expect(plan.images.results.map((r) => r.result)).toEqual(['exists']);
    expect(calls.info.join('\n')).not.toContain('tok-9f2e-secret');
  });

  it('without credentials the plan fails the step: the registry refused the pull', async () => {
    const { run } = await import('../../src/main.js');
    const { core, calls } = fakeCore({ manifests: 'api.yaml', mode: 'plan', comment: 'false' });
    await run(core);
    expect(calls.outputs.result).toBe('would-fail');
    expect(calls.failed).toEqual(['rollout-gate plan: would-fail']);
  });

  it('check-images false: no registry asked, the plan says so and passes', async () => {
    const { run } = await import('../../src/main.js');
    const before = registry.requests.length;
    const { core, calls } = fakeCore({
      manifests: 'api.yaml',
      mode: 'plan',
      comment: 'false',
      'check-images': 'false',
    });
    await run(core);
    expect(registry.requests.slice(before)).toEqual([]);
    expect(calls.outputs.result).toBe('planned');
    expect(calls.info).toContain('images: not checked against their registries (check-images: false)');
  });
});
