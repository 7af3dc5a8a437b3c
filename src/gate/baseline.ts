import { Annotations, type Deployment, type ReplicaSet } from '../k8s/objects.js';
import type { WorkloadObservation } from '../cluster/port.js';

/** What a Deployment looked like before this run touched it. */
export interface Baseline {
  exists: boolean;
  deployment?: Deployment;
  replicaSets: ReplicaSet[];
  revision?: number;
  generation?: number;
  /**
   * The revision that was fully rolled out and available before the run (kubectl's success
   * rule on the stored status), or undefined. Only such a revision may serve as the fallback
   * rollback target (design.md §4).
   */
  fullyAvailableRevision?: number;
  paused: boolean;
}

/** Records the pre-apply state of a Deployment from one observation. */
export function recordBaseline(observation: WorkloadObservation): Baseline {
  const d = observation.deployment;
  if (!d) return { exists: false, replicaSets: [], paused: false };
  const revision = parseRevision(d.metadata.annotations?.[Annotations.revision]);
  return {
    exists: true,
    deployment: d,
    replicaSets: observation.replicaSets,
    revision,
    generation: d.metadata.generation,
    fullyAvailableRevision: isFullyAvailable(d) ? revision : undefined,
    paused: d.spec.paused === true,
  };
}

/**
 * kubectl's success rule (rollout_status.go) applied to a stored Deployment: generation observed,
 * every replica updated, no old replicas, all updated replicas available, and not timed out.
 */
export function isFullyAvailable(d: Deployment): boolean {
  const status = d.status ?? {};
  const wanted = d.spec.replicas ?? 1;
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  return (
    (d.metadata.generation ?? 0) <= (status.observedGeneration ?? 0) &&
    progressing?.reason !== 'ProgressDeadlineExceeded' &&
    (status.updatedReplicas ?? 0) >= wanted &&
    (status.replicas ?? 0) <= (status.updatedReplicas ?? 0) &&
    (status.availableReplicas ?? 0) >= (status.updatedReplicas ?? 0)
  );
}

export function parseRevision(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
