import { ApiError } from '../../k8s/apiError.js';
import { clone, rfc3339 } from '../../k8s/meta.js';
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
import { workloadKindOf } from '../../k8s/workloadKinds.js';
import {
  authorize,
  forbidden,
  requestAttributes,
  type Permissions,
  type ResourceAttributes,
} from '../../k8s/rbac/authorize.js';
import type {
  AccessDecision,
  ApplyOptions,
  ClusterClient,
  ListOptions,
  ResourceMapping,
  WorkloadObservation,
  WorkloadRef,
} from '../port.js';
import { applyObject, createObject, updateObject } from './applyObject.js';
import { parseSelection, selects } from './api/query.js';
import type { Simulation } from './simulation.js';
import { FaultInjector, NO_FAULTS, PendingReset, type FaultOptions } from './faults/faultInjector.js';

export type LogReader = (namespace: string, pod: string, container: string, lines: number) => string[];

/**
 * The port adapter over an in-process {@link Simulation}: no HTTP, virtual time. Waiting
 * advances the virtual clock, so a 10-minute rollout is judged in milliseconds.
 *
 * With faults (scenario `faults`), requests fail as an API server under load fails (429 with
 * Retry-After, 500, 503, connection resets, some after the write was committed, 409 on conditional
 * writes), and the watch stream behind `observe`/`waitForChange` drops every N seconds: until it
 * is resumed (or relisted after a 410 Gone), changes are not notified and `observe` answers from
 * the stale cache, as a real informer does.
 *
 * With `permissions` (scenario `permissions`), every request is authorized as that identity with
 * RBAC's rules and a refused one fails with the API server's 403 (see src/k8s/rbac/authorize.ts);
 * without, everything is allowed.
 */
export class SimulatedCluster implements ClusterClient {
  readonly mode = 'simulated' as const;
  private readonly watchedNamespaces = new Set<string>();
  private changed = false;
  private readonly counts: Record<string, number> = {};
  private readonly unsubscribe: () => void;
  readonly faults: FaultInjector;
  /** When the watch streams were last (re)established; undefined before `watch`. */
  private watchSince?: number;
  /** The last observation per workload, answered while the watch is down. */
  private readonly cache = new Map<string, WorkloadObservation>();
  private dropNoted?: number;

  constructor(
    readonly simulation: Simulation,
    private readonly readLogs: LogReader = () => [],
    faults: FaultOptions = NO_FAULTS,
    private readonly permissions?: Permissions,
  ) {
    this.faults = new FaultInjector(faults);
    this.unsubscribe = simulation.store.watch((event) => {
      if (this.watchedNamespaces.has(event.object.metadata.namespace ?? '') && !this.watchDown()) this.changed = true;
    });
  }

  get clock() {
    return this.simulation.clock;
  }

  describe(): string {
    return 'the built-in simulated cluster';
  }

  async resolve(apiVersion: string, kind: string): Promise<ResourceMapping | undefined> {
    return this.request('GET', 'discovery', false, () => {
      const info = this.simulation.store.kinds.lookup(apiVersion, kind);
      return info ? { plural: info.plural, namespaced: info.namespaced } : undefined;
    });
  }

  async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    // With a resourceVersion the apply is conditional (the rollback's): a 409 is then a fault to inject.
    const conditional = Boolean(obj.metadata.resourceVersion);
    return this.request('PATCH', obj.metadata.name ?? '', conditional, () => {
      this.kindOf(obj.apiVersion ?? '', obj.kind ?? '');
      const target = this.target(obj.apiVersion ?? '', obj.kind ?? '', obj.metadata.namespace, obj.metadata.name);
      this.authorize({ verb: 'patch', ...target });
      // An apply that creates is authorized as a create too (apiserver handlers/patch.go createAuthorizerAttributes).
      if (!this.simulation.store.get(obj.kind ?? '', target.namespace, target.name ?? ''))
        this.authorize({ verb: 'create', ...target });
      const { object } = applyObject(this.simulation.store, obj, {
        manager: options.fieldManager,
        force: options.force,
        time: this.now(),
      });
      this.simulation.settle();
      return clone(object);
    });
  }

  async get<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    return this.request('GET', name, false, () => {
      this.kindOf(apiVersion, kind);
      this.authorize({ verb: 'get', ...this.target(apiVersion, kind, namespace, name) });
      const found = this.simulation.store.get<T>(kind, namespace, name);
      return found ? clone(found) : undefined;
    });
  }

  async list<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<T[]> {
    return this.request('LIST', kind, false, () => {
      this.kindOf(apiVersion, kind);
      const info = this.simulation.store.kinds.lookup(apiVersion, kind)!;
      const ns = info.namespaced ? namespace : undefined;
      // All namespaces is a cluster-wide list: RBAC asks a ClusterRole for it.
      this.authorize({ verb: 'list', group: info.group, resource: info.plural, ...(ns ? { namespace: ns } : {}) });
      const query = new URLSearchParams(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {});
      const selection = parseSelection(info, ns, query);
      return this.simulation.store
        .list<T>(kind, ns)
        .filter((o) => selects(selection, o))
        .map((o) => clone(o));
    });
  }

  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<void> {
    return this.request('DELETE', name, false, () => {
      this.authorize({ verb: 'delete', ...this.target(apiVersion, kind, namespace, name) });
      this.simulation.store.delete(kind, namespace, name);
      this.simulation.settle();
    });
  }

  async scaleWorkload(ref: WorkloadRef, replicas: number): Promise<void> {
    return this.request('PATCH', ref.name, false, () => {
      // The real adapter's merge patch on the Deployment itself (not its /scale subresource).
      this.authorize({ verb: 'patch', ...this.target('apps/v1', 'Deployment', ref.namespace, ref.name) });
      const store = this.simulation.store;
      const kind = workloadKindOf(ref);
      const current = store.mustGet<Deployment>(kind, ref.namespace, ref.name);
      updateObject(
        store,
        current,
        { ...clone(current), spec: { ...clone(current.spec), replicas } },
        { manager: 'rollout-gate', time: this.now() },
      );
      this.simulation.settle();
    });
  }

  async create<T extends KubeObject>(obj: T, fieldManager: string): Promise<T> {
    return this.request('POST', obj.metadata.name ?? '', false, () => {
      const kind = this.kindOf(obj.apiVersion ?? '', obj.kind ?? '');
      // A POST names no object: the request has no name to authorize.
      const { name: _name, ...target } = this.target(obj.apiVersion ?? '', kind, obj.metadata.namespace, undefined);
      this.authorize({ verb: 'create', ...target });
      const created = createObject(this.simulation.store, kind, clone(obj), {
        manager: fieldManager,
        time: this.now(),
      });
      this.simulation.settle();
      return clone(created) as T;
    });
  }

  async replace<T extends KubeObject>(obj: T, fieldManager: string): Promise<T> {
    const conditional = Boolean(obj.metadata.resourceVersion);
    return this.request('PUT', obj.metadata.name ?? '', conditional, () => {
      const kind = this.kindOf(obj.apiVersion ?? '', obj.kind ?? '');
      this.authorize({
        verb: 'update',
        ...this.target(obj.apiVersion ?? '', kind, obj.metadata.namespace, obj.metadata.name),
      });
      const store = this.simulation.store;
      const namespace = store.kinds.get(kind).namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
      const current = store.mustGet(kind, namespace, obj.metadata.name ?? '');
      // updateObject keeps the body's resourceVersion: a precondition, as in a PUT.
      const result = updateObject(store, current, clone({ ...obj, kind, apiVersion: current.apiVersion }), {
        manager: fieldManager,
        time: this.now(),
      });
      this.simulation.settle();
      return clone(result) as T;
    });
  }

  async watch(refs: WorkloadRef[]): Promise<void> {
    for (const ref of refs) {
      if (!this.watchedNamespaces.has(ref.namespace)) {
        // What the real adapter lists and watches there (kubeCluster.ts watch).
        for (const [group, resource] of WATCHED)
          for (const verb of ['list', 'watch']) this.authorize({ verb, group, resource, namespace: ref.namespace });
        // One fault roll for the namespace's four list+watch pairs; a failure leaves it unwatched.
        await this.request('LIST', ref.namespace, false, () => undefined, 4);
        this.count('WATCH', 4);
        this.watchedNamespaces.add(ref.namespace);
      }
    }
    this.watchSince ??= this.simulation.clock.now();
  }

  async observe(ref: WorkloadRef): Promise<WorkloadObservation> {
    const key = `${workloadKindOf(ref)}/${ref.namespace}/${ref.name}`;
    const cached = this.cache.get(key);
    if (cached && this.watchDown()) return clone(cached);
    const observation = this.observeNow(ref);
    if (this.faults.enabled) this.cache.set(key, clone(observation));
    return observation;
  }

  private observeNow(ref: WorkloadRef): WorkloadObservation {
    const store = this.simulation.store;
    const kind = workloadKindOf(ref);
    const workload = store.get<Deployment | StatefulSet | DaemonSet>(kind, ref.namespace, ref.name);
    if (!workload)
      return { replicaSets: [], pods: [], events: [], ...(kind === 'Deployment' ? {} : { revisions: [] }) };
    const uid = workload.metadata.uid!;
    if (kind !== 'Deployment') {
      const revisions = store.listOwnedBy<ControllerRevision>('ControllerRevision', uid);
      const pods = store.listOwnedBy<Pod>('Pod', uid);
      const events = this.eventsAbout([workload, ...pods]);
      return clone({ workload: workload as StatefulSet | DaemonSet, replicaSets: [], revisions, pods, events });
    }
    const replicaSets = store.listOwnedBy<ReplicaSet>('ReplicaSet', uid);
    const pods = replicaSets.flatMap((rs) => store.listOwnedBy<Pod>('Pod', rs.metadata.uid!));
    const events = this.eventsAbout([workload, ...replicaSets, ...pods]);
    return clone({ deployment: workload as Deployment, replicaSets, pods, events });
  }

  /** The events about these objects, oldest first. */
  private eventsAbout(objects: KubeObject[]): KubeEvent[] {
    const events: KubeEvent[] = objects.flatMap((o) => this.simulation.events.eventsFor(o));
    return events.sort((a, b) => compareTime(a.lastTimestamp, b.lastTimestamp));
  }

  async waitForChange(maxMs: number): Promise<void> {
    if (this.watchDown() && (await this.resumeWatch())) return;
    this.changed = false;
    this.simulation.runUntil(() => this.changed, maxMs);
  }

  async eventsFor(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeEvent[]> {
    return this.request('LIST', name, false, () => {
      const found = this.simulation.store.get(this.kindOf(apiVersion, kind), namespace, name);
      const events = found ? this.simulation.events.eventsFor(found) : [];
      return clone([...events].sort((a, b) => compareTime(a.lastTimestamp, b.lastTimestamp)));
    });
  }

  async podLogs(namespace: string, pod: string, container: string, lines: number): Promise<string[]> {
    return this.request('GET', pod, false, () => {
      this.authorize({ verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace, name: pod });
      return this.readLogs(namespace, pod, container, lines);
    });
  }

  /** A SelfSubjectAccessReview (every identity may ask: system:basic-user). Not subject to faults. */
  async accessReview(attrs: ResourceAttributes): Promise<AccessDecision> {
    this.count('POST');
    return { allowed: !this.permissions || authorize(this.permissions, attrs) };
  }

  /** RBAC, as the API server checks each request before serving it; 403 when refused. */
  private authorize(attrs: ResourceAttributes): void {
    if (!this.permissions) return;
    const request = requestAttributes(attrs);
    if (!authorize(this.permissions, request)) throw forbidden(this.permissions.user, request);
  }

  /** The resource, namespace (when the kind is namespaced) and name a request on an object addresses. */
  private target(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string | undefined,
  ): Omit<ResourceAttributes, 'verb'> {
    const info = this.simulation.store.kinds.lookup(apiVersion, kind);
    return {
      group: info?.group ?? '',
      resource: info?.plural ?? kind.toLowerCase(),
      ...(info?.namespaced ? { namespace: namespace ?? 'default' } : {}),
      ...(name ? { name } : {}),
    };
  }

  /** Whether the watch streams were dropped and not yet resumed. */
  private watchDown(): boolean {
    if (this.watchSince === undefined || !this.faults.enabled) return false;
    const drop = this.faults.lastDropAt(this.watchSince, this.simulation.clock.now());
    if (drop === undefined) return false;
    if (this.dropNoted !== drop) {
      this.dropNoted = drop;
      this.faults.noteDrop();
    }
    return true;
  }

  /**
   * Re-opens the dropped watches from the last resourceVersion; a 410 Gone means that version is
   * compacted away: relist. Returns true when resynced (anything may have changed since the drop),
   * false when a request failed (the caller waits without notifications and tries again next time).
   */
  private async resumeWatch(): Promise<boolean> {
    try {
      for (const ns of [...this.watchedNamespaces].sort()) {
        if (this.faults.resumeGone()) {
          this.count('WATCH', 4);
          await this.request('LIST', ns, false, () => undefined, 4);
        }
        await this.request('WATCH', ns, false, () => undefined, 4);
      }
    } catch {
      return false;
    }
    this.watchSince = this.simulation.clock.now();
    this.cache.clear();
    return true;
  }

  /**
   * One API request: counted, then (with faults) delayed, failed before being served, or served
   * with its answer lost (a reset after commit: the caller cannot know whether it happened).
   */
  private async request<T>(verb: string, what: string, conditional: boolean, serve: () => T, n = 1): Promise<T> {
    this.count(verb, n);
    if (!this.faults.enabled) return serve();
    const latency = this.faults.latency();
    if (latency > 0) await this.simulation.clock.sleep(latency);
    const fault = this.faults.beforeRequest(verb, what, conditional);
    if (fault && !(fault instanceof PendingReset)) throw fault;
    const result = serve();
    const lost = this.faults.afterCommit(fault);
    if (lost) throw lost;
    return result;
  }

  requestCounts(): Record<string, number> {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    this.unsubscribe();
  }

  /** The kind as served in `apiVersion`; 404 as the real adapter answers when discovery has no such kind. */
  private kindOf(apiVersion: string, kind: string): string {
    if (!this.simulation.store.kinds.lookup(apiVersion, kind)) {
      throw new ApiError(404, 'NotFound', `the server has no resource for kind "${kind}" in ${apiVersion}`);
    }
    return kind;
  }

  private now(): string {
    return rfc3339(this.simulation.clock.now());
  }

  private count(verb: string, n = 1): void {
    this.counts[verb] = (this.counts[verb] ?? 0) + n;
  }
}

/** The kinds the adapter lists and watches in a Deployment's namespace: [group, resource]. */
const WATCHED: ReadonlyArray<[string, string]> = [
  ['apps', 'deployments'],
  ['apps', 'replicasets'],
  ['', 'pods'],
  ['', 'events'],
];

function compareTime(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
