/**
 * apiequality.Semantic.DeepEqual on JSON data. In Go a nil map or slice equals an empty one, and
 * a field left out of JSON is nil; so here `undefined`, `null`, `{}` and `[]` are all "absent".
 * (resource.Quantity's semantic comparison is not modelled: the store defaults pod templates the
 * same way on both sides, so templates compared here carry identical quantity strings.)
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isAbsent(a) && isAbsent(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => semanticEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!semanticEqual(a[key], b[key])) return false;
    return true;
  }
  return a === b;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAbsent(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  // A struct whose fields are all unset equals the zero struct (ObjectMeta{Labels: {}} == ObjectMeta{}).
  return isObject(v) && Object.values(v).every(isAbsent);
}

/** JSON with object keys sorted at every level: a stable text for hashing and deep comparison. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) if (value[key] !== undefined) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}
