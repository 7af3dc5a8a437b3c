/**
 * A custom resource against its CRD's openAPIV3Schema, keyword by keyword: each one valid at its
 * boundary and invalid just past it, with the API server's exact field error (the text kubectl
 * prints after `The Widget "w" is invalid: `). Plus pruning (unknown fields), defaults, nullable,
 * int-or-string, embedded resources, list types and CEL rules (create and update).
 */
import { describe, expect, test } from '@jest/globals';
import { checkCustomResource, type JSONSchemaProps } from '../../../src/k8s/crdSchema/index.js';
import type { KubeObject } from '../../../src/k8s/objects.js';
import { formatFieldError } from '../../../src/k8s/validation/fieldErrors.js';

const spec: JSONSchemaProps = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 2, maxLength: 3, pattern: '^[a-z]+$' },
    replicas: { type: 'integer', minimum: 1, maximum: 5 },
    ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true },
    step: { type: 'integer', multipleOf: 5 },
    size: { type: 'string', enum: ['small', 'large'] },
    port: { 'x-kubernetes-int-or-string': true },
    when: { type: 'string', format: 'date-time' },
    id: { type: 'string', format: 'uuid' },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2, 'x-kubernetes-list-type': 'set' },
    ports: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } },
    },
    labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 5 }, maxProperties: 2 },
    matrix: { type: 'array', items: { type: 'array', items: { type: 'integer', maximum: 9 } } },
    template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    note: { type: 'string', nullable: true },
    mode: { type: 'string', default: 'fast' },
    limits: { type: 'object', properties: { cpu: { type: 'integer', default: 2 } }, default: {} },
  },
};
const schema: JSONSchemaProps = { type: 'object', properties: { spec } };

function widget(fields: Record<string, unknown>): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { name: 'ab', ...fields } };
}

/** The field errors of a Widget with these spec fields, as kubectl prints each one. */
function errors(fields: Record<string, unknown>, s: JSONSchemaProps = schema, old?: KubeObject): string[] {
  return checkCustomResource(widget(fields), s, old).errors.map((e) => formatFieldError(e.error));
}

describe('schema keywords at their boundaries', () => {
  test('type: an integer field refuses a string, naming the JSON type it got', () => {
    expect(errors({ replicas: 3 })).toEqual([]);
    expect(errors({ replicas: 'three' })).toEqual([
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    ]);
    expect(errors({ replicas: 2.5 })).toEqual([
      'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
    ]);
    expect(errors({ labels: ['a'] })).toEqual([
      'spec.labels: Invalid value: "array": spec.labels in body must be of type object: "array"',
    ]);
  });

  test('required: a missing field is a Required value', () => {
    expect(checkCustomResource(widget({}), schema).errors).toEqual([]);
    const { name: _n, ...rest } = widget({}).spec as Record<string, unknown>;
    const obj = { ...widget({}), spec: rest };
    expect(checkCustomResource(obj, schema).errors.map((e) => [e.path, formatFieldError(e.error)])).toEqual([
      [['spec', 'name'], 'spec.name: Required value'],
    ]);
  });

  test('enum: a value outside it is an Unsupported value listing the supported ones', () => {
    expect(errors({ size: 'large' })).toEqual([]);
    expect(errors({ size: 'huge' })).toEqual([
      'spec.size: Unsupported value: "huge": supported values: "small", "large"',
    ]);
  });

  test('maxLength 3 accepts "abc" and refuses "abcd"; minLength 2 refuses "a"; pattern', () => {
    expect(errors({ name: 'abc' })).toEqual([]);
    expect(errors({ name: 'abcd' })).toEqual(['spec.name: Too long: may not be more than 3 bytes']);
    expect(errors({ name: 'ab' })).toEqual([]);
    expect(errors({ name: 'a' })).toEqual([
      'spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long',
    ]);
    expect(errors({ name: 'A1' })).toEqual([
      'spec.name: Invalid value: "A1": spec.name in body should match \'^[a-z]+$\'',
    ]);
  });

  test('minimum 1 / maximum 5 (inclusive)', () => {
    expect(errors({ replicas: 1 })).toEqual([]);
    expect(errors({ replicas: 5 })).toEqual([]);
    expect(errors({ replicas: 0 })).toEqual([
      'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
    ]);
    expect(errors({ replicas: 6 })).toEqual([
      'spec.replicas: Invalid value: 6: spec.replicas in body should be less than or equal to 5',
    ]);
  });

  test('exclusiveMinimum 0 / exclusiveMaximum 1', () => {
    expect(errors({ ratio: 0.5 })).toEqual([]);
    expect(errors({ ratio: 0.001 })).toEqual([]);
    expect(errors({ ratio: 0 })).toEqual(['spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0']);
    expect(errors({ ratio: 1 })).toEqual(['spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1']);
  });

  test('multipleOf 5', () => {
    expect(errors({ step: 10 })).toEqual([]);
    expect(errors({ step: 11 })).toEqual(['spec.step: Invalid value: 11: spec.step in body should be a multiple of 5']);
  });

  test('format date-time and uuid (a wrong format reads as a type error named after the format)', () => {
    expect(errors({ when: '2026-11-30T12:00:00Z', id: '123e4567-e89b-12d3-a456-426614174000' })).toEqual([]);
    expect(errors({ when: 'tomorrow' })).toEqual([
      'spec.when: Invalid value: "tomorrow": spec.when in body must be of type date-time: "tomorrow"',
    ]);
    expect(errors({ id: '123e4567' })).toEqual([
      'spec.id: Invalid value: "123e4567": spec.id in body must be of type uuid: "123e4567"',
    ]);
  });

  test('minItems 1 / maxItems 2', () => {
    expect(errors({ tags: ['a'] })).toEqual([]);
    expect(errors({ tags: ['a', 'b'] })).toEqual([]);
    expect(errors({ tags: [] })).toEqual([
      'spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items',
    ]);
    expect(errors({ tags: ['a', 'b', 'c'] })).toEqual(['spec.tags: Too many: 3: must have at most 2 items']);
  });

  test('maxProperties 2 and the additionalProperties schema of a map (keys joined with dots)', () => {
    expect(errors({ labels: { a: 'x', b: 'y' } })).toEqual([]);
    expect(errors({ labels: { a: 'x', b: 'y', c: 'z' } })).toEqual([
      'spec.labels: Too many: 3: must have at most 2 items',
    ]);
    expect(errors({ labels: { tier: 'backend' } })).toEqual([
      'spec.labels.tier: Too long: may not be more than 5 bytes',
    ]);
    expect(errors({ labels: { tier: 7 } })).toEqual([
      'spec.labels.tier: Invalid value: "integer": spec.labels.tier in body must be of type string: "integer"',
    ]);
  });

  test('nested arrays: every item of every list is checked at its index', () => {
    expect(errors({ matrix: [[1, 9], [0]] })).toEqual([]);
    expect(errors({ matrix: [[1], [2, 10]] })).toEqual([
      'spec.matrix[1][1]: Invalid value: 10: spec.matrix[1][1] in body should be less than or equal to 9',
    ]);
  });

  test('x-kubernetes-int-or-string takes an integer or a string, nothing else', () => {
    expect(errors({ port: 8080 })).toEqual([]);
    expect(errors({ port: 'http' })).toEqual([]);
    expect(errors({ port: true })).toEqual([
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    ]);
    expect(errors({ port: 1.5 })).toEqual([
      'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
    ]);
  });

  test('nullable: null is accepted where nullable, dropped elsewhere (a non-nullable null is as if absent)', () => {
    expect(errors({ note: null })).toEqual([]);
    const check = checkCustomResource(widget({ replicas: null }), schema);
    expect(check.errors).toEqual([]);
    expect((check.object.spec as Record<string, unknown>).replicas).toBeUndefined();
    expect(errors({ tags: [null] })).toEqual([
      'spec.tags[0]: Invalid value: "null": spec.tags[0] in body must be of type string: "null"',
    ]);
  });

  test('x-kubernetes-list-type set: a repeated item is a Duplicate value; map: items repeating their keys', () => {
    expect(errors({ tags: ['a', 'a'] })).toEqual(['spec.tags[1]: Duplicate value: "a"']);
    expect(
      errors({
        ports: [
          { name: 'http', port: 80 },
          { name: 'https', port: 443 },
        ],
      }),
    ).toEqual([]);
    expect(
      errors({
        ports: [
          { name: 'http', port: 80 },
          { name: 'http', port: 81 },
        ],
      }),
    ).toEqual(['spec.ports[1]: Duplicate value: {"name":"http"}']);
  });

  test('x-kubernetes-embedded-resource needs apiVersion and kind; preserve-unknown-fields keeps the rest', () => {
    expect(errors({ template: { apiVersion: 'v1', kind: 'Pod', spec: { anything: 1 } } })).toEqual([]);
    expect(errors({ template: { spec: {} } })).toEqual([
      'spec.template.apiVersion: Required value',
      'spec.template.kind: Required value',
    ]);
  });

  test('every problem at once, in document order', () => {
    expect(errors({ name: 'abcd', replicas: 0, size: 'huge' })).toEqual([
      'spec.name: Too long: may not be more than 3 bytes',
      'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
      'spec.size: Unsupported value: "huge": supported values: "small", "large"',
    ]);
  });
});

describe('pruning and defaults', () => {
  test('undeclared fields are unknown (at any depth, in list items too) and pruned; preserved ones stay', () => {
    const check = checkCustomResource(
      widget({ colour: 'red', ports: [{ name: 'a', proto: 'TCP' }], extra: { free: { form: true } } }),
      schema,
    );
    expect(check.unknown.map((u) => u.field)).toEqual(['spec.colour', 'spec.ports[0].proto']);
    expect(check.unknown[1]!.path).toEqual(['spec', 'ports', 0, 'proto']);
    expect(check.object.spec).toMatchObject({ ports: [{ name: 'a' }], extra: { free: { form: true } } });
    expect((check.object.spec as Record<string, unknown>).colour).toBeUndefined();
  });

  test('top-level fields outside the schema and unknown metadata fields are unknown too', () => {
    const obj = { ...widget({}), status2: {}, metadata: { name: 'w', label: { a: 'b' } } } as KubeObject;
    expect(checkCustomResource(obj, schema).unknown.map((u) => u.field)).toEqual(['metadata.label', 'status2']);
  });

  test('defaults fill missing fields, recursively (a defaulted object gets its own defaults)', () => {
    const check = checkCustomResource(widget({}), schema);
    expect(check.object.spec).toEqual({ name: 'ab', mode: 'fast', limits: { cpu: 2 } });
    expect(checkCustomResource(widget({ mode: 'slow', limits: { cpu: 4 } }), schema).object.spec).toEqual({
      name: 'ab',
      mode: 'slow',
      limits: { cpu: 4 },
    });
  });

  test('the object given is not changed', () => {
    const obj = widget({ colour: 'red' });
    checkCustomResource(obj, schema);
    expect(obj.spec).toEqual({ name: 'ab', colour: 'red' });
  });
});

describe('x-kubernetes-validations (CEL)', () => {
  const withRules = (rules: JSONSchemaProps['x-kubernetes-validations'], field?: JSONSchemaProps): JSONSchemaProps => ({
    type: 'object',
    properties: { spec: { ...spec, ...(field ?? {}), 'x-kubernetes-validations': rules } },
  });

  test('a rule true passes; false is an Invalid value with its message, the object left out', () => {
    const s = withRules([{ rule: 'self.replicas <= 3', message: 'at most 3 replicas' }]);
    expect(errors({ replicas: 3 }, s)).toEqual([]);
    expect(errors({ replicas: 4 }, s)).toEqual(['spec: Invalid value: at most 3 replicas']);
  });

  test('without a message: failed rule: <rule>; messageExpression wins over message', () => {
    expect(errors({ replicas: 4 }, withRules([{ rule: 'self.replicas <= 3' }]))).toEqual([
      'spec: Invalid value: failed rule: self.replicas <= 3',
    ]);
    const s = withRules([
      { rule: 'self.replicas <= 3', message: 'static', messageExpression: "'got ' + string(self.replicas)" },
    ]);
    expect(errors({ replicas: 4 }, s)).toEqual(['spec: Invalid value: got 4']);
  });

  test('a rule on a scalar shows the value; reason and fieldPath are honoured', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          ...spec,
          properties: {
            ...spec.properties,
            name: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'ab'", message: 'not ab' }] },
          },
          'x-kubernetes-validations': [
            { rule: 'has(self.size)', message: 'size is required', reason: 'FieldValueRequired', fieldPath: '.size' },
          ],
        },
      },
    };
    expect(errors({ name: 'ab' }, s)).toEqual([
      'spec.size: Required value: size is required',
      'spec.name: Invalid value: "ab": not ab',
    ]);
  });

  test('a rule that fails to evaluate says why', () => {
    expect(errors({}, withRules([{ rule: 'self.replicas > 1' }]))).toEqual([
      'spec: Invalid value: "object": no such key: replicas evaluating rule: self.replicas > 1',
    ]);
  });

  test('rules are not run when the schema found a blocking error', () => {
    expect(errors({ replicas: 'x' }, withRules([{ rule: 'false', message: 'never' }]))).toEqual([
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  test('oldSelf: a transition rule is skipped on create and checked on update', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          ...spec,
          properties: {
            ...spec.properties,
            name: {
              type: 'string',
              'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'name is immutable' }],
            },
          },
        },
      },
    };
    expect(errors({ name: 'ab' }, s)).toEqual([]);
    expect(errors({ name: 'ab' }, s, widget({ name: 'ab' }))).toEqual([]);
    expect(errors({ name: 'cd' }, s, widget({ name: 'ab' }))).toEqual([
      'spec.name: Invalid value: "cd": name is immutable',
    ]);
  });

  test('rules inside list items run per item (and correlate oldSelf by list-map keys)', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          ...spec,
          properties: {
            ...spec.properties,
            ports: {
              ...spec.properties!.ports!,
              items: {
                ...spec.properties!.ports!.items!,
                'x-kubernetes-validations': [{ rule: 'self.port > 0', message: 'port must be positive' }],
              },
            },
          },
        },
      },
    };
    expect(
      errors(
        {
          ports: [
            { name: 'a', port: 1 },
            { name: 'b', port: 0 },
          ],
        },
        s,
      ),
    ).toEqual(['spec.ports[1]: Invalid value: port must be positive']);
  });
});
