/**
 * Deep copy and equality of JSON data with exactly `JSON.parse(JSON.stringify(x))` semantics
 * (undefined, functions and symbols dropped from objects and turned into null in arrays,
 * non-finite numbers become null, `toJSON` honoured), but without building strings: the store
 * copies and compares on every write, and the JSON round trip dominated the simulator's profile.
 */

/** Deep copy with JSON round-trip semantics. */
export function copyJson<T>(value: T): T {
  return value === undefined ? value : (copyValue(value) as T);
}

/**
 * Deep copy of `value` that reuses every subtree which is the very same object as the
 * matching subtree of `shared` (a stored, never-mutated version): unchanged parts of an
 * update are not copied again.
 */
export function copyJsonSharing<T>(value: T, shared: unknown): T {
  return value === undefined ? value : (copySharing(value, shared) as T);
}

function copyValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return primitive(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return copyValue((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = copyValue(value[i]);
      out[i] = v === undefined ? null : v;
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const v = copyValue((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function copySharing(value: unknown, shared: unknown): unknown {
  // A stored subtree is already JSON-shaped and never mutated: share it.
  if (value === shared && typeof value === 'object' && value !== null) return value;
  if (value === null || typeof value !== 'object') return primitive(value);
  if (shared === null || typeof shared !== 'object' || Array.isArray(value) !== Array.isArray(shared))
    return copyValue(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return copyValue(value);
  if (Array.isArray(value)) {
    const old = shared as unknown[];
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = copySharing(value[i], old[i]);
      out[i] = v === undefined ? null : v;
    }
    return out;
  }
  const old = shared as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const v = copySharing(
      (value as Record<string, unknown>)[key],
      Object.prototype.hasOwnProperty.call(old, key) ? old[key] : undefined,
    );
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function primitive(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null; // -0 serialises as 0
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      return value === null ? null : undefined; // undefined, function, symbol
  }
}

/**
 * Whether two JSON values serialise identically (`JSON.stringify(a) === JSON.stringify(b)`),
 * key order included, without serialising. Values are expected to be plain JSON data.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (hasToJson(a)) return jsonEqual(a.toJSON(), b);
  if (hasToJson(b)) return jsonEqual(a, b.toJSON());
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    if ((a !== null && typeof a === 'object') || (b !== null && typeof b === 'object')) return false; // object vs primitive
    return primitive(a) === primitive(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (!jsonEqual(orNull(a[i]), orNull(b[i]))) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = presentKeys(a as Record<string, unknown>);
  const kb = presentKeys(b as Record<string, unknown>);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    if (!jsonEqual((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!])) return false;
  }
  return true;
}

function hasToJson(v: unknown): v is { toJSON(): unknown } {
  return v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function';
}

function orNull(v: unknown): unknown {
  const p = v === null || typeof v !== 'object' ? primitive(v) : v;
  return p === undefined ? null : p;
}

function presentKeys(obj: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const v = obj[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out.push(key);
  }
  return out;
}
