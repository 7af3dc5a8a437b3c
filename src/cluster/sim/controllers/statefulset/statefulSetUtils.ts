import { clone, newControllerRef } from '../../../../k8s/meta.js';
import type { IntOrString, OwnerReference, Pod, Volume } from '../../../../k8s/objects.js';
import {
  POD_INDEX_LABEL,
  STATEFULSET_POD_NAME_LABEL,
  STATEFULSET_REVISION_LABEL,
  type PersistentVolumeClaimTemplate,
  type StatefulSet,
  type StatefulSetStatus,
} from '../../../../k8s/statefulSet.js';
import { getScaledValueFromIntOrPercent } from '../deployment/intOrPercent.js';
import {
  newControllerRevision,
  templateOfRevision,
  templatePatch,
  type ControllerRevision,
  type HistoryOwner,
} from '../history/controllerHistory.js';
import { isPodAvailable, isPodReady } from '../replicaset/podUtil.js';

/**
 * The StatefulSet's rules about identities, storage, revisions and pod health, one function per
 * upstream function of pkg/controller/statefulset/stateful_set_utils.go
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/statefulset/stateful_set_utils.go).
 */

/** statefulPodRegex + getParentNameAndOrdinal: `<parent>-<int32>`, else no parent and ordinal -1. */
export function getParentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const match = /^(.*)-([0-9]+)$/.exec(pod.metadata.name ?? '');
  if (!match) return { parent: '', ordinal: -1 };
  const n = Number(match[2]);
  return { parent: match[1]!, ordinal: n <= 2147483647 ? n : -1 };
}

export function getOrdinal(pod: Pod): number {
  return getParentNameAndOrdinal(pod).ordinal;
}

/** getStartOrdinal: `spec.ordinals.start`, else 0. */
export function getStartOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

/** getEndOrdinal (inclusive). */
export function getEndOrdinal(set: StatefulSet): number {
  return getStartOrdinal(set) + (set.spec.replicas ?? 1) - 1;
}

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const ordinal = getOrdinal(pod);
  return ordinal >= getStartOrdinal(set) && ordinal <= getEndOrdinal(set);
}

export function getPodName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** getPersistentVolumeClaimName: `<template>-<set>-<ordinal>`. */
export function getPersistentVolumeClaimName(
  set: StatefulSet,
  claim: PersistentVolumeClaimTemplate,
  ordinal: number,
): string {
  return `${claim.metadata.name}-${set.metadata.name}-${ordinal}`;
}

/** isMemberOf: the pod's name says it belongs to the set. */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return getParentNameAndOrdinal(pod).parent === set.metadata.name;
}

/** identityMatches: name, namespace and the pod-name label fit the set. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = getParentNameAndOrdinal(pod);
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === getPodName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[STATEFULSET_POD_NAME_LABEL] === pod.metadata.name
  );
}

/** storageMatches: every claim template is mounted from this ordinal's claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  return (set.spec.volumeClaimTemplates ?? []).every((claim) => {
    const volume = volumes.get(claim.metadata.name ?? '') as
      (Volume & { persistentVolumeClaim?: { claimName?: string } }) | undefined;
    return volume?.persistentVolumeClaim?.claimName === getPersistentVolumeClaimName(set, claim, ordinal);
  });
}

/** getPersistentVolumeClaimRetentionPolicy: Retain/Retain when unset. */
export function retentionPolicy(set: StatefulSet): { whenDeleted: string; whenScaled: string } {
  const policy = set.spec.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: policy?.whenDeleted ?? 'Retain', whenScaled: policy?.whenScaled ?? 'Retain' };
}

/**
 * getPersistentVolumeClaims: the claims of one pod, in template order, each labelled with the
 * set's selector labels (merged over the template's own).
 */
export function getPersistentVolumeClaims(
  set: StatefulSet,
  pod: Pod,
): Array<{ template: string; claim: PersistentVolumeClaimTemplate }> {
  const ordinal = getOrdinal(pod);
  return (set.spec.volumeClaimTemplates ?? []).map((template) => {
    const claim = clone(template);
    claim.metadata.name = getPersistentVolumeClaimName(set, template, ordinal);
    claim.metadata.namespace = set.metadata.namespace;
    claim.metadata.labels = { ...(claim.metadata.labels ?? {}), ...(set.spec.selector.matchLabels ?? {}) };
    delete claim.status;
    return { template: template.metadata.name ?? '', claim };
  });
}

/**
 * updateStorage: the claims' volumes first, then the pod's other volumes (a local volume with a
 * claim template's name is replaced). Upstream ranges over a Go map, whose order is random; the
 * template order is used here so runs stay deterministic.
 */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = getPersistentVolumeClaims(set, pod);
  if (claims.length === 0) return;
  const names = new Set(claims.map((c) => c.template));
  pod.spec.volumes = [
    ...claims.map((c) => ({ name: c.template, persistentVolumeClaim: { claimName: c.claim.metadata.name } })),
    ...(pod.spec.volumes ?? []).filter((v) => !names.has(v.name)),
  ];
}

/** updateIdentity: name, namespace, the pod-name label and the pod-index label (PodIndexLabel, on since 1.28). */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = getPodName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = {
    ...(pod.metadata.labels ?? {}),
    [STATEFULSET_POD_NAME_LABEL]: pod.metadata.name,
    [POD_INDEX_LABEL]: String(ordinal),
  };
}

/** The set's controller reference (metav1.NewControllerRef). */
export function setControllerRef(set: StatefulSet): OwnerReference {
  return newControllerRef(set, 'apps/v1', 'StatefulSet');
}

/**
 * newStatefulSetPod: GetPodFromTemplate (labels, annotations, finalizers, spec, a controller
 * reference), then initIdentity (plus hostname and subdomain, set on creation only) and updateStorage.
 */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const template = set.spec.template ?? {};
  const meta = template.metadata ?? {};
  const pod: Pod = {
    metadata: {
      name: getPodName(set, ordinal),
      namespace: set.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [setControllerRef(set)],
    },
    spec: clone(template.spec ?? { containers: [] }),
  };
  updateIdentity(set, pod);
  pod.spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: below the partition (or, without `rollingUpdate`, below the current
 * replica count) a missing pod is recreated at the current revision, else at the update revision.
 * The Go condition reads `RollingUpdate && (nil && below current) || (non-nil && below partition)`;
 * `&&` binds tighter, which is what is written here.
 */
export function newVersionedStatefulSetPod(
  currentSet: StatefulSet,
  updateSet: StatefulSet,
  currentRevision: string,
  updateRevision: string,
  ordinal: number,
): Pod {
  const strategy = currentSet.spec.updateStrategy;
  const start = getStartOrdinal(currentSet);
  const rollingUpdate = strategy?.rollingUpdate;
  const atCurrent =
    (strategy?.type === 'RollingUpdate' &&
      rollingUpdate === undefined &&
      ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (rollingUpdate !== undefined && ordinal < start + (rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(atCurrent ? currentSet : updateSet, ordinal);
  setPodRevision(pod, atCurrent ? currentRevision : updateRevision);
  return pod;
}

export function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [STATEFULSET_REVISION_LABEL]: revision };
}

export function getPodRevision(pod: Pod): string {
  return pod.metadata.labels?.[STATEFULSET_REVISION_LABEL] ?? '';
}

/** The set as the owner of its ControllerRevision history. */
export function historyOwner(set: StatefulSet): HistoryOwner {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata };
}

/**
 * newRevision: a ControllerRevision holding getPatch(set) (the template with `$patch: replace`),
 * labelled with the template's labels, named after the hash of its data and the collision count,
 * and carrying the set's annotations.
 */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const created = newControllerRevision(
    historyOwner(set),
    set.spec.template?.metadata?.labels,
    templatePatch(set.spec.template),
    revision,
    collisionCount,
  );
  if (set.metadata.annotations) created.metadata.annotations = { ...set.metadata.annotations };
  return created;
}

/** ApplyRevision: the set with the revision's template (its data is `spec.template` with `$patch: replace`). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  return { ...set, spec: { ...set.spec, template: templateOfRevision(revision) ?? {} } };
}

/**
 * isCreated: upstream, a pod the API server has stored has a phase (Pending from creation on).
 * The simulated API server leaves the phase to the scheduler, so a stored pod is told by its uid;
 * a pod this sync only planned has neither.
 */
export function isCreated(pod: Pod): boolean {
  return !!pod.metadata.uid || !!pod.status?.phase;
}

export const isPending = (pod: Pod): boolean => pod.status?.phase === 'Pending';
export const isFailed = (pod: Pod): boolean => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Pod): boolean => pod.status?.phase === 'Succeeded';
export const isTerminating = (pod: Pod): boolean => !!pod.metadata.deletionTimestamp;

/** isRunningAndReady: phase Running and the Ready condition True. */
export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** isRunningAndAvailable: podutil.IsPodAvailable at `now`. */
export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  return isPodAvailable(pod, minReadySeconds, nowMs);
}

/** isHealthy: running, ready and not being deleted. */
export function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

/** allowsBurst: Parallel pod management. */
export function allowsBurst(set: StatefulSet): boolean {
  return set.spec.podManagementPolicy === 'Parallel';
}

/**
 * inconsistentStatus: a newer observed generation or any counter or revision differing (the
 * collision count alone does not trigger a write, as upstream).
 */
export function inconsistentStatus(set: StatefulSet, status: StatefulSetStatus): boolean {
  const old = set.status;
  return (
    (status.observedGeneration ?? 0) > (old?.observedGeneration ?? 0) ||
    status.replicas !== (old?.replicas ?? 0) ||
    (status.currentReplicas ?? 0) !== (old?.currentReplicas ?? 0) ||
    (status.readyReplicas ?? 0) !== (old?.readyReplicas ?? 0) ||
    (status.updatedReplicas ?? 0) !== (old?.updatedReplicas ?? 0) ||
    (status.currentRevision ?? '') !== (old?.currentRevision ?? '') ||
    status.availableReplicas !== (old?.availableReplicas ?? 0) ||
    (status.updateRevision ?? '') !== (old?.updateRevision ?? '')
  );
}

/**
 * completeRollingUpdate: once every replica is updated and ready (RollingUpdate only), the update
 * revision becomes the current one.
 */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  const replicas = set.spec.replicas ?? 1;
  if (
    set.spec.updateStrategy?.type === 'RollingUpdate' &&
    (status.updatedReplicas ?? 0) === replicas &&
    (status.readyReplicas ?? 0) === replicas &&
    status.replicas === replicas
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/**
 * getStatefulSetMaxUnavailable: `maxUnavailable` (default 1) scaled against the replicas, rounded
 * down, and never below 1.
 */
export function getStatefulSetMaxUnavailable(maxUnavailable: IntOrString | undefined, replicas: number): number {
  const n = getScaledValueFromIntOrPercent(maxUnavailable ?? 1, replicas, false);
  return n < 1 ? 1 : n;
}

/** descendingOrdinal. */
export function byDescendingOrdinal(a: Pod, b: Pod): number {
  return getOrdinal(b) - getOrdinal(a);
}
