import type { KubeObject } from '../../../../k8s/objects.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from './types.js';

/**
 * autoscaling/v1 <-> autoscaling/v2 conversion of HorizontalPodAutoscalers, as the API server
 * converts through its internal version
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/autoscaling/v1/conversion.go):
 * v1 holds one CPU utilization target (`targetCPUUtilizationPercentage`, the first CPU Utilization
 * metric of v2) and keeps everything else v2 has in annotations: the other metrics, the other
 * current metrics, the conditions and the behavior, as JSON.
 */
export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const V1_ANNOTATIONS = [METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

type Json = Record<string, unknown>;

/** Converts a HorizontalPodAutoscaler between `autoscaling/v1` and `autoscaling/v2` (`version` is the target). */
export function convertHorizontalPodAutoscaler(obj: KubeObject, version: string): KubeObject {
  const from = (obj.apiVersion ?? '').split('/')[1];
  if (from === version || (version !== 'v1' && version !== 'v2')) return obj;
  return version === 'v1' ? toV1(obj as HorizontalPodAutoscaler) : toV2(obj as unknown as Json);
}

function isCpuUtilization(m: MetricSpec): boolean {
  return m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target.type === 'Utilization';
}

function toV1(hpa: HorizontalPodAutoscaler): KubeObject {
  const annotations: Record<string, string> = { ...(hpa.metadata.annotations ?? {}) };
  const metrics = hpa.spec?.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu).map(metricSpecToV2beta1);
  if (others.length > 0) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (hpa.spec?.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(hpa.spec.behavior);
  const status = hpa.status;
  const current = status?.currentMetrics ?? [];
  const cpuCurrent = current.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const otherCurrent = current.filter((m) => m !== cpuCurrent).map(metricStatusToV2beta1);
  if (otherCurrent.length > 0) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(otherCurrent);
  if (status?.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);
  const spec: Json = {
    scaleTargetRef: hpa.spec?.scaleTargetRef,
    ...(hpa.spec?.minReplicas !== undefined ? { minReplicas: hpa.spec.minReplicas } : {}),
    maxReplicas: hpa.spec?.maxReplicas,
    ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource!.target.averageUtilization } : {}),
  };
  const out: Json = {
    ...hpa,
    apiVersion: 'autoscaling/v1',
    metadata: { ...hpa.metadata, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec,
  };
  if (status) {
    out.status = {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      ...(cpuCurrent?.resource?.current.averageUtilization !== undefined
        ? { currentCPUUtilizationPercentage: cpuCurrent.resource.current.averageUtilization }
        : {}),
    };
  }
  return out as unknown as KubeObject;
}

function toV2(hpa: Json): KubeObject {
  const metadata = { ...(hpa.metadata as KubeObject['metadata']) };
  const annotations = { ...(metadata.annotations ?? {}) };
  const spec = (hpa.spec ?? {}) as Json;
  const metrics: MetricSpec[] = [];
  if (typeof spec.targetCPUUtilizationPercentage === 'number')
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage },
      },
    });
  for (const m of parse<Json[]>(annotations[METRICS_ANNOTATION]) ?? []) metrics.push(metricSpecFromV2beta1(m));
  const behavior = parse<Json>(annotations[BEHAVIOR_ANNOTATION]);
  const conditions = parse<Json[]>(annotations[CONDITIONS_ANNOTATION]);
  const currentOthers = parse<Json[]>(annotations[CURRENT_METRICS_ANNOTATION]);
  for (const key of V1_ANNOTATIONS) delete annotations[key];
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: Json = {
    ...hpa,
    apiVersion: 'autoscaling/v2',
    metadata,
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(metrics.length > 0 ? { metrics } : {}),
      ...(behavior ? { behavior } : {}),
    },
  };
  const status = hpa.status as Json | undefined;
  if (status) {
    const current: MetricStatus[] = [];
    if (typeof status.currentCPUUtilizationPercentage === 'number')
      current.push({
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } },
      });
    for (const m of currentOthers ?? []) current.push(metricStatusFromV2beta1(m));
    const { currentCPUUtilizationPercentage: _cpu, ...rest } = status;
    out.status = {
      ...rest,
      ...(current.length > 0 ? { currentMetrics: current } : {}),
      ...(conditions ? { conditions } : {}),
    };
  }
  return out as unknown as KubeObject;
}

function parse<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** The annotations hold v2beta1-shaped metrics (targetAverageUtilization, targetAverageValue). */
function metricSpecToV2beta1(m: MetricSpec): Json {
  if (m.type === 'Resource' && m.resource) {
    const t = m.resource.target;
    return {
      type: 'Resource',
      resource: {
        name: m.resource.name,
        ...(t.averageUtilization !== undefined ? { targetAverageUtilization: t.averageUtilization } : {}),
        ...(t.averageValue !== undefined ? { targetAverageValue: t.averageValue } : {}),
      },
    };
  }
  return m as unknown as Json;
}

function metricSpecFromV2beta1(m: Json): MetricSpec {
  const r = m.resource as Json | undefined;
  if (m.type === 'Resource' && r) {
    const target =
      r.targetAverageUtilization !== undefined
        ? { type: 'Utilization' as const, averageUtilization: r.targetAverageUtilization as number }
        : { type: 'AverageValue' as const, averageValue: r.targetAverageValue as string };
    return { type: 'Resource', resource: { name: r.name as string, target } };
  }
  return m as unknown as MetricSpec;
}

function metricStatusToV2beta1(m: MetricStatus): Json {
  if (m.type === 'Resource' && m.resource) {
    const c = m.resource.current;
    return {
      type: 'Resource',
      resource: {
        name: m.resource.name,
        ...(c.averageUtilization !== undefined ? { currentAverageUtilization: c.averageUtilization } : {}),
        currentAverageValue: c.averageValue ?? '0',
      },
    };
  }
  return m as unknown as Json;
}

function metricStatusFromV2beta1(m: Json): MetricStatus {
  const r = m.resource as Json | undefined;
  if (m.type === 'Resource' && r) {
    return {
      type: 'Resource',
      resource: {
        name: r.name as string,
        current: {
          ...(r.currentAverageUtilization !== undefined
            ? { averageUtilization: r.currentAverageUtilization as number }
            : {}),
          ...(r.currentAverageValue !== undefined ? { averageValue: r.currentAverageValue as string } : {}),
        },
      },
    };
  }
  return m as unknown as MetricStatus;
}
