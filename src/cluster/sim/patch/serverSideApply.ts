import { ApiError } from '../../../k8s/apiError.js';
import type { KubeObject } from '../../../k8s/objects.js';
import { deleteAt, fieldsOf, getAt, toFieldsV1, type FieldSet } from '../../../k8s/fieldsV1.js';
import {
  applyClashes,
  managedFieldOwners,
  ownerKey,
  type FieldClash,
  type FieldOwner,
  type ManagedFieldsEntry,
} from '../../../k8s/managedFields.js';
import { cloneJson, deepEqual } from './patchError.js';
import { applyStrategicMergePatch } from './strategicMerge.js';

/**
 * Server-side apply (`application/apply-patch+yaml`) over the simulator, after
 * https://kubernetes.io/docs/reference/using-api/server-side-apply/:
 * - the applied configuration is merged into the live object (keyed lists by merge key);
 * - a field another manager owns and whose live value differs from the applied one is a conflict
 *   (409 Conflict, `Apply failed with 1 conflict: conflict with "<m>" using apps/v1: .spec.replicas`)
 *   unless `force`, which moves ownership to the applier;
 * - fields this manager applied before but omits now are removed, unless another manager owns them;
 * - managedFields are keyed by (manager, operation, subresource): a manager's apply and its own patch are two
 *   owners, and the patch's fields conflict with its next apply (src/k8s/managedFields.ts, the
 *   rule the gate also checks before it writes). A resourceVersion in the applied configuration
 *   is a precondition, enforced by the callers' store write (applyObject.ts, api/resources.ts).
 *
 * Simplifications: ownership is tracked per leaf field and per keyed-list item (atomic lists and
 * primitive sets are leaves; maps are not owned themselves), conflicts compare values only (one
 * version per kind, no conversion), and defaults are not owned by anyone.
 *
 * `live` is undefined when the object does not exist yet (apply creates it). Returns the object to store.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  options: { manager: string; force: boolean; apiVersion: string; time: string },
): KubeObject {
  const owners = managedFieldOwners(live);
  const mine = ownerKey(options.manager, 'Apply');
  const wanted = fieldsOf(applied);
  const conflicts = applyClashes(live, applied, options.manager);
  if (conflicts.length > 0 && !options.force) throw conflictError(conflicts, options.apiVersion);
  for (const { owner, field } of conflicts)
    owners.get(ownerKey(owner.manager, owner.operation, owner.subresource))?.set.delete(field);

  const result = cloneJson(live ?? { metadata: {} }) as KubeObject;
  const previous = owners.get(mine)?.set ?? new Map();
  // Longest paths first, so an item's fields go before the item.
  const dropped = [...previous.entries()]
    .filter(([printed]) => !wanted.has(printed))
    .sort((a, b) => b[0].length - a[0].length);
  for (const [printed, path] of dropped) {
    const ownedElsewhere = [...owners].some(
      ([key, o]) =>
        key !== mine &&
        [...o.set.keys()].some((p) => p === printed || p.startsWith(printed + '.') || p.startsWith(printed + '[')),
    );
    if (!ownedElsewhere) deleteAt(result, path);
  }
  const body = cloneJson(applied) as KubeObject;
  delete body.status;
  const merged = applyStrategicMergePatch(result, body);
  // A no-op apply (same fields owned, same values) leaves the object alone, managedFields time
  // included, so it writes nothing (kubernetes#115065: no-op updates keep managedFields timestamps).
  if (live && owners.has(mine) && sameKeys(previous, wanted) && deepEqual(withoutManaged(merged), withoutManaged(live)))
    return cloneJson(live);
  owners.set(mine, { entry: entryFor(options.manager, 'Apply', options), set: wanted });
  writeManagedFields(merged, owners);
  return merged;
}

/**
 * Records a non-apply write (create, update, patch) by `manager`: fields it changed become its own
 * (operation `Update`) and leave every other manager, as the API server's field manager does.
 */
export function trackUpdate(
  old: KubeObject | undefined,
  next: KubeObject,
  options: { manager: string; apiVersion: string; time: string },
): KubeObject {
  const owners = managedFieldOwners(old);
  const before = old ? fieldsOf(old) : new Map();
  const after = fieldsOf(next);
  const changed: FieldSet = new Map();
  for (const [printed, path] of after) {
    if (!before.has(printed) || !deepEqual(getAt(old, path), getAt(next, path))) changed.set(printed, path);
  }
  for (const owner of owners.values()) {
    for (const printed of [...owner.set.keys()])
      if (changed.has(printed) || !after.has(printed)) owner.set.delete(printed);
  }
  const key = ownerKey(options.manager, 'Update');
  const mine = owners.get(key)?.set ?? new Map();
  for (const [printed, path] of changed) mine.set(printed, path);
  if (changed.size > 0 || owners.has(key)) {
    owners.set(key, { entry: entryFor(options.manager, 'Update', options), set: mine });
  }
  const out = cloneJson(next);
  writeManagedFields(out, owners);
  return out;
}

function sameKeys(a: Map<string, unknown>, b: Map<string, unknown>): boolean {
  return a.size === b.size && [...a.keys()].every((k) => b.has(k));
}

function withoutManaged(obj: KubeObject): KubeObject {
  const { managedFields: _m, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function entryFor(
  manager: string,
  operation: 'Apply' | 'Update',
  options: { apiVersion: string; time: string },
): FieldOwner['entry'] {
  return { manager, operation, apiVersion: options.apiVersion, time: options.time, fieldsType: 'FieldsV1' };
}

function writeManagedFields(obj: KubeObject, owners: Map<string, FieldOwner>): void {
  const entries: ManagedFieldsEntry[] = [];
  for (const owner of owners.values()) {
    if (owner.set.size === 0) continue;
    entries.push({ ...owner.entry, fieldsV1: toFieldsV1(owner.set) });
  }
  obj.metadata ??= {};
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/** The API server's conflict Status (structured-merge-diff `Conflicts.Error` wording). */
function conflictError(conflicts: FieldClash[], apiVersion: string): ApiError {
  const causes = conflicts.map(({ owner, field }) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with "${owner.manager}" using ${apiVersion}`,
    field,
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: ${causes[0]!.message}: ${causes[0]!.field}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of causes) byManager.set(c.message, [...(byManager.get(c.message) ?? []), c.field]);
    const parts = [...byManager].map(
      ([m, fields]) =>
        `${m.replace(/^conflict /, fields.length > 1 ? 'conflicts ' : 'conflict ')}:\n${fields.map((f) => `- ${f}`).join('\n')}`,
    );
    message = `Apply failed with ${conflicts.length} conflicts: ${parts.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}
