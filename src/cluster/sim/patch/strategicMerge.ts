import { PatchError, cloneJson, deepEqual, isObject, type Json, type JsonObject } from './patchError.js';
import { listRule } from '../../../k8s/listRules.js';

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

/**
 * Applies a strategic merge patch, the way apimachinery's `strategicpatch.StrategicMergePatch` does
 * for the built-in types (https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md):
 * maps merge recursively and `null` deletes; lists with a merge key (see {@link listRule}) merge item by
 * item; other lists are replaced. Directives: `$patch: replace|delete|merge` (in maps and list items),
 * `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
 *
 * Simplification: `$setElementOrder` puts the listed items first in the given order and keeps items it
 * does not list (server-only items) after them in their original order, where the real algorithm
 * interleaves them by their original index.
 */
export function applyStrategicMergePatch<T>(original: T, patch: unknown): T {
  if (!isObject(patch)) throw new PatchError('decode', 'strategic merge patch must be a JSON object');
  const base = isObject(original) ? (cloneJson(original) as JsonObject) : {};
  const merged = mergeMap(base, patch, []);
  return (merged ?? {}) as T;
}

function mergeMap(original: JsonObject, patch: JsonObject, path: string[]): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'replace') return clean(patch) as JsonObject;
  if (directive === 'delete') return undefined;
  if (directive !== undefined && directive !== 'merge')
    throw new PatchError('apply', `unknown patch type: ${String(directive)} in map`);
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError('apply', 'invalid $retainKeys directive: must be a list');
    for (const key of Object.keys(original)) if (!retain.includes(key)) delete original[key];
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      const current = original[field];
      if (!Array.isArray(value)) throw new PatchError('apply', `invalid ${key} directive: must be a list`);
      if (Array.isArray(current)) original[field] = current.filter((item) => !value.some((v) => deepEqual(v, item)));
      continue;
    }
    if (value === null) {
      delete original[key];
    } else if (isObject(value)) {
      const current = original[key];
      const merged = mergeMap(isObject(current) ? current : {}, value, [...path, key]);
      if (merged === undefined) delete original[key];
      else original[key] = merged;
    } else if (Array.isArray(value)) {
      original[key] = mergeList(original[key], value, [...path, key]);
    } else {
      original[key] = value;
    }
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const field = key.slice(SET_ORDER.length);
    const list = original[field];
    if (!Array.isArray(order)) throw new PatchError('apply', `invalid ${key} directive: must be a list`);
    if (Array.isArray(list)) original[field] = reorder(list, order, listRule([...path, field])?.mergeKey);
  }
  return original;
}

function mergeList(original: Json | undefined, patch: Json[], path: string[]): Json[] {
  const rule = listRule(path);
  if (!rule) return clean(patch.filter((item) => !(isObject(item) && item.$patch !== undefined))) as Json[];
  const current = Array.isArray(original) ? original : [];
  if (rule.primitiveMerge) {
    const out = [...current];
    for (const item of patch) if (!out.some((v) => deepEqual(v, item))) out.push(item);
    return out;
  }
  const key = rule.mergeKey!;
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return clean(patch.filter((item) => !(isObject(item) && item.$patch === 'replace'))) as Json[];
  }
  const out = [...current];
  for (const item of patch) {
    if (!isObject(item))
      throw new PatchError('apply', `list ${path.join('.')} has merge key ${key} but a patch item is not a map`);
    if (!(key in item))
      throw new PatchError('apply', `map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((existing) => isObject(existing) && deepEqual(existing[key], item[key]));
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = mergeMap(out[idx] as JsonObject, item, path);
      if (merged === undefined) out.splice(idx, 1);
      else out[idx] = merged;
    } else {
      out.push(clean(item));
    }
  }
  return out;
}

/** Orders `list` by `order` (items or `{key: value}` stubs); unlisted items keep their order, after the listed ones. */
function reorder(list: Json[], order: Json[], key: string | undefined): Json[] {
  const identity = (item: Json): Json => (key && isObject(item) ? (item[key] ?? null) : item);
  const wanted = order.map(identity);
  const listed: Json[] = [];
  for (const id of wanted) {
    const found = list.find((item) => deepEqual(identity(item), id));
    if (found !== undefined) listed.push(found);
  }
  const rest = list.filter((item) => !wanted.some((id) => deepEqual(identity(item), id)));
  return [...listed, ...rest];
}

/** Drops directives and `null` members from a value that is inserted as is. */
function clean(value: Json): Json {
  if (Array.isArray(value)) return value.map(clean);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (
      k === '$patch' ||
      k === '$retainKeys' ||
      k.startsWith(SET_ORDER) ||
      k.startsWith(DELETE_PRIMITIVE) ||
      v === null
    )
      continue;
    out[k] = clean(v);
  }
  return out;
}
