/**
 * Field ownership as the API server records it in `metadata.managedFields`, read as pure data:
 * who owns which field, and which fields an apply would take from someone else. Shared by the
 * simulated API server (which enforces it) and the gate (which decides before it writes), so both
 * follow one rule (https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts).
 */
import { fieldsOf, fromFieldsV1, getAt, type FieldSet, type PathSegment } from './fieldsV1.js';
import { deepEqual, isObject, type Json } from './json.js';
import type { KubeObject } from './objects.js';

/** One `metadata.managedFields` entry (metav1.ManagedFieldsEntry). */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** A manager's entry with its fields decoded. */
export interface FieldOwner {
  entry: Omit<ManagedFieldsEntry, 'fieldsV1'>;
  set: FieldSet;
}

/**
 * The owners of an object's fields, keyed by {@link ownerKey}: the API server keeps one entry per
 * (manager, operation, subresource), so a manager's apply and its own patch are two owners
 * (metav1.ManagedFieldsEntry: "used to distinguish between managers, even if they share the same name").
 */
export function managedFieldOwners(obj: KubeObject | undefined): Map<string, FieldOwner> {
  const owners = new Map<string, FieldOwner>();
  for (const raw of obj?.metadata.managedFields ?? []) {
    if (!isObject(raw) || typeof raw.manager !== 'string') continue;
    const entry = raw as unknown as ManagedFieldsEntry;
    // Status writers never own what an apply sets (an applied status is dropped).
    if (entry.subresource === 'status') continue;
    const { fieldsV1, ...rest } = entry;
    owners.set(ownerKey(entry.manager, entry.operation, entry.subresource), {
      entry: rest,
      set: fromFieldsV1(fieldsV1),
    });
  }
  return owners;
}

export function ownerKey(manager: string, operation: string, subresource = ''): string {
  return `${manager}\u0000${operation}\u0000${subresource}`;
}

/** A field the applied configuration sets to another value than the one another manager owns. */
export interface FieldClash {
  /** Printed as structured-merge-diff prints it: `.spec.template.spec.containers[name="web"].image`. */
  field: string;
  path: PathSegment[];
  owner: FieldOwner['entry'];
  /** The live value (undefined when absent). */
  live: Json | undefined;
  /** The value the apply sets. */
  applied: Json | undefined;
}

/**
 * The conflicts a server-side apply of `applied` by `manager` meets on `live`: every leaf field it
 * sets whose live value differs and that another owner holds (any owner but the manager's own
 * `Apply` entry: its `Update` entry, from a patch, is another owner). Keyed-list items are
 * co-owned; only leaf values conflict. One clash per (field, owner). Empty when `live` is absent.
 */
export function applyClashes(live: KubeObject | undefined, applied: KubeObject, manager: string): FieldClash[] {
  if (!live) return [];
  const owners = managedFieldOwners(live);
  const mine = ownerKey(manager, 'Apply');
  const clashes: FieldClash[] = [];
  for (const [printed, path] of fieldsOf(applied)) {
    if (!('f' in path[path.length - 1]!)) continue;
    const liveValue = getAt(live, path);
    const appliedValue = getAt(applied, path);
    if (deepEqual(liveValue, appliedValue)) continue;
    for (const [key, owner] of owners) {
      if (key === mine || !owner.set.has(printed)) continue;
      clashes.push({ field: printed, path, owner: owner.entry, live: liveValue, applied: appliedValue });
    }
  }
  return clashes;
}

/** The fields `manager` owns through server-side apply on `obj` (its `Apply` entry). */
export function appliedFieldsOf(obj: KubeObject | undefined, manager: string): FieldSet {
  return managedFieldOwners(obj).get(ownerKey(manager, 'Apply'))?.set ?? new Map();
}
