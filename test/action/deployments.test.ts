/**
 * The `environment` input: the action (src/main.ts run) against a fake GitHub API on loopback,
 * on the simulated cluster. Asserts the exact requests (method, path, body) for a success, a
 * rollback, a failure, plan mode (none) and an API that refuses (warning, verdict unchanged).
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from '@jest/globals';

import { run, type CoreLike } from '../../src/main.js';
import { API_TIMEOUT_MS, startEnvironment } from '../../src/action/deployments.js';
import { createServer } from 'node:net';

import { FakeGitHubApi, type Answer, type ApiCall } from './fakeGitHub.js';

const root = new URL('../..', import.meta.url).pathname;
const SHA = '0123456789abcdef0123456789abcdef01234567';
const LOG_URL = 'https://github.com/acme/app/actions/runs/42';
const DEPLOYMENTS = '/repos/acme/app/deployments';
const STATUSES = `${DEPLOYMENTS}/1001/statuses`;

type Recorded = Array<[string, ...unknown[]]>;

/** A fake @actions/core that records what the action reports. */
function fakeCore(inputs: Record<string, string>): { core: CoreLike; calls: Recorded } {
  const calls: Recorded = [];
  const log =
    (name: string) =>
    (...args: unknown[]): void => {
      calls.push([name, ...args]);
    };
  const core = {
    getInput: (name: string) => inputs[name] ?? '',
    getMultilineInput: (name: string) => (inputs[name] ?? '').split('\n').filter((l) => l.trim() !== ''),
    getBooleanInput: (name: string) => inputs[name] === 'true',
    setOutput: log('setOutput'),
    setFailed: log('setFailed'),
    setSecret: () => undefined,
    info: () => undefined,
    notice: log('notice'),
    warning: log('warning'),
    error: () => undefined,
    group: async <T>(_name: string, fn: () => Promise<T>): Promise<T> => fn(),
    summary: {},
  };
  return { core: core as unknown as CoreLike, calls };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const of = (calls: Recorded, name: string) => calls.filter((c) => c[0] === name).map((c) => c.slice(1));

/** A GitHub that creates deployment 1001 and accepts its statuses. */
const accepting = (call: ApiCall): Answer => {
  if (call.method === 'POST' && call.path === DEPLOYMENTS) return { status: 201, body: { id: 1001, ...call.body } };
  if (call.method === 'POST' && call.path === STATUSES) return { status: 201, body: { id: 1, ...call.body } };
  return undefined;
};

const typo = { manifests: 'examples/typo-image/web-v2.yaml', scenario: 'examples/typo-image/scenario.yaml' };
const update = { manifests: 'examples/update/web-v2.yaml', scenario: 'examples/update/scenario.yaml' };

const deploymentBody = (environment: string, production: boolean) => ({
  ref: SHA,
  task: 'deploy',
  environment,
  description: 'simulated: rollout-gate deploys 0123456789ab',
  auto_merge: false,
  required_contexts: [],
  transient_environment: true,
  production_environment: production,
});

const status = (state: string, description: string, url = true) => ({
  method: 'POST',
  path: STATUSES,
  body: {
    state,
    description,
    log_url: LOG_URL,
    ...(url ? { environment_url: 'https://staging.example.com' } : {}),
  },
});

describe('GitHub Deployments of the environment input', () => {
  const api = new FakeGitHubApi(accepting);
  const saved = { ...process.env };
  beforeAll(async () => {
    await api.start();
    // Read once by @actions/github (its base URL) and by the action's context, on first use.
    Object.assign(process.env, {
      GITHUB_API_URL: api.url,
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: '42',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_WORKSPACE: root,
    });
    delete process.env.GITHUB_EVENT_PATH;
    delete process.env.GITHUB_STEP_SUMMARY;
  });
  afterAll(async () => {
    process.env = saved;
    await api.stop();
  });
  beforeEach(() => {
    api.calls = [];
    api.handler = accepting;
  });

  const inputs = (extra: Record<string, string>) => ({
    simulate: 'true',
    'github-token': 'ghs_faketoken',
    environment: 'staging',
    'environment-url': 'https://staging.example.com',
    ...extra,
  });

  it('a successful run: the deployment, in_progress, then success with the log and environment URLs', async () => {
    const { core, calls } = fakeCore(inputs(update));
    const result = await run(core);
    expect(result && 'result' in result && result.result).toBe('succeeded');
    expect(api.calls).toEqual([
      { method: 'POST', path: DEPLOYMENTS, body: deploymentBody('staging', false) },
      status('in_progress', 'rolling out'),
      status('success', 'rolled out deployment "web" (revision 2)'),
    ]);
    expect(of(calls, 'setOutput')).toContainEqual(['deployment-id', '1001']);
    expect(of(calls, 'warning')).toEqual([]);
    expect(of(calls, 'setFailed')).toEqual([]);
  });

  it('a rolled-back run: failure on this deployment, naming the good template, then inactive (the commit runs nowhere)', async () => {
    const { core, calls } = fakeCore(inputs({ ...typo, 'environment-url': '' }));
    await run(core);
    expect(api.calls).toEqual([
      { method: 'POST', path: DEPLOYMENTS, body: deploymentBody('staging', false) },
      status('in_progress', 'rolling out', false),
      status(
        'failure',
        'deployment "nginx-deployment" failed (ErrImagePull); rolled back to nginx:1.14.2 (last good)',
        false,
      ),
      status('inactive', 'not running: deployment "nginx-deployment" is back on nginx:1.14.2 (last good)', false),
    ]);
    // Never a success status, so GitHub keeps the previous good deployment of the environment active.
    expect(api.calls.some((c) => c.body?.state === 'success')).toBe(false);
    expect(of(calls, 'setFailed')).toEqual([['rollout-gate: rolled-back']]);
  });

  it('a failed run (rollback never): failure, not rolled back', async () => {
    const { core, calls } = fakeCore(inputs({ ...typo, rollback: 'never', environment: 'production' }));
    await run(core);
    expect(api.calls).toEqual([
      { method: 'POST', path: DEPLOYMENTS, body: deploymentBody('production', true) },
      status('in_progress', 'rolling out'),
      status('failure', 'deployment "nginx-deployment" failed (ErrImagePull); not rolled back'),
    ]);
    expect(of(calls, 'setFailed')).toEqual([['rollout-gate: failed']]);
  });

  it('invalid input: failure, nothing applied', async () => {
    const { core, calls } = fakeCore(inputs({ manifests: 'examples/no-such-dir/web.yaml' }));
    await run(core);
    expect(api.calls.map((c) => c.body?.state ?? c.path)).toEqual([DEPLOYMENTS, 'in_progress', 'failure']);
    expect(api.calls[2]!.body!.description).toBe(
      'invalid input: nothing was applied: the path "examples/no-such-dir/web.yaml" does not exist',
    );
    expect(of(calls, 'setFailed')).toEqual([['rollout-gate: invalid']]);
  });

  it('a run that is not simulated deploys to a lasting environment (transient_environment false)', async () => {
    // A cluster nobody answers at: the run fails, and says why on the deployment.
    const port = await closedPort();
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'current-context: c',
      `clusters: [{name: k, cluster: {server: "https://127.0.0.1:${port}"}}]`,
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: c, context: {cluster: k, user: u}}]',
    ].join('\n');
    const { core } = fakeCore(inputs({ ...update, simulate: 'false', scenario: '', kubeconfig, timeout: '2s' }));
    await run(core);
    expect(api.calls[0]!.body).toEqual({
      ...deploymentBody('staging', false),
      transient_environment: false,
      description: 'rollout-gate deploys 0123456789ab',
    });
    expect(api.calls.map((c) => c.body?.state ?? c.path)).toEqual([DEPLOYMENTS, 'in_progress', 'failure']);
    expect(api.calls[2]!.body!.description).toMatch(
      new RegExp(
        `^failed: cannot use the Kubernetes API at https://127\\.0\\.0\\.1:${port} \\(context "c"\\): .{0,60}…$`,
      ),
    );
    expect(String(api.calls[2]!.body!.description)).toHaveLength(140);
  });

  it('plan mode creates no deployment', async () => {
    const { core, calls } = fakeCore(inputs({ ...update, mode: 'plan', 'check-images': 'false' }));
    await run(core);
    expect(of(calls, 'setOutput')).toContainEqual(['result', 'planned']);
    expect(api.calls).toEqual([]);
    expect(of(calls, 'setOutput').map((o) => o[0])).not.toContain('deployment-id');
  });

  it('without the environment input, no call at all', async () => {
    const { core } = fakeCore(inputs({ ...update, environment: '' }));
    await run(core);
    expect(api.calls).toEqual([]);
  });

  it('an API that answers 403: one warning naming the permission, the run and its verdict unchanged', async () => {
    api.handler = () => ({ status: 403, body: { message: 'Resource not accessible by integration' } });
    const { core, calls } = fakeCore(inputs(update));
    const result = await run(core);
    expect(result && 'result' in result && result.result).toBe('succeeded');
    expect(api.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`POST ${DEPLOYMENTS}`]);
    expect(of(calls, 'warning')).toEqual([
      [
        'rollout-gate: could not create a GitHub deployment for environment "staging" (HTTP 403: Resource not ' +
          'accessible by integration); give the job `permissions: deployments: write` to record deployments. The deploy itself is not affected.',
      ],
    ]);
    expect(of(calls, 'setFailed')).toEqual([]);
    expect(of(calls, 'setOutput').map((o) => o[0])).not.toContain('deployment-id');
  });

  it('a status whose connection drops once is sent again, without a warning', async () => {
    let dropped = 0;
    api.handler = (call) => (call.path === STATUSES && dropped++ === 0 ? 'drop' : accepting(call));
    const { core, calls } = fakeCore(inputs(update));
    await run(core);
    expect(api.calls.map((c) => [c.path, c.body?.state])).toEqual([
      [DEPLOYMENTS, undefined],
      [STATUSES, 'in_progress'],
      [STATUSES, 'in_progress'],
      [STATUSES, 'success'],
    ]);
    expect(of(calls, 'warning')).toEqual([]);
  });

  it('statuses that fail (connection dropped) are warnings; a rolled-back run still fails for its own reason', async () => {
    api.handler = (call) => (call.path === STATUSES ? 'drop' : accepting(call));
    const { core, calls } = fakeCore(inputs(typo));
    await run(core);
    // Each status is tried twice (no answer at all is retried once), then given up with a warning.
    expect(api.calls.map((c) => [c.path, c.body?.state])).toEqual([
      [DEPLOYMENTS, undefined],
      [STATUSES, 'in_progress'],
      [STATUSES, 'in_progress'],
      [STATUSES, 'failure'],
      [STATUSES, 'failure'],
    ]);
    const warnings = of(calls, 'warning').map((w) => String(w[0]));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^rollout-gate: could not set the status of GitHub deployment 1001 to in_progress \(/);
    expect(warnings[1]).toMatch(/^rollout-gate: could not set the status of GitHub deployment 1001 to failure \(/);
    expect(warnings.every((w) => w.endsWith('. The deploy itself is not affected.'))).toBe(true);
    expect(warnings.some((w) => w.includes('HTTP') || w.includes('permissions'))).toBe(false);
    expect(of(calls, 'setOutput')).toContainEqual(['deployment-id', '1001']);
    expect(of(calls, 'setOutput')).toContainEqual(['result', 'rolled-back']);
    expect(of(calls, 'setFailed')).toEqual([['rollout-gate: rolled-back']]);
  });

  it('an API that never answers is given up after its time limit, with a warning', async () => {
    let arrived!: () => void;
    const request = new Promise<void>((resolve) => (arrived = resolve));
    api.handler = () => {
      arrived();
      return 'hang';
    };
    const { core, calls } = fakeCore(inputs(update));
    // A clock whose time limit is over as soon as the request has reached the API (no real wait).
    const clock = { sleep: () => request };
    expect(await startEnvironment(core, true, clock)).toBeUndefined();
    expect(api.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`POST ${DEPLOYMENTS}`]);
    expect(of(calls, 'warning')).toEqual([
      [
        `rollout-gate: could not create a GitHub deployment for environment "staging" (no answer in ${API_TIMEOUT_MS / 1000} s). The deploy itself is not affected.`,
      ],
    ]);
  });
});
