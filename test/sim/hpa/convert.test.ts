/** autoscaling/v1 <-> v2 conversion of HPAs (controllers/hpa/convert.ts, after pkg/apis/autoscaling/v1/conversion.go). */
import { describe, expect, test } from '@jest/globals';
import { convertHorizontalPodAutoscaler } from '../../../src/cluster/sim/controllers/hpa/convert.js';
import type { KubeObject } from '../../../src/k8s/objects.js';

const v2: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default', annotations: { team: 'shop' } },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 2,
    maxReplicas: 8,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
  },
  status: {
    observedGeneration: 1,
    currentReplicas: 2,
    desiredReplicas: 3,
    currentMetrics: [
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 75, averageValue: '150m' } } },
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: '90Mi' } } },
    ],
    conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'm' }],
  },
} as KubeObject;

describe('HorizontalPodAutoscaler conversion', () => {
  test('v2 -> v1: the CPU target in targetCPUUtilizationPercentage, the rest in the alpha annotations', () => {
    const v1 = convertHorizontalPodAutoscaler(v2, 'v1') as unknown as {
      apiVersion: string;
      metadata: { annotations: Record<string, string> };
      spec: unknown;
      status: unknown;
    };
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 8,
      targetCPUUtilizationPercentage: 50,
    });
    expect(v1.status).toEqual({
      observedGeneration: 1,
      currentReplicas: 2,
      desiredReplicas: 3,
      currentCPUUtilizationPercentage: 75,
    });
    expect(v1.metadata.annotations).toEqual({
      team: 'shop',
      'autoscaling.alpha.kubernetes.io/metrics':
        '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]',
      'autoscaling.alpha.kubernetes.io/behavior': '{"scaleDown":{"stabilizationWindowSeconds":60}}',
      'autoscaling.alpha.kubernetes.io/current-metrics':
        '[{"type":"Resource","resource":{"name":"memory","currentAverageValue":"90Mi"}}]',
      'autoscaling.alpha.kubernetes.io/conditions':
        '[{"type":"AbleToScale","status":"True","reason":"SucceededRescale","message":"m"}]',
    });
  });

  test('v1 -> v2 gives the v2 object back (the CPU average value is not kept by v1)', () => {
    const back = convertHorizontalPodAutoscaler(convertHorizontalPodAutoscaler(v2, 'v1'), 'v2');
    const expected = structuredClone(v2) as unknown as {
      status: { currentMetrics: Array<{ resource: { current: object } }> };
    };
    expected.status.currentMetrics[0]!.resource.current = { averageUtilization: 75 };
    expect(back).toEqual(expected);
  });

  test('a v1 object without a CPU target and without status converts to a v2 one without metrics', () => {
    const v1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'x' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3 },
    } as KubeObject;
    expect(convertHorizontalPodAutoscaler(v1, 'v2')).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'x' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3 },
    });
  });
});
