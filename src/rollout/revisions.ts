/**
 * Finding a Deployment's ReplicaSets, its new ReplicaSet and that ReplicaSet's pods and events.
 *
 * The new ReplicaSet is found the way the controller finds it (`FindNewReplicaSet`: the oldest
 * controlled RS whose template equals the Deployment's, ignoring `pod-template-hash`), with
 * krane's rule (revision annotation + owner uid) as a fallback once the generation is observed.
 * Template matching works from the moment of the apply, before the controller has bumped the
 * Deployment's revision annotation, so old pods are never judged as new ones.
 */
import {
  Annotations,
  Labels,
  type Deployment,
  type KubeEvent,
  type Pod,
  type PodTemplateSpec,
  type ReplicaSet,
} from '../k8s/objects.js';
import { controllerOf, parseTime } from '../k8s/meta.js';

/** The `deployment.kubernetes.io/revision` annotation as a number; missing = 0, unparseable = undefined. */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number | undefined {
  const raw = obj.metadata.annotations?.[Annotations.revision];
  if (raw === undefined) return 0;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** The ReplicaSets whose controller is this Deployment (by uid; by kind+name when uids are absent). */
export function controlledReplicaSets(deployment: Deployment, replicaSets: ReplicaSet[]): ReplicaSet[] {
  const uid = deployment.metadata.uid;
  return replicaSets.filter((rs) => {
    const owner = controllerOf(rs);
    if (!owner || owner.kind !== 'Deployment') return false;
    return uid !== undefined && owner.uid !== undefined ? owner.uid === uid : owner.name === deployment.metadata.name;
  });
}

/** Deep equality of two pod templates, ignoring the `pod-template-hash` label (`EqualIgnoreHash`). */
export function templatesEqualIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return deepEqual(withoutHash(a), withoutHash(b));
}

/**
 * The images of a pod template's containers, `nginx:1.14.2`: how a person recognises a template
 * (revision numbers change when an undo re-adds an old template as the newest revision).
 */
export function templateImages(template: PodTemplateSpec | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => c.image ?? '').filter((i) => i !== '');
}

/** A deep copy of the template without the `pod-template-hash` label. */
export function withoutHash(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = JSON.parse(JSON.stringify(template ?? {})) as PodTemplateSpec;
  const labels = copy.metadata?.labels;
  if (labels && Labels.podTemplateHash in labels) {
    delete labels[Labels.podTemplateHash];
  }
  return copy;
}

/** The new ReplicaSet of a Deployment, or undefined when the controller has not created it yet. */
export function findNewReplicaSet(deployment: Deployment, replicaSets: ReplicaSet[]): ReplicaSet | undefined {
  const owned = controlledReplicaSets(deployment, replicaSets);
  const byTemplate = owned
    .filter((rs) => templatesEqualIgnoringHash(rs.spec.template, deployment.spec.template))
    .sort(byCreation);
  if (byTemplate.length > 0) return byTemplate[0];
  const observed = (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0);
  const revision = deployment.metadata.annotations?.[Annotations.revision];
  if (!observed || revision === undefined) return undefined;
  return owned.find((rs) => rs.metadata.annotations?.[Annotations.revision] === revision);
}

/** Oldest first, then by name, as the controller's `ReplicaSetsByCreationTimestamp`. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** A ReplicaSet's `pod-template-hash`: the name of its template (an undo scales the same ReplicaSet back up). */
export function replicaSetHash(rs: ReplicaSet): string | undefined {
  return rs.metadata.labels?.[Labels.podTemplateHash] ?? rs.spec.template.metadata?.labels?.[Labels.podTemplateHash];
}

/**
 * The live (not terminating) pods of a ReplicaSet, by controller uid; pods without a controller
 * reference are matched by the RS's `pod-template-hash` label. Sorted by name for stable messages.
 */
export function podsOf(rs: ReplicaSet, pods: Pod[]): Pod[] {
  const hash = replicaSetHash(rs);
  return pods
    .filter((pod) => {
      if (pod.metadata.deletionTimestamp) return false;
      const owner = controllerOf(pod);
      if (owner)
        return owner.uid !== undefined && rs.metadata.uid !== undefined
          ? owner.uid === rs.metadata.uid
          : owner.name === rs.metadata.name;
      return hash !== undefined && pod.metadata.labels?.[Labels.podTemplateHash] === hash;
    })
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** The events about one pod (by uid when both sides carry one, else by name). */
export function eventsOf(pod: Pod, events: KubeEvent[]): KubeEvent[] {
  return events.filter((event) => {
    const ref = event.involvedObject;
    if (ref.kind !== undefined && ref.kind !== 'Pod') return false;
    if (ref.uid && pod.metadata.uid) return ref.uid === pod.metadata.uid;
    return ref.name === pod.metadata.name && (ref.namespace ?? pod.metadata.namespace) === pod.metadata.namespace;
  });
}

/** The new ReplicaSet and its pods, as every detector needs them. */
export interface NewRevision {
  replicaSet?: ReplicaSet;
  pods: Pod[];
}

/** The new ReplicaSet of the snapshot's Deployment and its live pods (empty when there is none). */
export function newRevisionOf(deployment: Deployment | undefined, replicaSets: ReplicaSet[], pods: Pod[]): NewRevision {
  if (!deployment) return { pods: [] };
  const replicaSet = findNewReplicaSet(deployment, replicaSets);
  return replicaSet ? { replicaSet, pods: podsOf(replicaSet, pods) } : { pods: [] };
}

/**
 * Semantic equality as apimachinery's: nil and empty maps/slices are equal, absent = undefined, and
 * an object whose every field is empty is empty too: the API server decodes a template into Go
 * structs, so `resources: {requests: {}}` (left behind when an apply removes the last request) is
 * the same template as no `resources` at all (same pod-template-hash), and a rollback never takes
 * its own write for someone else's.
 */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((item, i) => deepEqual(item, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const key of keys) {
    // Absent and undefined are the same in JSON.
    if (!deepEqual(ao[key], bo[key])) return false;
  }
  return true;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.values(value).every(isEmpty);
}
