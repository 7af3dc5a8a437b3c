import { rfc3339 } from '../../../../k8s/meta.js';
import type { Condition, DeploymentStatus } from '../../../../k8s/objects.js';

// Condition helpers from deployment_util.go (NewDeploymentCondition, GetDeploymentCondition,
// SetDeploymentCondition, RemoveDeploymentCondition, ReplicaSetToDeploymentCondition):
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/util/deployment_util.go

export const ConditionTypes = {
  available: 'Available',
  progressing: 'Progressing',
  replicaFailure: 'ReplicaFailure',
} as const;

/** Reasons the controller writes (deployment_util.go constants). */
export const Reasons = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  replicaSetCreateError: 'ReplicaSetCreateError',
  deploymentPaused: 'DeploymentPaused',
  deploymentResumed: 'DeploymentResumed',
  rollbackRevisionNotFound: 'DeploymentRollbackRevisionNotFound',
  rollbackTemplateUnchanged: 'DeploymentRollbackTemplateUnchanged',
  rollbackDone: 'DeploymentRollback',
} as const;

/** NewDeploymentCondition: both times = now (second precision, as metav1.Time serialises). */
export function newDeploymentCondition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  nowMs: number,
): Condition {
  const now = rfc3339(nowMs);
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export function getDeploymentCondition(status: DeploymentStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * SetDeploymentCondition: same status and reason → no-op (lastUpdateTime kept); same status,
 * other reason → replaced but lastTransitionTime kept; the replaced condition moves to the end.
 */
export function setDeploymentCondition(status: DeploymentStatus, condition: Condition): void {
  const current = getDeploymentCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...filterOutCondition(status.conditions, condition.type), next];
}

export function removeDeploymentCondition(status: DeploymentStatus, type: string): void {
  status.conditions = filterOutCondition(status.conditions, type);
}

function filterOutCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** ReplicaSetToDeploymentCondition: both times become the RS condition's lastTransitionTime. */
export function replicaSetToDeploymentCondition(c: Condition): Condition {
  return {
    type: c.type,
    status: c.status,
    lastUpdateTime: c.lastTransitionTime,
    lastTransitionTime: c.lastTransitionTime,
    reason: c.reason,
    message: c.message,
  };
}
