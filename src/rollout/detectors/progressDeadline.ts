/**
 * `Progressing=False/ProgressDeadlineExceeded` on the Deployment (kubectl's only failure).
 *
 * Counts only when the generation we applied has been observed and the condition was updated at
 * or after the apply (second precision). The controller leaves an existing
 * `ProgressDeadlineExceeded` in place when the template goes back to an existing ReplicaSet (a
 * rollback) until that ReplicaSet completes or progresses, so an older one is stale
 * (kubernaut#199). A genuinely new deadline always carries a fresh timestamp.
 */
import type { Condition } from '../../k8s/objects.js';
import { parseTime } from '../../k8s/meta.js';
import type { RolloutContext } from '../snapshot.js';
import { brief, secondFloor, type Detector } from './common.js';

/** Whether a Progressing condition counts for this run (see the module doc). */
export function isFreshCondition(condition: Condition, context: RolloutContext): boolean {
  const updated = parseTime(condition.lastUpdateTime ?? condition.lastTransitionTime);
  return updated !== undefined && updated >= secondFloor(context.appliedAt);
}

/**
 * Whether the controller has observed both the stored generation and the one the gate applied
 * (any workload: every controller writes `status.observedGeneration`).
 */
export function generationObserved(
  workload: { metadata: { generation?: number }; status?: { observedGeneration?: number } },
  context: RolloutContext,
): boolean {
  const observed = workload.status?.observedGeneration ?? 0;
  return observed >= (workload.metadata.generation ?? 0) && observed >= (context.appliedGeneration ?? 0);
}

export const detectProgressDeadline: Detector = (snapshot, context) => {
  const deployment = snapshot.deployment;
  if (!deployment || !generationObserved(deployment, context)) return undefined;
  const condition = deployment.status?.conditions?.find((c) => c.type === 'Progressing');
  if (condition?.reason !== 'ProgressDeadlineExceeded' || !isFreshCondition(condition, context)) return undefined;
  const name = deployment.metadata.name ?? '';
  const pds = deployment.spec.progressDeadlineSeconds ?? 600;
  return {
    reason: 'ProgressDeadlineExceeded',
    message:
      `deployment "${name}" exceeded its progress deadline (${pds} s without progress)` +
      (condition.message ? `: ${brief(condition.message)}` : ''),
    evidence: [
      {
        reason: 'ProgressDeadlineExceeded',
        message: condition.message,
        since: parseTime(condition.lastTransitionTime),
      },
    ],
  };
};
