import { parseTime } from '../../../../k8s/meta.js';
import type { Deployment, DeploymentStatus } from '../../../../k8s/objects.js';
import {
  ConditionTypes,
  Reasons,
  getDeploymentCondition,
  newDeploymentCondition,
  setDeploymentCondition,
} from './conditions.js';
import { maxUnavailable, replicasOf } from './fenceposts.js';
import {
  MAX_INT32,
  type MaybeRS,
  getActualReplicaCount,
  getAvailableReplicaCount,
  getReadyReplicaCount,
  getReplicaCount,
  getTerminatingReplicaCount,
} from './replicaSetUtil.js';
import { canonicalJson } from './semanticEqual.js';

// sync.go calculateStatus and deployment_util.go DeploymentComplete / DeploymentProgressing /
// DeploymentTimedOut / HasProgressDeadline:
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/sync.go
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/util/deployment_util.go

/** Go's zero time.Time (0001-01-01T00:00:00Z): an unset lastUpdateTime. */
const GO_ZERO_TIME_MS = -62135596800000;

/** deployment_util.go HasProgressDeadline: nil or MaxInt32 disables the deadline. */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== MAX_INT32;
}

/** deployment_util.go HasRevisionHistoryLimit: nil or MaxInt32 means keep everything. */
export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const limit = d.spec.revisionHistoryLimit;
  return limit !== undefined && limit !== null && limit !== MAX_INT32;
}

/** sync.go calculateStatus: counts from the RSs, conditions carried over, Available (re)set. */
export function calculateStatus(allRSs: MaybeRS[], newRS: MaybeRS, d: Deployment, nowMs: number): DeploymentStatus {
  const available = getAvailableReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: getActualReplicaCount(allRSs),
    updatedReplicas: getActualReplicaCount([newRS]),
    readyReplicas: getReadyReplicaCount(allRSs),
    availableReplicas: available,
    // Unavailable uses spec counts: pods that should exist but are not available.
    unavailableReplicas: Math.max(0, getReplicaCount(allRSs) - available),
    conditions: (d.status?.conditions ?? []).map((c) => ({ ...c })),
  };
  const terminating = getTerminatingReplicaCount(allRSs);
  if (terminating !== undefined) status.terminatingReplicas = terminating;
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setDeploymentCondition(
      status,
      newDeploymentCondition(
        ConditionTypes.available,
        'True',
        Reasons.minimumReplicasAvailable,
        'Deployment has minimum availability.',
        nowMs,
      ),
    );
  } else {
    setDeploymentCondition(
      status,
      newDeploymentCondition(
        ConditionTypes.available,
        'False',
        Reasons.minimumReplicasUnavailable,
        'Deployment does not have minimum availability.',
        nowMs,
      ),
    );
  }
  return status;
}

/**
 * The status as the API server serialises it: int32 fields are `omitempty` (0 is left out),
 * pointer fields (terminatingReplicas, collisionCount) are kept even at 0, no empty conditions.
 */
export function wireStatus(s: DeploymentStatus | undefined): DeploymentStatus {
  const out: DeploymentStatus = {};
  if (!s) return out;
  for (const key of [
    'observedGeneration',
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
  ] as const) {
    if (s[key]) out[key] = s[key];
  }
  if (s.terminatingReplicas !== undefined && s.terminatingReplicas !== null)
    out.terminatingReplicas = s.terminatingReplicas;
  if (s.conditions && s.conditions.length > 0) out.conditions = s.conditions;
  if (s.collisionCount !== undefined && s.collisionCount !== null) out.collisionCount = s.collisionCount;
  return out;
}

/** reflect.DeepEqual of two statuses, with zero values and absent fields alike. */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return canonicalJson(wireStatus(a)) === canonicalJson(wireStatus(b));
}

/** deployment_util.go DeploymentComplete: every replica updated and available, generation observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = replicasOf(d);
  return (
    (s.updatedReplicas ?? 0) === replicas &&
    (s.replicas ?? 0) === replicas &&
    (s.availableReplicas ?? 0) === replicas &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** deployment_util.go DeploymentProgressing: compares the new status with the stored one. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** deployment_util.go DeploymentTimedOut: strictly past lastUpdateTime + deadline; sticky. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getDeploymentCondition(s, ConditionTypes.progressing);
  if (!condition) return false;
  if (condition.reason === Reasons.newReplicaSetAvailable) return false;
  if (condition.reason === Reasons.progressDeadlineExceeded) return true;
  const from = parseTime(condition.lastUpdateTime) ?? GO_ZERO_TIME_MS;
  return from + d.spec.progressDeadlineSeconds! * 1000 < nowMs;
}
