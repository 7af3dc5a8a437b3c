import { isObject, type Json, type JsonObject } from './json.js';
import { listRule } from './listRules.js';

/** One step of a field path: a map field, or the item of a keyed list whose merge key has value `v`. */
export type PathSegment = { f: string } | { k: string; v: Json };

/** A set of field paths, keyed by their printed form (`.spec.template.spec.containers[name="c"].image`). */
export type FieldSet = Map<string, PathSegment[]>;

/** Metadata fields the API server owns itself; never tracked per manager. */
const SYSTEM_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

/** Prints a path the way structured-merge-diff does in conflict messages. */
export function formatPath(path: readonly PathSegment[]): string {
  return path.map((s) => ('f' in s ? `.${s.f}` : `[${s.k}=${JSON.stringify(s.v)}]`)).join('');
}

/**
 * The fields an object sets: leaves (scalars, atomic lists, empty maps) plus one entry per item of a
 * keyed list (so ownership of the item itself is tracked). `apiVersion`, `kind`, `status` and
 * server-owned metadata are left out, as the field manager does.
 */
export function fieldsOf(obj: unknown): FieldSet {
  const out: FieldSet = new Map();
  if (!isObject(obj)) return out;
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') continue;
    if (key === 'metadata' && isObject(value)) {
      const meta: JsonObject = {};
      for (const [mk, mv] of Object.entries(value)) if (!SYSTEM_METADATA.has(mk)) meta[mk] = mv;
      if (Object.keys(meta).length > 0) walk(meta, [{ f: 'metadata' }], ['metadata'], out);
      continue;
    }
    visit(value, [{ f: key }], [key], out);
  }
  return out;
}

function walk(map: JsonObject, path: PathSegment[], names: string[], out: FieldSet): void {
  for (const [key, value] of Object.entries(map)) {
    if (value === null) continue;
    visit(value, [...path, { f: key }], [...names, key], out);
  }
}

function visit(value: Json, path: PathSegment[], names: string[], out: FieldSet): void {
  if (isObject(value) && Object.keys(value).length > 0) {
    walk(value, path, names, out);
    return;
  }
  const key = Array.isArray(value) ? listRule(names)?.mergeKey : undefined;
  if (key && Array.isArray(value) && value.every((item) => isObject(item) && key in item)) {
    for (const item of value as JsonObject[]) {
      const itemPath: PathSegment[] = [...path, { k: key, v: item[key]! }];
      out.set(formatPath(itemPath), itemPath);
      walk(item, itemPath, names, out);
    }
    return;
  }
  out.set(formatPath(path), path);
}

/** The value at `path`, or undefined. */
export function getAt(obj: unknown, path: readonly PathSegment[]): Json | undefined {
  let cur: unknown = obj;
  for (const seg of path) {
    if ('f' in seg) {
      if (!isObject(cur)) return undefined;
      cur = cur[seg.f];
    } else {
      if (!Array.isArray(cur)) return undefined;
      cur = cur.find((item) => isObject(item) && JSON.stringify(item[seg.k]) === JSON.stringify(seg.v));
    }
    if (cur === undefined) return undefined;
  }
  return cur as Json;
}

/** Removes the field or list item at `path` from `obj` (in place); a missing path is a no-op. */
export function deleteAt(obj: unknown, path: readonly PathSegment[]): void {
  const last = path[path.length - 1];
  if (!last) return;
  const container = getAt(obj, path.slice(0, -1));
  if ('f' in last) {
    if (isObject(container)) delete container[last.f];
  } else if (Array.isArray(container)) {
    const idx = container.findIndex(
      (item) => isObject(item) && JSON.stringify(item[last.k]) === JSON.stringify(last.v),
    );
    if (idx >= 0) container.splice(idx, 1);
  }
}

/** Encodes a field set as a `FieldsV1` trie (`f:<name>`, `k:{"<key>":<value>}`, `.` for the item itself). */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const path of set.values()) {
    let node = root;
    for (const seg of path) {
      const name = 'f' in seg ? `f:${seg.f}` : `k:${JSON.stringify({ [seg.k]: seg.v })}`;
      node = (node[name] ??= {}) as JsonObject;
    }
    if (path.length > 0 && !('f' in path[path.length - 1]!)) node['.'] = {};
  }
  return root;
}

/** Decodes a `FieldsV1` trie written by {@link toFieldsV1} (or by a real API server, for the parts modelled). */
export function fromFieldsV1(trie: unknown): FieldSet {
  const out: FieldSet = new Map();
  const walkTrie = (node: JsonObject, path: PathSegment[]): void => {
    for (const [name, child] of Object.entries(node)) {
      if (name === '.') {
        out.set(formatPath(path), path);
        continue;
      }
      let seg: PathSegment;
      if (name.startsWith('f:')) seg = { f: name.slice(2) };
      else if (name.startsWith('k:')) {
        const parsed = JSON.parse(name.slice(2)) as JsonObject;
        const [k, v] = Object.entries(parsed)[0] ?? ['', null];
        seg = { k, v: v as Json };
      } else continue; // `v:` (set items) and `i:` (indices) are not modelled: atomic lists are leaves here
      const next = [...path, seg];
      if (isObject(child) && Object.keys(child).length > 0) walkTrie(child, next);
      else out.set(formatPath(next), next);
    }
  };
  if (isObject(trie)) walkTrie(trie, []);
  return out;
}

/**
 * Sets `value` at `path` in `obj` (in place), creating the maps and keyed-list items on the way
 * (an item is created as `{<key>: <value>}`).
 */
export function setAt(obj: JsonObject, path: readonly PathSegment[], value: Json): void {
  let cur: Json = obj;
  path.forEach((seg, i) => {
    const last = i === path.length - 1;
    if ('f' in seg) {
      if (!isObject(cur)) return;
      if (last) cur[seg.f] = value;
      else {
        const next = path[i + 1]!;
        cur[seg.f] ??= 'f' in next ? {} : [];
      }
      cur = cur[seg.f]!;
      return;
    }
    if (!Array.isArray(cur)) return;
    const key = JSON.stringify(seg.v);
    let item = cur.find((x) => isObject(x) && JSON.stringify(x[seg.k]) === key);
    if (item === undefined) {
      item = { [seg.k]: seg.v };
      cur.push(item);
    }
    if (last && isObject(value) && isObject(item)) Object.assign(item, value);
    cur = item;
  });
}
