/**
 * Reading a ControllerRevision (the history of StatefulSets and DaemonSets): its data is the pod
 * template as a strategic merge patch, `{"spec":{"template":{..., "$patch":"replace"}}}`
 * (getPatch in pkg/controller/statefulset/stateful_set_utils.go and pkg/controller/daemon/update.go).
 * Shared by the simulator's controllers and the gate.
 */
import { clone } from './meta.js';

/**
 * `apps.ControllerRevisionHashLabelKey`: the label a StatefulSet's and a DaemonSet's pods carry to name
 * their revision (the revision's name for a StatefulSet, its hash for a DaemonSet).
 */
export const POD_REVISION_LABEL = 'controller-revision-hash';
/** `history.ControllerRevisionHashLabel`: the hash of a ControllerRevision's data, on the revision. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';
import type { ControllerRevision, PodTemplateSpec } from './objects.js';

/** The pod template a revision holds (the patch's `spec.template` without `$patch`). */
export function templateOfRevision(revision: ControllerRevision): PodTemplateSpec | undefined {
  const spec = (revision.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec;
  if (!spec?.template) return undefined;
  const template = clone(spec.template);
  delete template.$patch;
  return template as PodTemplateSpec;
}
