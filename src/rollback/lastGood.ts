/**
 * Choosing the rollback target and building the undo for it (README "Rolling back").
 *
 * The gate records what it saw good in the annotations of its Lease for the Deployment
 * (src/gate/lock.ts, recordLastGood.ts), never on the Deployment: a write there would bump its
 * generation, be copied into every ReplicaSet, and come back stale after a `kubectl rollout undo`
 * (which copies the ReplicaSet's annotations back). The record ({@link StoredLastGood}):
 * * `rollout-gate.dev/last-good-revision: "<revision>/<pod-template-hash>"`. The hash (and the
 *   template's content) identifies the ReplicaSet across renumbering (an undo moves revision N to
 *   max+1, https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/rollback.go); the number is for humans.
 * * `rollout-gate.dev/last-good-template`: the pod template (JSON, without the hash label), so a
 *   rollback works even with `revisionHistoryLimit: 0` or after the RS was garbage-collected.
 * * `rollout-gate.dev/deployment-uid`: whose record it is; a Deployment deleted and created again
 *   under the same name does not inherit it.
 * Versions before the Lease wrote the first two on the Deployment: those are read as a fallback.
 *
 * Target order: the newest revision the gate saw fully available. That is the revision current
 * before this run when it was fully available at the run's start (the gate saw it good just now,
 * whoever rolled it out: a person's `kubectl rollout undo` included); else the recorded last good
 * RS; else the stored template. A candidate whose template is the failing one (or whose hash the
 * caller knows is broken) is never chosen.
 */
import {
  Annotations,
  type DaemonSet,
  type Deployment,
  type PodTemplateSpec,
  type ReplicaSet,
  type StatefulSet,
} from '../k8s/objects.js';
import {
  controlledReplicaSets,
  findNewReplicaSet,
  replicaSetHash,
  revisionOf,
  templateImages,
  templatesEqualIgnoringHash,
  withoutHash,
} from '../rollout/revisions.js';
import { deploymentStatus } from '../rollout/statusViewer.js';
import { undoApplyConfiguration } from './undoApply.js';
import { PAUSED_UNDO_ERROR, undoAnnotations, undoTemplate } from './undoPatch.js';

/** What the gate records about a Deployment before it applies (pass to {@link planRollback}). */
export interface PreApplyObservation {
  existed: boolean;
  /** The revision that was current then. */
  revision?: number;
  /** `pod-template-hash` of the RS that was current then. */
  podTemplateHash?: string;
  /** The Deployment's template then (without the hash label). */
  template?: PodTemplateSpec;
  /** kubectl's success rule held then (all replicas updated, none old, all available, generation observed). */
  fullyAvailable: boolean;
  /** The gate's last-good record (from its Lease; else the legacy annotations on the Deployment). */
  lastGood?: StoredLastGood;
  /**
   * `pod-template-hash`es of older ReplicaSets that were still serving all their replicas then
   * (available = desired > 0), newest first: e.g. the old ReplicaSet a stuck rollout by someone else
   * never scaled down. Running and available right before this run is evidence they are good.
   */
  servingHashes?: string[];
}

/** Records the pre-apply state of a Deployment (undefined = it did not exist). */
export function observePreApply(deployment: Deployment | undefined, replicaSets: ReplicaSet[]): PreApplyObservation {
  if (!deployment) return { existed: false, fullyAvailable: false };
  const current = findNewReplicaSet(deployment, replicaSets);
  const observed = (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0);
  const status = deploymentStatus(deployment);
  const legacy = parseStoredLastGood(deployment.metadata.annotations);
  return {
    existed: true,
    revision: revisionOf(deployment),
    podTemplateHash: current ? hashOf(current) : undefined,
    template: withoutHash(deployment.spec.template),
    fullyAvailable: observed && status.done && !status.error && current !== undefined && !deployment.spec.paused,
    ...(legacy ? { lastGood: legacy } : {}),
    servingHashes: controlledReplicaSets(deployment, replicaSets)
      .filter((rs) => rs !== current && serving(rs) && hashOf(rs) !== undefined)
      .sort((a, b) => (revisionOf(b) ?? 0) - (revisionOf(a) ?? 0))
      .map((rs) => hashOf(rs)!),
  };
}

/** All of its desired replicas (at least one) available. */
function serving(rs: ReplicaSet): boolean {
  const desired = rs.spec.replicas ?? 0;
  return desired > 0 && (rs.status?.availableReplicas ?? 0) >= desired;
}

/** A parsed `last-good-revision` annotation. */
export interface LastGoodRecord {
  revision: number;
  podTemplateHash?: string;
}

/** Formats the annotation value: `"<revision>/<pod-template-hash>"` (or `"<revision>"`). */
export function formatLastGood(record: LastGoodRecord): string {
  return record.podTemplateHash ? `${record.revision}/${record.podTemplateHash}` : String(record.revision);
}

/** Parses the annotation value; undefined when absent or malformed. */
export function parseLastGood(value: string | undefined): LastGoodRecord | undefined {
  const match = value?.trim().match(/^(\d+)(?:\/([A-Za-z0-9]+))?$/);
  if (!match) return undefined;
  return match[2] ? { revision: Number(match[1]), podTemplateHash: match[2] } : { revision: Number(match[1]) };
}

/** Annotation naming the Deployment (by uid) a last-good record belongs to. */
export const LAST_GOOD_UID_ANNOTATION = 'rollout-gate.dev/deployment-uid';

/** The gate's record of the last template it saw fully available on a Deployment. */
export interface StoredLastGood extends LastGoodRecord {
  template?: PodTemplateSpec;
  /** metadata.uid of the Deployment it was recorded on. */
  deploymentUid?: string;
}

/**
 * The record to keep once a rollout succeeded: the new RS's revision, hash and template, and the
 * Deployment's uid. Undefined when the new RS cannot be identified.
 */
export function lastGoodRecord(deployment: Deployment, replicaSets: ReplicaSet[]): StoredLastGood | undefined {
  const rs = findNewReplicaSet(deployment, replicaSets);
  const revision = rs ? revisionOf(rs) : undefined;
  if (!rs || revision === undefined) return undefined;
  const hash = hashOf(rs);
  return {
    revision,
    ...(hash ? { podTemplateHash: hash } : {}),
    template: withoutHash(deployment.spec.template),
    ...(deployment.metadata.uid ? { deploymentUid: deployment.metadata.uid } : {}),
  };
}

/** The record as annotations (of the gate's Lease). */
export function lastGoodAnnotations(record: StoredLastGood): Record<string, string> {
  return {
    [Annotations.lastGoodRevision]: formatLastGood(record),
    ...(record.template ? { [Annotations.lastGoodTemplate]: JSON.stringify(record.template) } : {}),
    ...(record.deploymentUid ? { [LAST_GOOD_UID_ANNOTATION]: record.deploymentUid } : {}),
  };
}

/** Reads a record from annotations (the Lease's, or legacy ones on a Deployment); undefined when none. */
export function parseStoredLastGood(annotations: Record<string, string> | undefined): StoredLastGood | undefined {
  const record = parseLastGood(annotations?.[Annotations.lastGoodRevision]);
  const template = parseTemplate(annotations?.[Annotations.lastGoodTemplate]);
  if (!record && !template) return undefined;
  const uid = annotations?.[LAST_GOOD_UID_ANNOTATION];
  return {
    revision: record?.revision ?? 0,
    ...record,
    ...(template ? { template } : {}),
    ...(uid ? { deploymentUid: uid } : {}),
  };
}

/** Input of {@link planRollback}. */
export interface RollbackInput {
  /** The Deployment as it is now (after the failed rollout). */
  deployment: Deployment | undefined;
  replicaSets: ReplicaSet[];
  /** The pre-apply observation; without it the previous revision is never trusted. */
  before?: PreApplyObservation;
  /** `pod-template-hash`es known to be broken besides the failing one (e.g. from earlier runs). */
  brokenHashes?: string[];
}

/** Where the target came from. */
export type RollbackSource = 'last-good' | 'previous' | 'serving' | 'stored-template';

/** A rollback to send: kubectl's undo as a server-side apply under the gate's field manager. */
export interface RollbackPlan {
  kind: 'rollback';
  source: RollbackSource;
  /** The target RS's revision now (before the undo renumbers it); undefined for a stored template. */
  targetRevision?: number;
  targetReplicaSet?: string;
  /** The target ControllerRevision (a StatefulSet's or DaemonSet's). */
  targetControllerRevision?: string;
  template: PodTemplateSpec;
  /** kubectl's annotations after the undo (§2 step 11). */
  annotations: Record<string, string>;
  /**
   * The apply configuration to send with `force` (see undoApply.ts): the restored template, every
   * other field the gate applied at its live value, and the observed resourceVersion as a
   * precondition (409 Conflict when the Deployment changed since).
   */
  apply: Deployment | StatefulSet | DaemonSet;
  /** Send only if the workload still has this resourceVersion (it is in {@link apply}). */
  precondition: { resourceVersion: string };
  explanation: string;
}

/** Why no rollback is planned. */
export interface NoRollback {
  kind: 'none';
  reason: 'NotFound' | 'Paused' | 'NoGoodRevision' | 'AlreadyAtTarget';
  message: string;
}

/** Chooses the rollback target and builds the undo (see the module doc). */
export function planRollback(input: RollbackInput): RollbackPlan | NoRollback {
  const deployment = input.deployment;
  if (!deployment) {
    return {
      kind: 'none',
      reason: 'NotFound',
      message: 'the Deployment no longer exists; there is nothing to roll back',
    };
  }
  const name = deployment.metadata.name ?? '';
  const owned = controlledReplicaSets(deployment, input.replicaSets);
  const failing = findNewReplicaSet(deployment, input.replicaSets);
  const broken = new Set([...(input.brokenHashes ?? []), ...(failing && hashOf(failing) ? [hashOf(failing)!] : [])]);
  const usable = (template: PodTemplateSpec | undefined, hash?: string) =>
    template !== undefined &&
    !(hash && broken.has(hash)) &&
    !templatesEqualIgnoringHash(template, deployment.spec.template);

  type Candidate = { source: RollbackSource; rs?: ReplicaSet; template: PodTemplateSpec; why: string };
  let candidate: Candidate | undefined;
  const skipped: string[] = [];

  // What ran before this run, when the gate saw it fully available at the run's start: the newest
  // revision the gate saw good (newer than any record, e.g. after a person's `kubectl rollout undo`).
  const before = input.before;
  // (Said only when no other target is found: a record is the usual answer then.)
  const notAvailable =
    before?.existed && !before.fullyAvailable
      ? `the previous revision ${before.revision ?? '?'} was not fully available before this run`
      : undefined;
  if (before?.existed && before.fullyAvailable) {
    const rs = before.podTemplateHash ? owned.find((r) => hashOf(r) === before.podTemplateHash) : undefined;
    const template = rs ? undoTemplate(rs) : before.template;
    if (usable(template, before.podTemplateHash)) {
      candidate = {
        source: 'previous',
        rs,
        template: template!,
        why: `the previous revision ${before.revision ?? '?'}, fully available before this run`,
      };
    } else {
      skipped.push(`the previous revision ${before.revision ?? '?'} is the failing template`);
    }
  }
  // The record from the gate's Lease (in `before`), else legacy annotations on the Deployment;
  // one recorded on an earlier Deployment of the same name is not this one's.
  const stored = input.before?.lastGood ?? parseStoredLastGood(deployment.metadata.annotations);
  const foreign = stored?.deploymentUid !== undefined && stored.deploymentUid !== deployment.metadata.uid;
  if (stored && foreign) skipped.push('the recorded last good revision belongs to an earlier Deployment of that name');
  const kept = stored && !foreign ? stored : undefined;
  const record = kept && kept.revision > 0 ? (kept as LastGoodRecord) : undefined;
  if (record && !candidate) {
    // By hash, else by content (a record whose hash no RS carries), else (legacy, no hash) by number.
    const rs =
      (record.podTemplateHash ? owned.find((r) => hashOf(r) === record.podTemplateHash) : undefined) ??
      (kept?.template ? owned.find((r) => templatesEqualIgnoringHash(r.spec.template, kept.template!)) : undefined) ??
      (record.podTemplateHash ? undefined : owned.find((r) => revisionOf(r) === record.revision));
    if (rs && usable(rs.spec.template, hashOf(rs))) {
      candidate = {
        source: 'last-good',
        rs,
        template: undoTemplate(rs),
        why: `the last revision the gate saw fully available (recorded ${formatLastGood(record)})`,
      };
    } else {
      skipped.push(
        rs
          ? `the recorded last good revision ${formatLastGood(record)} is the failing template`
          : `the recorded last good revision ${formatLastGood(record)} has no ReplicaSet any more`,
      );
    }
  }
  if (!candidate && notAvailable) skipped.push(notAvailable);
  if (!candidate) {
    const template = kept?.template;
    if (template && usable(template)) {
      candidate = {
        source: 'stored-template',
        template: withoutHash(template),
        why: 'the template the gate stored when the last rollout succeeded',
      };
    } else if (template) {
      skipped.push('the stored last good template is the failing template');
    }
  }
  // Last resort: an older ReplicaSet still serving all its replicas before this run, when the gate
  // recorded nothing (e.g. a rollout by someone else, stuck before the gate's first run, left it running).
  for (const hash of before?.servingHashes ?? []) {
    if (candidate) break;
    const rs = owned.find((r) => hashOf(r) === hash);
    if (rs && usable(rs.spec.template, hash))
      candidate = {
        source: 'serving',
        rs,
        template: undoTemplate(rs),
        why: `revision ${revisionOf(rs) ?? '?'}, still serving all its replicas before this run`,
      };
  }
  if (!candidate) {
    const alreadyGood =
      record !== undefined && skipped.length > 0 && skipped.every((s) => s.includes('failing template'));
    return {
      kind: 'none',
      reason: alreadyGood ? 'AlreadyAtTarget' : 'NoGoodRevision',
      message: alreadyGood
        ? `deployment "${name}" already runs the last good template; a rollback would change nothing`
        : `no known good revision of deployment "${name}" to roll back to` +
          (skipped.length ? ` (${skipped.join('; ')})` : ''),
    };
  }
  if (deployment.spec.paused) return { kind: 'none', reason: 'Paused', message: PAUSED_UNDO_ERROR };

  const annotations = candidate.rs
    ? undoAnnotations(deployment, candidate.rs)
    : { ...(deployment.metadata.annotations ?? {}) };
  // The RS carries copies of the gate's annotations from when it was last synced, possibly stale:
  // keep the Deployment's (kubectl would take the RS's, §2 step 11).
  for (const key of [Annotations.lastGoodRevision, Annotations.lastGoodTemplate]) {
    const own = deployment.metadata.annotations?.[key];
    if (own === undefined) delete annotations[key];
    else annotations[key] = own;
  }
  const targetRevision = candidate.rs ? revisionOf(candidate.rs) : undefined;
  const images = templateImages(candidate.template).join(', ');
  const target = candidate.rs
    ? `${images ? `${images}, ` : ''}the template of revision ${targetRevision ?? '?'} (ReplicaSet ${candidate.rs.metadata.name ?? ''})`
    : `${images ? `${images}, ` : ''}the stored template`;
  return {
    kind: 'rollback',
    source: candidate.source,
    targetRevision,
    targetReplicaSet: candidate.rs?.metadata.name,
    template: candidate.template,
    annotations,
    apply: undoApplyConfiguration(deployment, candidate.template, annotations),
    precondition: { resourceVersion: deployment.metadata.resourceVersion ?? '' },
    explanation:
      `rolling deployment "${name}" back to ${target}: ${candidate.why}` +
      (skipped.length ? `; skipped: ${skipped.join('; ')}` : ''),
  };
}

const hashOf = replicaSetHash;

function parseTemplate(value: string | undefined): PodTemplateSpec | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as PodTemplateSpec) : undefined;
  } catch {
    return undefined;
  }
}
