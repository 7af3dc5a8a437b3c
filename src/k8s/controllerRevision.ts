/**
 * Reading a ControllerRevision (the history of StatefulSets and DaemonSets): its data is the pod
 * template as a strategic merge patch, `{"spec":{"template":{..., "$patch":"replace"}}}`
 * (getPatch in pkg/controller/statefulset/stateful_set_utils.go and pkg/controller/daemon/update.go).
 * Shared by the simulator's controllers and the gate.
 */
import { clone } from './meta.js';
import type { ControllerRevision, PodTemplateSpec } from './objects.js';

/** The pod template a revision holds (the patch's `spec.template` without `$patch`). */
export function templateOfRevision(revision: ControllerRevision): PodTemplateSpec | undefined {
  const spec = (revision.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec;
  if (!spec?.template) return undefined;
  const template = clone(spec.template);
  delete template.$patch;
  return template as PodTemplateSpec;
}
