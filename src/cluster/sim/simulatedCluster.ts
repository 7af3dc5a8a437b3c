import { ApiError } from '../../k8s/apiError.js';
import { clone } from '../../k8s/meta.js';
import type { Deployment, KubeEvent, KubeObject, Pod, ReplicaSet } from '../../k8s/objects.js';
import type { ApplyOptions, ClusterClient, JsonPatchOp, WorkloadObservation, WorkloadRef } from '../port.js';
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
    const store = this.simulation.store;
    const kind = this.kindOf(obj);
    const namespace = store.kinds.get(kind).namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    const existing = store.get(kind, namespace, obj.metadata.name!);
    let result: KubeObject;
    if (!existing) {
      result = store.create(kind, { ...clone(obj), metadata: { ...clone(obj.metadata), namespace } });
    } else {
      result = store.update(kind, mergeApplied(existing, obj, options));
    }
    this.simulation.settle();
    return result;
  }

  async get<T extends KubeObject>(_apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
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
      throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${(err as Error).message}`);
    }
    // As in the API server, a patch that sets metadata.resourceVersion makes the write
    // conditional on it (409 Conflict when stale); otherwise the patch applies to the latest.
    const result = store.update('Deployment', patched);
    this.simulation.settle();
    return clone(result);
  }

  async annotateDeployment(ref: WorkloadRef, annotations: Record<string, string | null>): Promise<Deployment> {
    this.count('PATCH');
    const store = this.simulation.store;
    const current = clone(store.mustGet<Deployment>('Deployment', ref.namespace, ref.name));
    const next = { ...(current.metadata.annotations ?? {}) };
    for (const [key, value] of Object.entries(annotations)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    current.metadata.annotations = next;
    const result = store.update('Deployment', current);
    this.simulation.settle();
    return clone(result);
  }

  async scaleDeployment(ref: WorkloadRef, replicas: number): Promise<void> {
    this.count('PATCH');
    const store = this.simulation.store;
    const current = clone(store.mustGet<Deployment>('Deployment', ref.namespace, ref.name));
    current.spec.replicas = replicas;
    store.update('Deployment', current);
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
    const events: KubeEvent[] = [deployment, ...replicaSets, ...pods].flatMap((o) => this.simulation.events.eventsFor(o));
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
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource (kind ${kind} in ${obj.apiVersion})`);
    }
    return kind;
  }

  private count(verb: string, n = 1): void {
    this.counts[verb] = (this.counts[verb] ?? 0) + n;
  }
}

/**
 * What a server-side apply of `applied` does to `existing`, for the fields a manifest sets:
 * labels and annotations are merged (keys owned by others, such as the controller's revision
 * annotation, survive), every other top-level field the manifest sets is replaced.
 */
function mergeApplied(existing: KubeObject, applied: KubeObject, _options: ApplyOptions): KubeObject {
  const next = clone(existing);
  for (const [key, value] of Object.entries(applied)) {
    if (key === 'metadata' || key === 'status' || key === 'apiVersion' || key === 'kind') continue;
    next[key] = clone(value);
  }
  next.metadata.labels = { ...(existing.metadata.labels ?? {}), ...(applied.metadata.labels ?? {}) };
  next.metadata.annotations = { ...(existing.metadata.annotations ?? {}), ...(applied.metadata.annotations ?? {}) };
  if (Object.keys(next.metadata.labels).length === 0) delete next.metadata.labels;
  if (Object.keys(next.metadata.annotations).length === 0) delete next.metadata.annotations;
  delete next.metadata.resourceVersion; // apply is unconditional
  return next;
}

function compareTime(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
