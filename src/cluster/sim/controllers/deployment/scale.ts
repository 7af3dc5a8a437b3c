import { clone } from '../../../../k8s/meta.js';
import type { Deployment, ReplicaSet } from '../../../../k8s/objects.js';
import { isRollingUpdate, maxSurge, replicasOf } from './fenceposts.js';
import type { DeploymentIO } from './io.js';
import {
  type MaybeRS,
  byCreationTimestamp,
  bySizeNewer,
  bySizeOlder,
  filterActiveReplicaSets,
  getMaxReplicasAnnotation,
  getReplicaCount,
  isSaturated,
  replicasAnnotationsNeedUpdate,
  setReplicasAnnotations,
  specReplicas,
} from './replicaSetUtil.js';

// Scaling from sync.go (scale, scaleReplicaSet, scaleReplicaSetAndRecordEvent) and
// deployment_util.go (FindActiveOrLatest, GetReplicaSetProportion, getReplicaSetFraction):
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/sync.go
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/util/deployment_util.go

export interface ScaleResult {
  scaled: boolean;
  rs: ReplicaSet;
}

/**
 * sync.go scaleReplicaSet: writes the size and the desired/max annotations when either differs;
 * records `Scaled <up|down> replica set <rs> to <new> from <old>` when the size changed.
 */
export function scaleReplicaSet(io: DeploymentIO, rs: ReplicaSet, newScale: number, d: Deployment): ScaleResult {
  const desired = replicasOf(d);
  const max = desired + maxSurge(d);
  const sizeNeedsUpdate = specReplicas(rs) !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs.metadata.annotations, desired, max))
    return { scaled: false, rs };
  const oldScale = specReplicas(rs);
  const copy = clone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const updated = io.updateReplicaSet(copy);
  if (!sizeNeedsUpdate) return { scaled: false, rs: updated };
  const operation = oldScale < newScale ? 'up' : 'down';
  io.event(
    d,
    'Normal',
    'ScalingReplicaSet',
    `Scaled ${operation} replica set ${updated.metadata.name} to ${newScale} from ${oldScale}`,
  );
  return { scaled: true, rs: updated };
}

/** sync.go scaleReplicaSetAndRecordEvent: nothing at all (not even annotations) when the size is equal. */
export function scaleReplicaSetAndRecordEvent(
  io: DeploymentIO,
  rs: ReplicaSet,
  newScale: number,
  d: Deployment,
): ScaleResult {
  if (specReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(io, rs, newScale, d);
}

/** deployment_util.go FindActiveOrLatest: the single active RS, or the newest when none is active. */
export function findActiveOrLatest(newRS: MaybeRS, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActiveReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/**
 * deployment_util.go getReplicaSetFraction: how much this RS grows or shrinks when the Deployment
 * goes from the size recorded in the RS's max-replicas annotation to its current size.
 */
export function getReplicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -specReplicas(rs);
  const deploymentMaxReplicas = replicasOf(d) + maxSurge(d);
  const annotated = getMaxReplicasAnnotation(rs);
  let maxBeforeScale = annotated.value;
  if (!annotated.valid || maxBeforeScale === 0) {
    // PR #128535: fall back to the current size; with none known, do not scale this RS.
    maxBeforeScale = d.status?.replicas ?? 0;
    if (maxBeforeScale === 0) return 0;
  }
  const newSize = (specReplicas(rs) * deploymentMaxReplicas) / maxBeforeScale;
  return roundToInt32(newSize) - specReplicas(rs);
}

/** k8s.io/utils/integer.RoundToInt32: half away from zero. */
function roundToInt32(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** deployment_util.go GetReplicaSetProportion: the fraction, bounded by what is left to add or remove. */
export function getReplicaSetProportion(rs: MaybeRS, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = getReplicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * sync.go scale: resize for a scaling event or a paused Deployment. A single active RS takes the
 * whole size; a saturated new RS drains the old ones; otherwise (RollingUpdate only) the change
 * is spread proportionally, the leftover going to the largest RS.
 */
export function scale(io: DeploymentIO, d: Deployment, newRS: MaybeRS, oldRSs: ReplicaSet[]): void {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (specReplicas(activeOrLatest) === replicasOf(d)) return;
    scaleReplicaSetAndRecordEvent(io, activeOrLatest, replicasOf(d), d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActiveReplicaSets(oldRSs)) scaleReplicaSetAndRecordEvent(io, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const allRSs = filterActiveReplicaSets([...oldRSs, newRS]);
  const current = getReplicaCount(allRSs);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - current;
  // Scaling up favours newer RSs of equal size, scaling down removes from older ones first.
  if (toAdd > 0) allRSs.sort(bySizeNewer);
  else if (toAdd < 0) allRSs.sort(bySizeOlder);
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of allRSs) {
    if (toAdd !== 0) {
      const proportion = getReplicaSetProportion(rs, d, toAdd, added);
      sizes.set(rs, specReplicas(rs) + proportion);
      added += proportion;
    } else {
      sizes.set(rs, specReplicas(rs));
    }
  }
  allRSs.forEach((rs, i) => {
    if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added));
    // scaleReplicaSet (not ...AndRecordEvent): refreshes desired/max annotations even when the size stays.
    scaleReplicaSet(io, rs, sizes.get(rs)!, d);
  });
}
