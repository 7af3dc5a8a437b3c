/**
 * Plan mode as the runner calls it: `node dist/index.js` with INPUT_* on a pull_request event,
 * against a fake GitHub API on localhost. The first run creates the sticky comment, the second
 * updates the same one (one POST, then one PATCH, never a second POST); without permission the
 * comment is skipped with a notice. Needs a fresh dist/ (`npm run bundle`).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseOutputs } from './support.js';

const root = new URL('../..', import.meta.url).pathname;
const MARKER = '<!-- rollout-gate:plan -->';

interface Call {
  method: string;
  path: string;
  body?: { body?: string };
}

interface Comment {
  id: number;
  body: string;
  html_url: string;
}

/** A fake of the three issue-comment endpoints the action uses; `deny` answers 403 to everything. */
class FakeGitHub {
  calls: Call[] = [];
  comments: Comment[] = [{ id: 1, body: 'LGTM', html_url: 'https://github.com/acme/app/pull/7#issuecomment-1' }];
  deny = false;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const url = new URL(req.url ?? '/', 'http://x');
    const call: Call = { method: req.method ?? '', path: url.pathname, ...(text ? { body: JSON.parse(text) } : {}) };
    this.calls.push(call);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (this.deny) return send(403, { message: 'Resource not accessible by integration' });
    if (req.method === 'GET' && url.pathname === '/repos/acme/app/issues/7/comments') return send(200, this.comments);
    if (req.method === 'POST' && url.pathname === '/repos/acme/app/issues/7/comments') {
      const c = { id: 100 + this.comments.length, body: call.body!.body!, html_url: '' };
      c.html_url = `https://github.com/acme/app/pull/7#issuecomment-${c.id}`;
      this.comments.push(c);
      return send(201, c);
    }
    const m = /^\/repos\/acme\/app\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (req.method === 'PATCH' && m) {
      const c = this.comments.find((x) => x.id === Number(m[1]));
      if (!c) return send(404, { message: 'Not Found' });
      c.body = call.body!.body!;
      return send(200, c);
    }
    send(404, { message: 'Not Found' });
  }
}

interface Run {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

let counter = 0;
async function runAction(
  dir: string,
  api: string,
  inputs: Record<string, string>,
  event = 'pull_request',
): Promise<Run> {
  const n = counter++;
  const out = join(dir, `out-${n}`);
  const summary = join(dir, `summary-${n}.md`);
  const eventPath = join(dir, 'event.json');
  writeFileSync(out, '');
  writeFileSync(summary, '');
  writeFileSync(
    eventPath,
    JSON.stringify(event.startsWith('pull_request') ? { pull_request: { number: 7 }, number: 7 } : {}),
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GITHUB_OUTPUT: out,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '42',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: api,
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: root,
    'INPUT_GITHUB-TOKEN': 'ghs_faketoken',
    // No registry is asked: the plans must not depend on docker.io being reachable.
    'INPUT_CHECK-IMAGES': 'false',
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name}`] = value;
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, ['dist/index.js'], { cwd: root, env, maxBuffer: 1 << 24 }, (err, stdout) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout) }),
    );
  });
  return { code, stdout, outputs: parseOutputs(readFileSync(out, 'utf8')), summary: readFileSync(summary, 'utf8') };
}

describe('plan mode on a pull request, as the runner calls it', () => {
  let dir: string;
  const github = new FakeGitHub();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rollout-gate-plan-action-'));
    await github.start();
  });
  afterAll(async () => {
    await github.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const typo = { MANIFESTS: 'examples/typo-image/web-v2.yaml', SCENARIO: 'examples/typo-image/scenario.yaml' };

  it('creates one sticky comment, then updates it in place', async () => {
    const first = await runAction(dir, github.url, { ...typo, SIMULATE: 'true' });
    expect(first.outputs.result).toBe('would-fail');
    expect(first.code).toBe(1);
    expect(github.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /repos/acme/app/issues/7/comments',
      'POST /repos/acme/app/issues/7/comments',
    ]);
    const created = github.comments.filter((c) => c.body.includes(MARKER));
    expect(created).toHaveLength(1);
    expect(created[0]!.body).toContain('ErrImagePull');
    expect(first.outputs['comment-url']).toBe(created[0]!.html_url);
    expect(first.outputs.plan).toBe(created[0]!.body);
    expect(first.summary).toContain(MARKER);
    // Plan mode writes nothing: no Apply group of a real cluster, the simulated log is grouped.
    expect(first.stdout).toContain('::group::Simulated rollout (dry run, nothing written to any cluster)');
    expect(first.stdout).toMatch(
      /::error file=examples\/typo-image\/web-v2\.yaml,line=1::plan: deployment "nginx-deployment" would fail: ErrImagePull/,
    );
    expect(first.stdout).toMatch(
      /::warning file=examples\/typo-image\/web-v2\.yaml,line=19::deployment "nginx-deployment": container "nginx-deployment" has no readinessProbe/,
    );

    github.calls = [];
    const second = await runAction(dir, github.url, { ...typo, MODE: 'plan' });
    expect(github.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /repos/acme/app/issues/7/comments',
      `PATCH /repos/acme/app/issues/comments/${created[0]!.id}`,
    ]);
    expect(github.comments.filter((c) => c.body.includes(MARKER))).toHaveLength(1);
    expect(github.comments[0]!.body).toBe('LGTM');
    expect(second.outputs['comment-url']).toBe(created[0]!.html_url);
  }, 60_000);

  it('skips the comment with a warning when the token may not comment (403)', async () => {
    github.deny = true;
    github.calls = [];
    try {
      const r = await runAction(dir, github.url, {
        MANIFESTS: 'examples/update/web-v2.yaml',
        SCENARIO: 'examples/update/scenario.yaml',
        MODE: 'plan',
      });
      expect(r.stdout).toMatch(/::warning::rollout-gate: the token may not comment on this pull request \(HTTP 403\)/);
      expect(r.outputs.result).toBe('planned');
      expect(r.outputs['comment-url']).toBe('');
      expect(r.code).toBe(0);
      expect(github.calls.filter((c) => c.method !== 'GET')).toEqual([]);
    } finally {
      github.deny = false;
    }
  }, 60_000);

  it('on a push event with simulate, deploys as before (plan only with mode: plan)', async () => {
    github.calls = [];
    const r = await runAction(
      dir,
      github.url,
      { MANIFESTS: 'examples/update/web-v2.yaml', SCENARIO: 'examples/update/scenario.yaml', SIMULATE: 'true' },
      'push',
    );
    expect(r.outputs.result).toBe('succeeded');
    expect(github.calls).toEqual([]);
  }, 60_000);

  it('plan mode without a pull request posts nothing and says so', async () => {
    github.calls = [];
    const r = await runAction(
      dir,
      github.url,
      { MANIFESTS: 'examples/update/web-v2.yaml', BASELINE: 'examples/update/current.yaml', MODE: 'plan' },
      'push',
    );
    expect(r.outputs.result).toBe('planned');
    expect(r.stdout).toContain('::notice::rollout-gate: not a pull request event');
    expect(github.calls).toEqual([]);
    expect(r.outputs.plan).toContain('the manifests of examples/update/current.yaml');
    expect(r.outputs.plan).toContain('+    - image: nginx:1.27');
  }, 60_000);
});
