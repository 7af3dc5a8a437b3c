import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { SeededRandom } from '../../../src/clock/seededRandom.js';
import { ConnectionError } from '../../../src/cluster/kube/errors.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../../../src/cluster/kube/retry.js';
import type { Clock } from '../../../src/clock/clock.js';
import { ApiError } from '../../../src/k8s/apiError.js';

/** A clock whose sleep advances time at once and records the waits. */
class FakeClock implements Clock {
  time = 1_000_000;
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

const policy: RetryPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 1000,
  multiplier: 2,
  jitter: 0.5,
  deadlineMs: 10_000,
  maxAttempts: 10,
};
const status = (code: number, reason: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: `m${code}` });

/** An operation that throws the given errors in turn, then returns 'ok'. */
function failing(errors: unknown[]): { op: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    op: async () => {
      const err = errors[calls++];
      if (err !== undefined) throw err;
      return 'ok';
    },
    calls: () => calls,
  };
}

describe('backoffDelay', () => {
  it('doubles up to the cap with jitter in [d/2, d)', () => {
    const random = new SeededRandom(42);
    const delays = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, random));
    const bases = [100, 200, 400, 800, 1000, 1000];
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(bases[i]! / 2);
      expect(d).toBeLessThanOrEqual(bases[i]!);
    });
  });

  it('is deterministic for a seed', () => {
    const a = [1, 2, 3].map((n) => backoffDelay(n, policy, new SeededRandom(7)));
    const b = [1, 2, 3].map((n) => backoffDelay(n, policy, new SeededRandom(7)));
    expect(a).toEqual(b);
  });
});

describe('withRetry', () => {
  const ctx = (clock: FakeClock) => ({ clock, random: new SeededRandom(1), policy });

  it('retries 5xx and connection errors, then succeeds', async () => {
    const clock = new FakeClock();
    const reset = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    const { op, calls } = failing([
      new ApiException(503, 'x', status(503, 'ServiceUnavailable'), {}),
      reset,
      new Error('socket hang up'),
      new ApiException(500, 'x', 'oops', {}),
    ]);
    await expect(withRetry(op, ctx(clock), { isRead: false })).resolves.toBe('ok');
    expect(calls()).toBe(5);
    expect(clock.sleeps).toHaveLength(4);
    expect(clock.sleeps[3]).toBeGreaterThanOrEqual(400);
  });

  it('honours Retry-After on 429 (header or Status details)', async () => {
    const clock = new FakeClock();
    const { op } = failing([
      new ApiException(429, 'x', status(429, 'TooManyRequests'), { 'retry-after': '3' }),
      new ApiException(
        429,
        'x',
        JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', details: { retryAfterSeconds: 2 } }),
        {},
      ),
    ]);
    await withRetry(op, ctx(clock), { isRead: true });
    expect(clock.sleeps).toEqual([3000, 2000]);
  });

  it('never retries other 4xx, and 409 only on reads', async () => {
    for (const code of [400, 401, 403, 404, 410, 422]) {
      const clock = new FakeClock();
      const { op, calls } = failing([new ApiException(code, 'x', status(code, 'X'), {})]);
      await expect(withRetry(op, ctx(clock), { isRead: true })).rejects.toMatchObject({ code });
      expect(calls()).toBe(1);
    }
    const write = failing([new ApiException(409, 'x', status(409, 'Conflict'), {})]);
    await expect(withRetry(write.op, ctx(new FakeClock()), { isRead: false })).rejects.toMatchObject({
      code: 409,
      reason: 'Conflict',
    });
    expect(write.calls()).toBe(1);
    const read = failing([new ApiException(409, 'x', status(409, 'Conflict'), {})]);
    await expect(withRetry(read.op, ctx(new FakeClock()), { isRead: true })).resolves.toBe('ok');
  });

  it('gives up at the deadline with the last error as an ApiError', async () => {
    const clock = new FakeClock();
    const errors = Array.from({ length: 50 }, () => new ApiException(503, 'x', status(503, 'ServiceUnavailable'), {}));
    const { op, calls } = failing(errors);
    const short = { ...ctx(clock), policy: { ...policy, deadlineMs: 2000, maxAttempts: 100 } };
    const err = await withRetry(op, short, { isRead: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 503, reason: 'ServiceUnavailable', message: 'm503' });
    expect(clock.time - 1_000_000).toBeLessThanOrEqual(2000);
    expect(calls()).toBeGreaterThan(3);
  });

  it('gives up when Retry-After is beyond the deadline', async () => {
    const clock = new FakeClock();
    const { op, calls } = failing([
      new ApiException(429, 'x', status(429, 'TooManyRequests'), { 'retry-after': '60' }),
    ]);
    await expect(withRetry(op, ctx(clock), { isRead: true })).rejects.toMatchObject({ code: 429 });
    expect(calls()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops after maxAttempts; connection failures surface as ConnectionError', async () => {
    const clock = new FakeClock();
    const refused = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const { op, calls } = failing(Array.from({ length: 10 }, refused));
    const err = await withRetry(
      op,
      { ...ctx(clock), policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 } },
      { isRead: true, what: 'GET /x' },
    ).catch((e: unknown) => e);
    expect(calls()).toBe(3);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe('GET /x: fetch failed (ECONNREFUSED)');
  });
});
