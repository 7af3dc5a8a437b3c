import { describe, expect, test } from '@jest/globals';
import {
  duplicate,
  forbidden,
  formatFieldError,
  formatValue,
  invalid,
  notSupported,
  required,
  sortedMap,
  toStatusCause,
  tooLong,
} from '../../../src/k8s/validation/fieldErrors.js';
import { regexError } from '../../../src/k8s/validation/names.js';

describe('field error formatting (apimachinery ErrorBody)', () => {
  test('values: numbers and bools plain, strings quoted, the rest compact JSON', () => {
    expect(formatValue(-1)).toBe('-1');
    expect(formatValue(true)).toBe('true');
    expect(formatValue('a "b"')).toBe('"a \\"b\\""');
    expect(formatValue({ app: 'x' })).toBe('{"app":"x"}');
    expect(formatValue(null)).toBe('null');
    expect(formatValue(sortedMap({ b: '1', a: '2' }))).toBe('{"a":"2","b":"1"}');
  });

  test('each type word', () => {
    expect(formatFieldError(invalid('spec.replicas', -1, 'must be greater than or equal to 0'))).toBe(
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    expect(formatFieldError(required('spec.selector'))).toBe('spec.selector: Required value');
    expect(formatFieldError(required('metadata.name', 'name or generateName is required'))).toBe(
      'metadata.name: Required value: name or generateName is required',
    );
    expect(formatFieldError(forbidden('a.b', 'nope'))).toBe('a.b: Forbidden: nope');
    expect(formatFieldError(notSupported('spec.strategy.type', 'X', ['Recreate', 'RollingUpdate']))).toBe(
      'spec.strategy.type: Unsupported value: "X": supported values: "Recreate", "RollingUpdate"',
    );
    expect(formatFieldError(duplicate('c[1].name', 'web'))).toBe('c[1].name: Duplicate value: "web"');
    expect(formatFieldError(tooLong('metadata.annotations', 262144))).toBe(
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    );
  });

  test('StatusCause carries reason, field and the body alone (kubectl prints `<field>: <message>`)', () => {
    expect(toStatusCause(invalid('spec.replicas', -1, 'must be greater than or equal to 0'))).toEqual({
      reason: 'FieldValueInvalid',
      field: 'spec.replicas',
      message: 'Invalid value: -1: must be greater than or equal to 0',
    });
  });

  test('RegexError keeps the upstream double space before "or"', () => {
    expect(regexError('m', 'f', 'a', 'b')).toBe("m (e.g. 'a',  or 'b', regex used for validation is 'f')");
    expect(regexError('m', 'f')).toBe("m (regex used for validation is 'f')");
  });
});
