import { describe, expect, it } from '@jest/globals';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import { parseScenario } from '../../../src/cluster/sim/scenario/parseScenario.js';
import type { Node } from '../../../src/k8s/objects.js';

describe('scenario nodes: labels, taints and pools', () => {
  it('creates labelled and tainted nodes and named pools, with the default capacity inherited', () => {
    const scenario = parseScenario(`
nodes:
  count: 2
  capacity: { cpu: "2" }
  labels: { disk: ssd }
  pools:
    - name: gpu
      count: 1
      labels: { accelerator: nvidia }
      taints: [{ key: gpu, value: "true", effect: NoSchedule }]
`);
    const { simulation } = createSimulatedCluster(scenario);
    const nodes = simulation.store.list<Node>('Node');
    expect(nodes.map((n) => n.metadata.name)).toEqual(['gpu-1', 'node-1', 'node-2']);
    const gpu = nodes[0]!;
    expect(gpu.metadata.labels).toEqual({
      accelerator: 'nvidia',
      'kubernetes.io/hostname': 'gpu-1',
      'kubernetes.io/os': 'linux',
    });
    expect(gpu.spec).toEqual({ taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] });
    expect(gpu.status!.capacity).toEqual({ cpu: '2', memory: '8Gi', pods: '110' });
    expect(nodes[1]!.metadata.labels!['disk']).toBe('ssd');
    expect(nodes[1]!.spec).toEqual({});
  });

  it('lists every problem of the nodes section at once', () => {
    expect(() =>
      parseScenario(`
nodes:
  count: 1
  zones: 3
  labels: { "bad key!": x }
  taints: [{ key: gpu, effect: Sometimes }, { key: a, effect: NoSchedule }, { key: a, effect: NoSchedule }]
  pools: [{ name: GPU }, { name: db, count: -1, colour: red }, { name: db }]
faults:
  chaos: [{ at: 1s, loseNode: db-2 }]
`),
    ).toThrow(
      [
        'invalid scenario:',
        '  - nodes.zones: unknown field (expected one of: count, capacity, labels, taints, pools)',
        '  - nodes.labels.bad key!: not a valid label key',
        '  - nodes.taints[0].effect: must be one of "NoSchedule", "PreferNoSchedule", "NoExecute", got "Sometimes"',
        '  - nodes.taints[2]: taints must be unique by key and effect pair (a:NoSchedule)',
        '  - nodes.pools[0].name: must be a lowercase DNS label of at most 50 characters such as "gpu", got "GPU"',
        '  - nodes.pools[1].colour: unknown field (expected one of: name, count, capacity, labels, taints)',
        '  - nodes.pools[1].count: must be a number from 0 to 10000, got -1',
        '  - nodes.pools[2].name: pool "db" is defined twice',
        '  - faults.chaos[0].loseNode: unknown node "db-2" (the scenario has node-1 … node-1, db-1 … db-1)',
      ].join('\n'),
    );
  });

  it('accepts a pool node in faults.chaos', () => {
    const s = parseScenario(
      'nodes: { count: 0, pools: [{ name: edge, count: 2 }] }\nfaults: { chaos: [{ at: 5s, loseNode: edge-2 }] }',
    );
    expect(s.faults.chaos).toEqual([{ atMs: 5000, loseNode: 'edge-2', evictAfterMs: 30_000 }]);
  });
});
