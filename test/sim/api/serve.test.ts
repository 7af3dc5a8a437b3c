import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { serve } from '../../../src/cli/serve.js';
import type { ServeArgs } from '../../../src/cli/args.js';
import type { CliIO } from '../../../src/cli/runCli.js';
import { Kubectl } from './harness.js';

/**
 * `rollout-gate serve` in-process: the printed kubeconfig works for kubectl; stopping it closes
 * the port and removes the temporary kubeconfig; over TLS a request without the token gets 401.
 */
const ROOT = resolve(import.meta.dirname, '../../..');

interface Started {
  out: string[];
  kubeconfig: string;
  url: string;
  stop: () => Promise<number>;
}

async function start(args: Partial<ServeArgs>): Promise<Started> {
  const out: string[] = [];
  const io: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(`stderr: ${t}`),
    isTTY: false,
    cwd: ROOT,
    version: 'test',
  };
  let release!: () => void;
  const stopped = new Promise<void>((r) => (release = r));
  const done = serve({ command: 'serve', port: 0, speed: 20, tls: false, ...args }, io, stopped);
  for (let i = 0; i < 200 && !out.join('').includes('Press Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 10));
  const text = out.join('');
  const kubeconfig = /^kubeconfig written to (.+)$/m.exec(text)?.[1];
  const url = /at (https?:\/\/127\.0\.0\.1:\d+) /.exec(text)?.[1];
  if (!kubeconfig || !url) throw new Error(`serve did not start: ${text}`);
  expect(text).toContain(`  export KUBECONFIG=${kubeconfig}\n`);
  return {
    out,
    kubeconfig,
    url,
    stop: async () => {
      release();
      return done;
    },
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

describe('rollout-gate serve', () => {
  it('serves the scenario to kubectl, then stops: port closed, temp kubeconfig removed', async () => {
    const served = await start({ scenario: 'examples/typo-image/scenario.yaml' });
    const k = new Kubectl(readFileSync(served.kubeconfig, 'utf8'));
    let stoppedCode: number | undefined;
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(readFileSync(served.kubeconfig, 'utf8')).toContain(`server: ${served.url}`);
      const got = await k.run('get', 'deployments');
      expect(got.code).toBe(0);
      expect(got.stdout).toMatch(
        /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nnginx-deployment\s+3\/3\s+3\s+3\s+\S+\n$/,
      );
    } finally {
      k.cleanup();
      stoppedCode = await served.stop();
    }
    expect(stoppedCode).toBe(0);
    expect(served.out.join('')).toMatch(/rollout-gate serve: stopped\n$/);
    expect(existsSync(served.kubeconfig)).toBe(false);
    expect(existsSync(dirname(served.kubeconfig))).toBe(false);
    expect(await portOpen(Number(new URL(served.url).port))).toBe(false);
  });

  it('with --tls, kubectl works with the written token and a request without it gets 401', async () => {
    const served = await start({ tls: true });
    const k = new Kubectl(readFileSync(served.kubeconfig, 'utf8'));
    try {
      expect(served.url).toMatch(/^https:\/\//);
      expect(served.out.join('')).not.toMatch(/token/i);
      expect((await k.run('get', 'namespaces')).stdout).toMatch(/^NAME\s+STATUS\s+AGE\ndefault\s+Active\s/);
      const status = await new Promise<{ code: number; body: string }>((resolveReq, reject) => {
        const req = request(`${served.url}/api/v1/namespaces`, { rejectUnauthorized: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolveReq({ code: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(status.code).toBe(401);
      expect(JSON.parse(status.body)).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'Unauthorized',
        code: 401,
      });
    } finally {
      k.cleanup();
      await served.stop();
    }
    expect(existsSync(served.kubeconfig)).toBe(false);
  });
});
