import { cloneJson, isObject, type Json } from './patchError.js';

/**
 * RFC 7386 JSON Merge Patch (https://www.rfc-editor.org/rfc/rfc7386): objects merge recursively,
 * `null` removes a member, anything else (arrays included) replaces. Returns a new value.
 */
export function applyMergePatch<T>(target: T, patch: unknown): T {
  return merge(cloneJson(target) as Json, patch as Json) as T;
}

function merge(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return cloneJson(patch);
  const out: { [key: string]: Json } = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}
