import { deepEqual } from '../json.js';
import {
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
  duplicate,
  type FieldError,
} from '../validation/fieldErrors.js';
import { fieldOf } from './fieldPath.js';
import { matchesFormat } from './formats.js';
import { isMapping, mapValues, type JSONSchemaProps, type PathElement } from './types.js';

/**
 * The API server's schema validation of a (pruned, defaulted) custom resource: kube-openapi's
 * validators (https://github.com/kubernetes/kube-openapi/tree/master/pkg/validation/validate) with
 * their errors converted to field errors as apiextensions-apiserver does
 * (pkg/apiserver/validation/validation.go, kubeOpenAPIResultToFieldErrors), the embedded-resource
 * checks (schema/objectmeta/validation.go) and the list-type invariants (schema/listtype/validation.go).
 * Each error keeps the path of its field, for the line in a manifest.
 */
export interface SchemaFieldError {
  path: PathElement[];
  error: FieldError;
}

export function validateValue(value: unknown, schema: JSONSchemaProps): SchemaFieldError[] {
  const out: SchemaFieldError[] = [];
  walk(value, schema, [], out);
  return out;
}

/** The JSON type kube-openapi infers from a decoded value (int64 for integral numbers). */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}

function types(schema: JSONSchemaProps): string[] {
  if (schema['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return schema.type ? [schema.type] : [];
}

function walk(value: unknown, schema: JSONSchemaProps, path: PathElement[], out: SchemaFieldError[]): void {
  const field = fieldOf(path);
  const add = (error: FieldError): void => void out.push({ path, error });
  // `<field> in body ...`: kube-openapi's wording, `in body` as the request body is validated.
  const where = `${field} in body`;
  const expected = types(schema);

  // type (typeValidator): null passes only where nullable.
  if (value === null) {
    if (expected.length > 0 && !schema.nullable)
      add(typeInvalid(field, 'null', `${where} must be of type ${expected.join(',')}: "null"`));
    if (schema.enum && !schema.enum.some((e) => e === null)) add(enumError(field, value, schema.enum));
    return;
  }
  const actual = jsonType(value);
  // An integral number is an integer, and an integer is a number.
  const typeOk =
    expected.length === 0 || expected.includes(actual) || (actual === 'integer' && expected.includes('number'));
  if (!typeOk)
    add(typeInvalid(field, actual, `${where} must be of type ${expected.join(',')}: ${JSON.stringify(actual)}`));

  // enum (basicCommonValidator)
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) add(enumError(field, value, schema.enum));

  if (Array.isArray(value)) {
    const items = schema.items;
    if (items) value.forEach((item, i) => walk(item, items, [...path, i], out));
    if (schema.minItems !== undefined && value.length < schema.minItems)
      add(invalid(field, value.length, `${where} should have at least ${schema.minItems} items`));
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      add(tooMany(field, value.length, schema.maxItems));
    if (schema.uniqueItems && value.some((v, i) => value.findIndex((w) => deepEqual(v, w)) !== i))
      add(invalid(field, value, `${where} shouldn't contain duplicates`));
    listTypeErrors(value, schema, path, out);
    return;
  }
  if (typeof value === 'number') {
    numberErrors(value, schema, field, where).forEach(add);
    return;
  }
  if (typeof value === 'string') {
    // stringValidator: the first failing check only.
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength) add(tooLong(field, schema.maxLength));
    else if (schema.minLength !== undefined && length < schema.minLength)
      add(invalid(field, value, `${where} should be at least ${schema.minLength} chars long`));
    else if (schema.pattern !== undefined && !patternMatches(schema.pattern, value))
      add(invalid(field, value, `${where} should match '${schema.pattern}'`));
    // formatValidator: a string of the wrong format is a type error named after the format.
    if (schema.format && (expected.length === 0 || expected.includes('string')) && !matchesFormat(schema.format, value))
      add(typeInvalid(field, value, `${where} must be of type ${schema.format}: ${JSON.stringify(value)}`));
    return;
  }
  if (isMapping(value)) objectErrors(value, schema, path, field, where, out);
}

function objectErrors(
  value: Record<string, unknown>,
  schema: JSONSchemaProps,
  path: PathElement[],
  field: string,
  where: string,
  out: SchemaFieldError[],
): void {
  const add = (error: FieldError, at: PathElement[] = path): void => void out.push({ path: at, error });
  const count = Object.keys(value).length;
  if (schema.minProperties !== undefined && count < schema.minProperties)
    add(invalid(field, count, `${where} should have at least ${schema.minProperties} properties`));
  if (schema.maxProperties !== undefined && count > schema.maxProperties)
    add(tooMany(field, count, schema.maxProperties));
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) add(required(fieldOf([...path, key])), [...path, key]);
  }
  if (schema['x-kubernetes-embedded-resource']) embeddedErrors(value, path).forEach((e) => out.push(e));
  const values = mapValues(schema);
  for (const [key, child] of Object.entries(value)) {
    const sub = schema.properties?.[key] ?? values;
    if (sub) walk(child, sub, [...path, key], out);
  }
}

/** objectmeta.Validate of an embedded resource: apiVersion and kind must be set. */
function embeddedErrors(value: Record<string, unknown>, path: PathElement[]): SchemaFieldError[] {
  const out: SchemaFieldError[] = [];
  for (const key of ['apiVersion', 'kind']) {
    const at = [...path, key];
    const v = value[key];
    if (v === undefined || v === null) out.push({ path: at, error: required(fieldOf(at)) });
    else if (typeof v !== 'string') out.push({ path: at, error: invalid(fieldOf(at), v, 'must be a string') });
    else if (v === '') out.push({ path: at, error: invalid(fieldOf(at), v, 'must not be empty') });
  }
  return out;
}

function numberErrors(value: number, schema: JSONSchemaProps, field: string, where: string): FieldError[] {
  const out: FieldError[] = [];
  const m = schema.multipleOf;
  if (m !== undefined && m > 0) {
    const q = value / m;
    if (Math.abs(q - Math.round(q)) > 1e-9) out.push(invalid(field, value, `${where} should be a multiple of ${m}`));
  }
  const min = schema.minimum;
  if (min !== undefined && (schema.exclusiveMinimum ? value <= min : value < min))
    out.push(
      invalid(field, value, `${where} should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${min}`),
    );
  const max = schema.maximum;
  if (max !== undefined && (schema.exclusiveMaximum ? value >= max : value > max))
    out.push(
      invalid(field, value, `${where} should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${max}`),
    );
  return out;
}

function enumError(field: string, value: unknown, allowed: readonly unknown[]): FieldError {
  return notSupported(
    field,
    value,
    allowed.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))),
  );
}

const patterns = new Map<string, RegExp | null>();

/** ECMA 262 regular expressions, as the schema says (Go's RE2 agrees on what CRDs use). */
function patternMatches(pattern: string, value: string): boolean {
  if (!patterns.has(pattern)) {
    try {
      patterns.set(pattern, new RegExp(pattern, 'u'));
    } catch {
      patterns.set(pattern, null);
    }
  }
  const re = patterns.get(pattern);
  return re ? re.test(value) : true;
}

/**
 * `x-kubernetes-list-type: set` items must be unique; `map` items must be objects unique by their
 * `x-kubernetes-list-map-keys`. Each later duplicate is one error.
 */
function listTypeErrors(list: unknown[], schema: JSONSchemaProps, path: PathElement[], out: SchemaFieldError[]): void {
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    list.forEach((item, i) => {
      if (list.findIndex((other) => deepEqual(other, item)) < i)
        out.push({ path: [...path, i], error: duplicate(fieldOf([...path, i]), item) });
    });
    return;
  }
  if (listType !== 'map' || list.length === 0) return;
  const bad = list.findIndex((item) => item !== null && !isMapping(item));
  if (bad >= 0) {
    const at = [...path, bad];
    out.push({ path: at, error: invalid(fieldOf(at), list[bad], 'must be an object for an array of list-type map') });
    return;
  }
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  const keyOf = (item: unknown): Record<string, unknown> => {
    const key: Record<string, unknown> = {};
    for (const k of keys) if (isMapping(item) && item[k] !== undefined) key[k] = item[k];
    return key;
  };
  const seen: Array<Record<string, unknown>> = [];
  list.forEach((item, i) => {
    const key = keyOf(item);
    if (seen.some((s) => deepEqual(s, key))) {
      const at = [...path, i];
      out.push({ path: at, error: duplicate(fieldOf(at), key) });
    }
    seen.push(key);
  });
}
