import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { RealClock } from '../../../src/clock/realClock.js';
import { SeededRandom } from '../../../src/clock/seededRandom.js';
import { ConnectionError } from '../../../src/cluster/kube/errors.js';
import { KubeCluster } from '../../../src/cluster/kube/kubeCluster.js';
import { withRetry } from '../../../src/cluster/kube/retry.js';
import { retryLine, retryReason, RetryReporter, type RetryNotice } from '../../../src/cluster/retry.js';
import { ApiError } from '../../../src/k8s/apiError.js';

/**
 * Issue 9: "When the cluster cannot be reached, say so at once and on every retry ('retrying in
 * 4 s: connection refused'), not 64 s of silence."
 */

/**
 * Real time for I/O, virtual time for waits: a sleep without a signal (a retry back-off) passes at
 * once and moves `now`; a sleep with one (the transport's request timeout) only ends when aborted,
 * which the request does as soon as it has an answer.
 */
class StepClock extends RealClock {
  time = Date.parse('2026-11-30T10:00:00Z');
  override now(): number {
    return this.time;
  }
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal) return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.time += ms;
    return Promise.resolve();
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const TOKEN = 'planted-token-7f3a9c';
const kubeconfig = (port: number) =>
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{ name: c, cluster: { server: "http://127.0.0.1:' + port + '", insecure-skip-tls-verify: true } }]',
    `users: [{ name: u, user: { token: ${TOKEN} } }]`,
    'contexts: [{ name: x, context: { cluster: c, user: u } }]',
    'current-context: x',
  ].join('\n');

describe('retry lines', () => {
  const notice = (error: ApiError, attempt = 1, delayMs = 4000, what?: string): RetryNotice => ({
    attempt,
    maxAttempts: 10,
    delayMs,
    error,
    ...(what ? { what } : {}),
  });

  it("say the reason in a person's words and the wait", () => {
    const refused = new ConnectionError('GET /x: fetch failed: connect ECONNREFUSED 127.0.0.1:6443', 'ECONNREFUSED');
    expect(retryLine(notice(refused, 2, 4000, 'GET /api/v1/namespaces/shop/pods'))).toBe(
      'retrying in 4 s: connection refused (GET /api/v1/namespaces/shop/pods, attempt 2)',
    );
    expect(retryLine(notice(new ConnectionError('socket hang up'), 1, 150))).toBe(
      'retrying in 0.2 s: socket hang up (attempt 1)',
    );
    expect(retryLine(notice(new ConnectionError('weird', 'ENOTFOUND'), 3, 12_400))).toBe(
      'retrying in 12 s: host not found (DNS) (attempt 3)',
    );
  });

  it('name an HTTP answer by code and reason, with the Retry-After the server asked for', () => {
    expect(retryReason(new ApiError(503, 'ServiceUnavailable', 'etcd leader changed'))).toBe('503 ServiceUnavailable');
    expect(retryReason(new ApiError(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 3 }))).toBe(
      '429 TooManyRequests (Retry-After: 3 s)',
    );
    expect(retryReason(new ApiError(0, 'Unknown', 'GET /x: boom\nstack'))).toBe('GET /x: boom');
  });

  it('fold requests that fail together into one line per retry round', () => {
    const clock = { time: 0, now: () => clock.time };
    const lines: string[] = [];
    const reporter = new RetryReporter(clock, (l) => lines.push(l));
    const refused = new ConnectionError('x', 'ECONNREFUSED');
    reporter.report(notice(refused, 1, 200, 'LIST /a'));
    reporter.report(notice(refused, 1, 180, 'LIST /b')); // same round: folded
    clock.time = 199;
    reporter.report(notice(refused, 1, 190, 'LIST /c')); // still inside the first wait: folded
    reporter.report(notice(refused, 2, 400, 'LIST /a')); // next round: said
    clock.time = 600;
    reporter.report(notice(refused, 2, 400, 'LIST /b')); // the previous wait is over: said again
    reporter.report(notice(new ApiError(503, 'ServiceUnavailable', 'm'), 2, 400, 'LIST /c')); // other reason
    expect(lines).toEqual([
      'retrying in 0.2 s: connection refused (LIST /a, attempt 1)',
      'retrying in 0.4 s: connection refused (LIST /a, attempt 2)',
      'retrying in 0.4 s: connection refused (LIST /b, attempt 2)',
      'retrying in 0.4 s: 503 ServiceUnavailable (LIST /c, attempt 2)',
    ]);
  });

  it('are given for 429 and 5xx answers as well as lost connections', async () => {
    const clock = new StepClock();
    const seen: string[] = [];
    const errors = [new ApiException(503, 'x', '', {}), new ApiException(429, 'x', '', { 'retry-after': '2' })];
    let calls = 0;
    const op = async () => {
      const err = errors[calls++];
      if (err) throw err;
      return 'ok';
    };
    const ctx = {
      clock,
      random: new SeededRandom(3),
      policy: {
        initialDelayMs: 1000,
        maxDelayMs: 10_000,
        multiplier: 2,
        jitter: 0,
        deadlineMs: 60_000,
        maxAttempts: 5,
      },
      onRetry: (n: RetryNotice) => seen.push(retryLine(n)),
    };
    await expect(withRetry(op, ctx, { isRead: true, what: 'GET /api/v1/namespaces/shop/configmaps/c' })).resolves.toBe(
      'ok',
    );
    expect(seen).toEqual([
      'retrying in 1 s: 503 ServiceUnavailable (GET /api/v1/namespaces/shop/configmaps/c, attempt 1)',
      'retrying in 2 s: 429 TooManyRequests (Retry-After: 2 s) (GET /api/v1/namespaces/shop/configmaps/c, attempt 2)',
    ]);
  });
});

describe('the real adapter against a closed loopback port', () => {
  it('says so at the first failure and on every retry, on the injected clock, without the token', async () => {
    const port = await closedPort();
    const clock = new StepClock();
    const start = clock.now();
    const lines: Array<{ at: number; line: string }> = [];
    const reporter = new RetryReporter(clock, (line) => lines.push({ at: clock.now() - start, line }));
    const cluster = KubeCluster.fromOptions(
      { kubeconfigContent: kubeconfig(port), cwd: '/' },
      {
        clock,
        random: new SeededRandom(42),
        retryPolicy: { initialDelayMs: 1000, maxDelayMs: 4000, jitter: 0, deadlineMs: 60_000, maxAttempts: 5 },
        onRetry: reporter.report,
      },
    );
    try {
      const err = await cluster.get('apps/v1', 'Deployment', 'shop', 'web').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(
        /^GET \/apis\/apps\/v1\/namespaces\/shop\/deployments\/web: fetch failed.*ECONNREFUSED/,
      );
    } finally {
      await cluster.close();
    }
    const what = 'GET /apis/apps/v1/namespaces/shop/deployments/web';
    expect(lines).toEqual([
      // The first failure is said at once (t = 0), each retry before its wait.
      { at: 0, line: `retrying in 1 s: connection refused (${what}, attempt 1)` },
      { at: 1000, line: `retrying in 2 s: connection refused (${what}, attempt 2)` },
      { at: 3000, line: `retrying in 4 s: connection refused (${what}, attempt 3)` },
      { at: 7000, line: `retrying in 4 s: connection refused (${what}, attempt 4)` },
    ]);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });
});

describe('the real adapter when the watch fails after the first list', () => {
  it('says each failed watch with the back-off before it reconnects', async () => {
    // Lists answer (an empty collection); every watch gets 503, as from an API server going away.
    const server = createHttpServer((req, res) => {
      const watch = new URL(req.url ?? '/', 'http://x').searchParams.get('watch') === 'true';
      res.writeHead(watch ? 503 : 200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify(
          watch
            ? {
                kind: 'Status',
                apiVersion: 'v1',
                status: 'Failure',
                code: 503,
                reason: 'ServiceUnavailable',
                message: 'down',
              }
            : { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '5' }, items: [] },
        ),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    const clock = new StepClock();
    const lines: string[] = [];
    const cluster = KubeCluster.fromOptions(
      { kubeconfigContent: kubeconfig(port), cwd: '/' },
      {
        clock,
        random: new SeededRandom(1),
        retryPolicy: { initialDelayMs: 1000, jitter: 0 },
        onRetry: (n) => lines.push(retryLine(n)),
      },
    );
    try {
      await cluster.watch([{ namespace: 'shop', name: 'web' }]);
      // The four watches fail on their own schedule: wait for the condition, not for time.
      for (let i = 0; i < 10_000 && lines.length < 4; i++) await new Promise((r) => setImmediate(r));
    } finally {
      await cluster.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect([...lines].sort()).toEqual([
      'retrying in 1 s: 503 ServiceUnavailable (WATCH /api/v1/namespaces/shop/events, attempt 1)',
      'retrying in 1 s: 503 ServiceUnavailable (WATCH /api/v1/namespaces/shop/pods, attempt 1)',
      'retrying in 1 s: 503 ServiceUnavailable (WATCH /apis/apps/v1/namespaces/shop/deployments, attempt 1)',
      'retrying in 1 s: 503 ServiceUnavailable (WATCH /apis/apps/v1/namespaces/shop/replicasets, attempt 1)',
    ]);
  });
});
