import { SeededRandom } from '../clock/seededRandom.js';
import type {
  AccessDecision,
  ApplyOptions,
  ClusterClient,
  ListOptions,
  ResourceMapping,
  WorkloadObservation,
  WorkloadRef,
} from '../cluster/port.js';
import {
  DEFAULT_RETRY_POLICY,
  withRetry,
  type RandomSource,
  type RetryNotice,
  type RetryPolicy,
} from '../cluster/retry.js';
import type { KubeObject } from '../k8s/objects.js';
import type { ResourceAttributes } from '../k8s/rbac/authorize.js';

export interface GateRetryOptions {
  /** Jitter source; defaults to a SeededRandom seeded from the cluster's clock (replayable when simulated). */
  random?: RandomSource;
  policy?: Partial<RetryPolicy>;
  /** The end of the gate's time budget (ms on the cluster's clock): no retry waits past it. */
  notAfter?: () => number;
  signal?: AbortSignal;
  /** Called before each retry (counts for the reliability figures). */
  onRetry?: (what: string) => void;
  /**
   * Called before each retry with the whole notice, for the run's log: give it
   * `new RetryReporter(clock, (line) => log.warn(line)).report` so a retried request is said at
   * once and on every retry, never waited out in silence.
   */
  onRetryNotice?: (notice: RetryNotice) => void;
  /** Called before each wait for a change (the Lease renewals); answers the wait to use instead. */
  beforeWait?: (maxMs: number) => Promise<number>;
}

/** One call's policy: short, since the watch loop re-reads every second anyway. */
export const GATE_RETRY_POLICY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxDelayMs: 5_000, deadlineMs: 30_000 };

/**
 * The port as the gate uses it: every request is retried on 429 (after Retry-After), 5xx and lost
 * connections, with exponential back-off and jitter, within the gate's time budget. Writes are
 * retried too: server-side apply and merge patches are idempotent; a conditional patch whose first
 * attempt was committed before the connection broke comes back as a 409, which the caller settles
 * by re-reading (see rollbackWorkloads). Reads from the watch cache pass through.
 */
export class RetryingCluster implements ClusterClient {
  private readonly retry;
  private readonly beforeWait?: (maxMs: number) => Promise<number>;

  constructor(
    readonly inner: ClusterClient,
    options: GateRetryOptions = {},
  ) {
    if (options.beforeWait) this.beforeWait = options.beforeWait;
    this.retry = {
      clock: inner.clock,
      random: options.random ?? new SeededRandom(inner.clock.now() >>> 0),
      policy: { ...GATE_RETRY_POLICY, ...(options.policy ?? {}) },
      ...(options.notAfter ? { notAfter: options.notAfter } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onRetry || options.onRetryNotice
        ? {
            onRetry: (notice: RetryNotice) => {
              options.onRetry?.(String(notice.error.code));
              options.onRetryNotice?.(notice);
            },
          }
        : {}),
    };
  }

  get mode() {
    return this.inner.mode;
  }

  get clock() {
    return this.inner.clock;
  }

  describe(): string {
    return this.inner.describe();
  }

  resolve(apiVersion: string, kind: string): Promise<ResourceMapping | undefined> {
    return this.read(() => this.inner.resolve(apiVersion, kind));
  }

  apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    return this.write(() => this.inner.apply(obj, options));
  }

  get<T extends KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string) {
    return this.read(() => this.inner.get<T>(apiVersion, kind, namespace, name));
  }

  list<T extends KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, options?: ListOptions) {
    return this.read(() => this.inner.list<T>(apiVersion, kind, namespace, options));
  }

  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<void> {
    return this.write(() => this.inner.delete(apiVersion, kind, namespace, name));
  }

  scaleWorkload(ref: WorkloadRef, replicas: number): Promise<void> {
    return this.write(() => this.inner.scaleWorkload(ref, replicas));
  }

  /** A create whose answer was lost comes back as 409 AlreadyExists: the caller re-reads (lock.ts). */
  create<T extends KubeObject>(obj: T, fieldManager: string): Promise<T> {
    return this.write(() => this.inner.create(obj, fieldManager));
  }

  /** A conditional replace whose answer was lost comes back as 409 Conflict: the caller re-reads. */
  replace<T extends KubeObject>(obj: T, fieldManager: string): Promise<T> {
    return this.write(() => this.inner.replace(obj, fieldManager));
  }

  watch(refs: WorkloadRef[]): Promise<void> {
    return this.read(() => this.inner.watch(refs));
  }

  observe(ref: WorkloadRef): Promise<WorkloadObservation> {
    return this.inner.observe(ref);
  }

  async waitForChange(maxMs: number): Promise<void> {
    return this.inner.waitForChange(this.beforeWait ? await this.beforeWait(maxMs) : maxMs);
  }

  eventsFor(apiVersion: string, kind: string, namespace: string | undefined, name: string) {
    return this.read(() => this.inner.eventsFor(apiVersion, kind, namespace, name));
  }

  /** A review creates nothing: retried like a read. */
  accessReview(attrs: ResourceAttributes): Promise<AccessDecision | undefined> {
    return this.read(() => this.inner.accessReview(attrs));
  }

  podLogs(namespace: string, pod: string, container: string, lines: number): Promise<string[]> {
    return this.read(() => this.inner.podLogs(namespace, pod, container, lines));
  }

  requestCounts(): Record<string, number> {
    return this.inner.requestCounts();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private read<T>(op: () => Promise<T>): Promise<T> {
    return withRetry(op, this.retry, { isRead: true });
  }

  private write<T>(op: () => Promise<T>): Promise<T> {
    return withRetry(op, this.retry, { isRead: false });
  }
}
