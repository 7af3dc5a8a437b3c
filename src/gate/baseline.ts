import type { WorkloadObservation } from '../cluster/port.js';
import type { Deployment } from '../k8s/objects.js';
import { observePreApply, type PreApplyObservation } from '../rollback/lastGood.js';

/** What a Deployment looked like before this run touched it. */
export interface Baseline {
  exists: boolean;
  deployment?: Deployment;
  generation?: number;
  revision?: number;
  paused: boolean;
  /** What the rollback planner needs to trust (or not) the previous revision. */
  preApply: PreApplyObservation;
}

/**
 * Records the pre-apply state of a Deployment. `current` is read just before the apply (its
 * generation is what this run's apply is compared with); `untouched`, when given, was read before
 * the run wrote anything (its lease), and decides whether the previous revision was fully available.
 */
export function recordBaseline(current: WorkloadObservation, untouched: WorkloadObservation = current): Baseline {
  const d = current.deployment;
  const preApply = observePreApply(untouched.deployment, untouched.replicaSets);
  return {
    exists: d !== undefined,
    deployment: d,
    generation: d?.metadata.generation,
    revision: preApply.revision,
    paused: d?.spec.paused === true,
    preApply,
  };
}
