import type { Condition, Pod } from '../../../../k8s/objects.js';

/**
 * The HPA's replica calculation for a resource utilization target, transcribed from
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/replica_calculator.go
 * (GetResourceReplicas, groupPods, calculatePodRequests) and metrics/utilization.go
 * (GetResourceUtilizationRatio). Pure: pods, metrics and `now` in, a proposal or an error out.
 */

/** kube-controller-manager defaults: --horizontal-pod-autoscaler-tolerance, -cpu-initialization-period, -initial-readiness-delay. */
export const TOLERANCE = 0.1;
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
export const DELAY_OF_INITIAL_READINESS_STATUS_MS = 30_000;

/** One pod's metric: the sum over its containers (millicores or bytes), when it was taken and over what window. */
export interface PodMetric {
  value: number;
  timestamp: number;
  windowMs: number;
}

export interface ResourceProposal {
  replicas: number;
  /** Current utilization, percent of request (int32 division as upstream). */
  utilization: number;
  /** Average raw usage per pod with metrics (milli-units for the status' averageValue). */
  rawAverage: number;
}

export class ReplicaCalculationError extends Error {}

export interface CalculatorOptions {
  tolerance?: number;
  cpuInitializationPeriodMs?: number;
  delayOfInitialReadinessStatusMs?: number;
}

/**
 * `groupPods`: deleted and failed pods are ignored; pending pods and (for CPU) pods not yet ready
 * or still initializing count as unready; pods without a metric are missing; the rest are ready.
 */
export function groupPods(
  pods: readonly Pod[],
  metrics: ReadonlyMap<string, PodMetric>,
  resource: string,
  now: number,
  cpuInitializationPeriodMs: number,
  delayOfInitialReadinessStatusMs: number,
): { readyPodCount: number; unready: Set<string>; missing: Set<string>; ignored: Set<string> } {
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  let readyPodCount = 0;
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending' || !pod.status?.phase) {
      unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const condition: Condition | undefined = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let isUnready: boolean;
      if (!condition || start === undefined) {
        isUnready = true;
      } else {
        const transition = Date.parse(condition.lastTransitionTime ?? '') || 0;
        if (start + cpuInitializationPeriodMs > now) {
          // Still initializing: unready, or no full metric window since it became ready.
          isUnready = condition.status === 'False' || metric.timestamp < transition + metric.windowMs;
        } else {
          // Unready and never ready since its start (within the initial readiness delay).
          isUnready = condition.status === 'False' && start + delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (isUnready) {
        unready.add(name);
        continue;
      }
    }
    readyPodCount++;
  }
  return { readyPodCount, unready, missing, ignored };
}

/** `calculatePodRequests`: each pod's summed container requests of `resource` (millicores / bytes). */
export function podRequests(pods: readonly Pod[], resource: string, parse: (q: string) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let total = 0;
    for (const c of pod.spec?.containers ?? []) {
      const request = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
      if (request === undefined)
        throw new ReplicaCalculationError(
          `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`,
        );
      total += parse(String(request));
    }
    out.set(pod.metadata.name!, total);
  }
  return out;
}

/** `GetResourceUtilizationRatio`. */
export function utilizationRatio(
  metrics: ReadonlyMap<string, { value: number }>,
  requests: ReadonlyMap<string, number>,
  target: number,
): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, metric] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += metric.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new ReplicaCalculationError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

/** `GetResourceReplicas`: desired = ceil(ready pods × utilization / target), with the missing/unready rebalancing. */
export function resourceReplicas(
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  pods: readonly Pod[],
  podMetrics: ReadonlyMap<string, PodMetric>,
  now: number,
  parse: (q: string) => number,
  options: CalculatorOptions = {},
): ResourceProposal {
  // Upstream reads the requests before it looks at the metrics: a pod without a request fails first.
  const requests = podRequests(pods, resource, parse);
  return proposeReplicas(currentReplicas, resource, pods, podMetrics, now, options, {
    usage: (metrics) => {
      const { ratio, utilization, rawAverage } = utilizationRatio(metrics, requests, targetUtilization);
      return { ratio, utilization, rawAverage };
    },
    // Scale-down: a pod without metrics counts as using 100% of its request; scale-up: 0%.
    missing: (name, ratio) => (ratio < 1.0 ? (requests.get(name) ?? 0) : ratio > 1.0 ? 0 : undefined),
  });
}

/**
 * `GetRawResourceReplicas` / `calcPlainMetricReplicas`: an average-value target (milli-units per
 * pod), with the same grouping of pods; a pod without metrics counts as the target on a
 * scale-down and 0 on a scale-up, unready pods as 0 on a scale-up. `utilization` is the average.
 */
export function averageValueReplicas(
  currentReplicas: number,
  targetAverage: number,
  resource: string,
  pods: readonly Pod[],
  podMetrics: ReadonlyMap<string, PodMetric>,
  now: number,
  options: CalculatorOptions = {},
): ResourceProposal {
  return proposeReplicas(currentReplicas, resource, pods, podMetrics, now, options, {
    // GetMetricUsageRatio: the integer average over the pods with metrics, against the target.
    usage: (metrics) => {
      let total = 0;
      for (const v of metrics.values()) total += v.value;
      const average = Math.trunc(total / metrics.size);
      return { ratio: average / targetAverage, utilization: average, rawAverage: average };
    },
    missing: (_name, ratio) => (ratio < 1.0 ? targetAverage : 0),
  });
}

/** How one kind of target measures usage, and what a pod without metrics counts as (undefined: left out). */
interface UsageRule {
  usage(metrics: ReadonlyMap<string, { value: number }>): { ratio: number; utilization: number; rawAverage: number };
  missing(name: string, ratio: number): number | undefined;
}

/**
 * The part both calculators share (replica_calculator.go): group the pods, propose from the ready
 * pods with metrics, and when pods are missing metrics or unready, rebalance conservatively and
 * keep the current count if the rebalanced ratio is within tolerance or changes direction.
 */
function proposeReplicas(
  currentReplicas: number,
  resource: string,
  pods: readonly Pod[],
  podMetrics: ReadonlyMap<string, PodMetric>,
  now: number,
  options: CalculatorOptions,
  rule: UsageRule,
): ResourceProposal {
  const tolerance = options.tolerance ?? TOLERANCE;
  if (pods.length === 0)
    throw new ReplicaCalculationError('no pods returned by selector while calculating replica count');
  const metrics = new Map<string, { value: number }>(podMetrics);
  const { readyPodCount, unready, missing, ignored } = groupPods(
    pods,
    podMetrics,
    resource,
    now,
    options.cpuInitializationPeriodMs ?? CPU_INITIALIZATION_PERIOD_MS,
    options.delayOfInitialReadinessStatusMs ?? DELAY_OF_INITIAL_READINESS_STATUS_MS,
  );
  for (const name of ignored) metrics.delete(name);
  for (const name of unready) metrics.delete(name);
  if (metrics.size === 0)
    throw new ReplicaCalculationError('did not receive metrics for targeted pods (pods might be unready)');
  const { ratio, utilization, rawAverage } = rule.usage(metrics);
  const result = (replicas: number): ResourceProposal => ({ replicas, utilization, rawAverage });

  const scaleUpWithUnready = unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && missing.size === 0) {
    if (Math.abs(1.0 - ratio) <= tolerance) return result(currentReplicas);
    return result(Math.ceil(ratio * readyPodCount));
  }
  for (const name of missing) {
    const value = rule.missing(name, ratio);
    if (value !== undefined) metrics.set(name, { value });
  }
  // Scale-up: unready pods count as using 0%.
  if (scaleUpWithUnready) for (const name of unready) metrics.set(name, { value: 0 });
  const next = rule.usage(metrics).ratio;
  if (Math.abs(1.0 - next) <= tolerance || (ratio < 1.0 && next > 1.0) || (ratio > 1.0 && next < 1.0))
    return result(currentReplicas);
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1.0 && replicas > currentReplicas) || (next > 1.0 && replicas < currentReplicas))
    return result(currentReplicas);
  return result(replicas);
}
