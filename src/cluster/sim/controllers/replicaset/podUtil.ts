import { parseTime } from '../../../../k8s/meta.js';
import { Annotations, type Condition, type Pod, type ReplicaSet } from '../../../../k8s/objects.js';

/**
 * Pod helpers shared by the ReplicaSet controller (and usable by the Deployment controller):
 * activeness, readiness and availability, as in
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/controller_utils.go and
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/api/v1/pod/util.go
 */

/** `IsPodActive`: not Succeeded/Failed and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** `IsPodTerminating`: being deleted but not yet in a terminal phase. */
export function isPodTerminating(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

export function filterActivePods(pods: readonly Pod[]): Pod[] {
  return pods.filter(isPodActive);
}

/** `FilterTerminatingPods`. */
export function filterTerminatingPods(pods: readonly Pod[]): Pod[] {
  return pods.filter(isPodTerminating);
}

/** `CountTerminatingPods`. */
export function countTerminatingPods(pods: readonly Pod[]): number {
  let n = 0;
  for (const pod of pods) if (isPodTerminating(pod)) n++;
  return n;
}

/** `FilterActiveReplicaSets`: non-nil with spec.replicas > 0 (nil entries are skipped). */
export function filterActiveReplicaSets(replicaSets: ReadonlyArray<ReplicaSet | null | undefined>): ReplicaSet[] {
  return replicaSets.filter((rs): rs is ReplicaSet => !!rs && (rs.spec.replicas ?? 1) > 0);
}

export function podReadyCondition(pod: Pod): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** `IsPodReady`: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * `IsPodAvailable`: ready, and either minReadySeconds is 0 or the Ready transition plus minReadySeconds is
 * strictly before now.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = podReadyCondition(pod);
  if (ready?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = parseTime(ready.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

/**
 * When a ready pod becomes available (the first instant strictly after readyTransition + minReadySeconds),
 * or undefined when it is not ready, already available, or has no transition time.
 */
export function availableAt(pod: Pod, minReadySeconds: number, nowMs: number): number | undefined {
  if (!minReadySeconds) return undefined;
  const ready = podReadyCondition(pod);
  if (ready?.status !== 'True') return undefined;
  const since = parseTime(ready.lastTransitionTime);
  if (since === undefined) return undefined;
  const at = since + minReadySeconds * 1000 + 1;
  return at > nowMs ? at : undefined;
}

/** `GetDeletionCostFromPodAnnotations`: int32, default 0 (invalid values count as 0 here). */
export function podDeletionCost(pod: Pod): number {
  const raw = pod.metadata.annotations?.[Annotations.podDeletionCost];
  if (raw === undefined) return 0;
  if (!/^[+-]?[0-9]+$/.test(raw.trim())) return 0;
  const n = Number(raw);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}
