/**
 * Choosing the rollback target and building the undo for it (design.md §4 "Rolling back").
 *
 * The gate records what it saw good on the Deployment itself, in two annotations written after a
 * successful rollout ({@link lastGoodAnnotations}):
 * * `rollout-gate.dev/last-good-revision: "<revision>/<pod-template-hash>"`. The hash identifies the
 *   ReplicaSet across renumbering (an undo moves revision N to max+1, spec/kubectl-rollout.md §2);
 *   the number is for humans and for values written without a hash (`"<revision>"`).
 * * `rollout-gate.dev/last-good-template`: the pod template (JSON, without the hash label), so a
 *   rollback works even with `revisionHistoryLimit: 0` or after the RS was garbage-collected.
 *
 * Target order: the recorded last good RS; else the revision that was current before this run,
 * only if it was fully available then; else the stored template. A candidate whose template is
 * the failing one (or whose hash the caller knows is broken) is never chosen.
 */
import { Annotations, Labels, type Deployment, type PodTemplateSpec, type ReplicaSet } from '../k8s/objects.js';
import {
  controlledReplicaSets,
  findNewReplicaSet,
  revisionOf,
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
}

/** Records the pre-apply state of a Deployment (undefined = it did not exist). */
export function observePreApply(deployment: Deployment | undefined, replicaSets: ReplicaSet[]): PreApplyObservation {
  if (!deployment) return { existed: false, fullyAvailable: false };
  const current = findNewReplicaSet(deployment, replicaSets);
  const observed = (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0);
  const status = deploymentStatus(deployment);
  return {
    existed: true,
    revision: revisionOf(deployment),
    podTemplateHash: current ? hashOf(current) : undefined,
    template: withoutHash(deployment.spec.template),
    fullyAvailable: observed && status.done && !status.error && current !== undefined && !deployment.spec.paused,
  };
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

/**
 * The annotations to write on the Deployment once its rollout succeeded: the new RS's revision and
 * hash, and the template. Undefined when the new RS cannot be identified.
 */
export function lastGoodAnnotations(
  deployment: Deployment,
  replicaSets: ReplicaSet[],
): Record<string, string> | undefined {
  const rs = findNewReplicaSet(deployment, replicaSets);
  const revision = rs ? revisionOf(rs) : undefined;
  if (!rs || revision === undefined) return undefined;
  return {
    [Annotations.lastGoodRevision]: formatLastGood({ revision, podTemplateHash: hashOf(rs) }),
    [Annotations.lastGoodTemplate]: JSON.stringify(withoutHash(deployment.spec.template)),
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
export type RollbackSource = 'last-good' | 'previous' | 'stored-template';

/** A rollback to send: kubectl's undo as a server-side apply under the gate's field manager. */
export interface RollbackPlan {
  kind: 'rollback';
  source: RollbackSource;
  /** The target RS's revision now (before the undo renumbers it); undefined for a stored template. */
  targetRevision?: number;
  targetReplicaSet?: string;
  template: PodTemplateSpec;
  /** kubectl's annotations after the undo (§2 step 11). */
  annotations: Record<string, string>;
  /**
   * The apply configuration to send with `force` (see undoApply.ts): the restored template, every
   * other field the gate applied at its live value, and the observed resourceVersion as a
   * precondition (409 Conflict when the Deployment changed since).
   */
  apply: Deployment;
  /** Send only if the Deployment still has this resourceVersion (it is in {@link apply}). */
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

  const record = parseLastGood(deployment.metadata.annotations?.[Annotations.lastGoodRevision]);
  if (record) {
    const rs = record.podTemplateHash
      ? owned.find((r) => hashOf(r) === record.podTemplateHash)
      : owned.find((r) => revisionOf(r) === record.revision);
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
  const before = input.before;
  if (!candidate && before?.existed) {
    if (!before.fullyAvailable) {
      skipped.push(`the previous revision ${before.revision ?? '?'} was not fully available before this run`);
    } else {
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
  }
  if (!candidate) {
    const stored = parseTemplate(deployment.metadata.annotations?.[Annotations.lastGoodTemplate]);
    if (stored && usable(stored)) {
      candidate = {
        source: 'stored-template',
        template: withoutHash(stored),
        why: 'the template the gate stored when the last rollout succeeded',
      };
    } else if (stored) {
      skipped.push('the stored last good template is the failing template');
    }
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
  const target = candidate.rs
    ? `revision ${targetRevision ?? '?'} (ReplicaSet ${candidate.rs.metadata.name ?? ''})`
    : 'the stored template';
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

function hashOf(rs: ReplicaSet): string | undefined {
  return rs.metadata.labels?.[Labels.podTemplateHash] ?? rs.spec.template.metadata?.labels?.[Labels.podTemplateHash];
}

function parseTemplate(value: string | undefined): PodTemplateSpec | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as PodTemplateSpec) : undefined;
  } catch {
    return undefined;
  }
}
