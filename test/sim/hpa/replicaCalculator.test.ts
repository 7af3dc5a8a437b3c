/**
 * The HPA's replica calculation (controllers/hpa/replicaCalculator.ts) on upstream's vectors
 * (pkg/controller/podautoscaler/replica_calculator_test.go: TestReplicaCalcScaleUp,
 * ...ScaleUpUnreadyLessScale, ...ScaleDown, ...Tolerance, ...MissingMetrics...) and at each side of
 * the tolerance and the CPU initialization boundaries.
 */
import { describe, expect, test } from '@jest/globals';
import {
  averageValueReplicas,
  resourceReplicas,
  type PodMetric,
} from '../../../src/cluster/sim/controllers/hpa/replicaCalculator.js';
import type { Pod } from '../../../src/k8s/objects.js';
import { quantityMilliValue } from '../../../src/k8s/quantity.js';
import { rfc3339 } from '../../../src/k8s/meta.js';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const LONG_AGO = rfc3339(NOW - 60 * 60_000);

interface PodSpec {
  request?: string;
  ready?: 'True' | 'False';
  phase?: string;
  startedAgoMs?: number;
  readyAgoMs?: number;
  deleting?: boolean;
}

function pods(specs: PodSpec[]): Pod[] {
  return specs.map((s, i) => ({
    metadata: {
      name: `p${i}`,
      namespace: 'default',
      ...(s.deleting ? { deletionTimestamp: rfc3339(NOW) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: s.request ?? '1' } } }] },
    status: {
      phase: s.phase ?? 'Running',
      startTime: s.startedAgoMs !== undefined ? rfc3339(NOW - s.startedAgoMs) : LONG_AGO,
      conditions: [
        {
          type: 'Ready',
          status: s.ready ?? 'True',
          lastTransitionTime: s.readyAgoMs !== undefined ? rfc3339(NOW - s.readyAgoMs) : LONG_AGO,
        },
      ],
    },
  })) as Pod[];
}

/** Metrics per pod index (millicores), taken now over a 30 s window (upstream's fixtures). */
function metrics(levels: Array<number | undefined>): Map<string, PodMetric> {
  const out = new Map<string, PodMetric>();
  levels.forEach((v, i) => {
    if (v !== undefined) out.set(`p${i}`, { value: v, timestamp: NOW, windowMs: 30_000 });
  });
  return out;
}

const calc = (current: number, target: number, ps: Pod[], levels: Array<number | undefined>) =>
  resourceReplicas(current, target, 'cpu', ps, metrics(levels), NOW, quantityMilliValue);

describe('upstream vectors', () => {
  test('ScaleUp: 3 pods at 300m, 500m, 700m of 1 CPU, target 30% -> 5 replicas at 50%', () => {
    expect(calc(3, 30, pods([{}, {}, {}]), [300, 500, 700])).toEqual({ replicas: 5, utilization: 50, rawAverage: 500 });
  });
  test('ScaleUpUnreadyLessScale: the unready pod counts as 0% on a scale-up -> 4 replicas at 60%', () => {
    const ps = pods([{ ready: 'False' }, {}, {}]);
    // Unready within the initial readiness delay after its start: ignored for the ratio, 0 on the rebalance.
    ps[0]!.status!.startTime = rfc3339(NOW - 10_000);
    ps[0]!.status!.conditions![0]!.lastTransitionTime = rfc3339(NOW - 5_000);
    expect(calc(3, 30, ps, [300, 500, 700])).toEqual({ replicas: 4, utilization: 60, rawAverage: 600 });
  });
  test('ScaleDown: 5 pods at 100m, 300m, 500m, 250m, 250m of 1 CPU, target 50% -> 3 replicas at 28%', () => {
    expect(calc(5, 50, pods([{}, {}, {}, {}, {}]), [100, 300, 500, 250, 250])).toEqual({
      replicas: 3,
      utilization: 28,
      rawAverage: 280,
    });
  });
  test('Tolerance: requests 0.9, 1.0, 1.1 CPU at 1010m, 1030m, 1020m, target 100% -> stays at 3 (102%)', () => {
    const ps = pods([{ request: '0.9' }, { request: '1.0' }, { request: '1.1' }]);
    expect(calc(3, 100, ps, [1010, 1030, 1020])).toEqual({ replicas: 3, utilization: 102, rawAverage: 1020 });
  });
  test('MissingMetrics on a scale-down: the pod without metrics counts as 100% of its request', () => {
    // 3 pods at 400m, 95m, (missing) of 1 CPU, target 50%: ratio 0.495 -> with 1000m: 0.99 -> in tolerance.
    expect(calc(3, 50, pods([{}, {}, {}]), [400, 95, undefined]).replicas).toBe(3);
  });
  test('MissingMetrics on a scale-up: the pod without metrics counts as 0%', () => {
    // 4 pods, 3 at 400m, 500m, 700m, target 30%: ratio 1.777 -> rebalanced 1.333 -> ceil(1.333 × 4) = 6.
    expect(calc(4, 30, pods([{}, {}, {}, {}]), [400, 500, 700, undefined])).toEqual({
      replicas: 6,
      utilization: 53,
      rawAverage: 533,
    });
  });
  test('a container without a CPU request: the upstream error', () => {
    const ps = pods([{}, {}]);
    delete ps[1]!.spec!.containers[0]!.resources;
    expect(() => calc(2, 50, ps, [100, 100])).toThrow('missing request for cpu in container c of Pod p1');
  });
  test('only pending pods: no metrics for any ready pod', () => {
    expect(() => calc(2, 50, pods([{ phase: 'Pending' }, { phase: 'Pending' }]), [100, 100])).toThrow(
      'did not receive metrics for targeted pods (pods might be unready)',
    );
  });
  test('deleted and failed pods are ignored, never rebalanced', () => {
    const ps = pods([{}, {}, { deleting: true }, { phase: 'Failed' }]);
    // 2 pods at 1000m of 1 CPU, target 50%: ratio 2 -> 4 (the other two do not count as 0%).
    expect(calc(4, 50, ps, [1000, 1000, 1000, 1000]).replicas).toBe(4);
  });
});

describe('the tolerance (0.1), at and just past each side', () => {
  const ten = pods(Array.from({ length: 10 }, () => ({ request: '100m' })));
  const at = (usage: number) => calc(10, 100, ten, Array(10).fill(usage)).replicas;
  test('scale-down side: 90% stays (|1 - 0.9| <= 0.1), 89% scales to ceil(0.89 × 10) = 9', () => {
    expect(at(90)).toBe(10);
    expect(at(89)).toBe(9);
  });
  test('scale-up side: 109% stays; 110% scales to 11, as in Go (1 - 1.1 is -0.10000000000000009 in float64)', () => {
    expect(at(109)).toBe(10);
    expect(at(110)).toBe(11);
  });
});

describe('the CPU initialization period (5 min) and the readiness delay (30 s)', () => {
  // p0 at 100% of its request, target 50%. p1 at 100% too: counted, the ratio is 2 -> ceil(2 × 2) = 4;
  // unready, p1 counts as 0% on the scale-up: (1000 + 0) / 2000 = 50% -> ratio 1 -> stays at 2.
  const one = (spec: PodSpec) =>
    resourceReplicas(2, 50, 'cpu', pods([{}, spec]), metrics([1000, 1000]), NOW, quantityMilliValue).replicas;
  test('in its first 5 minutes, a pod ready for less than one metric window (30 s; API times are whole seconds) is unready', () => {
    expect(one({ startedAgoMs: 60_000, readyAgoMs: 29_000 })).toBe(2);
    expect(one({ startedAgoMs: 60_000, readyAgoMs: 30_000 })).toBe(4);
    expect(one({ startedAgoMs: 60_000, readyAgoMs: 60_000, ready: 'False' })).toBe(2);
  });
  test('after 5 minutes, an unready pod whose readiness changed within 30 s of its start (never ready) is unready', () => {
    expect(one({ startedAgoMs: 400_000, readyAgoMs: 400_000 - 29_000, ready: 'False' })).toBe(2);
    // Its transition 30 s after the start or later: it was ready once and is counted, unready or not.
    expect(one({ startedAgoMs: 400_000, readyAgoMs: 400_000 - 30_000, ready: 'False' })).toBe(4);
  });
  test('the 5-minute boundary: started exactly 5 minutes ago is past the initialization period', () => {
    // Inside the period a fresh readiness transition makes it unready; at 5 min the readiness-delay rule applies.
    expect(one({ startedAgoMs: 299_000, readyAgoMs: 10_000 })).toBe(2);
    expect(one({ startedAgoMs: 300_000, readyAgoMs: 10_000 })).toBe(4);
  });
});

describe('an average-value target (calcPlainMetricReplicas)', () => {
  const avg = (current: number, target: number, ps: Pod[], levels: Array<number | undefined>) =>
    averageValueReplicas(current, target, 'cpu', ps, metrics(levels), NOW);
  test('3 pods averaging 150m against 100m -> ceil(1.5 × 3) = 5; 109m stays, 111m scales', () => {
    expect(avg(3, 100, pods([{}, {}, {}]), [100, 150, 200])).toEqual({
      replicas: 5,
      utilization: 150,
      rawAverage: 150,
    });
    expect(avg(3, 100, pods([{}, {}, {}]), [109, 109, 109]).replicas).toBe(3);
    expect(avg(3, 100, pods([{}, {}, {}]), [111, 111, 111]).replicas).toBe(4);
  });
  test('a pod without metrics counts as the target on a scale-down', () => {
    // 50m and 50m against 100m: ratio 0.5 -> with the missing pod at 100m: 200 / 3 = 66 -> ceil(0.66 × 3) = 2.
    expect(avg(3, 100, pods([{}, {}, {}]), [50, 50, undefined]).replicas).toBe(2);
  });
});
