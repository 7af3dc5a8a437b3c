import { ApiError } from '../../../../k8s/apiError.js';
import { selectorMatches } from '../../../../k8s/labels.js';
import { clone, controllerOf, newControllerRef } from '../../../../k8s/meta.js';
import type { Node, OwnerReference, Pod } from '../../../../k8s/objects.js';
import type { StoreEvent } from '../../store/objectStore.js';
import { jsonEqual } from '../../store/jsonValue.js';
import type { Affinity } from '../../scheduler/nodeAffinity.js';
import type { Controller, ControllerContext } from '../controller.js';
import { isPodReady, isPodAvailable } from '../replicaset/podUtil.js';
import {
  DAEMONSET_HASH_LABEL,
  allowsSurge,
  compareByCreationAndPhase,
  createPodTemplate,
  nodeShouldRunDaemonPod,
  replaceNodeNameAffinity,
  targetNodeName,
  templateGeneration,
  type DaemonSet,
} from './daemonSetUtil.js';
import { cleanupHistory, constructHistory, HashCollision } from './history.js';
import { calculateStatus } from './status.js';
import { rollingUpdate } from './update.js';

/**
 * The DaemonSet controller (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/daemon/daemon_controller.go):
 * one pod per node that should run it (node selector, required node affinity, taints against the
 * template's tolerations plus the daemon tolerations), pinned to its node by a `matchFields
 * metadata.name` affinity and bound by the default scheduler; RollingUpdate (update.go) or OnDelete;
 * history in ControllerRevisions (history.ts); status as updateDaemonSetStatus writes it.
 *
 * As in the ReplicaSet controller, syncs are synchronous and read the store, so expectations are
 * replaced by their effect: a sync that created or deleted pods does not also run the rolling update
 * (upstream's expectations are unsatisfied until the informer sees those pods), the next sync does.
 */
const COMPONENT = 'daemonset-controller';
/** BurstReplicas of the DaemonSet controller (NewDaemonSetsController). */
const BURST_REPLICAS = 250;
/** failedPodsBackoff: flowcontrol.NewBackOff(1s, 15min), per DaemonSet and node. */
const FAILED_POD_BACKOFF_MS = 1_000;
const FAILED_POD_BACKOFF_MAX_MS = 15 * 60_000;

export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  /** `<ns>/<ds>/<node>` -> failed-pod back-off (duration, last update). */
  private readonly backoff = new Map<string, { durationMs: number; lastMs: number }>();
  /** namespace -> names of live pods without a controller (adoption candidates). */
  private readonly orphans = new Map<string, Set<string>>();

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(event: StoreEvent): string[] {
    const { kind, object } = event;
    const ns = object.metadata.namespace ?? 'default';
    if (kind === 'DaemonSet') return [`${ns}/${object.metadata.name}`];
    if (kind === 'Node') return this.allDaemonSets();
    if (kind === 'ControllerRevision') {
      const owner = controllerOf(object);
      return owner?.kind === 'DaemonSet' ? [`${ns}/${owner.name}`] : [];
    }
    if (kind !== 'Pod') return [];
    const owner = controllerOf(object);
    if (owner) {
      this.orphans.get(ns)?.delete(object.metadata.name!);
      return owner.kind === 'DaemonSet' ? [`${ns}/${owner.name}`] : [];
    }
    if (event.type === 'DELETED' || object.metadata.deletionTimestamp) {
      this.orphans.get(ns)?.delete(object.metadata.name!);
      return [];
    }
    let names = this.orphans.get(ns);
    if (!names) this.orphans.set(ns, (names = new Set()));
    names.add(object.metadata.name!);
    return this.ctx.store
      .list<DaemonSet>('DaemonSet', ns)
      .filter((ds) => selectorMatches(ds.spec.selector, object.metadata.labels))
      .map((ds) => `${ns}/${ds.metadata.name}`);
  }

  private allDaemonSets(): string[] {
    return this.ctx.store.list<DaemonSet>('DaemonSet').map((ds) => `${ds.metadata.namespace}/${ds.metadata.name}`);
  }

  /** syncDaemonSet. */
  sync(key: string): void {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const ds = this.ctx.store.get<DaemonSet>('DaemonSet', ns, name);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const nodes = this.ctx.store.list<Node>('Node');
    let history;
    try {
      history = constructHistory(this.ctx.store, ds, () => this.claimPods(ds));
    } catch (err) {
      if (err instanceof HashCollision) {
        this.ctx.enqueue(this.name, key);
        return;
      }
      throw err;
    }
    const hash = history.cur.metadata.labels?.[DAEMONSET_HASH_LABEL] ?? '';
    // updateDaemonSet: manage, then (expectations met) the update strategy, then the history.
    const changed = this.manage(ds, nodes, hash, key);
    if (!changed && ds.spec.updateStrategy?.type === 'RollingUpdate') {
      const step = rollingUpdate(ds, nodes, this.podsByNode(ds, false), hash, this.ctx.clock.now());
      this.syncNodes(ds, step.podsToDelete, step.nodesToCreate, hash);
    }
    cleanupHistory(this.ctx.store, ds, history.old, [...this.podsByNode(ds, true).values()].flat());
    this.updateStatus(ds, nodes, hash, key);
  }

  /**
   * getNodesToDaemonPods: the claimed pods by target node; terminal pods being deleted are left
   * out unless `includeDeletedTerminal`.
   */
  private podsByNode(ds: DaemonSet, includeDeletedTerminal: boolean): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>();
    for (const pod of this.claimPods(ds)) {
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      if (!includeDeletedTerminal && terminal && pod.metadata.deletionTimestamp) continue;
      const node = targetNodeName(pod);
      if (node === undefined) continue;
      let list = out.get(node);
      if (!list) out.set(node, (list = []));
      list.push(pod);
    }
    return out;
  }

  /**
   * manage: per node, podsShouldBeOnNode; pods for nodes that no longer exist and never got bound
   * are deleted too (getUnscheduledPodsWithoutNode). Returns whether it created or deleted pods.
   */
  private manage(ds: DaemonSet, nodes: readonly Node[], hash: string, key: string): boolean {
    const byNode = this.podsByNode(ds, false);
    const nodesNeeding: string[] = [];
    const podsToDelete: string[] = [];
    for (const node of nodes) {
      const result = this.podsShouldBeOnNode(node, byNode, ds, hash, key);
      nodesNeeding.push(...result.nodesNeeding);
      podsToDelete.push(...result.podsToDelete);
    }
    const running = new Set(nodes.map((n) => n.metadata.name!));
    for (const [node, pods] of [...byNode].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (running.has(node)) continue;
      for (const pod of pods) if (!pod.spec.nodeName) podsToDelete.push(pod.metadata.name!);
    }
    return this.syncNodes(ds, podsToDelete, nodesNeeding, hash);
  }

  /** podsShouldBeOnNode (daemon_controller.go). */
  private podsShouldBeOnNode(
    node: Node,
    byNode: Map<string, Pod[]>,
    ds: DaemonSet,
    hash: string,
    key: string,
  ): { nodesNeeding: string[]; podsToDelete: string[] } {
    const nodeName = node.metadata.name!;
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const daemonPods = byNode.get(nodeName);
    const podsToDelete: string[] = [];
    if (shouldRun && !daemonPods) return { nodesNeeding: [nodeName], podsToDelete };
    if (shouldContinueRunning && daemonPods) {
      const running: Pod[] = [];
      for (const pod of daemonPods) {
        if (pod.metadata.deletionTimestamp) continue;
        if (pod.status?.phase === 'Failed') {
          // Avoid a hot loop with a kubelet that keeps rejecting the pod: back off per node.
          const backoffKey = `${key}/${nodeName}`;
          const now = this.ctx.clock.now();
          const entry = this.backoff.get(backoffKey);
          if (entry && now - entry.lastMs < entry.durationMs) {
            this.ctx.requeueAt(this.name, key, entry.lastMs + entry.durationMs);
            continue;
          }
          const expired = !entry || now - entry.lastMs > 2 * FAILED_POD_BACKOFF_MAX_MS;
          const durationMs = expired
            ? FAILED_POD_BACKOFF_MS
            : Math.min(entry.durationMs * 2, FAILED_POD_BACKOFF_MAX_MS);
          this.backoff.set(backoffKey, { durationMs, lastMs: now });
          this.ctx.events.record(
            ds,
            'Warning',
            'FailedDaemonPod',
            `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to kill it`,
            COMPONENT,
          );
          podsToDelete.push(pod.metadata.name!);
        } else if (pod.status?.phase === 'Succeeded') {
          podsToDelete.push(pod.metadata.name!);
        } else running.push(pod);
      }
      if (running.length <= 1) return { nodesNeeding: [], podsToDelete };
      running.sort(compareByCreationAndPhase);
      if (!allowsSurge(ds)) {
        // Without surge, more than one pod on a node: all but the oldest go.
        for (const pod of running.slice(1)) podsToDelete.push(pod.metadata.name!);
        return { nodesNeeding: [], podsToDelete };
      }
      // With surge, two pods stay only while the oldest new pod is not yet available and the oldest
      // old pod is ready; every other pod goes.
      let oldestNew: Pod | undefined;
      let oldestOld: Pod | undefined;
      for (const pod of running) {
        if (pod.metadata.labels?.[DAEMONSET_HASH_LABEL] === hash) {
          if (!oldestNew) {
            oldestNew = pod;
            continue;
          }
        } else if (!oldestOld) {
          oldestOld = pod;
          continue;
        }
        podsToDelete.push(pod.metadata.name!);
      }
      if (oldestNew && oldestOld) {
        const now = this.ctx.clock.now();
        if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, now))
          podsToDelete.push(oldestOld.metadata.name!);
      }
      return { nodesNeeding: [], podsToDelete };
    }
    if (!shouldContinueRunning && daemonPods) {
      for (const pod of daemonPods) if (!pod.metadata.deletionTimestamp) podsToDelete.push(pod.metadata.name!);
    }
    return { nodesNeeding: [], podsToDelete };
  }

  /**
   * syncNodes: creates the pods (at most BurstReplicas, in slow-start batches) pinned to their nodes,
   * then deletes the given pods, recording `Created pod: x` / `Deleted pod: x` on the DaemonSet.
   * Returns whether anything was created or deleted.
   */
  private syncNodes(ds: DaemonSet, podsToDelete: string[], nodesNeeding: string[], hash: string): boolean {
    const create = nodesNeeding.slice(0, BURST_REPLICAS);
    const remove = podsToDelete.slice(0, BURST_REPLICAS);
    if (create.length === 0 && remove.length === 0) return false;
    const template = createPodTemplate(ds.spec.template, templateGeneration(ds), hash);
    let failed = false;
    // Slow start (batches 1, 2, 4, …): a failed batch stops the rest.
    for (let pos = 0, batch = Math.min(create.length, 1); pos < create.length && !failed;) {
      for (const nodeName of create.slice(pos, pos + batch)) {
        if (!this.createPod(ds, template, nodeName)) failed = true;
      }
      pos += batch;
      batch = Math.min(2 * batch, create.length - pos);
    }
    for (const podName of remove) {
      try {
        this.ctx.store.delete('Pod', ds.metadata.namespace, podName);
        this.ctx.events.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${podName}`, COMPONENT);
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) continue;
        this.ctx.events.record(ds, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`, COMPONENT);
      }
    }
    return true;
  }

  /** CreatePods with GetPodFromTemplate: `<ds>-<5 chars>`, the node affinity set to the target node. */
  private createPod(ds: DaemonSet, template: ReturnType<typeof createPodTemplate>, nodeName: string): boolean {
    const meta = template.metadata ?? {};
    const spec = { ...(template.spec ?? { containers: [] }) };
    spec.affinity = replaceNodeNameAffinity(spec.affinity as Affinity | undefined, nodeName);
    const pod: Pod = {
      metadata: {
        generateName: `${ds.metadata.name}-`,
        namespace: ds.metadata.namespace,
        ...(meta.labels ? { labels: meta.labels } : {}),
        ...(meta.annotations ? { annotations: meta.annotations } : {}),
        ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
        ownerReferences: [this.controllerRef(ds)],
      },
      spec,
    };
    try {
      const created = this.ctx.store.create('Pod', pod);
      this.ctx.events.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, COMPONENT);
      return true;
    } catch (err) {
      this.ctx.events.record(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`, COMPONENT);
      return false;
    }
  }

  private controllerRef(ds: DaemonSet): OwnerReference {
    return newControllerRef(ds, 'apps/v1', 'DaemonSet');
  }

  /**
   * getDaemonPods: the pods the DaemonSet controls, after releasing those its selector no longer
   * matches and adopting matching orphans (PodControllerRefManager.ClaimPods).
   */
  private claimPods(ds: DaemonSet): Pod[] {
    const store = this.ctx.store;
    const ns = ds.metadata.namespace ?? 'default';
    const out: Pod[] = [];
    for (const pod of store.listOwnedBy<Pod>('Pod', ds.metadata.uid!)) {
      if (controllerOf(pod)?.uid !== ds.metadata.uid) continue;
      if (selectorMatches(ds.spec.selector, pod.metadata.labels) || pod.metadata.deletionTimestamp) {
        out.push(pod);
        continue;
      }
      const released = clone(pod);
      released.metadata.ownerReferences = (released.metadata.ownerReferences ?? []).filter(
        (r) => r.uid !== ds.metadata.uid,
      );
      if (released.metadata.ownerReferences.length === 0) delete released.metadata.ownerReferences;
      store.update('Pod', released);
    }
    const orphanNames = this.orphans.get(ns);
    if (orphanNames && orphanNames.size > 0 && !ds.metadata.deletionTimestamp) {
      for (const podName of [...orphanNames].sort()) {
        const pod = store.get<Pod>('Pod', ns, podName);
        if (!pod || controllerOf(pod) || pod.metadata.deletionTimestamp) continue;
        if (!selectorMatches(ds.spec.selector, pod.metadata.labels)) continue;
        const adopted = clone(pod);
        adopted.metadata.ownerReferences = [...(adopted.metadata.ownerReferences ?? []), this.controllerRef(ds)];
        out.push(store.update('Pod', adopted));
      }
    }
    return out;
  }

  /** updateDaemonSetStatus + storeDaemonSetStatus; re-checks when a ready pod passes minReadySeconds. */
  private updateStatus(ds: DaemonSet, nodes: readonly Node[], hash: string, key: string): void {
    const current = this.ctx.store.get<DaemonSet>('DaemonSet', ds.metadata.namespace, ds.metadata.name!) ?? ds;
    const now = this.ctx.clock.now();
    const { status, nextCheck } = calculateStatus(current, nodes, this.podsByNode(current, false), hash, now, true);
    if (!jsonEqual(status, current.status ?? {}))
      this.ctx.store.update('DaemonSet', { ...current, status }, { subresource: 'status' });
    // Upstream resyncs after minReadySeconds; the exact instant a pod becomes available is used here.
    if (nextCheck !== undefined) this.ctx.requeueAt(this.name, key, nextCheck);
  }
}
