import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, onlyJson, ROOT } from './support.js';

/**
 * Issue 9: an unreachable cluster is said at once and on every retry, on stderr, in text and
 * JSON mode alike (stdout stays one JSON object), and the token never shows.
 */
const TOKEN = 'planted-token-cli-5d1e';
// (The first request is the preflight's access review, a POST; then reads.)
const RETRY = /^warning: retrying in \d+(\.\d)? s: connection refused \((LIST|GET|POST) \/\S+, attempt \d+\)$/;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('run against a cluster nothing answers for', () => {
  it('prints a retry line for the first failure and each retry, then fails with exit 3', async () => {
    const port = await closedPort();
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-unreachable-'));
    writeFileSync(
      join(dir, 'kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{ name: c, cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]`,
        `users: [{ name: u, user: { token: ${TOKEN} } }]`,
        'contexts: [{ name: x, context: { cluster: c, user: u } }]',
        'current-context: x',
      ].join('\n'),
      { mode: 0o600 },
    );
    const args = ['run', '-f', join(ROOT, 'test/fixtures/bad/valid/web.yaml'), '--kubeconfig', 'kubeconfig'];
    try {
      const [text, json] = await Promise.all([
        cli([...args, '--timeout', '2s'], dir),
        cli([...args, '--timeout', '2s', '-o', 'json'], dir),
      ]);
      for (const run of [text, json]) {
        expect(run.code).toBe(3);
        const lines = run.stderr.split('\n').filter((l) => l.startsWith('warning: '));
        // Back-off from 0.2 s within a 2 s deadline: several rounds, every one of them said.
        expect(lines.length).toBeGreaterThanOrEqual(3);
        for (const line of lines) expect(line).toMatch(RETRY);
        expect(lines[0]).toMatch(/attempt 1\)$/);
        expect(run.stdout + run.stderr).not.toContain(TOKEN);
      }
      expect(text.stdout).toMatch(/cannot use the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(context "x"\): /);
      expect(onlyJson(json.stdout).result).toBe('failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
