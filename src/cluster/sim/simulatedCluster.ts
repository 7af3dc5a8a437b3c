import { ApiError } from '../../k8s/apiError.js';
import { clone, rfc3339 } from '../../k8s/meta.js';
import type { Deployment, KubeEvent, KubeObject, Pod, ReplicaSet } from '../../k8s/objects.js';
import type { ApplyOptions, ClusterClient, JsonPatchOp, WorkloadObservation, WorkloadRef } from '../port.js';
import { applyObject, updateObject } from './applyObject.js';
import { applyJsonPatch } from './patch/jsonPatch.js';
import type { Simulation } from './simulation.js';

export type LogReader = (namespace: string, pod: string, container: string, lines: number) => string[];

/**
 * The port adapter over an in-process {@link Simulation}: no HTTP, virtual time. Waiting
 * advances the virtual clock, so a 10-minute rollout is judged in milliseconds.
 */
export class SimulatedCluster implements ClusterClient {
  readonly mode = 'simulated' as const;
  private readonly watchedNamespaces = new Set<string>();
  private changed = false;
  private readonly counts: Record<string, number> = {};
  private readonly unsubscribe: () => void;

  constructor(
    readonly simulation: Simulation,
    private readonly readLogs: LogReader = () => [],
  ) {
    this.unsubscribe = simulation.store.watch((event) => {
      if (this.watchedNamespaces.has(event.object.metadata.namespace ?? '')) this.changed = true;
    });
  }

  get clock() {
    return this.simulation.clock;
  }

  describe(): string {
    return 'the built-in simulated cluster';
  }

  async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    this.count('PATCH');
    this.kindOf(obj);
    const { object } = applyObject(this.simulation.store, obj, {
      manager: options.fieldManager,
      force: options.force,
      time: this.now(),
    });
    this.simulation.settle();
    return clone(object);
  }

  async get<T extends KubeObject>(
    _apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    this.count('GET');
    const found = this.simulation.store.get<T>(kind, namespace, name);
    return found ? clone(found) : undefined;
  }

  async delete(_apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<void> {
    this.count('DELETE');
    this.simulation.store.delete(kind, namespace, name);
    this.simulation.settle();
  }

  async patchDeployment(ref: WorkloadRef, patch: JsonPatchOp[]): Promise<Deployment> {
    this.count('PATCH');
    const store = this.simulation.store;
    const current = store.mustGet<Deployment>('Deployment', ref.namespace, ref.name);
    let patched: Deployment;
    try {
      patched = applyJsonPatch(clone(current), patch) as Deployment;
    } catch (err) {
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: ${(err as Error).message}`,
      );
    }
    // As in the API server, a patch that sets metadata.resourceVersion makes the write
    // conditional on it (409 Conflict when stale); otherwise the patch applies to the latest.
    const result = updateObject(store, current, patched, { manager: 'rollout-gate', time: this.now() });
    this.simulation.settle();
    return clone(result);
  }

  async annotateDeployment(
    ref: WorkloadRef,
    annotations: Record<string, string | null>,
    fieldManager: string,
  ): Promise<Deployment> {
    this.count('PATCH');
    const store = this.simulation.store;
    const current = store.mustGet<Deployment>('Deployment', ref.namespace, ref.name);
    const next = { ...(current.metadata.annotations ?? {}) };
    for (const [key, value] of Object.entries(annotations)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    const updated = clone(current);
    updated.metadata.annotations = next;
    const result = updateObject(store, current, updated, { manager: fieldManager, time: this.now() });
    this.simulation.settle();
    return clone(result);
  }

  async scaleDeployment(ref: WorkloadRef, replicas: number): Promise<void> {
    this.count('PATCH');
    const store = this.simulation.store;
    const current = store.mustGet<Deployment>('Deployment', ref.namespace, ref.name);
    updateObject(
      store,
      current,
      { ...clone(current), spec: { ...clone(current.spec), replicas } },
      { manager: 'rollout-gate', time: this.now() },
    );
    this.simulation.settle();
  }

  async watch(refs: WorkloadRef[]): Promise<void> {
    for (const ref of refs) {
      if (!this.watchedNamespaces.has(ref.namespace)) {
        this.watchedNamespaces.add(ref.namespace);
        this.count('LIST', 4);
        this.count('WATCH', 4);
      }
    }
  }

  async observe(ref: WorkloadRef): Promise<WorkloadObservation> {
    const store = this.simulation.store;
    const deployment = store.get<Deployment>('Deployment', ref.namespace, ref.name);
    if (!deployment) return { replicaSets: [], pods: [], events: [] };
    const replicaSets = store.listOwnedBy<ReplicaSet>('ReplicaSet', deployment.metadata.uid!);
    const pods = replicaSets.flatMap((rs) => store.listOwnedBy<Pod>('Pod', rs.metadata.uid!));
    const events: KubeEvent[] = [deployment, ...replicaSets, ...pods].flatMap((o) =>
      this.simulation.events.eventsFor(o),
    );
    events.sort((a, b) => compareTime(a.lastTimestamp, b.lastTimestamp));
    return clone({ deployment, replicaSets, pods, events });
  }

  async waitForChange(maxMs: number): Promise<void> {
    this.changed = false;
    this.simulation.runUntil(() => this.changed, maxMs);
  }

  async podLogs(namespace: string, pod: string, container: string, lines: number): Promise<string[]> {
    this.count('GET');
    return this.readLogs(namespace, pod, container, lines);
  }

  requestCounts(): Record<string, number> {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    this.unsubscribe();
  }

  private kindOf(obj: KubeObject): string {
    const kind = obj.kind ?? '';
    if (!this.simulation.store.kinds.has(kind)) {
      throw new ApiError(
        404,
        'NotFound',
        `the server could not find the requested resource (kind ${kind} in ${obj.apiVersion})`,
      );
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

function compareTime(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
