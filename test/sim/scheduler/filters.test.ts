/**
 * The scheduler's TaintToleration, NodeUnschedulable and NodeAffinity filters, with the real
 * FailedScheduling texts, and the toleration / node-selector matching they share with the
 * DaemonSet controller. Vectors from staging/src/k8s.io/api/core/v1/toleration_test.go
 * (TestTolerationToleratesTaint) and component-helpers nodeaffinity_test.go.
 */
import { describe, expect, it } from '@jest/globals';
import { Simulation } from '../../../src/cluster/sim/simulation.js';
import { Scheduler } from '../../../src/cluster/sim/scheduler/scheduler.js';
import { newNode } from '../../../src/cluster/sim/scheduler/nodes.js';
import { matchesRequiredNodeAffinity } from '../../../src/cluster/sim/scheduler/nodeAffinity.js';
import { toleratesTaint, type Taint, type Toleration } from '../../../src/cluster/sim/scheduler/taints.js';
import type { KubeEvent, Node, Pod } from '../../../src/k8s/objects.js';

describe('Toleration.ToleratesTaint (toleration_test.go)', () => {
  const cases: Array<[string, Toleration, Taint, boolean]> = [
    [
      'same key and effect, Exists, taint without value',
      { key: 'foo', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'foo', effect: 'NoSchedule' },
      true,
    ],
    [
      'same key and effect, Exists, taint with a value',
      { key: 'foo', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'foo', value: 'bar', effect: 'NoSchedule' },
      true,
    ],
    [
      'empty key with Exists matches every key of that effect',
      { operator: 'Exists', effect: 'NoSchedule' },
      { key: 'foo', value: 'bar', effect: 'NoSchedule' },
      true,
    ],
    [
      'same key, effect and value, Equal',
      { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' },
      { key: 'foo', value: 'bar', effect: 'NoSchedule' },
      true,
    ],
    [
      'same key and effect, different values, Equal',
      { key: 'foo', operator: 'Equal', value: 'value1', effect: 'NoSchedule' },
      { key: 'foo', value: 'value2', effect: 'NoSchedule' },
      false,
    ],
    [
      'same key and value, different effects, Equal',
      { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' },
      { key: 'foo', value: 'bar', effect: 'PreferNoSchedule' },
      false,
    ],
    [
      'empty effect matches every effect',
      { key: 'foo', operator: 'Exists' },
      { key: 'foo', effect: 'NoExecute' },
      true,
    ],
    ['no operator means Equal', { key: 'foo', value: 'bar' }, { key: 'foo', value: 'bar', effect: 'NoSchedule' }, true],
    ['different keys', { key: 'foo', operator: 'Exists' }, { key: 'baz', effect: 'NoSchedule' }, false],
  ];
  it.each(cases)('%s', (_name, toleration, taint, expected) =>
    expect(toleratesTaint(toleration, taint)).toBe(expected),
  );
});

describe('required node affinity (nodeSelector + nodeSelectorTerms)', () => {
  const node = newNode('node-1', {}, 0, { labels: { zone: 'a', cores: '8' } });
  const pod = (spec: Record<string, unknown>): Pod => ({ metadata: {}, spec: { containers: [], ...spec } });
  const required = (...nodeSelectorTerms: unknown[]) => ({
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } },
  });
  it.each([
    ['no constraints', {}, true],
    ['nodeSelector matches', { nodeSelector: { zone: 'a' } }, true],
    ['nodeSelector does not match', { nodeSelector: { zone: 'b' } }, false],
    [
      'matchFields metadata.name In [node-1]',
      required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }),
      true,
    ],
    [
      'matchFields metadata.name In [node-2]',
      required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }),
      false,
    ],
    [
      'terms are ORed',
      required(
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
      ),
      true,
    ],
    [
      'expressions of one term are ANDed',
      required({
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a'] },
          { key: 'gpu', operator: 'Exists' },
        ],
      }),
      false,
    ],
    [
      'NotIn and DoesNotExist match an absent label',
      required({
        matchExpressions: [
          { key: 'gpu', operator: 'NotIn', values: ['x'] },
          { key: 'gpu', operator: 'DoesNotExist' },
        ],
      }),
      true,
    ],
    ['Gt compares integers', required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }), true],
    ['Lt compares integers', required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }), false],
    ['an empty term matches nothing', required({}), false],
    [
      'nodeSelector and affinity must both match',
      {
        nodeSelector: { zone: 'b' },
        ...required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }),
      },
      false,
    ],
  ])('%s', (_name, spec, expected) =>
    expect(matchesRequiredNodeAffinity(pod(spec as Record<string, unknown>), node)).toBe(expected),
  );
});

function schedule(nodes: Node[], spec: Record<string, unknown>): { pod: Pod; events: KubeEvent[] } {
  const sim = new Simulation([(ctx) => new Scheduler(ctx)], { seed: 3 });
  sim.store.create('Namespace', { metadata: { name: 'default' } });
  for (const node of nodes) sim.store.create('Node', node);
  sim.store.create('Pod', {
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], ...spec },
  });
  sim.settle();
  const pod = sim.store.mustGet<Pod>('Pod', 'default', 'p');
  const events = sim.store.list<KubeEvent>('Event', 'default');
  return { pod, events };
}

const gpuTaint = { key: 'gpu', value: 'true', effect: 'NoSchedule' };

describe('scheduler filters', () => {
  it('does not bind to a node whose NoSchedule taint the pod does not tolerate, with the real text', () => {
    const { pod, events } = schedule([newNode('gpu-1', {}, 0, { taints: [gpuTaint] })], {});
    expect(pod.spec.nodeName).toBeUndefined();
    expect(events.map((e) => `${e.reason}: ${e.message}`)).toEqual([
      'FailedScheduling: 0/1 nodes are available: 1 node(s) had untolerated taint {gpu: true}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    ]);
  });

  it('binds to the tainted node when the pod tolerates the taint (Equal, or Exists with an empty key)', () => {
    for (const toleration of [
      { key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { operator: 'Exists' },
    ]) {
      const { pod } = schedule([newNode('gpu-1', {}, 0, { taints: [gpuTaint] })], { tolerations: [toleration] });
      expect(pod.spec.nodeName).toBe('gpu-1');
    }
  });

  it('ignores PreferNoSchedule taints and enforces NoExecute ones', () => {
    expect(
      schedule([newNode('n', {}, 0, { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })], {}).pod.spec.nodeName,
    ).toBe('n');
    expect(
      schedule([newNode('n', {}, 0, { taints: [{ key: 'k', effect: 'NoExecute' }] })], {}).pod.spec.nodeName,
    ).toBeUndefined();
  });

  it('lets a pod that tolerates node.kubernetes.io/unschedulable onto a cordoned node, and no other', () => {
    const cordoned = newNode('n', {}, 0);
    cordoned.spec = { unschedulable: true };
    expect(schedule([cordoned], {}).events[0]!.message).toBe(
      '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
    const tolerates = [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }];
    expect(schedule([cordoned], { tolerations: tolerates }).pod.spec.nodeName).toBe('n');
  });

  it('binds a DaemonSet-style pod only to the node its matchFields names', () => {
    const nodes = [newNode('node-1', {}, 0), newNode('node-2', {}, 1), newNode('node-3', {}, 2)];
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-3'] }] }],
        },
      },
    };
    expect(schedule(nodes, { affinity }).pod.spec.nodeName).toBe('node-3');
  });

  it('filters a pod pinned by matchFields only on its node; the others do not match its node affinity', () => {
    const nodes = [
      newNode('node-1', {}, 0),
      newNode('node-2', {}, 1),
      newNode('node-3', {}, 2, { taints: [gpuTaint] }),
    ];
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-3'] }] }],
        },
      },
    };
    expect(schedule(nodes, { affinity }).events[0]!.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {gpu: true}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  it('counts each node under the first filter that rejects it', () => {
    const nodes = [
      newNode('a', {}, 0, { taints: [gpuTaint] }),
      newNode('b', {}, 1, { labels: { disk: 'hdd' } }),
      newNode('c', {}, 2, { labels: { disk: 'hdd' } }),
    ];
    const { events } = schedule(nodes, { nodeSelector: { disk: 'ssd' } });
    expect(events[0]!.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {gpu: true}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });
});
