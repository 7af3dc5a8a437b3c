import { describe, expect, it } from '@jest/globals';
import { quantityMilliValue, quantityValue } from '../../../src/k8s/quantity.js';
import { newNode } from '../../../src/cluster/sim/scheduler/nodes.js';
import { podRequests } from '../../../src/cluster/sim/scheduler/resources.js';
import { cluster, eventsOf, podsOf, replicaSet, rsStatus } from '../replicaset/harness.js';

describe('quantities', () => {
  it.each([
    ['500m', 500],
    ['1', 1000],
    ['0.1', 100],
    ['1e3', 1_000_000],
    ['2k', 2_000_000],
    ['1.5', 1500],
    ['100u', 1],
  ])('cpu %s = %d millicores', (q, milli) => expect(quantityMilliValue(q)).toBe(milli));
  it.each([
    ['8Gi', 8 * 2 ** 30],
    ['128Mi', 128 * 2 ** 20],
    ['1e3', 1000],
    ['1k', 1000],
    ['1M', 1_000_000],
    ['110', 110],
    ['0.5Ki', 512],
  ])('memory %s = %d bytes', (q, bytes) => expect(quantityValue(q)).toBe(bytes));
  it('rejects malformed quantities', () => expect(() => quantityValue('12 cores')).toThrow(/quantities must match/));
  it('sums containers and applies the init-container max rule', () => {
    const req = podRequests({
      metadata: {},
      spec: {
        containers: [
          { name: 'a', resources: { requests: { cpu: '250m', memory: '64Mi' } } },
          { name: 'b', resources: { limits: { cpu: '250m' } } },
        ],
        initContainers: [{ name: 'init', resources: { requests: { cpu: '2', memory: '1Mi' } } }],
      },
    });
    expect(req).toEqual({ cpu: 2000, memory: 64 * 2 ** 20 });
  });
});

describe('scheduler', () => {
  it('spreads pods over the nodes with the most free capacity and records Scheduled', () => {
    const { sim } = cluster();
    sim.store.create('ReplicaSet', replicaSet('web', 3));
    sim.settle();
    const pods = podsOf(sim, 'web');
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    for (const p of pods) {
      expect(p.status!.conditions!.find((c) => c.type === 'PodScheduled')!.status).toBe('True');
      const scheduled = eventsOf(sim, p.metadata.name!).find((e) => e.reason === 'Scheduled')!;
      expect(scheduled.message).toBe(`Successfully assigned default/${p.metadata.name} to ${p.spec.nodeName}`);
      expect(scheduled.source).toEqual({ component: 'default-scheduler' });
    }
  });

  it('leaves pods Pending with Unschedulable and FailedScheduling, then binds them when a node is added', () => {
    const { sim } = cluster({ capacity: { cpu: '1' } });
    sim.store.create('ReplicaSet', replicaSet('web', 4, { resources: { requests: { cpu: '600m' } } }));
    sim.settle();
    const pending = podsOf(sim, 'web').filter((p) => !p.spec.nodeName);
    expect(pending).toHaveLength(1);
    const message =
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    expect(pending[0]!.status!.conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: '2026-01-01T00:00:00Z',
        reason: 'Unschedulable',
        message,
      },
    ]);
    const failed = eventsOf(sim, pending[0]!.metadata.name!).find((e) => e.reason === 'FailedScheduling')!;
    expect(failed).toMatchObject({ type: 'Warning', message, count: 1 });
    sim.advance(10_000);
    expect(podsOf(sim, 'web').filter((p) => !p.spec.nodeName)).toHaveLength(1);
    sim.store.create('Node', newNode('node-4', { cpu: '1' }, 3));
    sim.settle();
    const bound = sim.store.get('Pod', 'default', pending[0]!.metadata.name!) as (typeof pending)[0];
    expect(bound.spec.nodeName).toBe('node-4');
    sim.advance(5000);
    expect(rsStatus(sim, 'web')).toMatchObject({ replicas: 4, readyReplicas: 4, availableReplicas: 4 });
  });

  it('retries when capacity frees up (a pod is deleted)', () => {
    const { sim } = cluster({ nodes: 1, capacity: { cpu: '1' } });
    sim.store.create('ReplicaSet', replicaSet('a', 1, { resources: { requests: { cpu: '800m' } } }));
    sim.store.create('ReplicaSet', replicaSet('b', 1, { resources: { requests: { cpu: '800m' } } }));
    sim.settle();
    const [blocked] = podsOf(sim, 'b');
    expect(blocked!.spec.nodeName).toBeUndefined();
    expect(blocked!.status!.conditions![0]!.message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
    sim.store.delete('ReplicaSet', 'default', 'a');
    sim.settle();
    expect(
      sim.store.get<typeof blocked & object>('Pod', 'default', blocked!.metadata.name!)!.spec.nodeName,
    ).toBeUndefined(); // still terminating
    sim.advance(1000);
    expect(sim.store.get<typeof blocked & object>('Pod', 'default', blocked!.metadata.name!)!.spec.nodeName).toBe(
      'node-1',
    );
  });

  it('words node selector and too-many-pods failures like the real scheduler', () => {
    const { sim } = cluster({ nodes: 2, capacity: { pods: 1 } });
    sim.store.create('ReplicaSet', replicaSet('web', 3));
    sim.store.create('ReplicaSet', replicaSet('gpu', 1, {}));
    const rs = sim.store.get('ReplicaSet', 'default', 'gpu') as ReturnType<typeof replicaSet>;
    sim.store.update('ReplicaSet', {
      ...rs,
      spec: {
        ...rs.spec,
        template: { ...rs.spec.template, spec: { ...rs.spec.template.spec!, nodeSelector: { gpu: 'yes' } } },
      },
    });
    sim.settle();
    const waiting = [...podsOf(sim, 'web'), ...podsOf(sim, 'gpu')].filter((p) => !p.spec.nodeName);
    const messages = waiting.map((p) => p.status!.conditions![0]!.message).sort();
    expect(messages).toEqual([
      '0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    ]);
  });
});
