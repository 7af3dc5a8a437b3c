/**
 * The rollback questions each workload kind answers, as the judge's modules
 * (src/rollout/workloads/) answer the rollout ones: what it looked like before the apply, which
 * target and undo to send, what to record as last good after a success, which pods to replace once
 * the undo is in (a StatefulSet's forced rollback). The gate asks them by kind and knows no kind.
 */
import type { WorkloadKind } from '../k8s/workloadKinds.js';
import type { Pod, PodTemplateSpec } from '../k8s/objects.js';
import type { WorkloadSnapshot } from '../rollout/snapshot.js';
import { rolloutKindOf } from '../rollout/workloads/index.js';
import {
  lastGoodRecord,
  observePreApply,
  planRollback,
  type NoRollback,
  type PreApplyObservation,
  type RollbackPlan,
  type StoredLastGood,
} from './lastGood.js';
import {
  observePreApplyRevisions,
  planRevisionRollback,
  podsToReplace,
  revisionLastGoodRecord,
} from './revisionRollback.js';
import { PAUSED_UNDO_ERROR } from './undoPatch.js';

export interface RollbackKind {
  /** What the rollback planner needs to know of the workload before the apply. */
  observePreApply(snapshot: WorkloadSnapshot): PreApplyObservation;
  /** Why this workload cannot be rolled back now at all (a paused Deployment), before planning. */
  cannotRollBack(snapshot: WorkloadSnapshot): string | undefined;
  /** The target and the undo (a server-side apply configuration), or why none. */
  plan(snapshot: WorkloadSnapshot, before: PreApplyObservation | undefined): RollbackPlan | NoRollback;
  /** The record of the last good revision after a rollout the gate saw succeed. */
  lastGoodRecord(snapshot: WorkloadSnapshot): StoredLastGood | undefined;
  /** Pods to delete once the undo is in, so the controller can proceed (empty for most kinds). */
  podsToReplace(snapshot: WorkloadSnapshot, failed: PodTemplateSpec | undefined): Pod[];
}

const deployment: RollbackKind = {
  observePreApply: (s) => observePreApply(s.deployment, s.replicaSets),
  // A paused Deployment has no new ReplicaSet for its template: the planner would take the current
  // revision for the failing one and report "no good revision".
  cannotRollBack: (s) =>
    s.deployment?.spec.paused
      ? `deployment "${s.deployment.metadata.name ?? ''}" is paused, so it was not rolled back: ${PAUSED_UNDO_ERROR}`
      : undefined,
  plan: (s, before) => planRollback({ deployment: s.deployment, replicaSets: s.replicaSets, before }),
  lastGoodRecord: (s) => (s.deployment ? lastGoodRecord(s.deployment, s.replicaSets) : undefined),
  podsToReplace: () => [],
};

function revisionBacked(kind: WorkloadKind): RollbackKind {
  const module = rolloutKindOf(kind);
  return {
    observePreApply: (s) => observePreApplyRevisions(module, s),
    cannotRollBack: () => undefined,
    plan: (s, before) => planRevisionRollback(module, s, before),
    lastGoodRecord: (s) => revisionLastGoodRecord(module, s),
    podsToReplace: (s, failed) => podsToReplace(module, s, failed),
  };
}

const BY_KIND: Readonly<Record<WorkloadKind, RollbackKind>> = {
  Deployment: deployment,
  StatefulSet: revisionBacked('StatefulSet'),
  DaemonSet: revisionBacked('DaemonSet'),
};

/** The rollback answers of a workload kind. */
export function rollbackKindOf(kind: WorkloadKind): RollbackKind {
  return BY_KIND[kind];
}
