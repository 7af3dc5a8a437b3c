import { clone } from '../meta.js';
import { resolveSchema, validateAgainstSchema, type Schema } from '../schema/index.js';
import { fieldOf } from './fieldPath.js';
import { isMapping, mapValues, type JSONSchemaProps, type PathElement } from './types.js';

/**
 * What the API server does to a custom resource when it decodes it, before validating it
 * (https://github.com/kubernetes/apiextensions-apiserver/tree/master/pkg/apiserver/schema):
 * pruning drops every field the structural schema neither declares nor preserves
 * (pruning/algorithm.go; with fieldValidation=Strict each one is an `unknown field`),
 * defaulting fills `default`s where a field is missing or a non-nullable null
 * (defaulting/algorithm.go), and the non-nullable nulls left are dropped (defaulting/prunenulls.go).
 */
export interface UnknownField {
  path: PathElement[];
  /** `spec.foo`, as in `unknown field "spec.foo"`. */
  field: string;
}

/** apiVersion, kind and metadata are never pruned at the root or in an embedded resource. */
const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);
const OBJECT_META: Schema = { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };

/** Removes the undeclared fields of `obj` in place and returns them, in document order. */
export function pruneUnknownFields(obj: Record<string, unknown>, schema: JSONSchemaProps): UnknownField[] {
  const out: UnknownField[] = [];
  // The root is an embedded resource: its metadata is an ObjectMeta, whose own fields are known.
  prune(obj, { ...schema, 'x-kubernetes-embedded-resource': true }, [], out);
  return out;
}

function prune(value: unknown, schema: JSONSchemaProps | undefined, path: PathElement[], out: UnknownField[]): void {
  if (isMapping(value)) {
    const embedded = schema?.['x-kubernetes-embedded-resource'] === true;
    if (embedded && isMapping(value.metadata)) pruneObjectMeta(value.metadata, [...path, 'metadata'], out);
    // Preserved fields stay, but the declared ones below are still pruned (skipPrune).
    const preserve = schema?.['x-kubernetes-preserve-unknown-fields'] === true;
    const values = schema ? mapValues(schema) : undefined;
    for (const key of Object.keys(value)) {
      if (embedded && META_FIELDS.has(key)) continue;
      const sub = schema?.properties?.[key] ?? values;
      if (sub) {
        prune(value[key], sub, [...path, key], out);
        continue;
      }
      // Below a preserved field nothing is pruned.
      if (preserve || schema?.additionalProperties === true) continue;
      out.push({ path: [...path, key], field: fieldOf([...path, key]) });
      delete value[key];
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((item, i) => prune(item, schema?.items, [...path, i], out));
}

/** The ObjectMeta fields Kubernetes does not know are unknown fields too (metadata is not a schema's). */
function pruneObjectMeta(meta: Record<string, unknown>, path: PathElement[], out: UnknownField[]): void {
  const { schema, name } = resolveSchema(OBJECT_META);
  for (const p of validateAgainstSchema(meta, schema, name)) {
    if (p.kind !== 'unknown') continue;
    const full = [...path, ...p.path];
    out.push({ path: full, field: fieldOf(full) });
    let parent: unknown = meta;
    for (const key of p.path.slice(0, -1)) parent = (parent as Record<PathElement, unknown>)?.[key];
    if (isMapping(parent)) delete parent[p.path.at(-1) as string];
  }
}

/** Fills defaults in place, then drops the non-nullable nulls that have none (the stored object). */
export function applyDefaults(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (isMapping(value)) {
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      const current = value[key];
      if (prop.default !== undefined && (current === undefined || (current === null && !prop.nullable)))
        value[key] = clone(prop.default);
    }
    const values = mapValues(schema);
    for (const key of Object.keys(value)) {
      const sub = schema.properties?.[key] ?? values;
      if (!sub) continue;
      if (value[key] === null && !sub.nullable) delete value[key];
      else applyDefaults(value[key], sub);
    }
    return;
  }
  if (Array.isArray(value)) for (const item of value) applyDefaults(item, schema.items);
}
