import { parseTime } from '../../../../k8s/meta.js';
import type { Pod } from '../../../../k8s/objects.js';

/**
 * Pod failure back-off between a Job's failed pods and their replacements, as
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/job/backoff_utils.go computes it:
 * a record per Job of the failures since the last success and the time of the last one; the next pod may
 * be created `10s * 2^(failures-1)` (capped at 10 minutes, `MaxJobPodFailureBackOff`) after that failure.
 */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/** `MaxJobPodFailureBackOff` in job_controller.go (the Job docs round it to "six minutes"; the code says 10m). */
export const MAX_POD_FAILURE_BACKOFF_MS = 600_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** ms since epoch; undefined when there was no failure since the last success. */
  lastFailureTime?: number;
}

/**
 * `getFinishedTime`: the latest `finishedAt` when every container terminated, else the Ready=False
 * transition, else the deletion timestamp minus the grace period, else the creation time.
 */
export function getFinishedTime(pod: Pod): number {
  return (
    finishTimeFromContainers(pod) ??
    finishTimeFromReadyFalse(pod) ??
    finishTimeFromDeletion(pod) ??
    parseTime(pod.metadata.creationTimestamp) ??
    0
  );
}

function finishTimeFromContainers(pod: Pod): number | undefined {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  if (statuses.length === 0) return undefined;
  let latest: number | undefined;
  for (const s of statuses) {
    const finished = s.state?.terminated ? parseTime(s.state.terminated.finishedAt) : undefined;
    if (finished === undefined) return undefined;
    if (latest === undefined || finished > latest) latest = finished;
  }
  return latest;
}

function finishTimeFromReadyFalse(pod: Pod): number | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'False' ? parseTime(ready.lastTransitionTime) : undefined;
}

function finishTimeFromDeletion(pod: Pod): number | undefined {
  const at = parseTime(pod.metadata.deletionTimestamp);
  if (at === undefined) return undefined;
  return at - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
}

/** `backoffStore.newBackoffRecord`: the record after this sync's newly finished pods. */
export function newBackoffRecord(
  old: BackoffRecord | undefined,
  newSucceeded: readonly Pod[],
  newFailed: readonly Pod[],
): BackoffRecord {
  const record: BackoffRecord = { failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0 };
  if (old?.lastFailureTime !== undefined) record.lastFailureTime = old.lastFailureTime;
  const failedTimes = newFailed.map(getFinishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return record;
    record.failuresAfterLastSuccess += failedTimes.length;
    record.lastFailureTime = failedTimes[failedTimes.length - 1]!;
    return record;
  }
  const lastSuccess = Math.max(...newSucceeded.map(getFinishedTime));
  const reset: BackoffRecord = { failuresAfterLastSuccess: 0 };
  for (let i = failedTimes.length - 1; i >= 0; i--) {
    const failedAt = failedTimes[i]!;
    if (!(failedAt > lastSuccess)) break;
    reset.lastFailureTime ??= failedAt;
    reset.failuresAfterLastSuccess++;
  }
  return reset;
}

/** `getRemainingTimeForFailuresCount`: how long pod creation must still wait (0 = now). */
export function remainingBackoffMs(
  record: BackoffRecord,
  nowMs: number,
  defaultMs = DEFAULT_POD_FAILURE_BACKOFF_MS,
  maxMs = MAX_POD_FAILURE_BACKOFF_MS,
): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let backoff = defaultMs;
  for (let i = 1; i < record.failuresAfterLastSuccess; i++) {
    backoff *= 2;
    if (backoff >= maxMs) {
      backoff = maxMs;
      break;
    }
  }
  const elapsed = nowMs - record.lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}
