/**
 * `kubectl rollout undo` for Deployments, as pure functions (https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/rollback.go; kubectl
 * `pkg/polymorphichelpers/rollback.go` DeploymentRollbacker): kubectl's own target choice,
 * annotation rule and JSON patch, byte for byte. The gate takes the template and annotation rule
 * from here but sends its undo as a server-side apply (undoApply.ts): a JSON patch would be an
 * `Update` entry in managedFields that its next deploy conflicts with.
 */
import {
  DEPLOYMENT_BOOKKEEPING_ANNOTATIONS,
  type Deployment,
  type PodTemplateSpec,
  type ReplicaSet,
} from '../k8s/objects.js';
import { controlledReplicaSets, revisionOf, templatesEqualIgnoringHash, withoutHash } from '../rollout/revisions.js';
import { goTemplate } from '../k8s/goJson.js';

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'replace' | 'add' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

/** The content type of the undo patch. */
export const JSON_PATCH = 'application/json-patch+json';

/** Deployment annotations kubectl keeps on undo (§2 step 11); every other one comes from the RS. */
export const UNDO_KEPT_ANNOTATIONS: ReadonlySet<string> = DEPLOYMENT_BOOKKEEPING_ANNOTATIONS;

/** kubectl's paused refusal (§2 step 8). */
export const PAUSED_UNDO_ERROR =
  "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again";

/** The template to restore: the target RS's template minus `pod-template-hash` (§2 step 10). */
export function undoTemplate(target: ReplicaSet): PodTemplateSpec {
  return withoutHash(target.spec.template);
}

/** The annotations after undo (§2 step 11): the kept Deployment keys plus every other RS annotation. */
export function undoAnnotations(deployment: Deployment, target: ReplicaSet): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(deployment.metadata.annotations ?? {})) {
    if (UNDO_KEPT_ANNOTATIONS.has(key)) result[key] = value;
  }
  for (const [key, value] of Object.entries(target.metadata.annotations ?? {})) {
    if (!UNDO_KEPT_ANNOTATIONS.has(key)) result[key] = value;
  }
  return result;
}

/** The JSON patch of §2 step 12, both as operations and as kubectl's exact bytes. */
export function undoPatch(
  template: PodTemplateSpec,
  annotations: Record<string, string>,
): { patchType: typeof JSON_PATCH; ops: JsonPatchOp[]; patch: string } {
  const ops: JsonPatchOp[] = [
    { op: 'replace', path: '/spec/template', value: goTemplate(template) },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
  return { patchType: JSON_PATCH, ops, patch: JSON.stringify(ops) };
}

/** The result of kubectl's undo logic on one Deployment. */
export type UndoResult =
  | { kind: 'error'; error: string }
  | { kind: 'skipped'; operation: string }
  | {
      kind: 'patch';
      target: ReplicaSet;
      targetRevision: number;
      template: PodTemplateSpec;
      annotations: Record<string, string>;
      patchType: typeof JSON_PATCH;
      ops: JsonPatchOp[];
      patch: string;
    };

/**
 * The target RS of `--to-revision` (§2 step 6): revision N, or the second-highest revision when 0.
 * Returns kubectl's error text when there is none.
 */
export function selectUndoTarget(
  deployment: Deployment,
  replicaSets: ReplicaSet[],
  toRevision: number,
): { target: ReplicaSet; revision: number } | { error: string } {
  if (toRevision < 0) return { error: `unable to find specified revision ${toRevision} in history` };
  const withRevision = controlledReplicaSets(deployment, replicaSets)
    .map((rs) => ({ rs, revision: revisionOf(rs) }))
    .filter((x): x is { rs: ReplicaSet; revision: number } => x.revision !== undefined);
  if (toRevision > 0) {
    const found = withRevision.find((x) => x.revision === toRevision);
    return found
      ? { target: found.rs, revision: found.revision }
      : { error: `unable to find specified revision ${toRevision} in history` };
  }
  // kubectl tracks max and second max in one pass over the list (ties keep the first seen).
  let max: { rs: ReplicaSet; revision: number } | undefined;
  let second: { rs: ReplicaSet; revision: number } | undefined;
  for (const x of withRevision) {
    if (!max || x.revision > max.revision) {
      second = max;
      max = x;
    } else if (!second || x.revision > second.revision) {
      second = x;
    }
  }
  if (!second) return { error: `no rollout history found for deployment "${deployment.metadata.name ?? ''}"` };
  return { target: second.rs, revision: second.revision };
}

/**
 * kubectl's undo decision for a Deployment (§2 steps 3–12, without the dry-run printing): an
 * error, a skipped rollback, or the patch to send.
 */
export function kubectlUndo(deployment: Deployment, replicaSets: ReplicaSet[], toRevision = 0): UndoResult {
  const selected = selectUndoTarget(deployment, replicaSets, toRevision);
  if ('error' in selected) return { kind: 'error', error: selected.error };
  if (deployment.spec.paused) return { kind: 'error', error: PAUSED_UNDO_ERROR };
  if (templatesEqualIgnoringHash(selected.target.spec.template, deployment.spec.template)) {
    return { kind: 'skipped', operation: `skipped rollback (current template already matches revision ${toRevision})` };
  }
  const template = undoTemplate(selected.target);
  const annotations = undoAnnotations(deployment, selected.target);
  return {
    kind: 'patch',
    target: selected.target,
    targetRevision: selected.revision,
    template,
    annotations,
    ...undoPatch(template, annotations),
  };
}
