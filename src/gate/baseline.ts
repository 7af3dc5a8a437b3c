import type { WorkloadObservation, WorkloadRef } from '../cluster/port.js';
import type { Deployment } from '../k8s/objects.js';
import { workloadKindOf } from '../k8s/workloadKinds.js';
import type { PreApplyObservation } from '../rollback/lastGood.js';
import { rollbackKindOf } from '../rollback/rollbackKinds.js';
import { restartBaselineOf, type RestartBaseline } from '../rollout/restarts.js';
import { templatesEqualIgnoringHash } from '../rollout/revisions.js';
import { rolloutKindOf } from '../rollout/workloads/index.js';
import type { RolledOut } from '../rollout/workloads/rolloutKind.js';

/** What a workload looked like before this run touched it. */
export interface Baseline {
  exists: boolean;
  /** The workload (of any kind). */
  workload?: RolledOut;
  /** The same object, when it is a Deployment. */
  deployment?: Deployment;
  generation?: number;
  revision?: number;
  paused: boolean;
  /** What the rollback planner needs to trust (or not) the previous revision. */
  preApply: PreApplyObservation;
  /** Restart counts of its pods just before the apply: the judge counts restarts from here. */
  restarts: RestartBaseline;
}

/**
 * Records the pre-apply state of a workload, read just before the apply: its template is what
 * this run's apply is compared with, its pods' restarts are the judge's baseline, and it decides
 * whether the previous revision was fully available. (The gate's own writes before the apply go
 * to its Lease, never to the workload, so nothing of this run's is in it.)
 */
export function recordBaseline(current: WorkloadObservation, ref: WorkloadRef): Baseline {
  const kind = rolloutKindOf(workloadKindOf(ref));
  const workload = kind.object(current);
  const d = current.deployment;
  const preApply = rollbackKindOf(kind.kind).observePreApply(current);
  return {
    exists: workload !== undefined,
    ...(workload ? { workload } : {}),
    deployment: d,
    generation: workload?.metadata.generation,
    revision: preApply.revision,
    paused: d?.spec.paused === true,
    preApply,
    restarts: restartBaselineOf(current.pods),
  };
}

/**
 * Whether the apply changed the workload, README "What the gate judges": "changed" means a new pod template
 * (semantic equality ignoring `pod-template-hash`, the controller's EqualIgnoreHash), never merely
 * a new generation. A real API server bumps the generation on any spec or annotation change
 * (pkg/registry/apps/deployment/strategy.go PrepareForUpdate): a change-cause, a replicas-only
 * change, or the gate's own bookkeeping would otherwise look like a new revision. A workload
 * this run created is changed; one it did not apply (cancelled before its document) is not.
 */
export function changedByApply(baseline: Baseline, stored: RolledOut | undefined): boolean {
  if (!stored) return false;
  return !baseline.exists || !templatesEqualIgnoringHash(stored.spec.template, baseline.workload?.spec.template);
}
