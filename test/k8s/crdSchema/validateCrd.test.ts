/**
 * A CustomResourceDefinition the API server would refuse: names, scope, storage version, a schema
 * per version, and that schema structural (a type at every level unless int-or-string or
 * preserve-unknown-fields, items for arrays, no additionalProperties at the root) with CEL rules
 * that compile.
 */
import { describe, expect, test } from '@jest/globals';
import { validateCrd } from '../../../src/k8s/crdSchema/index.js';
import type { CustomResourceDefinition } from '../../../src/k8s/crd.js';
import { formatFieldError } from '../../../src/k8s/validation/fieldErrors.js';

function crd(openAPIV3Schema?: Record<string, unknown>, name = 'widgets.example.com'): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [
        { name: 'v1', served: true, storage: true, ...(openAPIV3Schema ? { schema: { openAPIV3Schema } } : {}) },
      ],
    },
  };
}

const errors = (c: CustomResourceDefinition): string[] => validateCrd(c).map((e) => formatFieldError(e.error));
const S = 'spec.versions[0].schema.openAPIV3Schema';

describe('validateCrd', () => {
  test('a structural schema passes, int-or-string and preserve-unknown-fields need no type', () => {
    expect(
      errors(
        crd({
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              properties: {
                port: { 'x-kubernetes-int-or-string': true },
                free: { 'x-kubernetes-preserve-unknown-fields': true },
                tags: { type: 'array', items: { type: 'string' } },
              },
              'x-kubernetes-validations': [{ rule: 'self.tags.size() < 3' }],
            },
          },
        }),
      ),
    ).toEqual([]);
  });

  test('no schema: Required value', () => {
    expect(errors(crd())).toEqual([`${S}: Required value`]);
  });

  test('missing types at the root, in a field and in array items; an array without items', () => {
    expect(
      errors(
        crd({
          properties: { spec: { properties: { list: { type: 'array' }, other: { type: 'array', items: {} } } } },
        }),
      ),
    ).toEqual([
      `${S}.properties[spec].properties[list].items: Required value: must be specified`,
      `${S}.properties[spec].properties[other].items.type: Required value: must not be empty for specified array items`,
      `${S}.properties[spec].type: Required value: must not be empty for specified object fields`,
      `${S}.type: Required value: must not be empty at the root`,
    ]);
  });

  test('the root must be an object without additionalProperties', () => {
    expect(errors(crd({ type: 'string' }))).toEqual([`${S}.type: Invalid value: "string": must be object at the root`]);
    expect(errors(crd({ type: 'object', additionalProperties: { type: 'string' } }))).toEqual([
      `${S}.additionalProperties: Forbidden: must not be used at the root`,
    ]);
  });

  test('a CEL rule that does not compile', () => {
    const [error] = errors(crd({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.size(', message: 'm' }] }));
    expect(error).toMatch(
      /^spec\.versions\[0\]\.schema\.openAPIV3Schema\.x-kubernetes-validations\[0\]\.rule: Invalid value: \{"rule":"self\.size\(","message":"m"\}: compilation failed: /,
    );
  });

  test('metadata.name must be <plural>.<group>', () => {
    expect(errors(crd({ type: 'object' }, 'widget.example.com'))).toEqual([
      'metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group',
    ]);
  });
});
