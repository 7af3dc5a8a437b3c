import type { Deployment, IntOrString } from '../../../../k8s/objects.js';
import { getScaledValueFromIntOrPercent } from './intOrPercent.js';

// Rules from deployment_util.go (ResolveFenceposts, MaxUnavailable, MinAvailable, MaxSurge):
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/util/deployment_util.go

export interface Fenceposts {
  surge: number;
  unavailable: number;
  /** Set when a value is not an int or a percent; surge and unavailable are then 0. */
  error?: Error;
}

/** deployment_util.go ResolveFenceposts: nil counts as 0; both 0 → unavailable 1. */
export function resolveFenceposts(
  maxSurge: IntOrString | null | undefined,
  maxUnavailable: IntOrString | null | undefined,
  desired: number,
): Fenceposts {
  let surge: number;
  let unavailable: number;
  try {
    surge = getScaledValueFromIntOrPercent(maxSurge ?? 0, desired, true);
    unavailable = getScaledValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  } catch (err) {
    return { surge: 0, unavailable: 0, error: err as Error };
  }
  if (surge === 0 && unavailable === 0) {
    // Validation rejects 0/0, but percentages can round down to 0: allow one unavailable pod so the
    // rollout can make progress.
    unavailable = 1;
  }
  return { surge, unavailable };
}

export function isRollingUpdate(d: Deployment): boolean {
  return d.spec.strategy?.type === 'RollingUpdate';
}

export function replicasOf(d: Deployment): number {
  return d.spec.replicas ?? 1;
}

/** deployment_util.go MaxUnavailable: 0 unless RollingUpdate with replicas > 0; clamped to replicas. */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d));
  return Math.min(unavailable, replicasOf(d));
}

/** deployment_util.go MinAvailable. */
export function minAvailable(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  return replicasOf(d) - maxUnavailable(d);
}

/** deployment_util.go MaxSurge: never clamped. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d)).surge;
}
