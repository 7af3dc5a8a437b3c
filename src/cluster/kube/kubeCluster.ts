import { RealClock } from '../../clock/realClock.js';
import { SeededRandom } from '../../clock/seededRandom.js';
import { ApiError } from '../../k8s/apiError.js';
import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  KubeEvent,
  KubeObject,
  Pod,
  ReplicaSet,
  StatefulSet,
} from '../../k8s/objects.js';
import { WORKLOAD_KINDS, workloadKindOf } from '../../k8s/workloadKinds.js';
import type { ResourceAttributes } from '../../k8s/rbac/authorize.js';
import type {
  AccessDecision,
  ApplyOptions,
  ClusterClient,
  ListOptions,
  ResourceMapping,
  WorkloadObservation,
  WorkloadRef,
} from '../port.js';
import {
  describeCluster,
  KubeconfigError,
  loadKubeconfig,
  type KubeconfigEnvironment,
  type KubeconfigOptions,
  type LoadedKubeconfig,
} from './kubeconfig.js';
import { Reflector, type ReflectorSpec } from './reflector.js';
import { groupVersionPath, ResourceResolver } from './resources.js';
import {
  DEFAULT_RETRY_POLICY,
  withRetry,
  type RandomSource,
  type RetryContext,
  type RetryNotice,
  type RetryPolicy,
} from './retry.js';
import { KubeTransport, type RequestSpec } from './transport.js';

export interface KubeClusterOptions {
  clock?: RealClock;
  /** Jitter source; defaults to a SeededRandom seeded from the clock. */
  random?: RandomSource;
  retryPolicy?: Partial<RetryPolicy>;
  /** Client-side limit of one request other than a watch (default 30 s). */
  requestTimeoutMs?: number;
  /** Client-side idle limit of one watch connection (default 120 s). */
  watchIdleTimeoutMs?: number;
  /** Server-side duration of one watch request, before jitter (default 240 s). */
  watchTimeoutSeconds?: number;
  /** Called before each retry of a request (lost connection, 429, 5xx), the first right after the first failure. */
  onRetry?: (notice: RetryNotice) => void;
}

const APPLY_PATCH = 'application/apply-patch+yaml';
/**
 * Every write asks the API server to refuse unknown and duplicate fields instead of dropping them
 * with a warning (its default): a typo must fail, never ship silently.
 * https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
 */
const STRICT = { fieldValidation: 'Strict' } as const;
const MERGE_PATCH = 'application/merge-patch+json';

/**
 * The ClusterClient over a real API server, through @kubernetes/client-node.
 *
 * Writes are single requests (server-side apply, JSON and merge patches) with retries on
 * throttling, 5xx and lost connections. Reads during a rollout come from a watch cache: one
 * LIST then one long WATCH per kind and namespace, so observing costs no request and a
 * rollout costs a handful of requests per minute whatever the polling rate of the gate.
 */
export class KubeCluster implements ClusterClient {
  readonly mode = 'real' as const;
  readonly clock: RealClock;
  private readonly transport: KubeTransport;
  private readonly resources: ResourceResolver;
  private readonly retry: RetryContext;
  private readonly reflectors = new Map<string, Reflector>();
  private readonly watched = new Map<string, WorkloadRef>();
  private readonly waiters = new Set<AbortController>();
  private changeSeq = 0;
  private seenSeq = 0;
  private closed = false;

  /** Builds the client from CLI flags / action inputs (see {@link loadKubeconfig} for the resolution order). */
  static fromOptions(
    kubeconfig: KubeconfigOptions,
    options: KubeClusterOptions = {},
    environment?: KubeconfigEnvironment,
  ): KubeCluster {
    return new KubeCluster(loadKubeconfig(kubeconfig, environment), options);
  }

  constructor(
    private readonly config: LoadedKubeconfig,
    private readonly options: KubeClusterOptions = {},
  ) {
    this.clock = options.clock ?? new RealClock();
    const cluster = config.kc.getCurrentCluster();
    if (!cluster) throw new KubeconfigError(`context "${config.context}" has no cluster`);
    this.transport = new KubeTransport(
      config.kc,
      cluster.server,
      this.clock,
      options.requestTimeoutMs,
      options.watchIdleTimeoutMs,
    );
    this.resources = new ResourceResolver(this.transport, config.namespace ?? 'default');
    this.retry = {
      clock: this.clock,
      random: options.random ?? new SeededRandom(this.clock.now() >>> 0),
      policy: { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy },
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    };
  }

  describe(): string {
    return describeCluster(this.config);
  }

  /** The context's namespace, else `default`: where namespaced objects without one go. */
  get defaultNamespace(): string {
    return this.config.namespace ?? 'default';
  }

  resolve(apiVersion: string, kind: string): Promise<ResourceMapping | undefined> {
    return this.resources.lookup(apiVersion, kind);
  }

  async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const { apiVersion, kind } = obj;
    const name = obj.metadata?.name;
    if (!apiVersion || !kind || !name) throw ApiError.badRequest('apply needs apiVersion, kind and metadata.name');
    const info = await this.resources.resolve(apiVersion, kind);
    const namespace = info.namespaced ? this.resources.namespaceOf(obj.metadata.namespace) : undefined;
    // The server rejects an apply that carries managedFields; the rest of the manifest is the intent.
    const { managedFields: _managedFields, ...metadata } = obj.metadata;
    const body = { ...obj, metadata: { ...metadata, ...(namespace ? { namespace } : {}) } };
    const stored = await this.send<KubeObject>(
      {
        verb: 'PATCH',
        path: await this.resources.path(apiVersion, kind, namespace, name),
        query: { fieldManager: options.fieldManager, force: options.force, ...STRICT },
        body,
        contentType: APPLY_PATCH,
      },
      false,
    );
    return this.remember(stored);
  }

  async get<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    const path = await this.resources.path(apiVersion, kind, namespace, name);
    try {
      return await this.send<T>({ verb: 'GET', path }, true);
    } catch (err) {
      if (ApiError.isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** One LIST (all namespaces when `namespace` is undefined); the items get back the kind the list drops. */
  async list<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<T[]> {
    const info = await this.resources.resolve(apiVersion, kind);
    // The path of all namespaces has no namespace segment: /api/v1/pods.
    const path =
      info.namespaced && namespace === undefined
        ? `${groupVersionPath(apiVersion)}/${info.plural}`
        : await this.resources.path(apiVersion, kind, namespace);
    const query = options.fieldSelector ? { fieldSelector: options.fieldSelector } : {};
    const list = await this.send<{ items?: T[] }>({ verb: 'LIST', path, query }, true);
    return (list.items ?? []).map((item) => ({ ...item, apiVersion, kind }));
  }

  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<void> {
    const path = await this.resources.path(apiVersion, kind, namespace, name);
    await this.send({ verb: 'DELETE', path, query: { propagationPolicy: 'Background' } }, false);
  }

  async scaleWorkload(ref: WorkloadRef, replicas: number): Promise<void> {
    const path = await this.resources.path('apps/v1', workloadKindOf(ref), ref.namespace, ref.name);
    this.remember(
      await this.send<KubeObject>(
        { verb: 'PATCH', path, query: STRICT, body: { spec: { replicas } }, contentType: MERGE_PATCH },
        false,
      ),
    );
  }

  async create<T extends KubeObject>(obj: T, fieldManager: string): Promise<T> {
    const { apiVersion = '', kind = '' } = obj;
    const { namespace, body } = await this.placed(obj);
    const path = await this.resources.path(apiVersion, kind, namespace);
    return this.send<T>(
      { verb: 'POST', path, query: { fieldManager, ...STRICT }, body, contentType: 'application/json' },
      false,
    );
  }

  async replace<T extends KubeObject>(obj: T, fieldManager: string): Promise<T> {
    const { apiVersion = '', kind = '' } = obj;
    const { namespace, body } = await this.placed(obj);
    const path = await this.resources.path(apiVersion, kind, namespace, obj.metadata.name ?? '');
    // metadata.resourceVersion in a PUT body is the precondition (409 Conflict when stale).
    return this.send<T>(
      { verb: 'PUT', path, query: { fieldManager, ...STRICT }, body, contentType: 'application/json' },
      false,
    );
  }

  /** The object with its namespace filled in (the context's default) when its kind is namespaced. */
  private async placed<T extends KubeObject>(obj: T): Promise<{ namespace?: string; body: T }> {
    const info = await this.resources.resolve(obj.apiVersion ?? '', obj.kind ?? '');
    if (!info.namespaced) return { body: obj };
    const namespace = this.resources.namespaceOf(obj.metadata.namespace);
    return { namespace, body: { ...obj, metadata: { ...obj.metadata, namespace } } };
  }

  /**
   * One LIST of the namespace's Events by involved object (`kubectl describe` asks the same); an
   * unreadable list (403) is no reason to fail the report: none.
   */
  async eventsFor(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeEvent[]> {
    const ns = encodeURIComponent(namespace ?? 'default');
    const fieldSelector = [
      `involvedObject.apiVersion=${apiVersion}`,
      `involvedObject.kind=${kind}`,
      `involvedObject.name=${name}`,
      ...(namespace ? [`involvedObject.namespace=${namespace}`] : []),
    ].join(',');
    try {
      const list = await this.send<{ items?: KubeEvent[] }>(
        { verb: 'LIST', path: `/api/v1/namespaces/${ns}/events`, query: { fieldSelector } },
        true,
      );
      return (list.items ?? []).sort((a, b) => eventTime(a) - eventTime(b));
    } catch (err) {
      if (err instanceof ApiError) return [];
      throw err;
    }
  }

  /**
   * POST authorization.k8s.io/v1 selfsubjectaccessreviews, what `kubectl auth can-i` sends. A 403
   * (the identity may not even ask) or 404 (not served) means the cluster cannot say: undefined.
   */
  async accessReview(attrs: ResourceAttributes): Promise<AccessDecision | undefined> {
    const { verb, group, resource, subresource, namespace, name } = attrs;
    const body = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb, group, resource, subresource, namespace, name } },
    };
    let review: { status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string } };
    try {
      review = await this.send(
        {
          verb: 'POST',
          path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
          body,
          contentType: 'application/json',
        },
        // Creates nothing: safe to retry like a read.
        true,
      );
    } catch (err) {
      if (err instanceof ApiError && (err.code === 403 || err.code === 404)) return undefined;
      throw err;
    }
    const status = review?.status ?? {};
    const reason = [status.reason, status.evaluationError].filter(Boolean).join(' - ');
    return { allowed: status.allowed === true, ...(reason ? { reason } : {}) };
  }

  async podLogs(namespace: string, pod: string, container: string, lines: number): Promise<string[]> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
    try {
      const text = await this.send<string>(
        { verb: 'GET', path, query: { container, tailLines: lines }, text: true },
        true,
      );
      const out = text.split('\n');
      if (out[out.length - 1] === '') out.pop();
      return out.slice(-lines);
    } catch (err) {
      // Logs are evidence for a report, not a reason to fail it: a pod that never started has none.
      if (err instanceof ApiError) return [];
      throw err;
    }
  }

  requestCounts(): Record<string, number> {
    return this.transport.requestCounts();
  }

  /**
   * Lists then watches the workloads (each kind by name with one per namespace, namespace-wide
   * with several), and the ReplicaSets or ControllerRevisions, Pods and Events of their
   * namespaces. Resolves when the cache holds the listed state; the watches then run until
   * {@link close}.
   */
  async watch(refs: WorkloadRef[]): Promise<void> {
    if (this.closed) throw new Error('cluster client is closed');
    for (const ref of refs) this.watched.set(refKey(ref), ref);
    const groups = new Map<string, WorkloadRef[]>();
    for (const ref of refs) {
      const id = `${workloadKindOf(ref)}/${ref.namespace}`;
      groups.set(id, [...(groups.get(id) ?? []), ref]);
    }
    const added: Reflector[] = [];
    const add = (id: string, spec: ReflectorSpec): void => {
      if (this.reflectors.has(id)) return;
      const reflector = new Reflector(spec, {
        transport: this.transport,
        clock: this.clock,
        retry: this.retry,
        onChange: (kind, _type, object) => this.onChange(kind, object),
        ...(this.options.watchTimeoutSeconds ? { watchTimeoutSeconds: this.options.watchTimeoutSeconds } : {}),
      });
      this.reflectors.set(id, reflector);
      added.push(reflector);
    };
    for (const group of groups.values()) {
      const { namespace } = group[0]!;
      const kind = workloadKindOf(group[0]!);
      const info = WORKLOAD_KINDS[kind];
      const ns = encodeURIComponent(namespace);
      const path = `/apis/apps/v1/namespaces/${ns}/${info.plural}`;
      if (group.length > 1) add(`${kind}/${namespace}/*`, { apiVersion: info.apiVersion, kind, path });
      else if (!this.reflectors.has(`${kind}/${namespace}/*`)) {
        const name = group[0]!.name;
        add(`${kind}/${namespace}/${name}`, {
          apiVersion: info.apiVersion,
          kind,
          path,
          fieldSelector: `metadata.name=${name}`,
        });
      }
      const history = info.history;
      add(`${history}/${namespace}`, {
        apiVersion: 'apps/v1',
        kind: history,
        path: `/apis/apps/v1/namespaces/${ns}/${history === 'ReplicaSet' ? 'replicasets' : 'controllerrevisions'}`,
      });
      add(`Pod/${namespace}`, { apiVersion: 'v1', kind: 'Pod', path: `/api/v1/namespaces/${ns}/pods` });
      add(`Event/${namespace}`, { apiVersion: 'v1', kind: 'Event', path: `/api/v1/namespaces/${ns}/events` });
    }
    try {
      await Promise.all(added.map((r) => r.list()));
    } catch (err) {
      // A half-primed cache would answer observe() with wrong data; drop the new reflectors.
      for (const [id, r] of this.reflectors) if (added.includes(r)) this.reflectors.delete(id);
      throw err;
    }
    for (const r of added) r.start();
    this.seenSeq = this.changeSeq;
  }

  async observe(ref: WorkloadRef): Promise<WorkloadObservation> {
    const kind = workloadKindOf(ref);
    if (!this.watched.has(refKey(ref)))
      throw new Error(`${kind} ${ref.namespace}/${ref.name} is not watched; call watch() first`);
    this.seenSeq = this.changeSeq;
    const workload = this.find<KubeObject>(kind, ref.namespace, `${ref.namespace}/${ref.name}`);
    if (!workload)
      return { replicaSets: [], pods: [], events: [], ...(kind === 'Deployment' ? {} : { revisions: [] }) };
    const owners = new Set([workload.metadata.uid ?? '']);
    if (kind !== 'Deployment') {
      const revisions = this.owned<ControllerRevision>('ControllerRevision', ref.namespace, owners);
      const pods = this.owned<Pod>('Pod', ref.namespace, owners);
      const events = this.eventsAbout(ref.namespace, [workload, ...pods]);
      return structuredClone({
        workload: workload as StatefulSet | DaemonSet,
        replicaSets: [],
        revisions,
        pods,
        events,
      });
    }
    const replicaSets = this.owned<ReplicaSet>('ReplicaSet', ref.namespace, owners);
    const rsUids = new Set(replicaSets.map((rs) => rs.metadata.uid ?? ''));
    const pods = this.owned<Pod>('Pod', ref.namespace, rsUids);
    const events = this.eventsAbout(ref.namespace, [workload, ...replicaSets, ...pods]);
    return structuredClone({ deployment: workload as Deployment, replicaSets, pods, events });
  }

  /** The cached events about these objects, oldest first. */
  private eventsAbout(namespace: string, objects: KubeObject[]): KubeEvent[] {
    const uids = new Set(objects.map((o) => o.metadata.uid));
    return this.objectsOf<KubeEvent>('Event', namespace)
      .filter((e) => uids.has(e.involvedObject?.uid))
      .sort((a, b) => eventTime(a) - eventTime(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  /**
   * Resolves at the next watch event that touches a watched Deployment, its ReplicaSets, their
   * pods or their events, or after `maxMs`. A change that arrived since the last observe() or
   * waitForChange() resolves it at once, so nothing is lost between observing and waiting.
   */
  async waitForChange(maxMs: number): Promise<void> {
    if (this.changeSeq !== this.seenSeq || this.closed) {
      this.seenSeq = this.changeSeq;
      return;
    }
    const waiter = new AbortController();
    this.waiters.add(waiter);
    try {
      await this.clock.sleep(maxMs, waiter.signal);
    } finally {
      this.waiters.delete(waiter);
      this.seenSeq = this.changeSeq;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters) waiter.abort();
    await Promise.all([...this.reflectors.values()].map((r) => r.stop()));
    this.reflectors.clear();
  }

  /**
   * Read-your-writes: a write's result goes into the watch cache at once, so the next observe()
   * shows it (as the in-process cluster does) instead of the state before the write, which the
   * watch may not have replaced yet. Without this the gate can judge a rollback by the failing
   * revision it just replaced.
   */
  private remember<T extends KubeObject>(object: T): T {
    if (object && typeof object === 'object' && object.metadata) {
      const withKind = object.kind ? object : ({ ...object, kind: 'Deployment', apiVersion: 'apps/v1' } as T);
      for (const r of this.reflectors.values()) if (r.spec.kind === withKind.kind) r.remember(withKind);
    }
    return object;
  }

  private async send<T>(spec: RequestSpec, isRead: boolean): Promise<T> {
    return withRetry(() => this.transport.request<T>(spec), this.retry, { isRead, what: `${spec.verb} ${spec.path}` });
  }

  private objectsOf<T extends KubeObject>(kind: string, namespace: string): T[] {
    const out: T[] = [];
    for (const r of this.reflectors.values()) {
      if (r.spec.kind !== kind) continue;
      for (const o of r.objects.values()) if (o.metadata.namespace === namespace) out.push(o as T);
    }
    return out;
  }

  private find<T extends KubeObject>(kind: string, namespace: string, key: string): T | undefined {
    for (const r of this.reflectors.values()) {
      if (r.spec.kind !== kind) continue;
      const o = r.objects.get(key);
      if (o && o.metadata.namespace === namespace) return o as T;
    }
    return undefined;
  }

  private owned<T extends KubeObject>(kind: string, namespace: string, ownerUids: Set<string>): T[] {
    return this.objectsOf<T>(kind, namespace).filter((o) => ownerUids.has(controllerUid(o) ?? ''));
  }

  /** A relist (no object) may have changed anything, so it always counts. */
  private onChange(kind: string, object: KubeObject | undefined): void {
    if (!object || this.touchesWatched(kind, object)) {
      this.changeSeq++;
      for (const waiter of this.waiters) waiter.abort();
    }
  }

  /** Whether a changed object is one observe() would return for some watched workload. */
  private touchesWatched(kind: string, object: KubeObject): boolean {
    const namespace = object.metadata.namespace ?? '';
    const refs = [...this.watched.values()].filter((r) => r.namespace === namespace);
    if (refs.length === 0) return false;
    if (refs.some((r) => workloadKindOf(r) === kind)) return refs.some((r) => r.name === object.metadata.name);
    const workloadUids = new Set(
      refs.map(
        (r) => this.find<KubeObject>(workloadKindOf(r), namespace, `${namespace}/${r.name}`)?.metadata.uid ?? '',
      ),
    );
    if (kind === 'ReplicaSet' || kind === 'ControllerRevision') return workloadUids.has(controllerUid(object) ?? '');
    const rsUids = new Set(this.owned('ReplicaSet', namespace, workloadUids).map((rs) => rs.metadata.uid ?? ''));
    const podOwners = new Set([...workloadUids, ...rsUids]);
    if (kind === 'Pod') return podOwners.has(controllerUid(object) ?? '');
    if (kind === 'Event') {
      const involved = (object as KubeEvent).involvedObject ?? {};
      if (involved.kind && refs.some((r) => workloadKindOf(r) === involved.kind && r.name === involved.name))
        return true;
      if (involved.kind === 'ReplicaSet') return rsUids.has(involved.uid ?? '');
      const podUids = new Set(this.owned('Pod', namespace, podOwners).map((p) => p.metadata.uid ?? ''));
      return podUids.has(involved.uid ?? '');
    }
    return false;
  }
}

function refKey(ref: WorkloadRef): string {
  return `${workloadKindOf(ref)}/${ref.namespace}/${ref.name}`;
}

/** The uid of the controlling owner (the Deployment of a ReplicaSet, the ReplicaSet of a pod). */
function controllerUid(object: KubeObject): string | undefined {
  const refs = object.metadata.ownerReferences ?? [];
  return (refs.find((o) => o.controller) ?? refs[0])?.uid;
}

/** When an event last happened: core/v1 fields first, then events.k8s.io's, then creation. */
function eventTime(event: KubeEvent): number {
  const series = (event as { series?: { lastObservedTime?: string } }).series?.lastObservedTime;
  const raw =
    event.lastTimestamp ??
    series ??
    (event as { eventTime?: string }).eventTime ??
    event.firstTimestamp ??
    event.metadata.creationTimestamp;
  const t = raw ? Date.parse(raw) : NaN;
  return Number.isNaN(t) ? 0 : t;
}
