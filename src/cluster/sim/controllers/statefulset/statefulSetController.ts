import { selectorIsEmpty, selectorMatches } from '../../../../k8s/labels.js';
import { clone, controllerOf, objectKey } from '../../../../k8s/meta.js';
import type { Pod } from '../../../../k8s/objects.js';
import type { StatefulSet } from '../../../../k8s/statefulSet.js';
import type { StoreEvent } from '../../store/objectStore.js';
import type { Controller, ControllerContext } from '../controller.js';
import { claimRevisions } from '../history/controllerHistory.js';
import { availableAt } from '../replicaset/podUtil.js';
import { StatefulPodControl } from './statefulPodControl.js';
import { updateStatefulSet } from './statefulSetControl.js';
import { isMemberOf, setControllerRef } from './statefulSetUtils.js';

/** Work-queue rate limiter after a failed sync: 5ms doubling, capped at 1000s (client-go's default). */
const FAILURE_BASE_MS = 5;
const FAILURE_MAX_MS = 1_000_000;

/**
 * The StatefulSet controller, after pkg/controller/statefulset/stateful_set.go
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/statefulset/stateful_set.go):
 * a StatefulSet is synced when it or one of its pods changes (an orphan pod wakes the sets whose
 * selector matches it); a sync adopts orphan revisions and pods, runs stateful_set_control.go, and
 * requeues itself for the moment a ready pod becomes available under minReadySeconds.
 *
 * The store is read directly (no informer lag), so there are no expectations to track.
 */
export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  private readonly podControl: StatefulPodControl;
  private readonly failures = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    this.podControl = new StatefulPodControl(ctx);
  }

  keysFor(event: StoreEvent): string[] {
    if (event.kind === 'StatefulSet') return [objectKey(event.object)];
    if (event.kind !== 'Pod') return [];
    const pod = event.object as Pod;
    const ns = pod.metadata.namespace ?? 'default';
    const owner = controllerOf(pod);
    if (owner) return owner.kind === 'StatefulSet' ? [`${ns}/${owner.name}`] : [];
    if (event.type === 'DELETED' || pod.metadata.deletionTimestamp) return [];
    // getPodStatefulSets: an orphan wakes every set that could adopt it.
    return this.ctx.store
      .list<StatefulSet>('StatefulSet', ns)
      .filter((set) => isMemberOf(set, pod) && selectorMatches(set.spec.selector, pod.metadata.labels))
      .map((set) => objectKey(set));
  }

  sync(key: string): void {
    const slash = key.indexOf('/');
    const stored = this.ctx.store.get<StatefulSet>('StatefulSet', key.slice(0, slash), key.slice(slash + 1));
    if (!stored) {
      this.failures.delete(key);
      return;
    }
    // A selector that selects nothing (or everything) is a non-transient error: no retry.
    if (selectorIsEmpty(stored.spec.selector)) return;
    const set = clone(stored);
    const now = this.ctx.clock.now();
    try {
      const revisions = claimRevisions(
        this.ctx.store,
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata },
        set.spec.selector,
      );
      const pods = this.getPodsForStatefulSet(set);
      const status = updateStatefulSet(this.ctx, this.podControl, set, pods, revisions);
      this.failures.delete(key);
      // syncStatefulSet: one more sync once the ready pods may have become available.
      const minReady = set.spec.minReadySeconds ?? 0;
      if (minReady > 0 && status.availableReplicas !== (set.spec.replicas ?? 1)) {
        const pending = this.ctx.store
          .listOwnedBy<Pod>('Pod', set.metadata.uid ?? '')
          .map((p) => availableAt(p, minReady, now))
          .filter((t): t is number => t !== undefined);
        // The exact moment the first ready pod passes minReadySeconds (upstream requeues after
        // minReadySeconds and relies on clock skew; a virtual clock has none).
        this.ctx.requeueAt(this.name, key, pending.length > 0 ? Math.min(...pending) : now + minReady * 1000);
      }
    } catch {
      const n = this.failures.get(key) ?? 0;
      this.failures.set(key, n + 1);
      this.ctx.requeueAt(this.name, key, now + Math.min(FAILURE_BASE_MS * 2 ** n, FAILURE_MAX_MS));
    }
  }

  /**
   * getPodsForStatefulSet (ClaimPods with the isMemberOf filter): owned pods that no longer match
   * are released, orphans that match are adopted unless the set is being deleted.
   */
  private getPodsForStatefulSet(set: StatefulSet): Pod[] {
    const store = this.ctx.store;
    const matches = (pod: Pod) => isMemberOf(set, pod) && selectorMatches(set.spec.selector, pod.metadata.labels);
    const out: Pod[] = [];
    for (const pod of store.listOwnedBy<Pod>('Pod', set.metadata.uid ?? '')) {
      if (matches(pod)) out.push(pod);
      else if (!pod.metadata.deletionTimestamp) {
        const released = clone(pod);
        released.metadata.ownerReferences = (released.metadata.ownerReferences ?? []).filter(
          (r) => r.uid !== set.metadata.uid,
        );
        if (released.metadata.ownerReferences.length === 0) delete released.metadata.ownerReferences;
        store.update('Pod', released);
      }
    }
    if (set.metadata.deletionTimestamp) return out;
    for (const pod of store.list<Pod>('Pod', set.metadata.namespace)) {
      if (controllerOf(pod) || pod.metadata.deletionTimestamp || !matches(pod)) continue;
      const adopted = clone(pod);
      adopted.metadata.ownerReferences = [...(adopted.metadata.ownerReferences ?? []), setControllerRef(set)];
      out.push(store.update('Pod', adopted));
    }
    return out;
  }
}
