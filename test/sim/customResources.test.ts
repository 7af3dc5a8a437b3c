/**
 * Custom resources in the simulator's store, validated against their CRD as the API server does:
 * defaults filled on create, a bad value refused with 422 Invalid and the causes kubectl prints,
 * CEL rules (a transition rule on update only), unknown fields refused by server-side apply, and
 * a CRD the API server would refuse (not structural) refused at create.
 */
import { describe, expect, test } from '@jest/globals';
import { applyObject, updateObject } from '../../src/cluster/sim/applyObject.js';
import { createSimulatedCluster, type SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import { ApiError } from '../../src/k8s/apiError.js';
import type { CustomResourceDefinition } from '../../src/k8s/crd.js';
import type { KubeObject } from '../../src/k8s/objects.js';

const T = '2026-01-01T00:00:00Z';

function crd(openAPIV3Schema: Record<string, unknown>): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema } }],
    },
  };
}

const SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        size: { type: 'integer', minimum: 1, default: 1 },
        tier: { type: 'string', enum: ['gold', 'silver'] },
        name: {
          type: 'string',
          'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'name is immutable' }],
        },
      },
    },
  },
};

function widget(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec };
}

function setup(schema: Record<string, unknown> = SCHEMA): SimulatedClusterParts {
  const parts = createSimulatedCluster();
  applyObject(parts.simulation.store, crd(schema), { manager: 'test', force: true, time: T });
  parts.simulation.settle();
  return parts;
}

function apply(parts: SimulatedClusterParts, obj: KubeObject): KubeObject {
  return applyObject(parts.simulation.store, obj, { manager: 'test', force: true, time: T }).object;
}

function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('custom resources against their CRD in the simulator', () => {
  test('create fills defaults (a missing size becomes 1)', () => {
    const parts = setup();
    expect(apply(parts, widget({ tier: 'gold' })).spec).toEqual({ tier: 'gold', size: 1 });
  });

  test('a value below minimum or outside enum: 422 Invalid with every cause, nothing stored', () => {
    const parts = setup();
    const err = refusal(() => apply(parts, widget({ size: 0, tier: 'bronze' })));
    expect(err.code).toBe(422);
    expect(err.message).toBe(
      'Widget.example.com "w" is invalid: [spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1, ' +
        'spec.tier: Unsupported value: "bronze": supported values: "gold", "silver", ' +
        // The schema has a CEL rule: the API server says it was not run.
        '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; ' +
        'correct the existing errors to complete validation]',
    );
    expect(err.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.size',
        message: 'Invalid value: 0: spec.size in body should be greater than or equal to 1',
      },
      {
        reason: 'FieldValueNotSupported',
        field: 'spec.tier',
        message: 'Unsupported value: "bronze": supported values: "gold", "silver"',
      },
      {
        reason: 'FieldValueInvalid',
        field: '<nil>',
        message:
          'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      },
    ]);
    expect(parts.simulation.store.get('Widget', 'default', 'w')).toBeUndefined();
  });

  test('minimum is inclusive: size 1 is stored', () => {
    expect(apply(setup(), widget({ size: 1 })).spec).toEqual({ size: 1 });
  });

  test('a transition rule (oldSelf) is checked on update only: the same name passes, another is refused', () => {
    const parts = setup();
    apply(parts, widget({ name: 'a' }));
    const live = apply(parts, widget({ name: 'a', size: 2 }));
    expect(live.spec).toEqual({ name: 'a', size: 2 });
    const err = refusal(() =>
      updateObject(parts.simulation.store, live, { ...live, spec: { name: 'b' } }, { manager: 'edit', time: T }),
    );
    expect(err.message).toBe('Widget.example.com "w" is invalid: spec.name: Invalid value: "b": name is immutable');
  });

  test('server-side apply of an undeclared field fails the typed conversion', () => {
    const err = refusal(() => apply(setup(), widget({ size: 2, colour: 'red' })));
    expect([err.code, err.message]).toEqual([
      500,
      'failed to create typed patch object (default/w; example.com/v1, Kind=Widget): .spec.colour: field not declared in schema',
    ]);
  });

  test('a CRD whose schema is not structural is refused with the API server message', () => {
    const parts = createSimulatedCluster();
    const err = refusal(() =>
      applyObject(parts.simulation.store, crd({ type: 'object', properties: { spec: { properties: {} } } }), {
        manager: 'test',
        force: true,
        time: T,
      }),
    );
    expect(err.message).toBe(
      'CustomResourceDefinition.apiextensions.k8s.io "widgets.example.com" is invalid: ' +
        'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    );
  });
});
