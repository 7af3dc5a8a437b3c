import { isQuantity } from '../quantity.js';
import { enumValues } from './enums.js';
import { resolveSchema, type Schema } from './schemas.js';

/**
 * Checks a decoded manifest against its OpenAPI schema the way the API server's strict decoding
 * does (sigs.k8s.io/json: fields are matched case-sensitively, a field the Go type does not
 * declare is an `unknown field`, a value of the wrong JSON type cannot be decoded), plus the
 * schema's `required` lists (kubectl's former client-side validation) and the enum values of
 * src/k8s/schema/enums.ts. Every problem is returned, with the raw path for finding its line.
 */
export type SchemaProblemKind = 'unknown' | 'type' | 'required' | 'enum';

export interface SchemaProblem {
  kind: SchemaProblemKind;
  /** Keys and indices from the object root, for `lineOf`. */
  path: Array<string | number>;
  /** The field as the API server prints it: `spec.template.spec.containers[0].image`, `metadata.labels[app]`. */
  field: string;
  /** The message without the object's name: `unknown field "spec.replica"`, `spec.replicas: expected ...`. */
  message: string;
  /**
   * For a `type` problem, what the API server's JSON decoder says (encoding/json's
   * UnmarshalTypeError): `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
   */
  decodeError?: string;
}

const QUANTITY_NAME = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
/** The API server's words for a malformed quantity (apimachinery resource.ErrFormatWrong). */
const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Object fields an embedded resource always has (x-kubernetes-embedded-resource). */
const EMBEDDED = ['apiVersion', 'kind', 'metadata'];

/** Problems of `value` against `schema` (the root schema of a kind, see schemaForKind). */
export function validateAgainstSchema(value: unknown, schema: Schema, name?: string): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  walk(value, schema, name, [], '', out, undefined);
  return out;
}

function walk(
  value: unknown,
  raw: Schema,
  rawName: string | undefined,
  path: Array<string | number>,
  field: string,
  out: SchemaProblem[],
  parent: string | undefined,
): void {
  // Go decodes null into the zero value of any field.
  if (value === null || value === undefined) return;
  const { name, schema } = resolveSchema(raw, rawName);
  const problem = (kind: SchemaProblemKind, message: string, decodeError?: string): void => {
    out.push({ kind, path, field, message, ...(decodeError ? { decodeError } : {}) });
  };
  const typeError = (expected: string, hint = ''): void =>
    problem(
      'type',
      `${field}: expected ${expected}, got ${describeValue(value)}${hint}`,
      `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${shortName(parent)}.${field.replace(/\[[^\]]*\]/g, '')} of type ${goType(raw, rawName)}`,
    );

  if (name === QUANTITY_NAME) {
    if (typeof value !== 'string' && typeof value !== 'number') typeError('a quantity (a string or a number)');
    else if (!isQuantity(value))
      problem('type', `${field}: Invalid value: ${JSON.stringify(value)}: ${QUANTITY_FORMAT}`, QUANTITY_FORMAT);
    return;
  }
  if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string']) {
    if (typeof value === 'string') return;
    if (!Number.isInteger(value)) return typeError('an integer or a string');
    if (!int32(value as number)) typeError(`a 32-bit integer (${INT32_MIN} to ${INT32_MAX}) or a string`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    problem(
      'enum',
      `${field}: Unsupported value: ${JSON.stringify(value)}: supported values: ${quoteAll(schema.enum)}`,
    );
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string')
        typeError('a string', typeof value === 'boolean' || typeof value === 'number' ? ' (quote it in YAML)' : '');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') typeError('a boolean');
      return;
    case 'number':
      if (typeof value !== 'number') typeError('a number');
      return;
    case 'integer':
      if (!Number.isInteger(value)) typeError('an integer');
      else if (schema.format === 'int32' && !int32(value as number))
        typeError(`a 32-bit integer (${INT32_MIN} to ${INT32_MAX})`);
      return;
    case 'array': {
      if (!Array.isArray(value)) return typeError('a list');
      const items = schema.items;
      if (items) value.forEach((item, i) => walk(item, items, undefined, [...path, i], `${field}[${i}]`, out, parent));
      return;
    }
    case 'object':
      if (!isMapping(value)) return typeError('a mapping');
      return walkObject(value, schema, name, path, field, out, parent);
    default:
      // No type: anything goes (e.g. x-kubernetes-preserve-unknown-fields without a type).
      if (schema.properties && isMapping(value)) walkObject(value, schema, name, path, field, out, parent);
  }
}

function walkObject(
  value: Record<string, unknown>,
  schema: Schema,
  name: string | undefined,
  path: Array<string | number>,
  field: string,
  out: SchemaProblem[],
  parent: string | undefined,
): void {
  const join = (key: string): string => (field === '' ? key : `${field}.${key}`);
  const properties = schema.properties;
  const additional = schema.additionalProperties;
  if (properties) {
    const enums = name ? enumValues[name] : undefined;
    const open = schema['x-kubernetes-preserve-unknown-fields'] === true;
    const embedded = schema['x-kubernetes-embedded-resource'] === true;
    for (const [key, child] of Object.entries(value)) {
      const sub = properties[key];
      if (!sub) {
        if (!open && !(embedded && EMBEDDED.includes(key)))
          out.push({
            kind: 'unknown',
            path: [...path, key],
            field: join(key),
            message: `unknown field "${join(key)}"`,
          });
        continue;
      }
      walk(child, sub, undefined, [...path, key], join(key), out, name);
      checkEnum(enums?.[key], child, [...path, key], join(key), out);
      const itemEnum = enums?.[`${key}[]`];
      if (itemEnum && Array.isArray(child))
        child.forEach((item, i) => checkEnum(itemEnum, item, [...path, key, i], `${join(key)}[${i}]`, out));
    }
    for (const key of schema.required ?? []) {
      if (value[key] === undefined || value[key] === null)
        out.push({ kind: 'required', path, field: join(key), message: `${join(key)}: Required value` });
    }
    return;
  }
  if (typeof additional === 'object') {
    // A map: keys are data, printed as `[key]` like field.Path.Key.
    for (const [key, child] of Object.entries(value))
      walk(child, additional, undefined, [...path, key], `${field}[${key}]`, out, parent);
  }
  // An object with neither properties nor a value schema is free-form (RawExtension, FieldsV1).
}

function checkEnum(
  allowed: readonly string[] | undefined,
  value: unknown,
  path: Array<string | number>,
  field: string,
  out: SchemaProblem[],
): void {
  if (!allowed || typeof value !== 'string' || allowed.includes(value)) return;
  out.push({
    kind: 'enum',
    path,
    field,
    message: `${field}: Unsupported value: ${JSON.stringify(value)}: supported values: ${quoteAll(allowed)}`,
  });
}

/** encoding/json's word for a JSON value (`number 2.5` for a fraction meant for an integer). */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'number' : `number ${value}`;
  return typeof value;
}

/** `io.k8s.api.apps.v1.DeploymentSpec` -> `DeploymentSpec` (the Go struct's name). */
function shortName(name: string | undefined): string {
  return name?.split('.').pop() ?? 'Object';
}

/** The Go type a schema stands for, as reflect prints it: `int32`, `[]v1.Container`, `map[string]string`. */
function goType(raw: Schema, rawName?: string): string {
  const { name, schema } = resolveSchema(raw, rawName);
  if (name && schema.type === 'object') {
    const parts = name.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  switch (schema.type) {
    case 'integer':
      return schema.format ?? 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'array':
      return `[]${schema.items ? goType(schema.items) : 'interface {}'}`;
    case 'object':
      return typeof schema.additionalProperties === 'object'
        ? `map[string]${goType(schema.additionalProperties)}`
        : 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

function quoteAll(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function int32(n: number): boolean {
  return n >= INT32_MIN && n <= INT32_MAX;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in a message: `the string "3"`, `the integer 7`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isMapping(value)) return 'a mapping';
  if (typeof value === 'number') return `${Number.isInteger(value) ? 'the integer' : 'the number'} ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return typeof value;
}

/** Removes the unknown fields from `obj` in place (what the API server stores under Warn/Ignore). */
export function dropFields(obj: unknown, problems: readonly SchemaProblem[]): void {
  for (const p of problems) {
    if (p.kind !== 'unknown') continue;
    let parent: unknown = obj;
    for (const key of p.path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)?.[key];
    if (parent && typeof parent === 'object') delete (parent as Record<string | number, unknown>)[p.path.at(-1)!];
  }
}
