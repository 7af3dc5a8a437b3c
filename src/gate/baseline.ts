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

/** Records the pre-apply state of a Deployment from one observation. */
export function recordBaseline(observation: WorkloadObservation): Baseline {
  const d = observation.deployment;
  const preApply = observePreApply(d, observation.replicaSets);
  return {
    exists: d !== undefined,
    deployment: d,
    generation: d?.metadata.generation,
    revision: preApply.revision,
    paused: d?.spec.paused === true,
    preApply,
  };
}
