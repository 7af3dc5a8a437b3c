import { rfc3339 } from '../../../../k8s/meta.js';
import { selectorMatches } from '../../../../k8s/labels.js';
import type { Condition, Pod, ReplicaSet, ReplicaSetStatus } from '../../../../k8s/objects.js';
import { availableAt, isPodAvailable, isPodReady } from './podUtil.js';

/**
 * `calculateStatus` of the ReplicaSet controller
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/replicaset/replica_set_utils.go).
 * Counts that Go serialises with `omitempty` are left out when zero, as the API server returns them.
 */
export function calculateReplicaSetStatus(
  rs: ReplicaSet,
  activePods: readonly Pod[],
  terminatingPods: number,
  manageError: Error | undefined,
  nowMs: number,
): ReplicaSetStatus {
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of activePods) {
    if (selectorMatches({ matchLabels: templateLabels }, pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
    }
  }
  let conditions = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const diff = activePods.length - (rs.spec.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: Condition = {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: rfc3339(nowMs),
      reason,
      message: manageError.message,
    };
    conditions = [...conditions.filter((c) => c.type !== 'ReplicaFailure'), cond];
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = { replicas: activePods.length };
  if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  status.terminatingReplicas = terminatingPods;
  const observed = rs.metadata.generation ?? rs.status?.observedGeneration;
  if (observed) status.observedGeneration = observed;
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** The earliest time a ready-but-not-yet-available pod becomes available (for the requeue), if any. */
export function nextAvailabilityCheck(rs: ReplicaSet, activePods: readonly Pod[], nowMs: number): number | undefined {
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  if (!minReadySeconds) return undefined;
  let earliest: number | undefined;
  for (const pod of activePods) {
    const at = availableAt(pod, minReadySeconds, nowMs);
    if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest;
}
