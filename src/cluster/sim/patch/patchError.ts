/**
 * A patch that cannot be decoded or applied. The HTTP facade maps `kind: 'decode'` to 400 BadRequest and
 * `kind: 'apply'` to 422 (what the API server's patcher returns for failed `test` ops and bad paths:
 * staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, applyJSPatch/interpretStrategicMergePatchError).
 */
export class PatchError extends Error {
  constructor(
    readonly kind: 'decode' | 'apply',
    message: string,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

/** Plain JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
