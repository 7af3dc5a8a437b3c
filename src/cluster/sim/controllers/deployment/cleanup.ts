import { ApiError } from '../../../../k8s/apiError.js';
import type { Deployment, ReplicaSet } from '../../../../k8s/objects.js';
import type { DeploymentIO } from './io.js';
import { byRevision, specReplicas } from './replicaSetUtil.js';
import { hasRevisionHistoryLimit } from './status.js';

/**
 * sync.go cleanupDeployment: keep revisionHistoryLimit old RSs. Only the first `count − limit`
 * in revision order are looked at, and only fully scaled-down, observed, undeleted ones go.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/sync.go
 * Returns the deleted RSs.
 */
export function cleanupDeployment(io: DeploymentIO, oldRSs: ReplicaSet[], d: Deployment): ReplicaSet[] {
  if (!hasRevisionHistoryLimit(d)) return [];
  const cleanable = oldRSs.filter((rs) => rs && !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - d.spec.revisionHistoryLimit!;
  if (diff <= 0) return [];
  cleanable.sort(byRevision);
  const deleted: ReplicaSet[] = [];
  for (const rs of cleanable.slice(0, diff)) {
    // Skipped RSs are not replaced by later ones.
    if (
      (rs.status?.replicas ?? 0) !== 0 ||
      specReplicas(rs) !== 0 ||
      (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) ||
      rs.metadata.deletionTimestamp
    ) {
      continue;
    }
    try {
      io.deleteReplicaSet(rs);
      deleted.push(rs);
    } catch (err) {
      if (!ApiError.isNotFound(err)) throw err;
    }
  }
  return deleted;
}
