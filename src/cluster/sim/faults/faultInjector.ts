import { SeededRandom } from '../../../clock/seededRandom.js';
import { ApiError } from '../../../k8s/apiError.js';
import type { FaultSpec } from '../scenario/scenario.js';

/**
 * Faults of the simulated API (README "The simulated cluster" `faults`), seeded so a faulty run replays byte for
 * byte. Used by the in-process adapter (before and after each port call) and by `serve` (on HTTP
 * responses and watch streams).
 */
export interface FaultOptions extends FaultSpec {
  /** Fraction of conditional writes answered 409 Conflict (default: apiErrorRate / 4). */
  conflictRate?: number;
  /** Added latency of each request, uniform in [0, latencyMs) (default 0). */
  latencyMs?: number;
  /** Fraction of watch resumes after a drop answered 410 Gone, forcing a relist (default 0.3). */
  goneRate?: number;
  /** Fraction of connection resets on a write that happen after it was committed (default 0.5). */
  resetAfterCommitRate?: number;
}

/** What a fault did, for the figures of the reliability tests. */
export type FaultKind = '429' | '500' | '503' | 'reset' | 'reset-after-commit' | '409' | 'watch-drop' | '410';

/** A connection reset: no HTTP status (code 0, as the real adapter's ConnectionError). */
export class InjectedResetError extends ApiError {
  constructor(what: string) {
    super(0, 'ServiceUnavailable', `${what}: read ECONNRESET (injected fault)`);
    this.name = 'ConnectionError';
  }
}

export class FaultInjector {
  private readonly random: SeededRandom;
  private readonly counts: Partial<Record<FaultKind, number>> = {};

  constructor(readonly options: FaultOptions) {
    this.random = new SeededRandom(options.seed);
  }

  /** False when no fault is configured: no random number is drawn, timings are untouched. */
  get enabled(): boolean {
    return this.options.apiErrorRate > 0 || this.options.watchDropEverySeconds > 0 || (this.options.latencyMs ?? 0) > 0;
  }

  /** Faults injected so far, by kind. */
  injected(): Partial<Record<FaultKind, number>> {
    return { ...this.counts };
  }

  /**
   * The error to answer a request with instead of serving it, or undefined. `conditional` writes
   * (a resourceVersion precondition) may also get a 409 Conflict, as when another writer won.
   */
  beforeRequest(verb: string, what: string, conditional = false): ApiError | undefined {
    const rate = this.options.apiErrorRate;
    if (conditional && this.roll(this.options.conflictRate ?? rate / 4)) {
      this.note('409');
      return ApiError.conflict('deployments.apps', what);
    }
    if (!this.roll(rate)) return undefined;
    switch (this.random.int(4)) {
      case 0:
        this.note('429');
        return new ApiError(429, 'TooManyRequests', `Too many requests, please try again later. (${verb} ${what})`, {
          retryAfterSeconds: 1,
        });
      case 1:
        this.note('500');
        return new ApiError(
          500,
          'InternalError',
          `Internal error occurred: etcdserver: request timed out (${verb} ${what})`,
        );
      case 2:
        this.note('503');
        return new ApiError(
          503,
          'ServiceUnavailable',
          `the server is currently unable to handle the request (${verb} ${what})`,
        );
      default:
        if (
          verb !== 'GET' &&
          verb !== 'LIST' &&
          verb !== 'WATCH' &&
          this.roll(this.options.resetAfterCommitRate ?? 0.5)
        )
          return new PendingReset(what);
        this.note('reset');
        return new InjectedResetError(`${verb} ${what}`);
    }
  }

  /** A write whose answer is lost after the server committed it: the caller must re-check. */
  afterCommit(pending: ApiError | undefined): ApiError | undefined {
    if (!(pending instanceof PendingReset)) return undefined;
    this.note('reset-after-commit');
    return new InjectedResetError(`write of ${pending.what}`);
  }

  /** Latency to add to one request (ms). */
  latency(): number {
    const max = this.options.latencyMs ?? 0;
    return max > 0 ? Math.floor(this.random.next() * max) : 0;
  }

  /** Watch streams opened at `since` are dropped at since + k·N; the last drop at or before `now`. */
  lastDropAt(since: number, now: number): number | undefined {
    const every = this.options.watchDropEverySeconds * 1000;
    if (every <= 0 || now - since < every) return undefined;
    return since + Math.floor((now - since) / every) * every;
  }

  /** Whether a watch resume is answered 410 Gone (the resourceVersion is too old: relist). */
  resumeGone(): boolean {
    const gone = this.roll(this.options.goneRate ?? 0.3);
    if (gone) this.note('410');
    return gone;
  }

  noteDrop(): void {
    this.note('watch-drop');
  }

  private roll(p: number): boolean {
    return p > 0 && this.random.next() < p;
  }

  private note(kind: FaultKind): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }
}

/** Marker: serve the write, then lose its answer ({@link FaultInjector.afterCommit}). */
export class PendingReset extends ApiError {
  constructor(readonly what: string) {
    super(0, 'ServiceUnavailable', 'pending reset');
  }
}

/** No faults: what a scenario without `faults` means. */
export const NO_FAULTS: FaultOptions = { apiErrorRate: 0, watchDropEverySeconds: 0, seed: 1 };
