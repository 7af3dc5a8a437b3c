import type { Clock } from '../clock/clock.js';
import { ApiError } from '../k8s/apiError.js';

/**
 * Retries with exponential back-off and jitter, shared by the real adapter (around each HTTP
 * request) and the gate (around each port call, whatever the adapter). Pure: the clock and the
 * random source are injected, so a simulated run is replayable.
 */

/** A source of floats in [0, 1): a SeededRandom in production, anything deterministic in tests. */
export interface RandomSource {
  next(): number;
}

export interface RetryPolicy {
  /** Delay before the first retry, before jitter. */
  initialDelayMs: number;
  /** Upper bound of one delay, before jitter. */
  maxDelayMs: number;
  multiplier: number;
  /** Fraction of each delay that is random: 0.5 → delay in [d/2, d). */
  jitter: number;
  /** Total time budget from the first attempt; no retry is scheduled past it. */
  deadlineMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  multiplier: 2,
  jitter: 0.5,
  deadlineMs: 60_000,
  maxAttempts: 10,
};

/** One retry about to be waited for: what failed, why, and how long until the next attempt. */
export interface RetryNotice {
  /** The attempt that just failed (1-based). */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  error: ApiError;
  /** The request, e.g. `GET /apis/apps/v1/namespaces/shop/deployments/web`, when the caller named it. */
  what?: string;
}

export interface RetryContext {
  clock: Clock;
  random: RandomSource;
  policy: RetryPolicy;
  /** Called before each wait (the first right after the first failure), for logs and tests. */
  onRetry?: (notice: RetryNotice) => void;
  /** An absolute time (ms on `clock`) no retry may end past, on top of the policy's own deadline. */
  notAfter?: () => number;
  /** Once aborted, no further attempt is made: the last error is thrown. */
  signal?: AbortSignal;
}

/**
 * Whether a failed request may be sent again. Reads are safe to repeat; writes here are
 * server-side apply, JSON patches with `test` preconditions and merge patches, which the server
 * either applies once or rejects, so 5xx and lost connections (code 0) are retried for them too.
 * 4xx means the request itself is wrong (or lost a race the caller must see), except 429
 * (throttled) and a 409 on a read (the apiserver answers that during storage contention).
 */
export function isRetryable(error: ApiError, isRead: boolean): boolean {
  if (error.code === 0) return true;
  if (error.code === 429) return true;
  if (error.code >= 500) return true;
  if (error.code === 409 && isRead) return true;
  return false;
}

/** The back-off before retry number `attempt` (1-based): exponential, capped, with jitter. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: RandomSource): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - policy.jitter) + base * policy.jitter * random.next());
}

/**
 * The wait before the next attempt: the server's Retry-After when it gave one (a 429 or 503 says
 * how long to back off, and shorter waits just get throttled again), else the back-off.
 */
export function retryDelay(error: ApiError, attempt: number, policy: RetryPolicy, random: RandomSource): number {
  const after = error.details?.retryAfterSeconds;
  if (after !== undefined && (error.code === 429 || error.code >= 500)) return after * 1000;
  return backoffDelay(attempt, policy, random);
}

/** Anything but an ApiError is a bug, not a failed request: it is rethrown at once. */
function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  throw err;
}

/**
 * Runs `op` until it succeeds, a non-retryable error occurs, attempts run out, or the next wait
 * would end past the deadline. Every error leaves as an ApiError; the last one is thrown.
 */
export async function withRetry<T>(
  op: () => Promise<T>,
  ctx: RetryContext,
  options: { isRead: boolean; what?: string; toError?: (err: unknown, what?: string) => ApiError },
): Promise<T> {
  const toError = options.toError ?? asApiError;
  const deadline = Math.min(ctx.clock.now() + ctx.policy.deadlineMs, ctx.notAfter?.() ?? Infinity);
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      const error = toError(err, options.what);
      if (!isRetryable(error, options.isRead) || attempt >= ctx.policy.maxAttempts || ctx.signal?.aborted) throw error;
      const delayMs = retryDelay(error, attempt, ctx.policy, ctx.random);
      if (ctx.clock.now() + delayMs > deadline) throw error;
      ctx.onRetry?.({
        attempt,
        maxAttempts: ctx.policy.maxAttempts,
        delayMs,
        error,
        ...(options.what ? { what: options.what } : {}),
      });
      await ctx.clock.sleep(delayMs);
    }
  }
}

/**
 * Why a request failed, in a few words: a lost connection as its adapter summarised it
 * ("connection refused"; the real adapter's ConnectionError carries `summary`), an HTTP answer
 * as its code and reason ("503 ServiceUnavailable"), with the server's Retry-After when it set
 * the wait.
 */
export function retryReason(error: ApiError): string {
  const summary = (error as { summary?: unknown }).summary;
  if (typeof summary === 'string' && summary) return summary;
  if (error.code === 0) return error.message.split('\n')[0]!;
  const after = error.details?.retryAfterSeconds;
  return `${error.code} ${error.reason}${after !== undefined ? ` (Retry-After: ${after} s)` : ''}`;
}

/** Seconds for a log line: `0.2 s`, `4 s`, `1.6 s`. */
function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Math.round(s * 10) / 10} s`;
}

/**
 * The log line of one retry: `retrying in 4 s: connection refused (GET /api/v1/..., attempt 2)`.
 * It names the request path, never its headers or body (no token, no manifest content). No
 * "of N": the run's deadline usually ends the retries before the attempts run out.
 */
export function retryLine(notice: RetryNotice): string {
  const where = notice.what ? `${notice.what}, ` : '';
  return `retrying in ${seconds(notice.delayMs)}: ${retryReason(notice.error)} (${where}attempt ${notice.attempt})`;
}

/**
 * Turns retry notices into log lines, one per retry, at once. Requests that fail together (the
 * watch cache lists four kinds at once) retry in step: a notice with the same attempt number and
 * reason as the line just written, while that line's wait is still running, adds nothing and is
 * folded into it.
 */
export class RetryReporter {
  private last?: { key: string; until: number };

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly write: (line: string) => void,
  ) {}

  readonly report = (notice: RetryNotice): void => {
    const now = this.clock.now();
    const key = `${notice.attempt}\u0000${retryReason(notice.error)}`;
    if (this.last && this.last.key === key && now < this.last.until) return;
    this.last = { key, until: now + notice.delayMs };
    this.write(retryLine(notice));
  };
}
