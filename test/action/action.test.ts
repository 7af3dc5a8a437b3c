/**
 * The action as the runner calls it: `node dist/index.js` with INPUT_* variables and the
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, on the simulated cluster. Also: dist/ must be what
 * `npm run bundle` builds from the current sources (the action runs dist/, not src/).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { parseOutputs } from './support.js';

const root = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);

interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

function runAction(dir: string, inputs: Record<string, string>): ActionRun {
  const out = join(dir, `out-${Object.keys(inputs).length}-${inputs.MANIFESTS?.length ?? 0}`);
  const summary = `${out}.md`;
  writeFileSync(out, '');
  writeFileSync(summary, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GITHUB_OUTPUT: out,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '42',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKSPACE: root,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name}`] = value;
  const child = spawnSync(process.execPath, ['dist/index.js'], { cwd: root, env, encoding: 'utf8' });
  return {
    code: child.status ?? -1,
    stdout: child.stdout,
    outputs: parseOutputs(readFileSync(out, 'utf8')),
    summary: readFileSync(summary, 'utf8'),
  };
}

describe('node dist/index.js, as the runner calls it', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rollout-gate-action-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("rolls back a typo'd image, sets every output, writes the summary and fails the step", () => {
    const r = runAction(dir, {
      MANIFESTS: 'examples/typo-image/web-v2.yaml',
      SIMULATE: 'true',
      SCENARIO: 'examples/typo-image/scenario.yaml',
    });
    expect(r.code).toBe(1);
    expect(r.outputs.result).toBe('rolled-back');
    expect(r.outputs.revision).toBe('2');
    expect(r.outputs['rolled-back-to']).toBe('3');
    expect(r.outputs.reason).toBe('ErrImagePull');
    const json = JSON.parse(r.outputs.json!) as { result: string; workloads: Array<{ name: string; result: string }> };
    expect(json.result).toBe('rolled-back');
    expect(json.workloads.map((w) => [w.name, w.result])).toEqual([['nginx-deployment', 'rolled-back']]);
    expect(r.summary.split('\n')[0]).toBe('## ↩️ Rollout failed and was rolled back');
    expect(r.stdout).toContain('::group::Rollback');
    expect(r.stdout).toContain(
      '::error file=examples/typo-image/web-v2.yaml,line=19::deployment "nginx-deployment" failed: ErrImagePull',
    );
    expect(r.stdout).toContain('::error::rollout-gate: rolled-back');
  });

  it('succeeds on a good update: exit 0, result succeeded, no failure', () => {
    const r = runAction(dir, {
      MANIFESTS: 'examples/update/web-v2.yaml',
      SIMULATE: 'true',
      SCENARIO: 'examples/update/scenario.yaml',
    });
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('succeeded');
    expect(r.outputs.revision).toBe('2');
    expect(r.outputs['rolled-back-to']).toBe('');
    expect(r.outputs.reason).toBe('');
    expect(r.stdout).not.toContain('::error');
  });

  it('reports invalid input as a file:line annotation and fails the step', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: web, image: nginx}]\n',
    );
    const r = runAction(dir, { MANIFESTS: bad, SIMULATE: 'true' });
    expect(r.code).toBe(1);
    expect(r.outputs.result).toBe('invalid');
    expect(r.stdout).toMatch(
      /::error file=[^,]*bad\.yaml,line=6::.*spec\.replicas: Invalid value: -1: must be greater than or equal to 0/,
    );
    expect(r.stdout).toContain('::error::rollout-gate: invalid');
  });

  it('masks the kubeconfig and never prints its token', async () => {
    const token = 'planted-token-5f1d2c9e';
    // A port nothing listens on: the run fails to connect, after masking and within its 2s budget.
    const port = await freePort();
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'current-context: c',
      `clusters: [{name: k, cluster: {server: "https://127.0.0.1:${port}"}}]`,
      `users: [{name: u, user: {token: ${token}}}]`,
      'contexts: [{name: c, context: {cluster: k, user: u}}]',
    ].join('\n');
    const r = runAction(dir, { MANIFESTS: 'examples/update/web-v2.yaml', KUBECONFIG: kubeconfig, TIMEOUT: '2s' });
    expect(r.stdout).toContain(`::add-mask::${token}`);
    const afterMasks = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(afterMasks).not.toContain(token);
    expect(r.summary).not.toContain(token);
    expect(JSON.stringify(r.outputs)).not.toContain(token);
    expect(r.outputs.result).toBe('failed');
    expect(r.stdout).toContain(`::error::cannot use the Kubernetes API at https://127.0.0.1:${port} (context "c")`);
    expect(r.stdout).toContain(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(r.code).toBe(1);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('dist/', () => {
  it('is what `npm run bundle` builds from the current sources', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rollout-gate-dist-'));
    try {
      await run(process.execPath, ['scripts/bundle.mjs', out], { cwd: root, maxBuffer: 1 << 24 });
      const files = (dir: string) => (readdirSync(dir, { recursive: true }) as string[]).sort();
      // The same files (a chunk renamed by a source change is stale too), with the same bytes.
      expect(files(join(root, 'dist'))).toEqual(files(out));
      for (const file of files(out)) {
        if (statSync(join(out, file)).isDirectory()) continue;
        const fresh = readFileSync(join(out, file), 'utf8');
        const committed = readFileSync(join(root, 'dist', file), 'utf8');
        if (fresh !== committed) throw new Error(`dist/${file} is stale: run \`npm run bundle\` and commit dist/`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);
});
