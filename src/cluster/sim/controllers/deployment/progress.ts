import { parseTime } from '../../../../k8s/meta.js';
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from '../../../../k8s/objects.js';
import {
  ConditionTypes,
  Reasons,
  getDeploymentCondition,
  newDeploymentCondition,
  removeDeploymentCondition,
  replicaSetToDeploymentCondition,
  setDeploymentCondition,
} from './conditions.js';
import type { DeploymentIO } from './io.js';
import { type MaybeRS, nonNil } from './replicaSetUtil.js';
import {
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  hasProgressDeadline,
  statusEqual,
  wireStatus,
} from './status.js';

// progress.go syncRolloutStatus / getReplicaFailures / requeueStuckDeployment and
// sync.go syncDeploymentStatus:
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/progress.go
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/sync.go

/**
 * progress.go syncRolloutStatus, the pure part: the status a rollout sync wants to write
 * (counts, Available, Progressing re-estimated against the stored status, ReplicaFailure).
 */
export function rolloutStatus(allRSs: MaybeRS[], newRS: MaybeRS, d: Deployment, nowMs: number): DeploymentStatus {
  const status = calculateStatus(allRSs, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(status, ConditionTypes.progressing);
  const current = getDeploymentCondition(d.status, ConditionTypes.progressing);
  // A finished rollout with a single active RS is a resync: progress is not estimated again.
  const isComplete =
    (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === Reasons.newReplicaSetAvailable;
  if (hasProgressDeadline(d) && !isComplete) {
    const subject = newRS
      ? `ReplicaSet ${JSON.stringify(newRS.metadata.name)}`
      : `Deployment ${JSON.stringify(d.metadata.name)}`;
    if (deploymentComplete(d, status)) {
      setDeploymentCondition(
        status,
        newDeploymentCondition(
          ConditionTypes.progressing,
          'True',
          Reasons.newReplicaSetAvailable,
          `${subject} has successfully progressed.`,
          nowMs,
        ),
      );
    } else if (deploymentProgressing(d, status)) {
      const condition = newDeploymentCondition(
        ConditionTypes.progressing,
        'True',
        Reasons.replicaSetUpdated,
        `${subject} is progressing.`,
        nowMs,
      );
      // Unlike SetDeploymentCondition, progress always refreshes lastUpdateTime (the deadline timer),
      // even when the reason is unchanged.
      if (current) {
        if (current.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
        removeDeploymentCondition(status, ConditionTypes.progressing);
      }
      setDeploymentCondition(status, condition);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      setDeploymentCondition(
        status,
        newDeploymentCondition(
          ConditionTypes.progressing,
          'False',
          Reasons.progressDeadlineExceeded,
          `${subject} has timed out progressing.`,
          nowMs,
        ),
      );
    }
  }
  const failures = getReplicaFailures(allRSs, newRS);
  if (failures.length > 0) setDeploymentCondition(status, failures[0]!);
  else removeDeploymentCondition(status, ConditionTypes.replicaFailure);
  return status;
}

/** progress.go getReplicaFailures: the new RS's ReplicaFailure conditions first, else any RS's. */
export function getReplicaFailures(allRSs: MaybeRS[], newRS: MaybeRS): Condition[] {
  const fromRS = (rs: ReplicaSet) =>
    (rs.status?.conditions ?? [])
      .filter((c) => c.type === ConditionTypes.replicaFailure)
      .map(replicaSetToDeploymentCondition);
  if (newRS) {
    const own = fromRS(newRS);
    if (own.length > 0) return own;
  }
  return nonNil(allRSs).flatMap(fromRS);
}

/** progress.go syncRolloutStatus: write the status if it changed, else maybe schedule a deadline check. */
export function syncRolloutStatus(io: DeploymentIO, allRSs: MaybeRS[], newRS: MaybeRS, d: Deployment): void {
  const status = rolloutStatus(allRSs, newRS, d, io.now());
  if (statusEqual(d.status, status)) {
    requeueStuckDeployment(io, d, status);
    return;
  }
  d.status = wireStatus(status);
  io.updateDeploymentStatus(d);
}

/** sync.go syncDeploymentStatus: counts and Available only; Progressing is not re-estimated. */
export function syncDeploymentStatus(io: DeploymentIO, allRSs: MaybeRS[], newRS: MaybeRS, d: Deployment): void {
  const status = calculateStatus(allRSs, newRS, d, io.now());
  if (statusEqual(d.status, status)) return;
  d.status = wireStatus(status);
  io.updateDeploymentStatus(d);
}

/**
 * progress.go requeueStuckDeployment, the pure part: -1 (no check needed), 0 (check now) or the
 * milliseconds until the deadline passes.
 */
export function stuckDeploymentRequeueAfter(d: Deployment, newStatus: DeploymentStatus, nowMs: number): number {
  const current = getDeploymentCondition(d.status, ConditionTypes.progressing);
  if (!hasProgressDeadline(d) || !current) return -1;
  if (deploymentComplete(d, newStatus) || current.reason === Reasons.progressDeadlineExceeded) return -1;
  const lastUpdate = parseTime(current.lastUpdateTime) ?? 0;
  const after = lastUpdate + d.spec.progressDeadlineSeconds! * 1000 - nowMs;
  return after < 1000 ? 0 : after;
}

/** progress.go requeueStuckDeployment: wake up one second after the deadline (AddAfter skew margin). */
export function requeueStuckDeployment(io: DeploymentIO, d: Deployment, newStatus: DeploymentStatus): number {
  const after = stuckDeploymentRequeueAfter(d, newStatus, io.now());
  if (after === 0) io.requeueRateLimited(d);
  else if (after > 0) io.requeueAfter(d, after + 1000);
  return after;
}
