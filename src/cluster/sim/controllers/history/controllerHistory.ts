import { ApiError } from '../../../../k8s/apiError.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../../../../k8s/controllerRevision.js';
import { goTemplate } from '../../../../k8s/goJson.js';
import { selectorMatches } from '../../../../k8s/labels.js';
import { clone, controllerOf, newControllerRef } from '../../../../k8s/meta.js';
import type { ControllerRevision, LabelSelector, OwnerReference, PodTemplateSpec } from '../../../../k8s/objects.js';
import type { ObjectStore } from '../../store/objectStore.js';
import { jsonEqual } from '../../store/jsonValue.js';
import { safeEncodeString } from '../deployment/podTemplateHash.js';
import { canonicalJson } from '../deployment/semanticEqual.js';

/**
 * The history of a StatefulSet or DaemonSet: apps/v1 ControllerRevisions owned by it, each holding
 * one pod template as a strategic merge patch, numbered by `.revision`. The rules of
 * pkg/controller/history/controller_history.go
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/history/controller_history.go),
 * shared by both controllers (the DaemonSet names its revisions after the pod-template hash, the
 * StatefulSet after the hash of the revision's data).
 */
export type { ControllerRevision } from '../../../../k8s/objects.js';
export { templateOfRevision } from '../../../../k8s/controllerRevision.js';

/** `ControllerRevisionHashLabel`: the hash of the revision's data (history.NewControllerRevision). */
export { CONTROLLER_REVISION_HASH_LABEL };

/** The owner of a history, as the controllers pass it (`parent`, `parentKind`). */
export interface HistoryOwner {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; uid?: string };
}

/**
 * getPatch (statefulset/stateful_set_utils.go, daemon/update.go): the object's `spec.template`,
 * marked `$patch: replace`, as the JSON Go marshals from a map: keys sorted at every level. The pod
 * template is first encoded as Go encodes the struct (goJson.ts), so a zero `creationTimestamp`
 * is `null` as in every real ControllerRevision.
 */
export function templatePatch(template: PodTemplateSpec | undefined): string {
  const encoded = goTemplate(template ?? {});
  const metadata = encoded.metadata as Record<string, unknown>;
  if (metadata.creationTimestamp === undefined) metadata.creationTimestamp = null;
  return canonicalJson({ spec: { template: { ...encoded, $patch: 'replace' } } });
}

/** The revision's data as stored (`data` is a RawExtension: the patch's JSON object). */
export function patchData(patch: string): unknown {
  return JSON.parse(patch) as unknown;
}

/**
 * HashControllerRevision: FNV-1 (not 1a) 32-bit over the data's bytes, then the probe (the
 * collision count) written as a decimal string, encoded with rand.SafeEncodeString.
 */
export function hashControllerRevision(patch: string, probe?: number): string {
  let hash = fnv1_32(new TextEncoder().encode(patch), 0x811c9dc5);
  if (probe !== undefined) hash = fnv1_32(new TextEncoder().encode(String(probe)), hash);
  return safeEncodeString(String(hash >>> 0));
}

/** ControllerRevisionName: the prefix cut to 223 characters, a dash, the hash. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/**
 * NewControllerRevision: the template's labels plus the hash label, a controller reference to the
 * parent, named `<parent>-<hash of data and collision count>`.
 */
export function newControllerRevision(
  parent: HistoryOwner,
  templateLabels: Record<string, string> | undefined,
  patch: string,
  revision: number,
  collisionCount?: number,
): ControllerRevision {
  const hash = hashControllerRevision(patch, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.metadata.name ?? '', hash),
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [controllerReference(parent)],
    },
    data: patchData(patch),
    revision,
  };
}

/** metav1.NewControllerRef: controller and blockOwnerDeletion set. */
export function controllerReference(parent: HistoryOwner): OwnerReference {
  return newControllerRef(parent, parent.apiVersion, parent.kind);
}

/**
 * ListControllerRevisions + ClaimControllerRevisions: the revisions the parent controls, after
 * adopting orphans its selector matches (a revision controlled by someone else is never taken).
 */
export function claimRevisions(
  store: ObjectStore,
  parent: HistoryOwner,
  selector: LabelSelector,
): ControllerRevision[] {
  const namespace = parent.metadata.namespace;
  const out: ControllerRevision[] = [];
  for (const revision of store.list<ControllerRevision>('ControllerRevision', namespace)) {
    const owner = controllerOf(revision);
    if (owner) {
      if (owner.uid === parent.metadata.uid) out.push(revision);
      continue;
    }
    if (revision.metadata.deletionTimestamp || !selectorMatches(selector, revision.metadata.labels)) continue;
    const adopted = clone(revision);
    adopted.metadata.ownerReferences = [...(adopted.metadata.ownerReferences ?? []), controllerReference(parent)];
    out.push(store.update('ControllerRevision', adopted));
  }
  return out;
}

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortRevisions(revisions: ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort(
    (a, b) =>
      a.revision - b.revision ||
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

/** NextRevision: one past the largest revision, 1 for an empty history. */
export function nextRevision(revisions: ControllerRevision[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision), 0) + 1;
}

/** EqualRevision: same hash label and the same data. */
export function equalRevision(a: ControllerRevision, b: ControllerRevision): boolean {
  const hashA = a.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hashB = b.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (hashA === undefined || hashB === undefined || hashA !== hashB) return false;
  return jsonEqual(a.data, b.data);
}

/** FindEqualRevisions: the revisions equal to `needle`, in the order given. */
export function findEqualRevisions(revisions: ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/**
 * CreateControllerRevision (realHistory): creates the revision; on a name collision with a different
 * revision, bumps the collision count and tries the next name. An existing equal revision is
 * returned as is. Returns the stored revision and the collision count to persist in the parent's
 * status.
 */
export function createRevision(
  store: ObjectStore,
  parent: HistoryOwner,
  revision: ControllerRevision,
  collisionCount: number,
): { revision: ControllerRevision; collisionCount: number } {
  const patch = canonicalJson(revision.data);
  let count = collisionCount;
  for (;;) {
    const hash = hashControllerRevision(patch, count);
    const candidate = clone(revision);
    candidate.metadata.name = controllerRevisionName(parent.metadata.name ?? '', hash);
    candidate.metadata.labels = { ...(candidate.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash };
    try {
      return { revision: store.create('ControllerRevision', candidate), collisionCount: count };
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 409) throw err;
      const existing = store.get<ControllerRevision>(
        'ControllerRevision',
        parent.metadata.namespace,
        candidate.metadata.name,
      );
      if (existing && equalRevision(existing, candidate)) return { revision: existing, collisionCount: count };
      count++;
    }
  }
}

/**
 * UpdateControllerRevision: an old revision that becomes current again is renumbered to the next
 * revision, never duplicated (`kubectl rollout undo` then shows it as the newest).
 */
export function renumberRevision(
  store: ObjectStore,
  revision: ControllerRevision,
  newRevision: number,
): ControllerRevision {
  if (revision.revision === newRevision) return revision;
  return store.update('ControllerRevision', { ...clone(revision), revision: newRevision });
}

/**
 * truncateHistory (stateful_set_control.go, daemon/update.go cleanupHistory): deletes the oldest
 * revisions beyond `limit`, never one still `live` (the current and update revisions, or one a pod
 * still runs).
 */
export function truncateHistory(
  store: ObjectStore,
  revisions: ControllerRevision[],
  live: ReadonlySet<string>,
  limit: number,
): void {
  const history = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name ?? ''));
  const excess = history.length - limit;
  for (const revision of history.slice(0, Math.max(0, excess)))
    store.remove('ControllerRevision', revision.metadata.namespace, revision.metadata.name ?? '');
}

function fnv1_32(bytes: Uint8Array, seed: number): number {
  let hash = seed >>> 0;
  for (const byte of bytes) {
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash ^= byte;
  }
  return hash >>> 0;
}
