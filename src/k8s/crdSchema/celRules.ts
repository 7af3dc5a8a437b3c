import { Environment } from '@marcbachmann/cel-js';
import { deepEqual } from '../json.js';
import { duplicate, forbidden, invalid, required, type FieldError } from '../validation/fieldErrors.js';
import { fieldOf } from './fieldPath.js';
import type { SchemaFieldError } from './validateValue.js';
import { isMapping, mapValues, type JSONSchemaProps, type PathElement, type ValidationRule } from './types.js';

/**
 * `x-kubernetes-validations`: CEL rules evaluated with `self` bound to the value at their schema
 * node, and `oldSelf` to the same value in the stored object on an update (a rule that reads
 * `oldSelf` is a transition rule, skipped on create and where the old value cannot be
 * correlated: objects by key, lists only of list-type map by their keys). Errors as
 * apiextensions-apiserver words them (pkg/apiserver/schema/cel/validation.go).
 */
const environment = new Environment({
  unlistedVariablesAreDyn: true,
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
});

type Program = (context: Record<string, unknown>) => unknown;
const compiled = new Map<string, Program | Error>();

/** The first line of a CEL error (the rest draws a caret under the expression). */
function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
}

/** Compiles (once) a CEL expression; an Error when it does not parse. */
export function compileCel(source: string): Program | Error {
  let program = compiled.get(source);
  if (!program) {
    try {
      program = environment.parse(source) as Program;
    } catch (err) {
      program = new Error(firstLine(err));
    }
    compiled.set(source, program);
  }
  return program;
}

const USES_OLD_SELF = /\boldSelf\b/;

export function validateRules(value: unknown, schema: JSONSchemaProps, old?: unknown): SchemaFieldError[] {
  const out: SchemaFieldError[] = [];
  walk(value, old, schema, [], out);
  return out;
}

function walk(
  value: unknown,
  old: unknown,
  schema: JSONSchemaProps,
  path: PathElement[],
  out: SchemaFieldError[],
): void {
  if (value === undefined || value === null) return;
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    const error = evaluate(rule, value, old, schema, path);
    if (error) out.push(error);
  }
  if (isMapping(value)) {
    const values = mapValues(schema);
    for (const [key, child] of Object.entries(value)) {
      const sub = schema.properties?.[key] ?? values;
      if (sub) walk(child, isMapping(old) ? old[key] : undefined, sub, [...path, key], out);
    }
    return;
  }
  if (Array.isArray(value) && schema.items) {
    const keys = schema['x-kubernetes-list-type'] === 'map' ? (schema['x-kubernetes-list-map-keys'] ?? []) : undefined;
    const oldItems = Array.isArray(old) ? old : [];
    value.forEach((item, i) => {
      const oldItem =
        keys && isMapping(item)
          ? oldItems.find((o) => isMapping(o) && keys.every((k) => deepEqual(o[k], item[k])))
          : undefined;
      walk(item, oldItem, schema.items!, [...path, i], out);
    });
  }
}

function evaluate(
  rule: ValidationRule,
  self: unknown,
  oldSelf: unknown,
  schema: JSONSchemaProps,
  path: PathElement[],
): SchemaFieldError | undefined {
  const field = fieldOf(path);
  const type = schema.type ?? (schema['x-kubernetes-int-or-string'] ? 'string' : 'object');
  const ruleText = rule.message?.trim() || rule.rule.trim();
  const transition = USES_OLD_SELF.test(rule.rule);
  if (transition && oldSelf === undefined) return undefined;
  const program = compileCel(rule.rule);
  if (program instanceof Error)
    return { path, error: invalid(field, type, `rule compile error: compilation failed: ${program.message}`) };
  const context = transition ? { self, oldSelf } : { self };
  let result: unknown;
  try {
    result = program(context);
  } catch (err) {
    return { path, error: invalid(field, type, `${lowerFirst(firstLine(err))} evaluating rule: ${ruleText}`) };
  }
  if (result === true) return undefined;
  const at = rule.fieldPath ? [...path, ...rule.fieldPath.replace(/^\./, '').split('.')] : path;
  const detail = messageOf(rule, context);
  // Objects and lists are left out of the message (field.OmitValueType).
  const value = type === 'object' || type === 'array' ? undefined : self;
  return { path: at, error: errorFor(rule.reason, fieldOf(at), value, type === 'object' || type === 'array', detail) };
}

/** messageExpression when it evaluates to a string, else message, else `failed rule: <rule>`. */
function messageOf(rule: ValidationRule, context: Record<string, unknown>): string {
  if (rule.messageExpression) {
    const program = compileCel(rule.messageExpression);
    if (!(program instanceof Error)) {
      try {
        const text = program(context);
        if (typeof text === 'string' && text.trim() !== '') return text.trim();
      } catch {
        // The apiserver logs it and falls back to the message.
      }
    }
  }
  return rule.message?.trim() ? rule.message.trim() : `failed rule: ${rule.rule.trim()}`;
}

function errorFor(
  reason: ValidationRule['reason'],
  field: string,
  value: unknown,
  omit: boolean,
  detail: string,
): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return forbidden(field, detail);
    case 'FieldValueRequired':
      return required(field, detail);
    case 'FieldValueDuplicate':
      return { ...duplicate(field, value), ...(omit ? { omitValue: true } : {}) };
    default:
      return { ...invalid(field, value, detail), ...(omit ? { omitValue: true } : {}) };
  }
}

/** cel-go's runtime errors start in lower case (`no such key: x`). */
function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
