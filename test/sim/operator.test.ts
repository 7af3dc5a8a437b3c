/**
 * The simulated operators (scenario `operators`): parsing with every problem listed at once, and
 * the controller's timeline on the virtual clock, at and just past each step, restarted by a
 * generation change, with observedGeneration and stable lastTransitionTime.
 */
import { describe, expect, test } from '@jest/globals';
import { applyObject } from '../../src/cluster/sim/applyObject.js';
import { createSimulatedCluster, parseScenario, type SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import type { KubeObject } from '../../src/k8s/objects.js';

const CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'databases.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'databases', singular: 'database', kind: 'Database' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

const SCENARIO = `
operators:
  - apiVersion: example.com/v1
    kind: Database
    status:
      - after: 0s
        phase: Creating
        conditions: [{ type: Ready, status: "False", reason: Provisioning, message: "creating volume" }]
      - after: 5s
        conditions: [{ type: Ready, status: "True", reason: Provisioned, message: "database is up" }]
  - apiVersion: example.com/v1
    kind: Database
    name: special
    status:
      - after: 2s
        phase: Special
`;

function db(name: string, size: string): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Database', metadata: { name, namespace: 'default' }, spec: { size } };
}

function apply(parts: SimulatedClusterParts, obj: KubeObject): void {
  applyObject(parts.simulation.store, obj, { manager: 'test', force: true, time: '2026-01-01T00:00:00Z' });
  parts.simulation.settle();
}

function status(parts: SimulatedClusterParts, name: string): Record<string, unknown> | undefined {
  return parts.simulation.store.get('Database', 'default', name)?.status as Record<string, unknown> | undefined;
}

const ready = (parts: SimulatedClusterParts, name: string) =>
  (status(parts, name)?.conditions as Array<{ type: string; status: string }> | undefined)?.find(
    (c) => c.type === 'Ready',
  )?.status;

describe('the operators block of a scenario', () => {
  test('parses kind-wide and named operators', () => {
    const scenario = parseScenario(SCENARIO, 'scenario.yaml');
    expect(scenario.operators).toEqual([
      {
        apiVersion: 'example.com/v1',
        kind: 'Database',
        steps: [
          {
            afterMs: 0,
            status: {
              phase: 'Creating',
              conditions: [{ type: 'Ready', status: 'False', reason: 'Provisioning', message: 'creating volume' }],
            },
          },
          {
            afterMs: 5000,
            status: {
              conditions: [{ type: 'Ready', status: 'True', reason: 'Provisioned', message: 'database is up' }],
            },
          },
        ],
      },
      {
        apiVersion: 'example.com/v1',
        kind: 'Database',
        name: 'special',
        steps: [{ afterMs: 2000, status: { phase: 'Special' } }],
      },
    ]);
  });

  test('every problem at once', () => {
    const bad = `
operators:
  - apiVersion: v1beta
    kind: database
    colour: red
    status:
      - after: 5s
        conditions: [{ type: Ready, status: true }]
      - after: 2s
        observedGeneration: 3
      - conditions: []
  - apiVersion: example.com/v1
    kind: Queue
    status: []
`;
    expect(() => parseScenario(bad, 'scenario.yaml')).toThrow(
      [
        'invalid scenario scenario.yaml:',
        '  - operators[0].colour: unknown field (expected one of: apiVersion, kind, name, status)',
        '  - operators[0].apiVersion: must be <group>/<version> such as "example.com/v1", got "v1beta"',
        '  - operators[0].kind: must be a kind such as "Database", got "database"',
        '  - operators[0].status[0].conditions[0].status: must be "True", "False" or "Unknown" (quoted), got true',
        '  - operators[0].status[1].after: must not be earlier than the step before it',
        "  - operators[0].status[1].observedGeneration: set by the operator (the object's generation)",
        '  - operators[0].status[2].after: required (a duration such as 5s)',
        '  - operators[0].status[2].after: must not be earlier than the step before it',
        '  - operators[1].status: must be a non-empty list such as [{ after: 0s, conditions: [...] }]',
      ].join('\n'),
    );
  });
});

describe('the operator controller on the virtual clock', () => {
  test('each step at its time exactly, not 1 ms before; observedGeneration; lastTransitionTime moves on change only', () => {
    const parts = createSimulatedCluster(parseScenario(SCENARIO, 'scenario.yaml'), { objects: [CRD] });
    const t0 = parts.simulation.clock.now();
    apply(parts, db('orders', '1Gi'));
    expect(status(parts, 'orders')).toMatchObject({ phase: 'Creating', observedGeneration: 1 });
    expect(ready(parts, 'orders')).toBe('False');
    parts.simulation.advance(4_999);
    expect(ready(parts, 'orders')).toBe('False');
    parts.simulation.advance(1);
    expect(ready(parts, 'orders')).toBe('True');
    // Earlier fields stay unless a later step overwrites them.
    expect(status(parts, 'orders')).toMatchObject({ phase: 'Creating', observedGeneration: 1 });
    const since = (status(parts, 'orders')!.conditions as Array<{ lastTransitionTime: string }>)[0]!.lastTransitionTime;
    expect(since).toBe(new Date(t0 + 5_000).toISOString().replace('.000Z', 'Z'));
  });

  test('a new generation starts the timeline again; a named operator wins over the kind-wide one', () => {
    const parts = createSimulatedCluster(parseScenario(SCENARIO, 'scenario.yaml'), { objects: [CRD] });
    apply(parts, db('orders', '1Gi'));
    parts.simulation.advance(6_000);
    expect(ready(parts, 'orders')).toBe('True');
    apply(parts, db('orders', '2Gi'));
    expect(status(parts, 'orders')).toMatchObject({ observedGeneration: 2 });
    expect(ready(parts, 'orders')).toBe('False');
    parts.simulation.advance(5_000);
    expect(ready(parts, 'orders')).toBe('True');

    apply(parts, db('special', '1Gi'));
    expect(status(parts, 'special')).toBeUndefined();
    parts.simulation.advance(2_000);
    expect(status(parts, 'special')).toEqual({ phase: 'Special', observedGeneration: 1 });
  });
});
