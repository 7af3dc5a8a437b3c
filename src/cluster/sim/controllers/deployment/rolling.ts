import type { Deployment, ReplicaSet } from '../../../../k8s/objects.js';
import { cleanupDeployment } from './cleanup.js';
import { maxUnavailable, replicasOf } from './fenceposts.js';
import { aggregate, type DeploymentIO } from './io.js';
import { getAllReplicaSetsAndSyncRevision } from './newReplicaSet.js';
import { syncRolloutStatus } from './progress.js';
import {
  type MaybeRS,
  byCreationTimestamp,
  filterActiveReplicaSets,
  getAvailableReplicaCount,
  getReplicaCount,
  specReplicas,
} from './replicaSetUtil.js';
import { newRSNewReplicas } from './rollingMath.js';
import { scaleReplicaSetAndRecordEvent } from './scale.js';
import { deploymentComplete } from './status.js';

// rolling.go: https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/rolling.go

/**
 * rolling.go rolloutRolling: one sync scales the new RS up or the old ones down, never both
 * (creating the new RS is not scaling). Scaling errors still let the status be written
 * (observedGeneration, timeout), as the 2026 upstream tests require, and are then rethrown.
 */
export function rolloutRolling(io: DeploymentIO, d: Deployment, rsList: ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(io, d, rsList, true);
  const newOne = newRS!;
  const allRSs: MaybeRS[] = [...oldRSs, newOne];
  let scaledUp: boolean;
  try {
    scaledUp = reconcileNewReplicaSet(io, allRSs, newOne, d);
  } catch (err) {
    throw withStatusSync(io, err, allRSs, newOne, d);
  }
  if (scaledUp) return syncRolloutStatus(io, allRSs, newOne, d);
  let scaledDown: boolean;
  try {
    scaledDown = reconcileOldReplicaSets(io, allRSs, filterActiveReplicaSets(oldRSs), newOne, d);
  } catch (err) {
    throw withStatusSync(io, err, allRSs, newOne, d);
  }
  if (scaledDown) return syncRolloutStatus(io, allRSs, newOne, d);
  if (deploymentComplete(d, d.status ?? {})) cleanupDeployment(io, oldRSs, d);
  syncRolloutStatus(io, allRSs, newOne, d);
}

/** Writes the rollout status after a failed scale, returning the error(s) to report. */
export function withStatusSync(
  io: DeploymentIO,
  err: unknown,
  allRSs: MaybeRS[],
  newRS: MaybeRS,
  d: Deployment,
): unknown {
  try {
    syncRolloutStatus(io, allRSs, newRS, d);
  } catch (statusErr) {
    return aggregate([err, statusErr]);
  }
  return err;
}

/** rolling.go reconcileNewReplicaSet: scale the new RS down to replicas, or up by NewRSNewReplicas. */
export function reconcileNewReplicaSet(io: DeploymentIO, allRSs: MaybeRS[], newRS: ReplicaSet, d: Deployment): boolean {
  if (specReplicas(newRS) === replicasOf(d)) return false;
  if (specReplicas(newRS) > replicasOf(d)) return scaleReplicaSetAndRecordEvent(io, newRS, replicasOf(d), d).scaled;
  const newReplicasCount = newRSNewReplicas(d, allRSs, newRS);
  return scaleReplicaSetAndRecordEvent(io, newRS, newReplicasCount, d).scaled;
}

/**
 * rolling.go reconcileOldReplicaSets: unhealthy old replicas first, then available ones down to
 * minAvailable. The new RS's unavailable pods are subtracted so a broken new RS cannot drain
 * the old ones.
 */
export function reconcileOldReplicaSets(
  io: DeploymentIO,
  allRSs: MaybeRS[],
  oldRSs: ReplicaSet[],
  newRS: ReplicaSet,
  d: Deployment,
): boolean {
  if (getReplicaCount(oldRSs) === 0) return false;
  const allPods = getReplicaCount(allRSs);
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newRSUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = cleanupUnhealthyReplicas(io, oldRSs, d, maxScaledDown);
  const scaledDown = scaleDownOldReplicaSetsForRollingUpdate(io, [...cleaned.oldRSs, newRS], cleaned.oldRSs, d);
  return cleaned.count + scaledDown > 0;
}

/** rolling.go cleanupUnhealthyReplicas: oldest first, remove up to maxCleanup not-available replicas. */
export function cleanupUnhealthyReplicas(
  io: DeploymentIO,
  oldRSs: ReplicaSet[],
  d: Deployment,
  maxCleanup: number,
): { oldRSs: ReplicaSet[]; count: number } {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const target = sorted[i]!;
    if (total >= maxCleanup) break;
    const replicas = specReplicas(target);
    const available = target.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(maxCleanup - total, replicas - available);
    const newCount = replicas - count;
    if (newCount > replicas) {
      throw new Error(
        `when cleaning up unhealthy replicas, got invalid request to scale down ${target.metadata.namespace}/${target.metadata.name} ${replicas} -> ${newCount}`,
      );
    }
    sorted[i] = scaleReplicaSetAndRecordEvent(io, target, newCount, d).rs;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

/**
 * rolling.go scaleDownOldReplicaSetsForRollingUpdate: budget = available (incl. the new RS) −
 * minAvailable, taken from the oldest RSs first.
 */
export function scaleDownOldReplicaSetsForRollingUpdate(
  io: DeploymentIO,
  allRSs: MaybeRS[],
  oldRSs: ReplicaSet[],
  d: Deployment,
): number {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = getAvailableReplicaCount(allRSs);
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const target of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= budget) break;
    const replicas = specReplicas(target);
    if (replicas === 0) continue;
    const count = Math.min(replicas, budget - total);
    const newCount = replicas - count;
    if (newCount > replicas) {
      throw new Error(
        `when scaling down old RS, got invalid request to scale down ${target.metadata.namespace}/${target.metadata.name} ${replicas} -> ${newCount}`,
      );
    }
    scaleReplicaSetAndRecordEvent(io, target, newCount, d);
    total += count;
  }
  return total;
}
