/** The CLI side of cancellation: the --rollback-on-cancel flag and a cancelled run's exit code and JSON. */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/args.js';
import { runCli } from '../../src/cli/runCli.js';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: web:2 }] }
`;

describe('--rollback-on-cancel', () => {
  test('defaults to true, takes true|false, refuses anything else', () => {
    expect(parseArgs(['run', '-f', 'x.yaml', '--simulate'])).toMatchObject({ rollbackOnCancel: true });
    expect(parseArgs(['run', '-f', 'x.yaml', '--simulate', '--rollback-on-cancel', 'false'])).toMatchObject({
      rollbackOnCancel: false,
    });
    expect(() => parseArgs(['run', '-f', 'x.yaml', '--rollback-on-cancel', 'maybe'])).toThrow(
      '--rollback-on-cancel must be "true" or "false", got "maybe"',
    );
  });

  test('a run cancelled (SIGINT) before it applied anything: exit 3, JSON result failed, reason Cancelled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-cancel-'));
    writeFileSync(join(dir, 'app.yaml'), MANIFEST);
    const out: string[] = [];
    const err: string[] = [];
    const cancel = new AbortController();
    cancel.abort();
    const code = await runCli(['run', '-f', 'app.yaml', '--simulate', '-o', 'json'], {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      isTTY: false,
      cwd: dir,
      version: 'test',
      signal: cancel.signal,
      lockHolder: 'test-host-1',
    });
    expect(code).toBe(3);
    expect(JSON.parse(out.join(''))).toMatchObject({ result: 'failed', reason: 'Cancelled', applied: [] });
    expect(err.join('')).toContain('cancelled before anything was applied');
  });
});
