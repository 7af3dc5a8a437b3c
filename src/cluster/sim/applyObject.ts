import { clone } from '../../k8s/meta.js';
import type { KubeObject } from '../../k8s/objects.js';
import { rejectUndeclaredFields } from './fieldValidation.js';
import { serverSideApply, trackUpdate } from './patch/serverSideApply.js';
import type { ObjectStore } from './store/objectStore.js';

export interface ApplyObjectOptions {
  manager: string;
  force: boolean;
  /** RFC3339 time recorded in managedFields. */
  time: string;
  dryRun?: boolean;
}

/**
 * Server-side apply of one object to the store, as the API server does it: merged into the live
 * object with field ownership (fields other managers own survive; conflicts are 409 unless
 * forced), created when absent. Shared by the HTTP facade and the in-process adapter so both
 * behave the same.
 */
export function applyObject(
  store: ObjectStore,
  obj: KubeObject,
  options: ApplyObjectOptions,
): { object: KubeObject; created: boolean } {
  const info = store.kinds.get(obj.kind ?? '');
  const namespace = info.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
  const applied = clone(obj);
  if (namespace) applied.metadata.namespace = namespace;
  rejectUndeclaredFields(applied, info);
  const live = store.get(info.kind, namespace, obj.metadata.name ?? '');
  const result = serverSideApply(live, applied, {
    manager: options.manager,
    force: options.force,
    apiVersion: info.apiVersion,
    time: options.time,
  });
  if (!live) {
    delete result.metadata.resourceVersion;
    return { object: store.create(info.kind, result, { dryRun: options.dryRun }), created: true };
  }
  // A resourceVersion in the applied configuration is a precondition, as for any write: 409
  // Conflict when the object moved on (the store checks it). Without one the apply goes to the latest.
  result.metadata.resourceVersion = applied.metadata.resourceVersion || live.metadata.resourceVersion;
  return { object: store.update(info.kind, result, { dryRun: options.dryRun }), created: false };
}

/** A create (POST) of `kind` by `manager`: the fields it sets are recorded as its own (operation Update). */
export function createObject<T extends KubeObject>(
  store: ObjectStore,
  kind: string,
  obj: T,
  options: { manager: string; time: string; dryRun?: boolean },
): T {
  const info = store.kinds.get(kind);
  const tracked = trackUpdate(undefined, obj, {
    manager: options.manager,
    apiVersion: info.apiVersion,
    time: options.time,
  });
  return store.create(info.kind, tracked, { dryRun: options.dryRun }) as T;
}

/** A non-apply write by `manager` (patch, update): records the fields it changed as its own. */
export function updateObject<T extends KubeObject>(
  store: ObjectStore,
  old: T,
  next: T,
  options: { manager: string; time: string; dryRun?: boolean },
): T {
  const info = store.kinds.get(old.kind ?? '');
  return store.update(
    info.kind,
    trackUpdate(old, next, { manager: options.manager, apiVersion: info.apiVersion, time: options.time }) as T,
    { dryRun: options.dryRun },
  );
}
