import type { RealClock } from '../../clock/realClock.js';
import type { ApiError } from '../../k8s/apiError.js';
import type { KubeObject } from '../../k8s/objects.js';
import { toApiError } from './errors.js';
import { backoffDelay, isRetryable, withRetry, type RetryContext } from './retry.js';
import type { KubeTransport } from './transport.js';

/** One list+watch: a kind in a namespace, optionally narrowed by a field selector. */
export interface ReflectorSpec {
  apiVersion: string;
  kind: string;
  /** Collection path, e.g. `/apis/apps/v1/namespaces/default/replicasets`. */
  path: string;
  fieldSelector?: string;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'RELISTED';

export interface ReflectorDeps {
  transport: KubeTransport;
  clock: RealClock;
  retry: RetryContext;
  /** Called for every applied change; `object` is undefined after a relist (anything may have changed). */
  onChange: (kind: string, type: ChangeType, object: KubeObject | undefined) => void;
  /** The server-side watch duration; jittered so the watches of one run do not reconnect together. */
  watchTimeoutSeconds?: number;
}

interface ListResponse {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

interface WatchOutcome {
  error?: ApiError;
  gone: boolean;
  events: number;
}

/**
 * A minimal client-go reflector: LIST (paginated) to fill the store and learn the collection's
 * resourceVersion, then WATCH from it with bookmarks. A watch that ends is resumed from the last
 * resourceVersion seen (events or bookmarks); `410 Gone` (history compacted) means relist.
 * Failures back off with jitter instead of reconnecting in a tight loop.
 */
export class Reflector {
  /** Objects by `namespace/name`, exactly as the server last sent them. */
  readonly objects = new Map<string, KubeObject>();
  private resourceVersion = '';
  /** resourceVersions of objects this client wrote, put in the store before their watch event. */
  private readonly written = new Map<string, string>();
  private stopped = false;
  private readonly stopSignal = new AbortController();
  private current?: AbortController;
  private loopDone?: Promise<void>;

  constructor(
    readonly spec: ReflectorSpec,
    private readonly deps: ReflectorDeps,
  ) {}

  /** Lists once (with retries); resolves when the store is filled. */
  async list(): Promise<void> {
    const fresh = new Map<string, KubeObject>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await withRetry(
        () =>
          this.deps.transport.request<ListResponse>({
            verb: 'LIST',
            path: this.spec.path,
            query: { fieldSelector: this.spec.fieldSelector, limit: 500, continue: continueToken },
          }),
        this.deps.retry,
        { isRead: true, what: `LIST ${this.spec.path}` },
      );
      for (const item of page.items ?? []) {
        // List items carry no kind/apiVersion; watch events do. Make the cache uniform.
        const object = { apiVersion: this.spec.apiVersion, kind: this.spec.kind, ...item };
        fresh.set(keyOf(object), object);
      }
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken && !this.stopped);
    this.objects.clear();
    this.written.clear();
    for (const [key, object] of fresh) this.objects.set(key, object);
    this.resourceVersion = resourceVersion;
    this.deps.onChange(this.spec.kind, 'RELISTED', undefined);
  }

  /**
   * Read-your-writes: stores an object a write just returned (when this reflector covers it), so
   * an observe() right after the write cannot see the version before it. Watch events older than
   * it are then skipped until the watch reaches it. Returns whether the object was stored.
   */
  remember(object: KubeObject): boolean {
    const namespace = object.metadata?.namespace ?? '';
    if (object.kind !== undefined && object.kind !== this.spec.kind) return false;
    if (!this.spec.path.includes(`/namespaces/${encodeURIComponent(namespace)}/`)) return false;
    if (this.spec.fieldSelector && this.spec.fieldSelector !== `metadata.name=${object.metadata?.name ?? ''}`)
      return false;
    const key = keyOf(object);
    const rv = object.metadata?.resourceVersion;
    const cached = this.objects.get(key)?.metadata?.resourceVersion;
    if (!rv || (cached && olderThan(rv, cached))) return false;
    this.objects.set(key, { apiVersion: this.spec.apiVersion, kind: this.spec.kind, ...object });
    this.written.set(key, rv);
    this.deps.onChange(this.spec.kind, 'MODIFIED', object);
    return true;
  }

  /** Starts the watch loop in the background (after {@link list}). */
  start(): void {
    this.loopDone ??= this.loop();
  }

  /**
   * Stops the loop. A watch still connecting cannot be aborted until its headers arrive, so
   * waiting for the loop is bounded: close() must not hang on an unresponsive server.
   */
  async stop(graceMs = 1000): Promise<void> {
    this.stopped = true;
    this.stopSignal.abort();
    this.current?.abort();
    if (!this.loopDone) return;
    const grace = new AbortController();
    await Promise.race([this.loopDone.finally(() => grace.abort()), this.deps.clock.sleep(graceMs, grace.signal)]);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const startedAt = this.deps.clock.now();
      const outcome = await this.watchOnce();
      if (this.stopped) return;
      if (outcome.gone) {
        failures = (await this.relist()) ? 0 : failures + 1;
        if (failures > 0) await this.pause(failures);
        continue;
      }
      // A clean end after a while is the server's timeout: resume at once. An error, or a watch
      // that ended at once with nothing in it, backs off.
      const quickEmpty = outcome.events === 0 && this.deps.clock.now() - startedAt < 1000;
      if (outcome.error || quickEmpty) await this.pause(++failures, outcome.error);
      else failures = 0;
    }
  }

  /** Relists after 410 Gone; false when that failed too (the loop backs off and tries again). */
  private async relist(): Promise<boolean> {
    try {
      await this.list();
      return true;
    } catch {
      this.resourceVersion = '';
      return false;
    }
  }

  /** Backs off before the next watch; a watch that failed (the cluster went away) is said, like any retry. */
  private pause(failures: number, error?: ApiError): Promise<void> {
    const delay = backoffDelay(failures, this.deps.retry.policy, this.deps.retry.random);
    if (error && isRetryable(error, true))
      this.deps.retry.onRetry?.({
        attempt: failures,
        maxAttempts: Infinity,
        delayMs: delay,
        error,
        what: `WATCH ${this.spec.path}`,
      });
    return this.deps.clock.sleep(delay, this.stopSignal.signal);
  }

  private watchOnce(): Promise<WatchOutcome> {
    // Without a resourceVersion a watch would start with synthetic ADDED events for everything;
    // relisting instead keeps the store's deletions right.
    if (!this.resourceVersion) return Promise.resolve({ gone: true, events: 0 });
    return new Promise<WatchOutcome>((resolve) => {
      const outcome: WatchOutcome = { gone: false, events: 0 };
      let finished = false;
      const finish = (error?: ApiError): void => {
        if (finished) return;
        finished = true;
        if (error && !outcome.error) outcome.error = error;
        if (error?.code === 410) outcome.gone = true;
        resolve(outcome);
      };
      const base = this.deps.watchTimeoutSeconds ?? 240;
      const query = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        fieldSelector: this.spec.fieldSelector,
        timeoutSeconds: base + Math.floor(this.deps.retry.random.next() * (base / 4)),
      };
      this.deps.transport
        .watch(
          this.spec.path,
          query,
          (type, object) => {
            if (this.stopped || finished) return;
            if (type === 'ERROR') {
              // A Status in the stream: 410 means our resourceVersion is too old.
              const code = Number((object as { code?: unknown }).code);
              outcome.gone = code === 410;
              this.current?.abort();
              return;
            }
            const rv = (object as KubeObject).metadata?.resourceVersion;
            if (rv) this.resourceVersion = rv;
            if (type === 'BOOKMARK') return;
            outcome.events++;
            this.apply(type, object as KubeObject);
          },
          (error) => finish(error as ApiError | undefined),
        )
        .then((controller) => {
          this.current = controller;
          if (this.stopped) controller.abort();
        })
        .catch((error: unknown) => finish(toApiError(error, `WATCH ${this.spec.path}`)));
    });
  }

  private apply(type: string, object: KubeObject): void {
    const key = keyOf(object);
    const written = this.written.get(key);
    if (written !== undefined && type !== 'DELETED') {
      // A version older than one this client wrote (and already stored) would step back in time.
      if (olderThan(object.metadata?.resourceVersion ?? '', written)) return;
      this.written.delete(key);
    }
    if (type === 'DELETED') {
      this.written.delete(key);
      this.objects.delete(key);
      this.deps.onChange(this.spec.kind, 'DELETED', object);
    } else if (type === 'ADDED' || type === 'MODIFIED') {
      this.objects.set(key, object);
      this.deps.onChange(this.spec.kind, type, object);
    }
  }
}

/**
 * Whether resourceVersion `a` is older than `b`. resourceVersions are opaque to clients, but every
 * API server issues increasing integers (etcd revisions); anything else is never called older.
 */
function olderThan(a: string, b: string): boolean {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

function keyOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
