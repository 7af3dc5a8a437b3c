import { rfc3339 } from '../../../../k8s/meta.js';
import type { Condition } from '../../../../k8s/objects.js';
import { JobConditions } from './types.js';

/**
 * Job conditions as job_controller.go writes them (Kubernetes 1.31+, where the JobManagedBy /
 * JobPodReplacementPolicy gates make `delayTerminalCondition` true): the interim FailureTarget or
 * SuccessCriteriaMet first, the terminal Failed or Complete once no pod is left to count.
 */
export const Messages = {
  backoffLimitExceeded: 'Job has reached the specified backoff limit',
  deadlineExceeded: 'Job was active longer than specified deadline',
  completionsReached: 'Reached expected number of succeeded pods',
} as const;

/** `newCondition`: probe and transition time both now. */
export function newCondition(type: string, status: 'True' | 'False', reason: string, message: string, now: number) {
  const at = rfc3339(now);
  return { type, status, lastProbeTime: at, lastTransitionTime: at, reason, message } satisfies Condition;
}

/** `newFailureCondition`: FailureTarget (the terminal Failed follows when no pod is left to count). */
export function failureCondition(reason: string, message: string, now: number): Condition {
  return newCondition(JobConditions.failureTarget, 'True', reason, message, now);
}

/** `newSuccessCondition`: SuccessCriteriaMet with CompletionsReached. */
export function successCondition(now: number): Condition {
  return newCondition(JobConditions.successCriteriaMet, 'True', 'CompletionsReached', Messages.completionsReached, now);
}

export function findCondition(list: readonly Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((c) => c.type === type);
}

/**
 * `ensureJobConditionStatus`: replaces a condition of the type whose status, reason or message differ,
 * appends a missing one unless it would be False. Returns the new list and whether it changed.
 */
export function ensureCondition(
  list: readonly Condition[],
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: number,
): [Condition[], boolean] {
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status === status && c.reason === reason && c.message === message) return [[...list], false];
    const next = [...list];
    next[i] = newCondition(type, status, reason, message, now);
    return [next, true];
  }
  if (status === 'False') return [[...list], false];
  return [[...list, newCondition(type, status, reason, message, now)], true];
}
