/**
 * Rolling a StatefulSet or DaemonSet back (issue 11): the same target order as a Deployment's
 * (lastGood.ts) over its ControllerRevisions instead of ReplicaSets: the template that ran before
 * this run when the gate saw it fully rolled out at the run's start, else the gate's recorded last
 * good template (identified by the revision's hash across renumbering). The undo is kubectl's
 * (polymorphichelpers/rollback.go StatefulSetRollbacker / DaemonSetRollbacker: the revision's
 * template replaces the workload's) written as a server-side apply under the gate's own field
 * manager with the observed resourceVersion as a precondition, as for Deployments (undoApply.ts).
 *
 * A StatefulSet rolling update waits for each updated pod to be Running and Ready before the next;
 * a pod of the bad revision that never becomes Ready blocks it forever, even after the template is
 * restored (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#forced-rollback,
 * kubernetes#67250). {@link podsToReplace} names those pods: the gate deletes them after the undo
 * so the controller recreates them from the restored revision.
 */
import { CONTROLLER_REVISION_HASH_LABEL, POD_REVISION_LABEL, templateOfRevision } from '../k8s/controllerRevision.js';
import { controllerOf } from '../k8s/meta.js';
import type { ControllerRevision, DaemonSet, Pod, PodTemplateSpec, StatefulSet } from '../k8s/objects.js';
import { templateImages, templatesEqualIgnoringHash, withoutHash } from '../rollout/revisions.js';
import type { WorkloadSnapshot } from '../rollout/snapshot.js';
import { revisionWithTemplate } from '../rollout/workloads/controllerRevisions.js';
import type { RolloutKind } from '../rollout/workloads/rolloutKind.js';
import {
  formatLastGood,
  type NoRollback,
  type PreApplyObservation,
  type RollbackPlan,
  type StoredLastGood,
} from './lastGood.js';
import { undoApplyConfiguration } from './undoApply.js';

type Kind = RolloutKind<WorkloadSnapshot>;

function hashOf(revision: ControllerRevision | undefined): string | undefined {
  const labels = revision?.metadata.labels ?? {};
  return labels[CONTROLLER_REVISION_HASH_LABEL] ?? labels[POD_REVISION_LABEL];
}

/** Records the pre-apply state of a StatefulSet or DaemonSet (as observePreApply does for a Deployment). */
export function observePreApplyRevisions(kind: Kind, snapshot: WorkloadSnapshot): PreApplyObservation {
  const workload = kind.object(snapshot);
  if (!workload) return { existed: false, fullyAvailable: false };
  const current = revisionWithTemplate(workload, snapshot.revisions ?? [], workload.spec.template);
  // kubectl's viewer refuses OnDelete; fully rolled out is then the same counts a RollingUpdate shows.
  const strategy = (workload.spec as { updateStrategy?: { type?: string } }).updateStrategy;
  const viewed: WorkloadSnapshot =
    strategy?.type === 'OnDelete'
      ? {
          ...snapshot,
          workload: { ...workload, spec: { ...workload.spec, updateStrategy: { type: 'RollingUpdate' } } } as
            StatefulSet | DaemonSet,
        }
      : snapshot;
  const status = kind.status(viewed, { appliedAt: 0 });
  return {
    existed: true,
    revision: current?.revision,
    podTemplateHash: hashOf(current),
    template: withoutHash(workload.spec.template),
    fullyAvailable:
      current !== undefined && kind.observed(snapshot, { appliedAt: 0 }) && status?.done === true && !status.error,
  };
}

/** The record to keep once a rollout succeeded: the current revision's number, hash and template. */
export function revisionLastGoodRecord(kind: Kind, snapshot: WorkloadSnapshot): StoredLastGood | undefined {
  const workload = kind.object(snapshot);
  if (!workload) return undefined;
  const current = revisionWithTemplate(workload, snapshot.revisions ?? [], workload.spec.template);
  if (!current) return undefined;
  const hash = hashOf(current);
  return {
    revision: current.revision,
    ...(hash ? { podTemplateHash: hash } : {}),
    template: withoutHash(workload.spec.template),
    ...(workload.metadata.uid ? { deploymentUid: workload.metadata.uid } : {}),
  };
}

/** Chooses the target among the workload's revisions and builds the undo (see the module doc). */
export function planRevisionRollback(
  kind: Kind,
  snapshot: WorkloadSnapshot,
  before: PreApplyObservation | undefined,
): RollbackPlan | NoRollback {
  const workload = kind.object(snapshot);
  const label = `${kind.kind.toLowerCase()} "${workload?.metadata.name ?? ''}"`;
  if (!workload)
    return {
      kind: 'none',
      reason: 'NotFound',
      message: `the ${kind.kind} no longer exists; there is nothing to roll back`,
    };
  const revisions = snapshot.revisions ?? [];
  const usable = (template: PodTemplateSpec | undefined): template is PodTemplateSpec =>
    template !== undefined && !templatesEqualIgnoringHash(template, workload.spec.template);
  const skipped: string[] = [];
  let target: { template: PodTemplateSpec; source: RollbackPlan['source']; why: string } | undefined;

  if (before?.existed && before.fullyAvailable) {
    if (usable(before.template))
      target = {
        template: before.template,
        source: 'previous',
        why: `the previous revision ${before.revision ?? '?'}, fully rolled out before this run`,
      };
    else skipped.push(`the previous revision ${before.revision ?? '?'} is the failing template`);
  }
  const stored = before?.lastGood;
  const foreign = stored?.deploymentUid !== undefined && stored.deploymentUid !== workload.metadata.uid;
  if (stored && foreign)
    skipped.push(`the recorded last good revision belongs to an earlier ${kind.kind} of that name`);
  if (!target && stored && !foreign) {
    const byHash = stored.podTemplateHash
      ? revisions.find((r) => controllerOf(r)?.uid === workload.metadata.uid && hashOf(r) === stored.podTemplateHash)
      : undefined;
    const template = stored.template ?? (byHash ? templateOfRevision(byHash) : undefined);
    if (usable(template))
      target = {
        template: withoutHash(template),
        source: 'last-good',
        why: `the last revision the gate saw fully rolled out (recorded ${formatLastGood(stored)})`,
      };
    else if (template)
      skipped.push(`the recorded last good revision ${formatLastGood(stored)} is the failing template`);
  }
  if (!target && before?.existed && !before.fullyAvailable)
    skipped.push(`the previous revision ${before.revision ?? '?'} was not fully rolled out before this run`);
  if (!target) {
    const alreadyGood = skipped.length > 0 && skipped.every((s) => s.includes('failing template'));
    return {
      kind: 'none',
      reason: alreadyGood ? 'AlreadyAtTarget' : 'NoGoodRevision',
      message: alreadyGood
        ? `${label} already runs the last good template; a rollback would change nothing`
        : `no known good revision of ${label} to roll back to` + (skipped.length ? ` (${skipped.join('; ')})` : ''),
    };
  }
  const revision = revisionWithTemplate(workload, revisions, target.template);
  const images = templateImages(target.template).join(', ');
  const where = revision
    ? `${images ? `${images}, ` : ''}the template of revision ${revision.revision} (ControllerRevision ${revision.metadata.name ?? ''})`
    : `${images ? `${images}, ` : ''}the stored template`;
  // kubectl's undo changes only the template: the workload's annotations stay as they are.
  const annotations = { ...(workload.metadata.annotations ?? {}) };
  return {
    kind: 'rollback',
    source: target.source,
    ...(revision ? { targetRevision: revision.revision, targetControllerRevision: revision.metadata.name } : {}),
    template: target.template,
    annotations,
    apply: undoApplyConfiguration(workload as StatefulSet | DaemonSet, target.template, annotations),
    precondition: { resourceVersion: workload.metadata.resourceVersion ?? '' },
    explanation:
      `rolling ${label} back to ${where}: ${target.why}` + (skipped.length ? `; skipped: ${skipped.join('; ')}` : ''),
  };
}

/**
 * The StatefulSet pods stuck on the failed revision after its template was restored: not Ready,
 * and labelled with a revision whose template is `failed` (see the module doc). A DaemonSet's
 * controller replaces such pods itself; nothing to do for it.
 */
export function podsToReplace(kind: Kind, snapshot: WorkloadSnapshot, failed: PodTemplateSpec | undefined): Pod[] {
  const workload = kind.object(snapshot);
  if (kind.kind !== 'StatefulSet' || !workload || !failed) return [];
  const bad = new Set(
    (snapshot.revisions ?? [])
      .filter(
        (r) =>
          controllerOf(r)?.uid === workload.metadata.uid && templatesEqualIgnoringHash(templateOfRevision(r), failed),
      )
      .map((r) => r.metadata.name),
  );
  return snapshot.pods.filter(
    (p) =>
      controllerOf(p)?.uid === workload.metadata.uid &&
      bad.has(p.metadata.labels?.[POD_REVISION_LABEL]) &&
      !p.metadata.deletionTimestamp &&
      !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
}
