import { selectorIsEmpty } from '../../../../k8s/labels.js';
import type { Deployment, ReplicaSet } from '../../../../k8s/objects.js';
import { cleanupDeployment } from './cleanup.js';
import { replicasOf } from './fenceposts.js';
import type { DeploymentIO } from './io.js';
import { getAllReplicaSetsAndSyncRevision } from './newReplicaSet.js';
import { checkPausedConditions } from './pausedConditions.js';
import { syncDeploymentStatus } from './progress.js';
import { type PodMap, rolloutRecreate } from './recreate.js';
import { filterActiveReplicaSets, getDesiredReplicasAnnotation } from './replicaSetUtil.js';
import { getRollbackTo, rollback } from './rollback.js';
import { rolloutRolling } from './rolling.js';
import { scale } from './scale.js';

// deployment_controller.go syncDeployment and sync.go sync / syncStatusOnly / isScalingEvent:
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/deployment_controller.go
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/sync.go

/**
 * deployment_controller.go syncDeployment after the RS list is known, in the upstream priority
 * order: deleting → status only; paused conditions; paused → sync; rollback annotation;
 * scaling event → sync; then the strategy. `d` is a private copy the steps mutate.
 */
export function syncDeploymentWith(io: DeploymentIO, d: Deployment, rsList: ReplicaSet[], podMap: () => PodMap): void {
  if (d.metadata.deletionTimestamp) return syncStatusOnly(io, d, rsList);
  checkPausedConditions(io, d);
  if (d.spec.paused) return sync(io, d, rsList);
  if (getRollbackTo(d) !== undefined) return rollback(io, d, rsList);
  if (isScalingEvent(io, d, rsList)) return sync(io, d, rsList);
  const type = d.spec.strategy?.type;
  if (type === 'Recreate') return rolloutRecreate(io, d, rsList, podMap());
  if (type === 'RollingUpdate') return rolloutRolling(io, d, rsList);
  throw new Error(`unexpected deployment strategy type: ${type}`);
}

/** deployment_controller.go syncDeployment step 2: an empty selector selects every pod. */
export function selectsAll(d: Deployment): boolean {
  return selectorIsEmpty(d.spec.selector);
}

/** deployment_controller.go: warn, observe the generation, do nothing else. */
export function syncSelectingAll(io: DeploymentIO, d: Deployment): void {
  io.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
  if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
    d.status = { ...d.status, observedGeneration: d.metadata.generation };
    io.updateDeploymentStatus(d);
  }
}

/** sync.go sync: scale (scaling event or paused), clean up when paused, status without Progressing. */
export function sync(io: DeploymentIO, d: Deployment, rsList: ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(io, d, rsList, false);
  scale(io, d, newRS, oldRSs);
  if (d.spec.paused && getRollbackTo(d) === undefined) cleanupDeployment(io, oldRSs, d);
  syncDeploymentStatus(io, [...oldRSs, newRS], newRS, d);
}

/** sync.go syncStatusOnly: for a Deployment being deleted. */
export function syncStatusOnly(io: DeploymentIO, d: Deployment, rsList: ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(io, d, rsList, false);
  syncDeploymentStatus(io, [...oldRSs, newRS], newRS, d);
}

/**
 * sync.go isScalingEvent: an active RS's desired-replicas annotation (when it parses) differs
 * from spec.replicas. RSs without the annotation are ignored.
 */
export function isScalingEvent(io: DeploymentIO, d: Deployment, rsList: ReplicaSet[]): boolean {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(io, d, rsList, false);
  for (const rs of filterActiveReplicaSets([...oldRSs, newRS])) {
    const desired = getDesiredReplicasAnnotation(rs);
    if (desired.valid && desired.value !== replicasOf(d)) return true;
  }
  return false;
}
