import { selectorMatches } from '../../../../k8s/labels.js';
import { clone, controllerOf, objectKey } from '../../../../k8s/meta.js';
import type { Deployment, KubeObject, Pod, ReplicaSet } from '../../../../k8s/objects.js';
import type { StoreEvent } from '../../store/objectStore.js';
import type { Controller, ControllerContext } from '../controller.js';
import type { DeploymentIO } from './io.js';
import { deploymentControllerRef } from './newReplicaSet.js';
import type { PodMap } from './recreate.js';
import { selectsAll, syncDeploymentWith, syncSelectingAll } from './sync.js';

// deployment_controller.go: event handlers, syncDeployment, getReplicaSetsForDeployment,
// getPodMapForDeployment, handleErr.
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/deployment_controller.go

/** deployment_controller.go maxRetries: after this many failed syncs in a row the key is dropped. */
const MAX_RETRIES = 15;
/** workqueue.DefaultTypedControllerRateLimiter: 5ms doubling per failure, capped at 1000s. */
const RATE_LIMIT_BASE_MS = 5;
const RATE_LIMIT_MAX_MS = 1_000_000;
const COMPONENT = 'deployment-controller';

/** The simulated kube-controller-manager Deployment controller. */
export class DeploymentController implements Controller {
  readonly name = 'deployment';
  /** Failed syncs in a row per key (the work queue's rate-limiter memory). */
  private readonly failures = new Map<string, number>();
  /** ReplicaSet key → the Deployment key that controlled it last time we saw it. */
  private readonly rsOwners = new Map<string, string>();
  /** The last error of each key's latest failed sync, for tests and debugging. */
  readonly lastErrors = new Map<string, unknown>();

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(event: StoreEvent): string[] {
    switch (event.kind) {
      case 'Deployment':
        return [objectKey(event.object)];
      case 'ReplicaSet':
        return this.keysForReplicaSet(event);
      case 'Pod':
        return event.type === 'DELETED' ? this.keysForDeletedPod(event.object as Pod) : [];
      default:
        return [];
    }
  }

  sync(key: string): void {
    const [namespace, name] = splitKey(key);
    const stored = this.ctx.store.get<Deployment>('Deployment', namespace, name);
    if (!stored) {
      this.failures.delete(key);
      this.lastErrors.delete(key);
      return;
    }
    const d = clone(stored);
    const io = this.io(key);
    try {
      if (selectsAll(d)) {
        syncSelectingAll(io, d);
      } else {
        const rsList = this.getReplicaSetsForDeployment(d);
        syncDeploymentWith(io, d, rsList, () => this.getPodMapForDeployment(d, rsList));
      }
      this.failures.delete(key);
      this.lastErrors.delete(key);
    } catch (err) {
      this.handleErr(key, err);
    }
  }

  /** deployment_controller.go handleErr: rate-limited retries, then drop the key. */
  private handleErr(key: string, err: unknown): void {
    this.lastErrors.set(key, err);
    const failures = this.failures.get(key) ?? 0;
    if (failures >= MAX_RETRIES) {
      this.failures.delete(key);
      return;
    }
    this.failures.set(key, failures + 1);
    const delay = Math.min(RATE_LIMIT_BASE_MS * 2 ** failures, RATE_LIMIT_MAX_MS);
    this.ctx.requeueAt(this.name, key, this.ctx.clock.now() + delay);
  }

  /**
   * deployment_controller.go getReplicaSetsForDeployment (ControllerRefManager.ClaimReplicaSets):
   * adopt matching orphans, release owned RSs that stopped matching, return the owned ones.
   */
  private getReplicaSetsForDeployment(d: Deployment): ReplicaSet[] {
    const { store } = this.ctx;
    const owned: ReplicaSet[] = [];
    for (const rs of store.list<ReplicaSet>('ReplicaSet', d.metadata.namespace)) {
      const ref = controllerOf(rs);
      const matches = selectorMatches(d.spec.selector, rs.metadata.labels);
      if (ref) {
        if (ref.uid !== d.metadata.uid) continue;
        if (matches) owned.push(rs);
        else if (!d.metadata.deletionTimestamp) this.release(rs, d);
        continue;
      }
      if (!matches || d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp) continue;
      // RecheckDeletionTimestamp: adopt only while the very same Deployment is alive.
      const fresh = store.get<Deployment>('Deployment', d.metadata.namespace, d.metadata.name!);
      if (!fresh || fresh.metadata.uid !== d.metadata.uid || fresh.metadata.deletionTimestamp) continue;
      const adopted = clone(rs);
      adopted.metadata.ownerReferences = [...(adopted.metadata.ownerReferences ?? []), deploymentControllerRef(d)];
      delete adopted.metadata.resourceVersion;
      owned.push(store.update('ReplicaSet', adopted));
    }
    return owned;
  }

  private release(rs: ReplicaSet, d: Deployment): void {
    const released = clone(rs);
    released.metadata.ownerReferences = (released.metadata.ownerReferences ?? []).filter(
      (r) => r.uid !== d.metadata.uid,
    );
    if (released.metadata.ownerReferences.length === 0) delete released.metadata.ownerReferences;
    delete released.metadata.resourceVersion;
    this.ctx.store.update('ReplicaSet', released);
  }

  /** deployment_controller.go getPodMapForDeployment: pods by controlling RS UID, terminating ones included. */
  private getPodMapForDeployment(d: Deployment, rsList: ReplicaSet[]): PodMap {
    const podMap: PodMap = new Map();
    for (const rs of rsList) {
      const uid = rs.metadata.uid ?? '';
      const pods = this.ctx.store
        .listOwnedBy<Pod>('Pod', uid)
        .filter((p) => selectorMatches(d.spec.selector, p.metadata.labels));
      podMap.set(uid, pods);
    }
    return podMap;
  }

  /**
   * add/update/deleteReplicaSet handlers: the controlling Deployment (and the previous one when the
   * controller changed); for an orphan, every Deployment whose selector matches it.
   */
  private keysForReplicaSet(event: StoreEvent): string[] {
    const rs = event.object as ReplicaSet;
    const rsKey = objectKey(rs);
    const keys = new Set<string>();
    const previous = this.rsOwners.get(rsKey);
    const ref = controllerOf(rs);
    const owner =
      ref?.kind === 'Deployment' ? this.resolveDeployment(rs.metadata.namespace, ref.name, ref.uid) : undefined;
    if (event.type === 'DELETED') this.rsOwners.delete(rsKey);
    else if (owner) this.rsOwners.set(rsKey, objectKey(owner));
    else this.rsOwners.delete(rsKey);
    if (previous && previous !== (owner && objectKey(owner))) keys.add(previous);
    if (owner) keys.add(objectKey(owner));
    else if (!ref && event.type !== 'DELETED') {
      for (const d of this.ctx.store.list<Deployment>('Deployment', rs.metadata.namespace)) {
        if (!selectsAll(d) && selectorMatches(d.spec.selector, rs.metadata.labels)) keys.add(objectKey(d));
      }
    }
    return [...keys];
  }

  /** deletePod handler: only Recreate waits for pods, and only a Deployment with no pods left needs a sync. */
  private keysForDeletedPod(pod: Pod): string[] {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet') return [];
    const rs = this.ctx.store.get<ReplicaSet>('ReplicaSet', pod.metadata.namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return [];
    const dRef = controllerOf(rs);
    if (dRef?.kind !== 'Deployment') return [];
    const d = this.resolveDeployment(rs.metadata.namespace, dRef.name, dRef.uid);
    if (!d || d.spec.strategy?.type !== 'Recreate') return [];
    for (const owned of this.ctx.store.listOwnedBy<ReplicaSet>('ReplicaSet', d.metadata.uid ?? '')) {
      const pods = this.ctx.store.listOwnedBy<Pod>('Pod', owned.metadata.uid ?? '');
      if (pods.some((p) => selectorMatches(d.spec.selector, p.metadata.labels))) return [];
    }
    return [objectKey(d)];
  }

  private resolveDeployment(namespace: string | undefined, name: string, uid: string): Deployment | undefined {
    const d = this.ctx.store.get<Deployment>('Deployment', namespace, name);
    return d && d.metadata.uid === uid ? d : undefined;
  }

  /** The store-backed DeploymentIO. Writes carry no resourceVersion: the controller's view is fresh. */
  private io(key: string): DeploymentIO {
    const { store, clock, events } = this.ctx;
    const fresh = <T extends KubeObject>(obj: T): T => ({
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: undefined },
    });
    return {
      now: () => clock.now(),
      createReplicaSet: (rs) => store.create('ReplicaSet', rs),
      getReplicaSet: (namespace, name) => store.get<ReplicaSet>('ReplicaSet', namespace, name),
      updateReplicaSet: (rs) => store.update('ReplicaSet', fresh(rs)),
      deleteReplicaSet: (rs) => void store.delete('ReplicaSet', rs.metadata.namespace, rs.metadata.name!),
      updateDeployment: (d) => store.update('Deployment', fresh(d)),
      updateDeploymentStatus: (d) => store.update('Deployment', fresh(d), { subresource: 'status' }),
      event: (obj, type, reason, message) => events.record(obj, type, reason, message, COMPONENT),
      requeueAfter: (_d, ms) => this.ctx.requeueAt(this.name, key, clock.now() + ms),
      requeueRateLimited: () => this.ctx.requeueAt(this.name, key, clock.now() + RATE_LIMIT_BASE_MS),
    };
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return slash < 0 ? ['default', key] : [key.slice(0, slash) || 'default', key.slice(slash + 1)];
}
