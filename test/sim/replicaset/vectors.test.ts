import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { rfc3339 } from '../../../src/k8s/meta.js';
import type { Pod, ReplicaSet } from '../../../src/k8s/objects.js';
import {
  activePodsWithRanksLess,
  podSortKey,
  sortActivePods,
} from '../../../src/cluster/sim/controllers/replicaset/podRanking.js';
import {
  countTerminatingPods,
  filterActivePods,
  filterActiveReplicaSets,
  filterTerminatingPods,
} from '../../../src/cluster/sim/controllers/replicaset/podUtil.js';
import { slowStartBatch } from '../../../src/cluster/sim/controllers/replicaset/slowStart.js';

interface Vector {
  name: string;
  input: any;
  expected: any;
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/k8s-vectors.json', import.meta.url), 'utf8')) as {
  groups: Record<string, Vector[]>;
};
const group = (name: string): Vector[] => fixture.groups[name]!;

/** The sort reference time of the ranking vectors. */
const NOW = Date.UTC(2026, 2, 15, 12, 0, 0);

/** Resolves the symbolic times of the ranking vectors ('now-1month' is one calendar month earlier). */
function symbolicTime(value: string | undefined): string | undefined {
  if (value === undefined || value === 'zero') return undefined;
  if (value === 'now') return rfc3339(NOW);
  if (value === 'now-1month') {
    const d = new Date(NOW);
    d.setUTCMonth(d.getUTCMonth() - 1);
    return rfc3339(d.getTime());
  }
  const m = /^now-(\d+)h$/.exec(value);
  if (m) return rfc3339(NOW - Number(m[1]) * 3_600_000);
  throw new Error(`unknown symbolic time ${value}`);
}

/** Builds a Pod from a vector's pod descriptor. UIDs stay empty, as in the Go tests. */
function podFrom(v: any): Pod {
  const restarts: number[] = Array.isArray(v.restarts) ? v.restarts : v.restarts === undefined ? [] : [v.restarts];
  const readySince = symbolicTime(v.readySince);
  const created = symbolicTime(v.created);
  return {
    metadata: {
      name: v.name ?? 'pod',
      ...(created ? { creationTimestamp: created } : {}),
      ...(v.annotations ? { annotations: v.annotations } : {}),
      ...(v.deletionTimestamp ? { deletionTimestamp: rfc3339(NOW) } : {}),
    },
    spec: { containers: [], nodeName: v.nodeName ?? '' },
    status: {
      ...(v.phase ? { phase: v.phase } : {}),
      ...(v.ready
        ? { conditions: [{ type: 'Ready', status: 'True', ...(readySince ? { lastTransitionTime: readySince } : {}) }] }
        : {}),
      containerStatuses: restarts.map((n, i) => ({
        name: `c${i}`,
        image: 'x',
        ready: !!v.ready,
        restartCount: n,
        state: {},
      })),
    },
  };
}

describe('replicaset.slowStartBatch', () => {
  for (const v of group('replicaset.slowStartBatch')) {
    it(v.name, () => {
      let calls = 0;
      const result = slowStartBatch(v.input.count, v.input.initialBatchSize, () => {
        calls++;
        if (calls > v.input.firstNCallsSucceed) throw new Error('fake error');
      });
      expect(result.successes).toBe(v.expected.successes);
      expect(result.error !== undefined).toBe(v.expected.error);
      expect(calls).toBe(v.expected.calls);
      if (v.expected.batches) expect(result.batches).toEqual(v.expected.batches);
    });
  }
});

describe('controller.activePodsOrder', () => {
  for (const v of group('controller.activePodsOrder')) {
    it(v.name, () => {
      const pods: Pod[] = v.input['pods(any order)'].map(podFrom);
      // Every rotation and the reverse of the input must sort the same way.
      const orders = [pods, [...pods].reverse(), [...pods.slice(4), ...pods.slice(0, 4)]];
      for (const order of orders) {
        expect(sortActivePods(order).map((p) => p.metadata.name)).toEqual(v.expected.order);
      }
    });
  }
});

describe('controller.activePodsWithRanks.lessThan', () => {
  for (const v of group('controller.activePodsWithRanks.lessThan')) {
    it(v.name, () => {
      const options = {
        now: NOW,
        podDeletionCost: v.input.podDeletionCostGate,
        logarithmicScaleDown: v.input.logarithmicScaleDown,
      };
      const lesser = podSortKey(podFrom(v.input.lesser.pod));
      const greater = podSortKey(podFrom(v.input.greater.pod));
      expect(activePodsWithRanksLess(lesser, v.input.lesser.rank, greater, v.input.greater.rank, options)).toBe(
        v.expected.lesserBeforeGreater,
      );
      expect(activePodsWithRanksLess(greater, v.input.greater.rank, lesser, v.input.lesser.rank, options)).toBe(
        v.expected.greaterBeforeLesser,
      );
    });
  }
});

describe('controller.activePodsWithRanks.equal', () => {
  for (const v of group('controller.activePodsWithRanks.equal')) {
    it(v.name, () => {
      const options = { now: NOW, podDeletionCost: true, logarithmicScaleDown: v.input.logarithmicScaleDown };
      const p1 = podSortKey(podFrom(v.input.p1));
      const p2 = podSortKey(podFrom(v.input.p2));
      const [r1, r2] = v.input.ranks;
      expect(activePodsWithRanksLess(p1, r1, p2, r2, options)).toBe(v.expected.p1BeforeP2);
      expect(activePodsWithRanksLess(p2, r2, p1, r1, options)).toBe(v.expected.p2BeforeP1);
    });
  }
});

describe('controller.countTerminatingPods', () => {
  for (const v of group('controller.countTerminatingPods')) {
    it(v.name, () => {
      const pods = v.input.pods.map(podFrom);
      expect(countTerminatingPods(pods)).toBe(v.expected.terminating);
      expect(filterTerminatingPods(pods)).toHaveLength(v.expected.filterTerminatingLen);
    });
  }
});

describe('controller.filterActivePods', () => {
  for (const v of group('controller.filterActivePods')) {
    it(v.name, () => {
      expect(filterActivePods(v.input.pods.map(podFrom)).map((p) => p.metadata.name)).toEqual(v.expected.active);
    });
  }
});

describe('controller.filterActiveReplicaSets', () => {
  for (const v of group('controller.filterActiveReplicaSets')) {
    it(v.name, () => {
      const sets = v.input.replicaSets.map((r: any): ReplicaSet | null =>
        r === null
          ? null
          : { metadata: { name: r.name }, spec: { replicas: r.specReplicas, selector: {}, template: {} } },
      );
      expect(filterActiveReplicaSets(sets).map((rs) => rs.metadata.name)).toEqual(v.expected.active);
    });
  }
});
