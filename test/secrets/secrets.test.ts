/**
 * Secrets (issue 6): a token planted in a kubeconfig never reaches any output of the action or the
 * CLI (logs, annotations, summary, outputs, JSON, errors), whether the kubeconfig is valid and the
 * cluster unreachable, invalid around the token line, or valid against `serve` with TLS; the action
 * masks the kubeconfig and its tokens; `serve` writes its kubeconfig 0600, listens on 127.0.0.1
 * only, answers 401 without the token, and leaves no temporary file behind; neither does `run`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startApiServer, type ApiServerHandle } from '../../src/cluster/sim/api/server.js';
import { createSimulatedCluster } from '../../src/cluster/sim/index.js';
import { serve } from '../../src/cli/serve.js';
import { run, type CoreLike } from '../../src/main.js';
import { cli, ROOT } from '../cli/support.js';
import { ensureBuilt } from './support.js';

const WEB = join(ROOT, 'test/fixtures/bad/valid/web.yaml');
const STACK = /\n\s+at /;

/** A fresh secret per test run, so a match can only come from this run. */
const plant = (): string => `planted-${randomBytes(16).toString('hex')}`;

function kubeconfig(server: string, token: string, extra: { context?: string; skipTls?: boolean } = {}): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: c',
    '    cluster:',
    `      server: ${server}`,
    ...(extra.skipTls === false ? [] : ['      insecure-skip-tls-verify: true']),
    'users:',
    '  - name: u',
    '    user:',
    `      token: ${token}`,
    'contexts:',
    '  - name: ctx',
    '    context:',
    '      cluster: c',
    '      user: u',
    `current-context: ${extra.context ?? 'ctx'}`,
    '',
  ].join('\n');
}

/** The action's result field (it returns a gate result, or a plan for pull requests). */
const resultOf = (r: unknown): unknown => (r as { result?: unknown } | undefined)?.result;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface Recorded {
  /** Every call except setSecret, with its arguments: what could reach the job log or later steps. */
  calls: Array<[string, ...unknown[]]>;
  secrets: string[];
}

/** A fake @actions/core that records every call. */
function fakeCore(inputs: Record<string, string>): { core: CoreLike; rec: Recorded } {
  const rec: Recorded = { calls: [], secrets: [] };
  const log =
    (name: string) =>
    (...args: unknown[]): void => {
      rec.calls.push([name, ...args]);
    };
  const summary = {
    addRaw(text: string, eol?: boolean) {
      rec.calls.push(['summary.addRaw', text, eol]);
      return summary;
    },
    async write() {
      rec.calls.push(['summary.write']);
      return summary;
    },
  };
  const core = {
    getInput: (name: string) => inputs[name] ?? '',
    getMultilineInput: (name: string) => (inputs[name] ?? '').split('\n').filter((l) => l.trim() !== ''),
    getBooleanInput: (name: string) => inputs[name] === 'true',
    setOutput: log('setOutput'),
    setFailed: log('setFailed'),
    setSecret: (value: string) => {
      rec.secrets.push(value);
    },
    info: log('info'),
    warning: log('warning'),
    error: log('error'),
    group: async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      rec.calls.push(['group', name]);
      return fn();
    },
    summary,
  };
  return { core: core as unknown as CoreLike, rec };
}

/** Runs the action with the kubeconfig as the `kubeconfig` input; the job summary is enabled. */
async function runAction(content: string, timeout = '3s') {
  const summaryFile = join(mkdtempSync(join(tmpdir(), 'rollout-gate-summary-')), 'summary.md');
  writeFileSync(summaryFile, '');
  const saved = process.env.GITHUB_STEP_SUMMARY;
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
  try {
    const { core, rec } = fakeCore({ manifests: WEB, kubeconfig: content, timeout });
    const result = await run(core);
    const text = [...rec.calls.flat(), result]
      .map((v) => (typeof v === 'string' ? v : JSON.stringify(v ?? null)))
      .join('\n');
    return { result, rec, text };
  } finally {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
  }
}

/** Runs the CLI with the kubeconfig written to a file, text and JSON output. */
async function runCliWith(content: string, timeout = '3s', parallel = false) {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-kc-'));
  writeFileSync(join(dir, 'kubeconfig'), content, { mode: 0o600 });
  const args = ['run', '-f', WEB, '--kubeconfig', 'kubeconfig', '--timeout', timeout];
  // In parallel only when no cluster answers: two gates on one Deployment are (rightly) refused.
  const [text, json] = parallel
    ? await Promise.all([cli(args, dir), cli([...args, '-o', 'json'], dir)])
    : [await cli(args, dir), await cli([...args, '-o', 'json'], dir)];
  rmSync(dir, { recursive: true, force: true });
  return { text, json, all: text.stdout + text.stderr + json.stdout + json.stderr };
}

describe('a planted token never reaches any output', () => {
  test('valid kubeconfig, cluster unreachable (closed port): action and CLI fail without the token', async () => {
    const token = plant();
    const content = kubeconfig(`https://127.0.0.1:${await closedPort()}`, token);
    // Both at once: an unreachable cluster costs the gate's retry deadline (about 30 s) per run.
    const [action, { text, json, all }] = await Promise.all([runAction(content), runCliWith(content, '3s', true)]);
    expect(resultOf(action.result)).toBe('failed');
    expect(action.rec.calls.some(([name]) => name === 'setFailed')).toBe(true);
    expect(action.text).toContain('127.0.0.1');
    // Issue 9: every retry is said (the lines must not carry the token either).
    expect(action.text).toMatch(/retrying in [\d.]+ s: connection refused \((LIST|POST) \/api/);
    expect(text.stderr).toMatch(/warning: retrying in [\d.]+ s: connection refused \((LIST|POST) \/api/);
    expect(action.text).not.toContain(token);
    expect([text.code, json.code]).toEqual([3, 3]);
    expect(JSON.parse(json.stdout).result).toBe('failed');
    expect(all).not.toMatch(STACK);
    expect(all).not.toContain(token);
  }, 120_000);

  test.each([
    [
      'a YAML error on the token line',
      (token: string) => kubeconfig('https://127.0.0.1:1', `"${token}\n     broken: [`),
      /is not a valid kubeconfig: invalid YAML at line \d+/,
    ],
    [
      'a current-context that does not exist',
      (token: string) => kubeconfig('https://127.0.0.1:1', token, { context: 'nope' }),
      /sets current-context to a missing context "nope" \(contexts: ctx\)/,
    ],
    [
      'plain http without insecure-skip-tls-verify',
      (token: string) => kubeconfig('http://127.0.0.1:1', token, { skipTls: false }),
      /uses plain http \(http:\/\/127\.0\.0\.1:1\); set insecure-skip-tls-verify: true for it/,
    ],
  ])('invalid kubeconfig (%s): exit 2 / invalid, a clear message, no token', async (_name, make, message) => {
    const token = plant();
    const content = make(token);
    expect(content).toContain(token);
    const action = await runAction(content);
    expect(resultOf(action.result)).toBe('invalid');
    expect(action.text).toMatch(message);
    expect(action.text).not.toContain(token);

    const { text, json, all } = await runCliWith(content);
    expect([text.code, json.code]).toEqual([2, 2]);
    expect(all).toMatch(message);
    expect(all).not.toMatch(STACK);
    expect(all).not.toContain(token);
  });

  describe('against serve with TLS and a token, the gate succeeds', () => {
    const token = plant();
    let server: ApiServerHandle;
    beforeAll(async () => {
      const { simulation } = createSimulatedCluster();
      server = await startApiServer({ simulation, tls: true, token, speed: 50 });
    });
    afterAll(() => server.close());

    test('the served kubeconfig holds the token (the test would catch a leak)', () => {
      expect(server.kubeconfig()).toContain(token);
    });

    test('action: succeeded, outputs and summary written, no token anywhere', async () => {
      const action = await runAction(server.kubeconfig(), '2m');
      expect(resultOf(action.result)).toBe('succeeded');
      const names = action.rec.calls.map(([name]) => name);
      expect(names).toEqual(expect.arrayContaining(['setOutput', 'summary.addRaw', 'summary.write', 'info']));
      expect(action.text).not.toContain(token);
    }, 60_000);

    test('CLI --kubeconfig: exit 0 in text and JSON, no token anywhere', async () => {
      const { text, json, all } = await runCliWith(server.kubeconfig(), '2m');
      expect([text.code, json.code]).toEqual([0, 0]);
      expect(JSON.parse(json.stdout).result).toBe('succeeded');
      expect(all).not.toContain(token);
    }, 60_000);
  });
});

describe('the action masks the kubeconfig', () => {
  test('setSecret gets the whole content and each token-like value before anything runs', async () => {
    const token = plant();
    const password = plant();
    const keyData = Buffer.from(plant()).toString('base64');
    const content = kubeconfig('https://127.0.0.1:1', token, { context: 'nope' })
      .replace('users:\n', `users:\n  - name: basic\n    user:\n      password: "${password}"\n`)
      .replace('users:\n', `users:\n  - name: cert\n    user:\n      client-key-data: ${keyData}\n`);
    const { core, rec } = fakeCore({ manifests: WEB, kubeconfig: content });
    await run(core);
    expect(rec.secrets).toEqual(expect.arrayContaining([content, token, password, keyData]));
    expect(JSON.stringify(rec.calls)).not.toMatch(new RegExp(`${token}|${password}|${keyData}`));
  });
});

describe('serve', () => {
  test('writes its kubeconfig 0600 in a private 0700 temp dir, never prints the token, removes the dir on stop', async () => {
    // (Jest gives the test its own copy of process.env, so TMPDIR is redirected only for the real process below.)
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let out = '';
    let err = '';
    const io = {
      stdout: (t: string) => (out += t),
      stderr: (t: string) => (err += t),
      isTTY: false,
      cwd: ROOT,
      version: 'x',
    };
    const exit = serve({ command: 'serve', port: 0, speed: 1, tls: true }, io, stopped);
    while (!out.includes('Press Ctrl-C')) await new Promise((r) => setTimeout(r, 10));
    const path = /kubeconfig written to (\S+)\n/.exec(out)![1]!;
    const dir = dirname(path);
    expect(dir).toMatch(/\/rollout-gate-\w{6}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const config = readFileSync(path, 'utf8');
    const token = /token: (\S+)/.exec(config)![1]!;
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(config).toMatch(/server: https:\/\/127\.0\.0\.1:\d+/);
    expect(out + err).not.toContain(token);
    stop();
    expect(await exit).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  test('listens on 127.0.0.1 only: any other host is refused', async () => {
    const { simulation } = createSimulatedCluster();
    await expect(startApiServer({ simulation, host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(
      'the simulated API server only listens on 127.0.0.1',
    );
    const server = await startApiServer({ simulation });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await server.close();
    }
  });

  test('with TLS, a request without the token (or with a wrong one) gets 401; with it, 200', async () => {
    const token = plant();
    const { simulation } = createSimulatedCluster();
    const server = await startApiServer({ simulation, tls: true, token });
    const get = (authorization?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsRequest(
          `${server.url}/api/v1/namespaces/default/pods`,
          { rejectUnauthorized: false, headers: authorization ? { authorization } : {} },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    try {
      const none = await get();
      expect(none.status).toBe(401);
      expect(none.body).not.toContain(token);
      expect((await get(`Bearer ${plant()}`)).status).toBe(401);
      expect((await get(`Basic ${token}`)).status).toBe(401);
      expect((await get(`Bearer ${token}`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('no temporary file outlives a run of the real process', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  const node = (args: string[], tmp: string) =>
    spawnSync(process.execPath, [join(ROOT, 'bin/rollout-gate.js'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
      timeout: 60_000,
    });

  test.each([
    ['a simulated run that rolls back', ['run', '--simulate', ...exampleTypo()], 1],
    ['a simulated run with invalid input', ['run', '--simulate', '-f', 'test/fixtures/bad/yaml/tab-indent.yaml'], 2],
    ['a real run against a closed port', ['run', '-f', WEB, '--timeout', '2s', '--kubeconfig', 'KUBECONFIG'], 3],
  ])(
    '%s (argv %j): exit %d, TMPDIR is empty afterwards',
    async (_name, args, code) => {
      const tmp = mkdtempSync(join(tmpdir(), 'rollout-gate-tmpdir-'));
      const kc = join(mkdtempSync(join(tmpdir(), 'rollout-gate-kc-')), 'config');
      const token = plant();
      writeFileSync(kc, kubeconfig(`https://127.0.0.1:${await closedPort()}`, token), { mode: 0o600 });
      const out = node(
        args.map((a) => (a === 'KUBECONFIG' ? kc : a)),
        tmp,
      );
      expect([out.status, out.stderr]).toEqual([code, expect.not.stringMatching(STACK)]);
      expect(out.stdout + out.stderr).not.toContain(token);
      expect(readdirSync(tmp)).toEqual([]);
      rmSync(tmp, { recursive: true, force: true });
      rmSync(dirname(kc), { recursive: true, force: true });
    },
    60_000,
  );

  test('serve --tls: the kubeconfig exists 0600 while it runs, and TMPDIR is empty after SIGTERM', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rollout-gate-tmpdir-'));
    const child = spawn(process.execPath, [join(ROOT, 'bin/rollout-gate.js'), 'serve', '--tls'], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const deadline = Date.now() + 20_000;
    while (!out.includes('Press Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const path = /kubeconfig written to (\S+)\n/.exec(out)![1]!;
    expect(path.startsWith(tmp)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const token = /token: (\S+)/.exec(readFileSync(path, 'utf8'))![1]!;
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).not.toContain(token);
    expect(readdirSync(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
  }, 30_000);
});

function exampleTypo(): string[] {
  return ['-f', 'examples/typo-image/web-v2.yaml', '--scenario', 'examples/typo-image/scenario.yaml'];
}
