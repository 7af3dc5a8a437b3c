import type { Clock } from '../clock/clock.js';
import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  KubeEvent,
  KubeObject,
  Pod,
  ReplicaSet,
  StatefulSet,
} from '../k8s/objects.js';
import type { WorkloadKind } from '../k8s/workloadKinds.js';
import type { ResourceAttributes } from '../k8s/rbac/authorize.js';

/** Everything the gate observes about one workload at one moment. */
export interface WorkloadObservation {
  /** The Deployment (a Deployment's reference); undefined when it does not exist. */
  deployment?: Deployment;
  /** The StatefulSet or DaemonSet (those kinds' references); undefined when it does not exist. */
  workload?: StatefulSet | DaemonSet;
  /** ReplicaSets controlled by the Deployment (ownerReference uid), any order. */
  replicaSets: ReplicaSet[];
  /** ControllerRevisions controlled by the StatefulSet or DaemonSet, any order. */
  revisions?: ControllerRevision[];
  /** Pods controlled by those ReplicaSets, or by the StatefulSet or DaemonSet. */
  pods: Pod[];
  /** Events about the workload, its ReplicaSets and their pods, oldest first. */
  events: KubeEvent[];
}

export interface WorkloadRef {
  namespace: string;
  name: string;
  /** Default Deployment. */
  kind?: WorkloadKind;
}

export interface ApplyOptions {
  /** Server-side apply field manager. */
  fieldManager: string;
  /** Take ownership of fields other managers own (`--force-conflicts`). */
  force: boolean;
}

/** Where the API serves a kind (its REST mapping), from API discovery. */
export interface ResourceMapping {
  /** URL segment, e.g. `ingresses`. */
  plural: string;
  namespaced: boolean;
}

/** Selectors of a {@link ClusterClient.list}. */
export interface ListOptions {
  fieldSelector?: string;
}

/** The answer of a SelfSubjectAccessReview. */
export interface AccessDecision {
  allowed: boolean;
  /** The authorizer's words, when it gave any (RBAC gives none for a plain "no"). */
  reason?: string;
}

/**
 * The port between the gate and a cluster. Two adapters implement it: the in-process
 * simulated cluster (virtual clock) and the real cluster over @kubernetes/client-node.
 * Errors are {@link ApiError}s (src/k8s/apiError.ts) whatever the adapter.
 */
export interface ClusterClient {
  /** 'simulated' runs on a virtual clock; 'real' on wall time. */
  readonly mode: 'simulated' | 'real';
  /** The clock the gate must use for `now` and waiting. */
  readonly clock: Clock;
  /** A short description for logs (server address or "simulated cluster"); never secrets. */
  describe(): string;

  /**
   * The REST mapping of `kind` in `apiVersion` from API discovery (cached per run; a miss is asked
   * again, so a kind a CustomResourceDefinition just added is found), or undefined when the cluster
   * does not serve it.
   */
  resolve(apiVersion: string, kind: string): Promise<ResourceMapping | undefined>;
  /**
   * Server-side apply of one object; returns the object as stored. A `metadata.resourceVersion`
   * in `obj` is a precondition: 409 Conflict when the object changed since (the gate's rollback).
   */
  apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject>;
  get<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined>;
  /**
   * One LIST of every object of a kind, read only: in `namespace`, or in all namespaces (and for a
   * cluster-scoped kind) when undefined; `fieldSelector` as the API server takes it
   * (e.g. `status.phase!=Succeeded,status.phase!=Failed`). Not cached: what the cluster holds now.
   */
  list<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    options?: ListOptions,
  ): Promise<T[]>;
  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<void>;
  /** Sets `spec.replicas` of a Deployment or StatefulSet (a DaemonSet has none). */
  scaleWorkload(ref: WorkloadRef, replicas: number): Promise<void>;

  // Whole-object writes of any kind (the gate's Leases, src/gate/lock.ts); kept apart from the
  // Deployment writes above.
  /** Creates `obj` (POST) under `fieldManager`; 409 AlreadyExists when it exists. Returns it as stored. */
  create<T extends KubeObject>(obj: T, fieldManager: string): Promise<T>;
  /**
   * Replaces `obj` (PUT) under `fieldManager`. With `metadata.resourceVersion` set, only if the
   * object still has that version (409 Conflict otherwise): client-go's optimistic Update.
   */
  replace<T extends KubeObject>(obj: T, fieldManager: string): Promise<T>;

  /** Starts watching these workloads (and their ReplicaSets or ControllerRevisions, pods and events). */
  watch(refs: WorkloadRef[]): Promise<void>;
  /** The latest observation of one watched workload (from the watch cache: no request). */
  observe(ref: WorkloadRef): Promise<WorkloadObservation>;
  /** Resolves at the next change to a watched object, or after `maxMs` on the client's clock. */
  waitForChange(maxMs: number): Promise<void>;
  /**
   * Events about one object of any kind (`kubectl describe`'s Events), oldest first: the evidence
   * when an object the gate waits on fails. Events of a cluster-scoped object live in `default`.
   */
  eventsFor(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeEvent[]>;
  /**
   * May this client's identity do this (a SelfSubjectAccessReview,
   * POST authorization.k8s.io/v1 selfsubjectaccessreviews)? Undefined when the cluster cannot say:
   * the review itself is forbidden or not served.
   */
  accessReview(attrs: ResourceAttributes): Promise<AccessDecision | undefined>;
  /** Last `lines` log lines of a container (empty when unavailable). */
  podLogs(namespace: string, pod: string, container: string, lines: number): Promise<string[]>;

  /** API requests made so far, by verb (for the requests-per-minute figure). */
  requestCounts(): Record<string, number>;
  close(): Promise<void>;
}
