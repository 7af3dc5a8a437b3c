/**
 * What the StatefulSet and DaemonSet modules share: their history is ControllerRevisions, and the
 * revision being rolled out is the one whose template is the workload's current template (found
 * by template, not by status, so it is known before the controller reports the new generation).
 */
import {
  CONTROLLER_REVISION_HASH_LABEL,
  POD_REVISION_LABEL,
  templateOfRevision,
} from '../../k8s/controllerRevision.js';
import { controllerOf } from '../../k8s/meta.js';
import type { ControllerRevision, KubeObject, Pod, PodTemplateSpec } from '../../k8s/objects.js';
import { templatesEqualIgnoringHash } from '../revisions.js';

/** The label StatefulSet and DaemonSet pods carry: the revision's name (StatefulSet) or hash (DaemonSet). */
export const CONTROLLER_REVISION_HASH = POD_REVISION_LABEL;

/** The revisions `owner` controls, newest (highest `.revision`) first. */
export function ownedRevisions(owner: KubeObject, revisions: ControllerRevision[]): ControllerRevision[] {
  return revisions.filter((r) => controllerOf(r)?.uid === owner.metadata.uid).sort((a, b) => b.revision - a.revision);
}

/** The owned revision holding `template` (the newest when several do), if the controller made one. */
export function revisionWithTemplate(
  owner: KubeObject,
  revisions: ControllerRevision[],
  template: PodTemplateSpec | undefined,
): ControllerRevision | undefined {
  return ownedRevisions(owner, revisions).find((r) => templatesEqualIgnoringHash(templateOfRevision(r), template));
}

/** The pods `owner` controls whose `controller-revision-hash` label is `value`. */
export function podsAtRevision(owner: KubeObject, pods: Pod[], value: string | undefined): Pod[] {
  if (value === undefined) return [];
  return pods.filter(
    (p) => controllerOf(p)?.uid === owner.metadata.uid && p.metadata.labels?.[CONTROLLER_REVISION_HASH] === value,
  );
}

/**
 * The template of an owned pod: its `controller-revision-hash` label (the revision's name for a
 * StatefulSet, its hash for a DaemonSet) and the template of the revision it names.
 */
export function podTemplateOf(
  owner: KubeObject,
  revisions: ControllerRevision[],
): (pod: Pod) => { hash: string; template?: PodTemplateSpec } | undefined {
  const owned = ownedRevisions(owner, revisions);
  return (pod) => {
    const hash = pod.metadata.labels?.[CONTROLLER_REVISION_HASH];
    if (hash === undefined) return undefined;
    // A StatefulSet's pods name the revision; a DaemonSet's carry its hash, which the DaemonSet
    // controller also puts on the revision as `controller-revision-hash` (dsc.constructHistory).
    const revision = owned.find(
      (r) =>
        r.metadata.name === hash ||
        r.metadata.labels?.[CONTROLLER_REVISION_HASH] === hash ||
        r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash,
    );
    const template = revision ? templateOfRevision(revision) : undefined;
    return { hash, ...(template ? { template } : {}) };
  };
}
