import type { Pod } from '../../../../k8s/objects.js';
import type { StatefulSet, StatefulSetStatus } from '../../../../k8s/statefulSet.js';
import {
  createRevision,
  equalRevision,
  findEqualRevisions,
  nextRevision,
  renumberRevision,
  sortRevisions,
  truncateHistory,
  type ControllerRevision,
} from '../history/controllerHistory.js';
import type { ControllerContext } from '../controller.js';
import type { StatefulPodControl } from './statefulPodControl.js';
import {
  allowsBurst,
  applyRevision,
  byDescendingOrdinal,
  completeRollingUpdate,
  getOrdinal,
  getPodRevision,
  getStartOrdinal,
  getStatefulSetMaxUnavailable,
  identityMatches,
  inconsistentStatus,
  isCreated,
  isFailed,
  isHealthy,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  newRevision,
  newVersionedStatefulSetPod,
  historyOwner,
  podInOrdinalRange,
  storageMatches,
} from './statefulSetUtils.js';

/**
 * One reconciliation of a StatefulSet with its pods, after defaultStatefulSetControl in
 * pkg/controller/statefulset/stateful_set_control.go
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/statefulset/stateful_set_control.go):
 * the revisions, then the replicas in ordinal order (create, wait, fix identity), the condemned pods
 * from the highest ordinal down, then the rolling update from the highest ordinal down to the
 * partition; status and history truncation last. Returns the status it computed.
 */
export function updateStatefulSet(
  ctx: ControllerContext,
  podControl: StatefulPodControl,
  set: StatefulSet,
  pods: Pod[],
  revisions: ControllerRevision[],
): StatefulSetStatus {
  const sorted = sortRevisions(revisions);
  const { current, update, collisionCount } = getStatefulSetRevisions(ctx, set, sorted);
  const truncate = () =>
    truncateHistory(ctx.store, sorted, liveRevisions(pods, current, update), set.spec.revisionHistoryLimit ?? 10);
  let status: StatefulSetStatus;
  let failure: unknown;
  try {
    status = updatePods(ctx, podControl, set, current, update, collisionCount, pods);
  } catch (err) {
    // performUpdate writes the status computed so far even when the pod work failed, and
    // UpdateStatefulSet truncates the history either way.
    if (!(err instanceof StatusError)) {
      truncate();
      throw err;
    }
    status = err.status;
    failure = err.cause;
  }
  updateStatefulSetStatus(ctx, set, status);
  truncate();
  if (failure !== undefined) throw failure;
  return status;
}

/** The revisions truncateHistory keeps: the current and update revisions and every pod's. */
function liveRevisions(pods: Pod[], current: ControllerRevision, update: ControllerRevision): Set<string> {
  const live = new Set([current.metadata.name ?? '', update.metadata.name ?? '']);
  for (const pod of pods) live.add(getPodRevision(pod));
  return live;
}

/**
 * getStatefulSetRevisions: the update revision is the newest revision when its data equals the
 * set's template; an older equal revision is renumbered to the next revision (a rollback, e.g.
 * `kubectl rollout undo`); otherwise a new revision is created (newRevision: named after the hash of
 * its data and the collision count, carrying the set's annotations). The current revision is the
 * one the status names, or the update revision for a new history.
 */
export function getStatefulSetRevisions(
  ctx: ControllerContext,
  set: StatefulSet,
  revisions: ControllerRevision[],
): { current: ControllerRevision; update: ControllerRevision; collisionCount: number } {
  let collisionCount = set.status?.collisionCount ?? 0;
  const candidate = newRevision(set, nextRevision(revisions), collisionCount);
  const equal = findEqualRevisions(revisions, candidate);
  const last = revisions[revisions.length - 1];
  let update: ControllerRevision;
  if (equal.length > 0 && last && equalRevision(last, equal[equal.length - 1]!)) {
    update = last;
  } else if (equal.length > 0) {
    update = renumberRevision(ctx.store, equal[equal.length - 1]!, candidate.revision);
  } else {
    ({ revision: update, collisionCount } = createRevision(ctx.store, historyOwner(set), candidate, collisionCount));
  }
  const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** updateStatus / computeReplicaStatus over one or more pod lists. */
function countReplicas(
  status: StatefulSetStatus,
  minReadySeconds: number,
  now: number,
  current: string,
  update: string,
  ...lists: Pod[][]
): void {
  status.replicas = 0;
  status.readyReplicas = 0;
  status.availableReplicas = 0;
  status.currentReplicas = 0;
  status.updatedReplicas = 0;
  for (const list of lists) {
    for (const pod of list) {
      if (isCreated(pod)) status.replicas++;
      if (isRunningAndReady(pod)) {
        status.readyReplicas++;
        if (isRunningAndAvailable(pod, minReadySeconds, now)) status.availableReplicas++;
      }
      if (isCreated(pod) && !isTerminating(pod)) {
        if (getPodRevision(pod) === current) status.currentReplicas++;
        if (getPodRevision(pod) === update) status.updatedReplicas++;
      }
    }
  }
}

/** updateStatefulSet (the pod work of one sync). Errors are thrown after the status is known. */
function updatePods(
  ctx: ControllerContext,
  podControl: StatefulPodControl,
  set: StatefulSet,
  currentRevision: ControllerRevision,
  updateRevision: ControllerRevision,
  collisionCount: number,
  pods: Pod[],
): StatefulSetStatus {
  const now = ctx.clock.now();
  const currentSet = applyRevision(set, currentRevision);
  const updateSet = applyRevision(set, updateRevision);
  const current = currentRevision.metadata.name ?? '';
  const update = updateRevision.metadata.name ?? '';
  const minReady = set.spec.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    replicas: 0,
    availableReplicas: 0,
    currentRevision: current,
    updateRevision: update,
    collisionCount,
  };
  countReplicas(status, minReady, now, current, update, pods);

  const start = getStartOrdinal(set);
  const replicas: Pod[] = new Array<Pod>(set.spec.replicas ?? 1);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    if (podInOrdinalRange(pod, set)) replicas[getOrdinal(pod) - start] = pod;
    else if (getOrdinal(pod) >= 0) condemned.push(pod);
  }
  for (let i = 0; i < replicas.length; i++)
    replicas[i] ??= newVersionedStatefulSetPod(currentSet, updateSet, current, update, start + i);
  condemned.sort(byDescendingOrdinal);

  // The first unhealthy pod: the lowest replica, else the lowest condemned one.
  let firstUnhealthy = replicas.find((p) => !isHealthy(p));
  for (let i = condemned.length - 1; i >= 0 && !firstUnhealthy; i--)
    if (!isHealthy(condemned[i]!)) firstUnhealthy = condemned[i];

  if (set.metadata.deletionTimestamp) return status;
  const monotonic = !allowsBurst(set);
  const recount = () => countReplicas(status, minReady, now, current, update, replicas, condemned);

  // processReplica for each replica, in ordinal order (all of them at once for Parallel).
  try {
    const exit = runForAll(replicas, monotonic, (i) =>
      processReplica(podControl, set, updateSet, monotonic, replicas, i, now),
    );
    if (exit) {
      recount();
      return status;
    }
    // Claims of condemned pods follow the retention policy before the pods go.
    runForAll(condemned, monotonic, (i) => {
      if (!podControl.claimsMatchRetentionPolicy(updateSet, condemned[i]!))
        podControl.updatePodClaimForRetentionPolicy(updateSet, condemned[i]!);
      return false;
    });
    // processCondemned, from the highest ordinal down.
    const exitCondemned = runForAll(condemned, monotonic, (i) =>
      processCondemned(podControl, set, firstUnhealthy, monotonic, condemned[i]!, now),
    );
    recount();
    if (exitCondemned) return status;
  } catch (err) {
    recount();
    throw new StatusError(status, err);
  }

  // OnDelete: pods are updated only when someone deletes them.
  if (set.spec.updateStrategy?.type === 'OnDelete') return status;
  try {
    if (set.spec.updateStrategy?.rollingUpdate?.maxUnavailable !== undefined)
      rollWithMaxUnavailable(podControl, set, replicas, update, status);
    else rollOneAtATime(podControl, set, replicas, update, status);
  } catch (err) {
    throw new StatusError(status, err);
  }
  return status;
}

/**
 * runForAll: in order, stopping at the first pod that asks to (OrderedReady); or every pod in
 * slow-start batches of 1, 2, 4, ... stopping after a batch with an error (Parallel).
 */
function runForAll(pods: Pod[], monotonic: boolean, fn: (i: number) => boolean): boolean {
  if (monotonic) {
    for (let i = 0; i < pods.length; i++) if (fn(i)) return true;
    return false;
  }
  let next = 0;
  for (let batch = Math.min(1, pods.length); batch > 0; batch = Math.min(2 * batch, pods.length - next, 500)) {
    const errors: unknown[] = [];
    for (let k = 0; k < batch; k++, next++) {
      try {
        fn(next);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
  return false;
}

/**
 * processReplica: a failed or succeeded pod is deleted (recreated on the next sync); a missing one
 * is created (and, OrderedReady, nothing else happens this sync); a Pending pod gets any missing
 * claim; OrderedReady waits while the pod is terminating, not running and ready, or not available.
 * Then identity, storage and claim owners are enforced.
 */
function processReplica(
  podControl: StatefulPodControl,
  set: StatefulSet,
  updateSet: StatefulSet,
  monotonic: boolean,
  replicas: Pod[],
  i: number,
  now: number,
): boolean {
  const pod = replicas[i]!;
  if (isFailed(pod) || isSucceeded(pod)) {
    if (!pod.metadata.deletionTimestamp) podControl.deleteStatefulPod(set, pod);
    return true;
  }
  if (!isCreated(pod)) {
    if (podControl.podClaimIsStale(set, pod)) return true;
    podControl.createStatefulPod(set, pod);
    if (monotonic) return true;
  }
  if (isPending(pod)) podControl.createMissingPersistentVolumeClaims(set, pod);
  if (isTerminating(pod) && monotonic) return true;
  if (!isRunningAndReady(pod) && monotonic) return true;
  if (!isRunningAndAvailable(pod, set.spec.minReadySeconds ?? 0, now) && monotonic) return true;
  if (!isCreated(pod)) return false; // created just now (Parallel): nothing stored to fix yet
  const retentionMatch = podControl.claimsMatchRetentionPolicy(updateSet, pod);
  if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatch) return false;
  podControl.updateStatefulPod(updateSet, pod);
  return false;
}

/**
 * processCondemned: OrderedReady waits for a terminating condemned pod, and for an unhealthy one
 * unless it is the first unhealthy pod (a broken pod may always be scaled away).
 */
function processCondemned(
  podControl: StatefulPodControl,
  set: StatefulSet,
  firstUnhealthy: Pod | undefined,
  monotonic: boolean,
  pod: Pod,
  now: number,
): boolean {
  if (isTerminating(pod)) return monotonic;
  if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthy) return true;
  if (!isRunningAndAvailable(pod, set.spec.minReadySeconds ?? 0, now) && monotonic && pod !== firstUnhealthy)
    return true;
  podControl.deleteStatefulPod(set, pod);
  return true;
}

/**
 * The rolling update without maxUnavailable: from the highest ordinal down to the partition,
 * delete the first pod not at the update revision (it comes back at the update revision), and wait
 * while a pod on the way is unhealthy: one pod at a time, each Running and Ready before the next.
 */
function rollOneAtATime(
  podControl: StatefulPodControl,
  set: StatefulSet,
  replicas: Pod[],
  update: string,
  status: StatefulSetStatus,
): void {
  const partition = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= partition; target--) {
    const pod = replicas[target]!;
    if (getPodRevision(pod) !== update && !isTerminating(pod)) {
      deleteIgnoringNotFound(podControl, set, pod);
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return;
    }
    if (!isHealthy(pod)) return;
  }
}

/**
 * updateStatefulSetAfterInvariantEstablished (MaxUnavailableStatefulSet, used here whenever
 * `maxUnavailable` is set): while fewer than maxUnavailable replicas are unhealthy, delete that many
 * more pods not at the update revision, from the highest ordinal down to the partition.
 */
function rollWithMaxUnavailable(
  podControl: StatefulPodControl,
  set: StatefulSet,
  replicas: Pod[],
  update: string,
  status: StatefulSetStatus,
): void {
  const rollingUpdate = set.spec.updateStrategy?.rollingUpdate;
  const partition = rollingUpdate?.partition ?? 0;
  const maxUnavailable = getStatefulSetMaxUnavailable(rollingUpdate?.maxUnavailable, set.spec.replicas ?? 1);
  const unavailable = replicas.filter((p) => !isHealthy(p)).length;
  if (unavailable >= maxUnavailable) return;
  let deleted = 0;
  for (let target = replicas.length - 1; target >= partition && deleted < maxUnavailable - unavailable; target--) {
    const pod = replicas[target]!;
    if (getPodRevision(pod) !== update && !isTerminating(pod)) {
      deleteIgnoringNotFound(podControl, set, pod);
      deleted++;
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
    }
  }
}

function deleteIgnoringNotFound(podControl: StatefulPodControl, set: StatefulSet, pod: Pod): void {
  try {
    podControl.deleteStatefulPod(set, pod);
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
}

/**
 * updateStatefulSetStatus: completes a finished rolling update, then writes the status through
 * the status subresource when it differs (StatefulSetStatusUpdater).
 */
export function updateStatefulSetStatus(ctx: ControllerContext, set: StatefulSet, status: StatefulSetStatus): void {
  completeRollingUpdate(set, status);
  if (!inconsistentStatus(set, status)) return;
  const stored = ctx.store.get<StatefulSet>('StatefulSet', set.metadata.namespace, set.metadata.name ?? '');
  if (!stored) return;
  ctx.store.update('StatefulSet', { ...stored, status: encodeStatus(status) }, { subresource: 'status' });
}

/** The status as Go encodes StatefulSetStatus: zero `omitempty` fields left out. */
function encodeStatus(s: StatefulSetStatus): StatefulSetStatus {
  return {
    ...(s.observedGeneration ? { observedGeneration: s.observedGeneration } : {}),
    replicas: s.replicas,
    ...(s.readyReplicas ? { readyReplicas: s.readyReplicas } : {}),
    ...(s.currentReplicas ? { currentReplicas: s.currentReplicas } : {}),
    ...(s.updatedReplicas ? { updatedReplicas: s.updatedReplicas } : {}),
    ...(s.currentRevision ? { currentRevision: s.currentRevision } : {}),
    ...(s.updateRevision ? { updateRevision: s.updateRevision } : {}),
    collisionCount: s.collisionCount ?? 0,
    availableReplicas: s.availableReplicas,
  };
}

/** A sync that failed part-way: the status computed so far (still written) and the cause. */
export class StatusError extends Error {
  constructor(
    readonly status: StatefulSetStatus,
    readonly cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}
