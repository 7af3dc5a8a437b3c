import { PatchError, cloneJson, deepEqual, isObject, type Json } from './patchError.js';

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

/**
 * Applies an RFC 6902 JSON Patch (https://www.rfc-editor.org/rfc/rfc6902) to a copy of `doc`.
 * Operations are applied in order; any failure (missing path, failed `test`) aborts the whole patch,
 * as evanphx/json-patch does for the API server.
 */
export function applyJsonPatch<T>(doc: T, patch: unknown): T {
  if (!Array.isArray(patch))
    throw new PatchError('decode', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let root = cloneJson(doc) as Json;
  for (const raw of patch) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError('decode', `invalid JSON patch operation: ${JSON.stringify(raw)}`);
    }
    const op = raw as unknown as JsonPatchOp;
    switch (op.op) {
      case 'add':
        root = add(root, op.path, cloneJson(requireValue(op)));
        break;
      case 'remove':
        root = remove(root, op.path).root;
        break;
      case 'replace':
        get(root, op.path);
        root = add(remove(root, op.path).root, op.path, cloneJson(requireValue(op)), true);
        break;
      case 'move': {
        const from = requireFrom(op);
        if (op.path.startsWith(from + '/'))
          throw new PatchError('apply', `move operation cannot move "${from}" into its own child`);
        const removed = remove(root, from);
        root = add(removed.root, op.path, removed.value);
        break;
      }
      case 'copy':
        root = add(root, op.path, cloneJson(get(root, requireFrom(op))));
        break;
      case 'test':
        if (!deepEqual(get(root, op.path), requireValue(op))) {
          throw new PatchError('apply', `testing value ${op.path} failed: test failed`);
        }
        break;
      default:
        throw new PatchError('decode', `unexpected kind of operation "${String((op as { op: string }).op)}"`);
    }
  }
  return root as T;
}

/** Splits a JSON pointer into unescaped tokens (`~1` → `/`, then `~0` → `~`, in that order per RFC 6901). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError('apply', `JSON pointer must start with "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Escapes one token for a JSON pointer. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function requireValue(op: JsonPatchOp): Json {
  if (!('value' in op)) throw new PatchError('decode', `missing value for "${op.op}" operation at ${op.path}`);
  return op.value as Json;
}

function requireFrom(op: JsonPatchOp): string {
  if (typeof op.from !== 'string')
    throw new PatchError('decode', `missing from for "${op.op}" operation at ${op.path}`);
  return op.from;
}

function get(root: Json, pointer: string): Json {
  let cur: Json = root;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(token, cur.length - 1, pointer);
      cur = cur[i]!;
    } else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, token)) {
      cur = cur[token]!;
    } else {
      throw new PatchError('apply', `path ${pointer} not found`);
    }
  }
  return cur;
}

/** Container and final token of a pointer (the container must exist). */
function parent(root: Json, pointer: string): { container: Json; token: string } {
  const tokens = parsePointer(pointer);
  const token = tokens.pop()!;
  const prefix = tokens.map((t) => '/' + escapePointerToken(t)).join('');
  return { container: get(root, prefix), token };
}

function add(root: Json, pointer: string, value: Json, replacing = false): Json {
  if (pointer === '') return value;
  const { container, token } = parent(root, pointer);
  if (Array.isArray(container)) {
    const i = token === '-' ? container.length : arrayIndex(token, container.length, pointer);
    container.splice(i, 0, value);
  } else if (isObject(container)) {
    container[token] = value;
  } else {
    throw new PatchError(
      'apply',
      `${replacing ? 'replace' : 'add'} operation does not apply: doc is missing path: "${pointer}"`,
    );
  }
  return root;
}

function remove(root: Json, pointer: string): { root: Json; value: Json } {
  if (pointer === '') return { root: null, value: root };
  const { container, token } = parent(root, pointer);
  if (Array.isArray(container)) {
    const i = arrayIndex(token, container.length - 1, pointer);
    return { root, value: container.splice(i, 1)[0]! };
  }
  if (isObject(container) && Object.prototype.hasOwnProperty.call(container, token)) {
    const value = container[token]!;
    delete container[token];
    return { root, value };
  }
  throw new PatchError('apply', `remove operation does not apply: doc is missing path: "${pointer}"`);
}

function arrayIndex(token: string, max: number, pointer: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError('apply', `invalid array index "${token}" in ${pointer}`);
  const i = Number(token);
  if (i > max) throw new PatchError('apply', `array index ${i} out of bounds in ${pointer}`);
  return i;
}
