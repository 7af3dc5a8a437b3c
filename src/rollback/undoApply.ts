/**
 * The rollback written as a server-side apply under the gate's own field manager (README "What the gate judges"
 * "Owning what we apply"), so the gate's next deploy never conflicts with its own undo: a JSON
 * patch, as `kubectl rollout undo` sends, is an `Update` entry in managedFields, which the API
 * server keys apart from the gate's `Apply` entry and reports as a conflict on the next apply.
 *
 * What ends up stored is kubectl's undo (https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/rollback.go): the target template, and the
 * annotations of the target ReplicaSet. Server-side apply removes the fields a manager applied
 * before and omits now, so the configuration carries every other field the gate applied, at its
 * live value (`spec.replicas` included: never changed by a rollback, never reset to the default).
 * Where the two rules meet, field ownership wins: annotations another manager owns are left as
 * they are (kubectl would drop or overwrite them), and the gate's own bookkeeping annotations
 * (`rollout-gate.dev/*`, written by its record manager) are never part of the undo.
 */
import { fieldsOf, getAt, setAt, type PathSegment } from '../k8s/fieldsV1.js';
import { isObject, type JsonObject } from '../k8s/json.js';
import { appliedFieldsOf, managedFieldOwners, ownerKey } from '../k8s/managedFields.js';
import { clone } from '../k8s/meta.js';
import {
  DEPLOYMENT_BOOKKEEPING_ANNOTATIONS,
  type DaemonSet,
  type Deployment,
  type PodTemplateSpec,
  type StatefulSet,
} from '../k8s/objects.js';

/** The field manager of everything rollout-gate applies: its deploys and its rollbacks. */
export const GATE_FIELD_MANAGER = 'rollout-gate';

/** Annotations of the gate's own bookkeeping (last good, lease): never applied by an undo. */
const GATE_BOOKKEEPING_PREFIX = 'rollout-gate.dev/';

/**
 * The apply configuration that rolls `live` back to `template` with kubectl's `annotations`,
 * conditional on `live`'s resourceVersion (409 Conflict when anyone wrote since: a newer deploy
 * is never overwritten). Send it with `force`: the undo restores what this run's own apply
 * replaced, whoever co-owns those values now, as kubectl's undo does.
 */
export function undoApplyConfiguration<W extends Deployment | StatefulSet | DaemonSet>(
  live: W,
  template: PodTemplateSpec,
  annotations: Record<string, string>,
  manager: string = GATE_FIELD_MANAGER,
): W {
  const config: JsonObject = {
    apiVersion: 'apps/v1',
    kind: live.kind ?? 'Deployment',
    metadata: {
      name: live.metadata.name ?? '',
      ...(live.metadata.namespace ? { namespace: live.metadata.namespace } : {}),
      resourceVersion: live.metadata.resourceVersion ?? '',
    },
  };
  // Every field the gate applied, at its live value, except the template and the annotations.
  for (const path of appliedFieldsOf(live, manager).values()) {
    if (under(path, ['spec', 'template']) || under(path, ['metadata', 'annotations'])) continue;
    const value = getAt(live, path);
    if (value === undefined) continue;
    // A map marked as owned (`.` in FieldsV1) is not owned whole: its owned members come one by one.
    if (isObject(value)) {
      if (getAt(config, path) === undefined) setAt(config, path, {});
    } else setAt(config, path, clone(value));
  }
  setAt(config, [{ f: 'spec' }, { f: 'template' }], clone(template) as unknown as JsonObject);

  const owners = managedFieldOwners(live);
  const mine = ownerKey(manager, 'Apply');
  const ownedByOthers = new Set<string>();
  for (const [key, owner] of owners) if (key !== mine) for (const field of owner.set.keys()) ownedByOthers.add(field);
  const liveAnnotations = live.metadata.annotations ?? {};
  const applied: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations)) {
    if (DEPLOYMENT_BOOKKEEPING_ANNOTATIONS.has(key) || key.startsWith(GATE_BOOKKEEPING_PREFIX)) continue;
    const field = [...fieldsOf({ metadata: { annotations: { [key]: value } } }).keys()][0]!;
    const theirs = ownedByOthers.has(field) && !appliedFieldsOf(live, manager).has(field);
    if (theirs && liveAnnotations[key] !== undefined) continue;
    applied[key] = value;
  }
  if (Object.keys(applied).length > 0) (config.metadata as JsonObject).annotations = applied;
  return config as unknown as W;
}

function under(path: readonly PathSegment[], prefix: string[]): boolean {
  return prefix.every((name, i) => {
    const seg = path[i];
    return seg !== undefined && 'f' in seg && seg.f === name;
  });
}
