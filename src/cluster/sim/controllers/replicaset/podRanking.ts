import { parseTime } from '../../../../k8s/meta.js';
import type { Pod } from '../../../../k8s/objects.js';
import { isPodActive, isPodReady, podDeletionCost, podReadyCondition } from './podUtil.js';

/**
 * The pod orderings of controller_utils.go: `ActivePods` (plain) and `ActivePodsWithRanks` (what the
 * ReplicaSet controller uses to choose which pods to delete on scale-down).
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/controller_utils.go
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/replicaset/replica_set.go (getPodsToDelete)
 *
 * Comparisons use a precomputed {@link PodSortKey} so sorting 10,000 pods parses each timestamp once.
 */

/** Pending < Unknown < Running; any other phase ranks as Pending (a missing map key in Go is 0). */
const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export interface PodSortKey {
  pod: Pod;
  nodeName: string;
  phase: number;
  ready: boolean;
  cost: number;
  /** Ready condition's lastTransitionTime in ms; undefined = zero time. */
  readyTime: number | undefined;
  restarts: number;
  sidecarRestarts: number;
  /** creationTimestamp in ms; undefined = zero time. */
  created: number | undefined;
  uid: string;
}

export function podSortKey(pod: Pod): PodSortKey {
  const ready = isPodReady(pod);
  let restarts = 0;
  for (const c of pod.status?.containerStatuses ?? []) restarts = Math.max(restarts, c.restartCount ?? 0);
  // Sidecars (init containers with restartPolicy Always) are compared second (compareMaxContainerRestarts).
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  let sidecarRestarts = 0;
  for (const c of pod.status?.initContainerStatuses ?? []) {
    if (sidecars.has(c.name)) sidecarRestarts = Math.max(sidecarRestarts, c.restartCount ?? 0);
  }
  return {
    pod,
    nodeName: pod.spec?.nodeName ?? '',
    phase: PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0,
    ready,
    cost: podDeletionCost(pod),
    readyTime: ready ? parseTime(podReadyCondition(pod)?.lastTransitionTime) : undefined,
    restarts,
    sidecarRestarts,
    created: parseTime(pod.metadata.creationTimestamp),
    uid: pod.metadata.uid ?? '',
  };
}

/** `afterOrZero`: a zero time sorts first, otherwise the later time does. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** `logarithmicRankDiff`: floor(log2(now − t)) in nanoseconds, −1 for non-positive ages. */
function logRank(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Compare two times "newer first" on the log2 scale, UID as the tie-break (rules 6 and 8). */
function newerFirstLog(
  t1: number | undefined,
  t2: number | undefined,
  a: PodSortKey,
  b: PodSortKey,
  now: number | undefined,
  logarithmic: boolean,
): boolean {
  if (!logarithmic || now === undefined || t1 === undefined || t2 === undefined) return afterOrZero(t1, t2);
  const diff = logRank(t1, now) - logRank(t2, now);
  if (diff === 0) return a.uid < b.uid;
  return diff < 0;
}

/** `ActivePods.Less`: the plain order (no ranks, no deletion cost, exact times). */
export function activePodsLess(a: PodSortKey, b: PodSortKey): boolean {
  if (a.nodeName !== b.nodeName && (a.nodeName === '' || b.nodeName === '')) return a.nodeName === '';
  if (a.phase !== b.phase) return a.phase < b.phase;
  if (a.ready !== b.ready) return !a.ready;
  if (a.ready && b.ready && a.readyTime !== b.readyTime) return afterOrZero(a.readyTime, b.readyTime);
  if (a.restarts !== b.restarts) return a.restarts > b.restarts;
  if (a.sidecarRestarts !== b.sidecarRestarts) return a.sidecarRestarts > b.sidecarRestarts;
  if (a.created !== b.created) return afterOrZero(a.created, b.created);
  return false;
}

export interface RankOrderOptions {
  /** The sort's reference time in ms (`ActivePodsWithRanks.Now`); undefined = zero. */
  now: number | undefined;
  /** PodDeletionCost feature gate (GA, on). */
  podDeletionCost?: boolean;
  /** LogarithmicScaleDown feature gate (GA, on). */
  logarithmicScaleDown?: boolean;
}

/** `ActivePodsWithRanks.Less`: the 8 rules of the scale-down order. */
export function activePodsWithRanksLess(
  a: PodSortKey,
  rankA: number,
  b: PodSortKey,
  rankB: number,
  options: RankOrderOptions,
): boolean {
  // 1. Unassigned < assigned.
  if (a.nodeName !== b.nodeName && (a.nodeName === '' || b.nodeName === '')) return a.nodeName === '';
  // 2. Pending < Unknown < Running.
  if (a.phase !== b.phase) return a.phase < b.phase;
  // 3. Not ready < ready.
  if (a.ready !== b.ready) return !a.ready;
  // 4. Lower pod-deletion-cost first.
  if ((options.podDeletionCost ?? true) && a.cost !== b.cost) return a.cost < b.cost;
  // 5. More co-located related pods first.
  if (rankA !== rankB) return rankA > rankB;
  const logarithmic = options.logarithmicScaleDown ?? true;
  // 6. Ready more recently first (log2 buckets, then UID).
  if (a.ready && b.ready && a.readyTime !== b.readyTime) {
    return newerFirstLog(a.readyTime, b.readyTime, a, b, options.now, logarithmic);
  }
  // 7. More restarts first (regular containers, then sidecars).
  if (a.restarts !== b.restarts) return a.restarts > b.restarts;
  if (a.sidecarRestarts !== b.sidecarRestarts) return a.sidecarRestarts > b.sidecarRestarts;
  // 8. Created more recently first (log2 buckets, then UID).
  if (a.created !== b.created) return newerFirstLog(a.created, b.created, a, b, options.now, logarithmic);
  return false;
}

/** Sorts pods by the plain `ActivePods` order (a stable sort; Go's sort.Sort is not, so ties may differ). */
export function sortActivePods(pods: readonly Pod[]): Pod[] {
  const keys = pods.map(podSortKey);
  keys.sort((a, b) => (activePodsLess(a, b) ? -1 : activePodsLess(b, a) ? 1 : 0));
  return keys.map((k) => k.pod);
}

/**
 * `getPodsRankedByRelatedPodsOnSameNode`: each pod's rank is the number of active related pods (pods of every
 * ReplicaSet with the same controller) on its node. Unassigned pods share the "" bucket, as upstream.
 */
export function rankByRelatedPodsOnSameNode(podsToRank: readonly Pod[], relatedPods: readonly Pod[]): number[] {
  const onNode = new Map<string, number>();
  for (const pod of relatedPods) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  return podsToRank.map((pod) => onNode.get(pod.spec?.nodeName ?? '') ?? 0);
}

/**
 * `getPodsToDelete`: the first `diff` pods of the ranked order; no sorting when every pod goes.
 */
export function getPodsToDelete(
  filteredPods: readonly Pod[],
  relatedPods: readonly Pod[],
  diff: number,
  nowMs: number,
  options: Omit<RankOrderOptions, 'now'> = {},
): Pod[] {
  if (diff >= filteredPods.length) return filteredPods.slice(0, diff);
  const ranks = rankByRelatedPodsOnSameNode(filteredPods, relatedPods);
  const entries = filteredPods.map((pod, i) => ({ key: podSortKey(pod), rank: ranks[i]! }));
  const opts: RankOrderOptions = { ...options, now: nowMs };
  entries.sort((x, y) =>
    activePodsWithRanksLess(x.key, x.rank, y.key, y.rank, opts)
      ? -1
      : activePodsWithRanksLess(y.key, y.rank, x.key, x.rank, opts)
        ? 1
        : 0,
  );
  return entries.slice(0, diff).map((e) => e.key.pod);
}
