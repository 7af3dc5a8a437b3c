import type { Deployment, Pod, ReplicaSet } from '../../../../k8s/objects.js';
import { cleanupDeployment } from './cleanup.js';
import { replicasOf } from './fenceposts.js';
import type { DeploymentIO } from './io.js';
import { getAllReplicaSetsAndSyncRevision } from './newReplicaSet.js';
import { syncRolloutStatus } from './progress.js';
import { type MaybeRS, filterActiveReplicaSets, getActualReplicaCount, specReplicas } from './replicaSetUtil.js';
import { withStatusSync } from './rolling.js';
import { scaleReplicaSetAndRecordEvent } from './scale.js';
import { deploymentComplete } from './status.js';

// recreate.go: https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/recreate.go

/** Pods of the Deployment keyed by the UID of their controlling RS (terminating pods included). */
export type PodMap = Map<string, Pod[]>;

/**
 * recreate.go rolloutRecreate: scale every old RS to 0, wait until their pods are gone from the
 * API (not just terminating), then create the new RS at full size.
 */
export function rolloutRecreate(io: DeploymentIO, d: Deployment, rsList: ReplicaSet[], podMap: PodMap): void {
  // Find without creating: nothing may scale up before the old pods are gone.
  let { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(io, d, rsList, false);
  let allRSs: MaybeRS[] = [...oldRSs, newRS];
  const activeOld = filterActiveReplicaSets(oldRSs);
  let scaledDown: boolean;
  try {
    scaledDown = scaleDownOldReplicaSetsForRecreate(io, activeOld, d);
  } catch (err) {
    throw withStatusSync(io, err, allRSs, newRS, d);
  }
  if (scaledDown) return syncRolloutStatus(io, allRSs, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(io, allRSs, newRS, d);
  if (!newRS) {
    ({ newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(io, d, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  try {
    scaleReplicaSetAndRecordEvent(io, newRS!, replicasOf(d), d);
  } catch (err) {
    throw withStatusSync(io, err, allRSs, newRS, d);
  }
  if (deploymentComplete(d, d.status ?? {})) cleanupDeployment(io, oldRSs, d);
  syncRolloutStatus(io, allRSs, newRS, d);
}

/** recreate.go scaleDownOldReplicaSetsForRecreate. */
export function scaleDownOldReplicaSetsForRecreate(io: DeploymentIO, oldRSs: ReplicaSet[], d: Deployment): boolean {
  let scaled = false;
  for (let i = 0; i < oldRSs.length; i++) {
    const rs = oldRSs[i]!;
    if (specReplicas(rs) === 0) continue;
    const result = scaleReplicaSetAndRecordEvent(io, rs, 0, d);
    if (result.scaled) {
      oldRSs[i] = result.rs;
      scaled = true;
    }
  }
  return scaled;
}

/**
 * recreate.go oldPodsRunning: old RSs still report pods, or a pod outside the new RS is in a
 * non-terminal phase (Pending, Running, Unknown or empty all count).
 */
export function oldPodsRunning(newRS: MaybeRS, oldRSs: ReplicaSet[], podMap: PodMap): boolean {
  if (getActualReplicaCount(oldRSs) > 0) return true;
  for (const [rsUid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === rsUid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}
