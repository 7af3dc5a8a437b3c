/**
 * What happened to a pod since the gate sent its change (the apply, or the rollback write).
 *
 * A container's `restartCount` is a history: a long-lived pod that was OOM-killed last week still
 * shows its restarts today. A scale-up, a no-op redeploy or a rollback onto an older ReplicaSet
 * makes such pods part of the revision being judged, so the judge counts restarts from a
 * baseline taken when the change was sent (per pod, per container), and starts the windows of
 * pod-level back-offs (pull, config, scheduling) of pods that already existed no earlier than the
 * change. Pods created after it count fully: they have no entry in the baseline.
 */
import type { ContainerStatus, Pod } from '../k8s/objects.js';
import type { RolloutContext } from './snapshot.js';

/**
 * Restart counts of the pods that existed when the change was sent: pod key (uid, else
 * `namespace/name`) -> container name (init and regular containers share one namespace of names,
 * ValidatePodSpec) -> restartCount. Plain data, so the judge stays a pure function.
 */
export type RestartBaseline = Record<string, Record<string, number>>;

/** The key of a pod in a {@link RestartBaseline}: its uid (a recreated pod of the same name is another pod). */
export function podKey(pod: Pod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

/** The baseline of `pods` (every container, init containers included), as observed now. */
export function restartBaselineOf(pods: Pod[]): RestartBaseline {
  const baseline: RestartBaseline = {};
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const counts: Record<string, number> = {};
    for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])])
      counts[status.name] = status.restartCount;
    baseline[podKey(pod)] = counts;
  }
  return baseline;
}

/** Whether the pod existed when the change was sent. Without a baseline every pod counts as new. */
export function existedBefore(pod: Pod, context: RolloutContext): boolean {
  return context.restartBaseline?.[podKey(pod)] !== undefined;
}

/** The restarts of one container since the change was sent (all of them on a pod created after it). */
export function restartsSince(pod: Pod, status: ContainerStatus, context: RolloutContext): number {
  const before = context.restartBaseline?.[podKey(pod)]?.[status.name] ?? 0;
  // A container whose count went down was recreated (a new container status): all of it is new.
  return status.restartCount >= before ? status.restartCount - before : status.restartCount;
}

/** When a detector's window may start for this pod: `since`, but not before the change on pods that existed. */
export function windowStart(pod: Pod, since: number, context: RolloutContext): number {
  return existedBefore(pod, context) ? Math.max(since, context.appliedAt) : since;
}
