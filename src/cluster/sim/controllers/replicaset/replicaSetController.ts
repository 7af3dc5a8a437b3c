import { ApiError } from '../../../../k8s/apiError.js';
import { selectorMatches } from '../../../../k8s/labels.js';
import { clone, controllerOf, newControllerRef } from '../../../../k8s/meta.js';
import type { LabelSelector, OwnerReference, Pod, ReplicaSet } from '../../../../k8s/objects.js';
import type { Controller, ControllerContext } from '../controller.js';
import type { StoreEvent } from '../../store/objectStore.js';
import { jsonEqual } from '../../store/jsonValue.js';
import { getPodsToDelete } from './podRanking.js';
import { filterActivePods, isPodTerminating } from './podUtil.js';
import { slowStartBatch } from './slowStart.js';
import { calculateReplicaSetStatus, nextAvailabilityCheck } from './status.js';

/**
 * The ReplicaSet controller (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/replicaset/replica_set.go):
 * keeps `spec.replicas` active pods per ReplicaSet, creating them in slow-start batches and deleting the
 * best candidates first, and reports status.
 *
 * Differences that do not change observable behaviour: syncs are synchronous and the store is read
 * directly (no informer lag), so creation/deletion expectations are unnecessary; pods are found through
 * the store's owner index, never by scanning every pod.
 */
export interface ReplicaSetControllerOptions {
  /** Most pods created or deleted per sync (upstream `BurstReplicas`). */
  burstReplicas?: number;
  /** Upstream `SlowStartInitialBatchSize`. */
  slowStartInitialBatchSize?: number;
  /**
   * The kind it manages. ReplicationControllers are run by this same controller, as upstream runs
   * them (pkg/controller/replication/replication_controller.go wraps the ReplicaSet controller):
   * their selector is a map (equality-based), their pods' owner is `v1` ReplicationController and
   * their events come from `replication-controller`.
   */
  kind?: 'ReplicaSet' | 'ReplicationController';
}

const KINDS = {
  ReplicaSet: { name: 'replicaset', apiVersion: 'apps/v1', component: 'replicaset-controller' },
  ReplicationController: { name: 'replicationcontroller', apiVersion: 'v1', component: 'replication-controller' },
} as const;

/** Work-queue rate limiter after a failed sync: 5ms doubling, capped at 1000s (client-go's default per-item limiter). */
const FAILURE_BASE_MS = 5;
const FAILURE_MAX_MS = 1_000_000;

export class ReplicaSetController implements Controller {
  readonly name: string;
  private readonly kind: 'ReplicaSet' | 'ReplicationController';
  private readonly component: string;
  private readonly burstReplicas: number;
  private readonly initialBatch: number;
  private readonly failures = new Map<string, number>();
  /** namespace -> names of live pods without a controller (adoption candidates); tracked from events. */
  private readonly orphans = new Map<string, Set<string>>();

  constructor(
    private readonly ctx: ControllerContext,
    options: ReplicaSetControllerOptions = {},
  ) {
    this.burstReplicas = options.burstReplicas ?? 500;
    this.initialBatch = options.slowStartInitialBatchSize ?? 1;
    this.kind = options.kind ?? 'ReplicaSet';
    this.name = KINDS[this.kind].name;
    this.component = KINDS[this.kind].component;
  }

  /** The pod selector: a ReplicationController's map is a set of equality requirements. */
  private selector(rs: ReplicaSet): LabelSelector | undefined {
    if (this.kind === 'ReplicaSet') return rs.spec.selector;
    const map = rs.spec.selector as unknown as Record<string, string> | undefined;
    return map ? { matchLabels: map } : undefined;
  }

  keysFor(event: StoreEvent): string[] {
    if (event.kind === this.kind) return [`${event.object.metadata.namespace}/${event.object.metadata.name}`];
    if (event.kind !== 'Pod') return [];
    const pod = event.object as Pod;
    const ns = pod.metadata.namespace ?? 'default';
    const owner = controllerOf(pod);
    if (owner) {
      this.orphans.get(ns)?.delete(pod.metadata.name!);
      return owner.kind === this.kind ? [`${ns}/${owner.name}`] : [];
    }
    if (event.type === 'DELETED' || pod.metadata.deletionTimestamp) {
      this.orphans.get(ns)?.delete(pod.metadata.name!);
      return [];
    }
    let names = this.orphans.get(ns);
    if (!names) this.orphans.set(ns, (names = new Set()));
    names.add(pod.metadata.name!);
    // An orphan wakes every ReplicaSet whose selector matches it (getPodReplicaSets).
    return this.ctx.store
      .list<ReplicaSet>(this.kind, ns)
      .filter((rs) => selectorMatches(this.selector(rs), pod.metadata.labels))
      .map((rs) => `${ns}/${rs.metadata.name}`);
  }

  sync(key: string): void {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const rs = this.ctx.store.get<ReplicaSet>(this.kind, ns, name);
    if (!rs) {
      this.failures.delete(key);
      return;
    }
    const pods = this.claimPods(rs);
    const active = filterActivePods(pods);
    let terminating = 0;
    for (const pod of pods) if (isPodTerminating(pod)) terminating++;
    const manageError = rs.metadata.deletionTimestamp ? undefined : this.manageReplicas(rs, active);
    const now = this.ctx.clock.now();
    const status = calculateReplicaSetStatus(rs, active, terminating, manageError, now);
    // ReplicationControllerStatus has no terminatingReplicas.
    if (this.kind === 'ReplicationController') delete status.terminatingReplicas;
    const current = this.ctx.store.get<ReplicaSet>(this.kind, ns, name) ?? rs;
    if (!jsonEqual(status, current.status ?? {})) {
      this.ctx.store.update(this.kind, { ...current, status }, { subresource: 'status' });
    }
    // Re-check availability just after the first ready pod passes minReadySeconds.
    const at = nextAvailabilityCheck(rs, active, now);
    if (at !== undefined) this.ctx.requeueAt(this.name, key, at);
    if (manageError) {
      const n = this.failures.get(key) ?? 0;
      this.failures.set(key, n + 1);
      this.ctx.requeueAt(this.name, key, now + Math.min(FAILURE_BASE_MS * 2 ** n, FAILURE_MAX_MS));
    } else {
      this.failures.delete(key);
    }
  }

  /**
   * `claimPods` (PodControllerRefManager): owned pods that no longer match the selector are released; orphans
   * that match are adopted (unless the ReplicaSet is being deleted).
   */
  private claimPods(rs: ReplicaSet): Pod[] {
    const store = this.ctx.store;
    const ns = rs.metadata.namespace ?? 'default';
    const out: Pod[] = [];
    for (const pod of store.listOwnedBy<Pod>('Pod', rs.metadata.uid!)) {
      if (selectorMatches(this.selector(rs), pod.metadata.labels) || pod.metadata.deletionTimestamp) {
        out.push(pod);
        continue;
      }
      const released = clone(pod);
      released.metadata.ownerReferences = (released.metadata.ownerReferences ?? []).filter(
        (r) => r.uid !== rs.metadata.uid,
      );
      if (released.metadata.ownerReferences.length === 0) delete released.metadata.ownerReferences;
      store.update('Pod', released);
    }
    const orphanNames = this.orphans.get(ns);
    if (orphanNames && orphanNames.size > 0 && !rs.metadata.deletionTimestamp) {
      for (const podName of [...orphanNames].sort()) {
        const pod = store.get<Pod>('Pod', ns, podName);
        if (!pod || controllerOf(pod) || pod.metadata.deletionTimestamp) continue;
        if (!selectorMatches(this.selector(rs), pod.metadata.labels)) continue;
        const adopted = clone(pod);
        adopted.metadata.ownerReferences = [...(adopted.metadata.ownerReferences ?? []), this.controllerRef(rs)];
        out.push(store.update('Pod', adopted));
      }
    }
    return out;
  }

  private controllerRef(rs: ReplicaSet): OwnerReference {
    return newControllerRef(rs, KINDS[this.kind].apiVersion, this.kind);
  }

  /** `manageReplicas`: create or delete at most burstReplicas pods; returns the first error. */
  private manageReplicas(rs: ReplicaSet, active: Pod[]): Error | undefined {
    const diff = active.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, this.burstReplicas);
      const result = slowStartBatch(count, this.initialBatch, () => this.createPod(rs));
      return result.error as Error | undefined;
    }
    if (diff > 0) {
      const count = Math.min(diff, this.burstReplicas);
      const victims = getPodsToDelete(active, this.relatedPods(rs), count, this.ctx.clock.now());
      let firstError: Error | undefined;
      for (const pod of victims) {
        try {
          this.ctx.store.delete('Pod', pod.metadata.namespace, pod.metadata.name!);
          this.ctx.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, this.component);
        } catch (err) {
          if (err instanceof ApiError && err.code === 404) continue;
          this.ctx.events.record(
            rs,
            'Warning',
            'FailedDelete',
            `Error deleting: ${(err as Error).message}`,
            this.component,
          );
          firstError ??= new Error(`unable to delete pods: ${(err as Error).message}`);
        }
      }
      return firstError;
    }
    return undefined;
  }

  /** `GetPodFromTemplate` + `CreatePods`: one pod named `<rs>-<5 chars>` with a controller reference. */
  private createPod(rs: ReplicaSet): void {
    const template = rs.spec.template ?? {};
    const meta = template.metadata ?? {};
    const pod: Pod = {
      metadata: {
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        // store.create deep-copies its input, so the template is not copied here first.
        ...(meta.labels ? { labels: meta.labels } : {}),
        ...(meta.annotations ? { annotations: meta.annotations } : {}),
        ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
        ownerReferences: [this.controllerRef(rs)],
      },
      spec: template.spec ?? { containers: [] },
    };
    let created: Pod;
    try {
      created = this.ctx.store.create('Pod', pod);
    } catch (err) {
      // Namespace-terminating errors count as success upstream; the simulator has no terminating namespaces.
      this.ctx.events.record(
        rs,
        'Warning',
        'FailedCreate',
        `Error creating: ${(err as Error).message}`,
        this.component,
      );
      throw err;
    }
    this.ctx.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, this.component);
  }

  /**
   * `getIndirectlyRelatedPods`: the pods of every ReplicaSet controlled by the same owner (the Deployment),
   * used to rank co-located pods. A ReplicaSet without a controller has none.
   */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerOf(rs);
    if (!owner) return [];
    const seen = new Set<string>();
    const out: Pod[] = [];
    for (const sibling of this.ctx.store.listOwnedBy<ReplicaSet>('ReplicaSet', owner.uid)) {
      for (const pod of this.ctx.store.listOwnedBy<Pod>('Pod', sibling.metadata.uid!)) {
        if (seen.has(pod.metadata.uid!)) continue;
        seen.add(pod.metadata.uid!);
        out.push(pod);
      }
    }
    return out;
  }
}
