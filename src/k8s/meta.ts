import type { KubeObject, OwnerReference } from './objects.js';

/** `<namespace>/<name>`, the key every store and cache uses. */
export function objectKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/** The controller owner reference of an object, as `metav1.GetControllerOf` returns it. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** Deep copy of plain JSON data; the store hands out copies so callers never alias stored state. */
export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** RFC3339 with second precision, the way the API server serialises metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Parses an RFC3339 time (as written by {@link rfc3339}); undefined stays undefined. */
export function parseTime(value: string | undefined): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → '' (the core group). */
export function apiGroupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** metav1.NewControllerRef: `owner` as the controller of an object, blocking its deletion (foreground GC). */
export function newControllerRef(
  owner: { metadata: { name?: string; uid?: string } },
  apiVersion: string,
  kind: string,
): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
