import { parseTime } from '../../../../k8s/meta.js';
import {
  DEPLOYMENT_BOOKKEEPING_ANNOTATIONS,
  Annotations,
  Labels,
  type Deployment,
  type PodTemplateSpec,
  type ReplicaSet,
} from '../../../../k8s/objects.js';
import { maxSurge, replicasOf } from './fenceposts.js';
import { semanticEqual } from './semanticEqual.js';

// ReplicaSet helpers from deployment_util.go and controller_utils.go:
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/util/deployment_util.go
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/controller_utils.go

/** deployment_util.go MaxRevHistoryLengthInChars. */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;
export const MAX_INT32 = 2147483647;

export type MaybeRS = ReplicaSet | null | undefined;

export function specReplicas(rs: ReplicaSet): number {
  return rs.spec.replicas ?? 1;
}

function creationMs(rs: ReplicaSet): number {
  // An unset creationTimestamp is Go's zero time: it sorts before every real time.
  return parseTime(rs.metadata.creationTimestamp) ?? Number.NEGATIVE_INFINITY;
}

/** controller_utils.go ReplicaSetsByCreationTimestamp: oldest first, ties by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const ta = creationMs(a);
  const tb = creationMs(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareNames(a, b);
}

function compareNames(a: ReplicaSet, b: ReplicaSet): number {
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** controller_utils.go ReplicaSetsBySizeOlder: larger first; equal sizes oldest first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  if (specReplicas(a) === specReplicas(b)) return byCreationTimestamp(a, b);
  return specReplicas(b) - specReplicas(a);
}

/** controller_utils.go ReplicaSetsBySizeNewer: larger first; equal sizes newest first (name descending). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  if (specReplicas(a) === specReplicas(b)) return byCreationTimestamp(b, a);
  return specReplicas(b) - specReplicas(a);
}

/** deployment_util.go ReplicaSetsByRevision: revision ascending; unparseable or equal → creation order. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revision(a);
  const rb = revision(b);
  if (ra === undefined || rb === undefined || ra === rb) return byCreationTimestamp(a, b);
  return ra < rb ? -1 : 1;
}

/** controller_utils.go FilterActiveReplicaSets: non-nil with spec.replicas > 0. */
export function filterActiveReplicaSets(list: MaybeRS[]): ReplicaSet[] {
  return list.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);
}

export function nonNil(list: MaybeRS[]): ReplicaSet[] {
  return list.filter((rs): rs is ReplicaSet => !!rs);
}

/** GetReplicaCountForReplicaSets: Σ spec.replicas. */
export function getReplicaCount(list: MaybeRS[]): number {
  return nonNil(list).reduce((sum, rs) => sum + specReplicas(rs), 0);
}

/** GetActualReplicaCountForReplicaSets: Σ status.replicas. */
export function getActualReplicaCount(list: MaybeRS[]): number {
  return nonNil(list).reduce((sum, rs) => sum + (rs.status?.replicas ?? 0), 0);
}

/** GetReadyReplicaCountForReplicaSets. */
export function getReadyReplicaCount(list: MaybeRS[]): number {
  return nonNil(list).reduce((sum, rs) => sum + (rs.status?.readyReplicas ?? 0), 0);
}

/** GetAvailableReplicaCountForReplicaSets. */
export function getAvailableReplicaCount(list: MaybeRS[]): number {
  return nonNil(list).reduce((sum, rs) => sum + (rs.status?.availableReplicas ?? 0), 0);
}

/**
 * GetTerminatingReplicaCountForReplicaSets: a never-synced RS (observedGeneration 0, no field) is
 * skipped; any other RS without the field makes the total unknown (undefined).
 */
export function getTerminatingReplicaCount(list: MaybeRS[]): number | undefined {
  let total = 0;
  for (const rs of nonNil(list)) {
    const terminating = rs.status?.terminatingReplicas;
    if (terminating === undefined || terminating === null) {
      if ((rs.status?.observedGeneration ?? 0) === 0) continue;
      return undefined;
    }
    total += terminating;
  }
  return total;
}

/** deployment_util.go Revision: missing annotation → 0; unparseable → undefined (Go's error). */
export function revision(rs: ReplicaSet): number | undefined {
  const value = rs.metadata.annotations?.[Annotations.revision];
  if (value === undefined) return 0;
  return parseInt64(value);
}

/** strconv.ParseInt(s, 10, 64), without the range check (revisions stay far below 2^53). */
function parseInt64(value: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(value) ? Number.parseInt(value, 10) : undefined;
}

/** deployment_util.go MaxRevision: unparseable revisions are skipped. */
export function maxRevision(list: MaybeRS[]): number {
  let max = 0;
  for (const rs of nonNil(list)) {
    const v = revision(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

/** deployment_util.go LastRevision: the second-highest revision (0 when there is none). */
export function lastRevision(list: MaybeRS[]): number {
  let max = 0;
  let secMax = 0;
  for (const rs of nonNil(list)) {
    const v = revision(rs);
    if (v === undefined) continue;
    if (v >= max) {
      secMax = max;
      max = v;
    } else if (v > secMax) {
      secMax = v;
    }
  }
  return secMax;
}

export interface NonNegativeInt32 {
  value: number;
  valid: boolean;
  error?: string;
}

/** deployment_util.go getNonNegativeInt32FromAnnotation (PR #128527): ParseUint 32 bits, ≤ MaxInt32. */
export function getNonNegativeInt32FromAnnotation(
  annotations: Record<string, string> | null | undefined,
  key: string,
): NonNegativeInt32 {
  const text = annotations?.[key];
  if (text === undefined) return { value: 0, valid: false };
  if (!/^[0-9]+$/.test(text)) {
    return { value: 0, valid: false, error: `strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax` };
  }
  const parsed = Number(text);
  if (parsed > 0xffffffff) {
    return { value: 0, valid: false, error: `strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range` };
  }
  if (parsed > MAX_INT32) {
    return { value: 0, valid: false, error: `value ${parsed} is out of range (higher than ${MAX_INT32})` };
  }
  return { value: parsed, valid: true };
}

export function getDesiredReplicasAnnotation(rs: ReplicaSet): NonNegativeInt32 {
  return getNonNegativeInt32FromAnnotation(rs.metadata.annotations, Annotations.desiredReplicas);
}

export function getMaxReplicasAnnotation(rs: ReplicaSet): NonNegativeInt32 {
  return getNonNegativeInt32FromAnnotation(rs.metadata.annotations, Annotations.maxReplicas);
}

/** deployment_util.go skipCopyAnnotation. */
export function skipCopyAnnotation(key: string): boolean {
  return DEPLOYMENT_BOOKKEEPING_ANNOTATIONS.has(key);
}

/** deployment_util.go copyDeploymentAnnotationsToReplicaSet: adds or overwrites, never removes. */
export function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const target = (rs.metadata.annotations ??= {});
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipCopyAnnotation(key) || target[key] === value) continue;
    target[key] = value;
    changed = true;
  }
  return changed;
}

/**
 * deployment_util.go SetNewReplicaSetAnnotations: copies the Deployment's annotations, raises the
 * revision only when the RS's is numerically smaller (keeping the old one in revision-history,
 * capped at `revHistoryLimitInChars`), and for a new RS sets desired/max replicas.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: string,
  exists: boolean,
  revHistoryLimitInChars = MAX_REV_HISTORY_LENGTH_IN_CHARS,
): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const annotations = (rs.metadata.annotations ??= {});
  const hadRevision = Object.prototype.hasOwnProperty.call(annotations, Annotations.revision);
  const oldRevision = annotations[Annotations.revision] ?? '';
  let oldRevisionInt = parseInt64(oldRevision);
  if (oldRevisionInt === undefined) {
    if (oldRevision !== '') return false; // not an integer: give up, report no change
    oldRevisionInt = 0;
  }
  const newRevisionInt = parseInt64(newRevision);
  if (newRevisionInt === undefined) return false;
  if (oldRevisionInt < newRevisionInt) {
    annotations[Annotations.revision] = newRevision;
    changed = true;
  }
  // An RS that already had a revision and gets a newer one is being rolled back to: keep history.
  if (hadRevision && oldRevisionInt < newRevisionInt) {
    const history = annotations[Annotations.revisionHistory] ?? '';
    const oldRevisions = history.split(',');
    if (oldRevisions[0]!.length === 0) {
      annotations[Annotations.revisionHistory] = oldRevision;
    } else {
      let totalLen = history.length + oldRevision.length + 1;
      let start = 0;
      while (totalLen > revHistoryLimitInChars && start < oldRevisions.length) {
        totalLen = totalLen - oldRevisions[start]!.length - 1;
        start++;
      }
      if (totalLen <= revHistoryLimitInChars) {
        annotations[Annotations.revisionHistory] = [...oldRevisions.slice(start), oldRevision].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** deployment_util.go SetReplicasAnnotations. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  let updated = false;
  if (annotations[Annotations.desiredReplicas] !== String(desired)) {
    annotations[Annotations.desiredReplicas] = String(desired);
    updated = true;
  }
  if (annotations[Annotations.maxReplicas] !== String(max)) {
    annotations[Annotations.maxReplicas] = String(max);
    updated = true;
  }
  return updated;
}

/** deployment_util.go ReplicasAnnotationsNeedUpdate. */
export function replicasAnnotationsNeedUpdate(
  annotations: Record<string, string> | null | undefined,
  desired: number,
  max: number,
): boolean {
  if (!annotations) return true;
  return (
    annotations[Annotations.desiredReplicas] !== String(desired) || annotations[Annotations.maxReplicas] !== String(max)
  );
}

/** deployment_util.go IsSaturated: the new RS runs every desired pod, all available. */
export function isSaturated(d: Deployment, rs: MaybeRS): boolean {
  if (!rs) return false;
  const desiredText = rs.metadata.annotations?.[Annotations.desiredReplicas] ?? '';
  if (!/^[+-]?[0-9]+$/.test(desiredText)) return false; // strconv.Atoi
  const desired = Number.parseInt(desiredText, 10);
  const replicas = replicasOf(d);
  return specReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** deployment_util.go SetDeploymentRevision. */
export function setDeploymentRevision(d: Deployment, rev: string): boolean {
  const annotations = (d.metadata.annotations ??= {});
  if (annotations[Annotations.revision] === rev) return false;
  annotations[Annotations.revision] = rev;
  return true;
}

/** deployment_util.go EqualIgnoreHash: semantic equality of the templates minus pod-template-hash. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return semanticEqual(withoutHashLabel(a), withoutHashLabel(b));
}

function withoutHashLabel(t: PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  const labels = t?.metadata?.labels;
  if (!t || !labels || !(Labels.podTemplateHash in labels)) return t;
  // Copy only what we change so the caller's objects are never mutated.
  const { [Labels.podTemplateHash]: _hash, ...rest } = labels;
  return { ...t, metadata: { ...t.metadata, labels: rest } };
}

/** deployment_util.go FindNewReplicaSet: the oldest RS whose template equals the Deployment's. */
export function findNewReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
  const sorted = [...rsList].sort(byCreationTimestamp);
  return sorted.find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** deployment_util.go FindOldReplicaSets: [required (replicas != 0), all] old RSs, in creation order. */
export function findOldReplicaSets(d: Deployment, rsList: ReplicaSet[]): { required: ReplicaSet[]; all: ReplicaSet[] } {
  const newRS = findNewReplicaSet(d, rsList);
  const isNew = (rs: ReplicaSet) =>
    !!newRS && (rs === newRS || (rs.metadata.uid !== undefined && rs.metadata.uid === newRS.metadata.uid));
  const all = [...rsList].sort(byCreationTimestamp).filter((rs) => !isNew(rs));
  return { required: all.filter((rs) => specReplicas(rs) !== 0), all };
}
