import type { Deployment, ReplicaSet } from '../../../../k8s/objects.js';
import { replicasOf } from './fenceposts.js';
import { getScaledValueFromIntOrPercent } from './intOrPercent.js';
import { type MaybeRS, getReplicaCount, specReplicas } from './replicaSetUtil.js';

/**
 * deployment_util.go NewRSNewReplicas: how big the new RS may be now. RollingUpdate uses the raw
 * surge (no fencepost) and never goes past replicas + surge in total nor past replicas for the
 * new RS; Recreate jumps to replicas.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/util/deployment_util.go
 */
export function newRSNewReplicas(d: Deployment, allRSs: MaybeRS[], newRS: ReplicaSet): number {
  const type = d.spec.strategy?.type;
  if (type === 'Recreate') return replicasOf(d);
  if (type !== 'RollingUpdate') throw new Error(`deployment type ${type} isn't supported`);
  const surge = getScaledValueFromIntOrPercent(d.spec.strategy?.rollingUpdate?.maxSurge, replicasOf(d), true);
  const current = getReplicaCount(allRSs);
  const maxTotal = replicasOf(d) + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  const scaleUp = Math.min(maxTotal - current, replicasOf(d) - specReplicas(newRS));
  return specReplicas(newRS) + scaleUp;
}
