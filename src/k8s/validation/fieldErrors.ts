import type { StatusCause } from '../apiError.js';

/**
 * Field-level validation errors, rendered exactly as apimachinery renders them
 * (https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/field/errors.go):
 * `<path>: <Type>[: <value>][: <detail>]`.
 */

/** The `reason` of a StatusCause, one per apimachinery ErrorType we produce. */
export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueForbidden'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueTypeInvalid'
  | 'FieldValueTooMany';

/** One field error; `value` is only rendered for the types that print a value. */
export interface FieldError {
  type: FieldErrorType;
  /** The field path, e.g. `spec.template.spec.containers[0].image`. */
  field: string;
  value?: unknown;
  /** The value is left out of the message (field.OmitValueType: CEL rules on objects and lists). */
  omitValue?: boolean;
  detail: string;
}

const typeWords: Record<FieldErrorType, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueForbidden: 'Forbidden',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueTooMany: 'Too many',
};

/** Types whose rendering never includes the bad value (ErrorBody's first case). */
const valueless = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong']);

/**
 * Renders a bad value the way ErrorBody does: numbers and booleans plain, strings quoted (Go `%q`,
 * which for printable text equals a JSON string), anything else as compact JSON (`null` for nil).
 * Callers pass maps with their keys already sorted, because Go's json.Marshal sorts map keys.
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

/** `ErrorBody()`: the message without the field path. */
export function errorBody(err: FieldError): string {
  let s = typeWords[err.type];
  if (!valueless.has(err.type) && !err.omitValue) s += `: ${formatValue(err.value)}`;
  if (err.detail !== '') s += `: ${err.detail}`;
  return s;
}

/** `Error()`: `<path>: <body>`. */
export function formatFieldError(err: FieldError): string {
  return `${err.field}: ${errorBody(err)}`;
}

/** `field.Invalid(path, value, detail)`. */
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, value, detail };
}

/** `field.TypeInvalid(path, value, detail)`: reads as Invalid value, with its own reason. */
export function typeInvalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueTypeInvalid', field, value, detail };
}

/** `field.TooMany(path, actual, max)`. */
export function tooMany(field: string, actual: number, max: number): FieldError {
  return {
    type: 'FieldValueTooMany',
    field,
    value: actual,
    detail: `must have at most ${max} ${max === 1 ? 'item' : 'items'}`,
  };
}

/** `field.Required(path, detail)`. */
export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, detail };
}

/** `field.Forbidden(path, detail)`. */
export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail };
}

/** `field.Duplicate(path, value)`. */
export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, value, detail: '' };
}

/** `field.TooLong(path, _, maxLength)` with the byte wording. */
export function tooLong(field: string, maxLength: number): FieldError {
  return {
    type: 'FieldValueTooLong',
    field,
    detail: `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`,
  };
}

/** `field.NotSupported(path, value, validValues)`: detail `supported values: "A", "B"`. */
export function notSupported(field: string, value: unknown, validValues: readonly string[]): FieldError {
  const detail =
    validValues.length > 0 ? `supported values: ${validValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, value, detail };
}

/** `ValidateNonnegativeField`. */
export function nonNegative(value: number, field: string): FieldError[] {
  return value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}

/** The StatusCause the API server puts in `details.causes` for a field error. */
export function toStatusCause(err: FieldError): StatusCause {
  // As apimachinery's `ToStatusCause`: the message is the body alone, the path goes in `field`
  // (kubectl prints `<field>: <message>`).
  return { reason: err.type, message: errorBody(err), field: err.field };
}

/** A copy of a string map with its keys sorted, so JSON rendering matches Go's json.Marshal of a map. */
export function sortedMap<T>(map: Record<string, T> | undefined | null): Record<string, T> | null {
  if (map === undefined || map === null) return null;
  const out: Record<string, T> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key]!;
  return out;
}
