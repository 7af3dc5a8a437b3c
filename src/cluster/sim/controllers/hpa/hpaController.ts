import { selectorMatches } from '../../../../k8s/labels.js';
import { clone, rfc3339 } from '../../../../k8s/meta.js';
import type { KubeObject, LabelSelector, Pod } from '../../../../k8s/objects.js';
import { quantityMilliValue } from '../../../../k8s/quantity.js';
import { updateObject } from '../../applyObject.js';
import type { UsageModel } from '../../kubelet/usage.js';
import { SCRAPE_MS } from '../../kubelet/usage.js';
import type { StoreEvent } from '../../store/objectStore.js';
import { jsonEqual } from '../../store/jsonValue.js';
import type { Controller, ControllerContext } from '../controller.js';
import { formatMilli } from './milliQuantity.js';
import { Normalizer, type Condition as NormalizedCondition } from './normalize.js';
import {
  averageValueReplicas,
  ReplicaCalculationError,
  resourceReplicas,
  type PodMetric,
} from './replicaCalculator.js';
import type { HorizontalPodAutoscaler, HpaCondition, MetricSpec, MetricStatus } from './types.js';

/**
 * The HorizontalPodAutoscaler controller
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/horizontal.go,
 * `reconcileAutoscaler`): every 15 s (--horizontal-pod-autoscaler-sync-period) it reads the target's
 * scale subresource, asks the resource metrics (the simulated metrics-server, ../../kubelet/usage.ts)
 * for the pods its selector picks, proposes ceil(current × usage / target) (replicaCalculator.ts),
 * normalizes it (normalize.ts), writes the scale and reports status, conditions and events.
 *
 * Differences that do not change observable behaviour: the scale is read from and written to the
 * target object in the store (what the scale subresource does), metrics are computed on demand at
 * the latest 15 s scrape instead of being polled.
 */
export const HPA_SYNC_PERIOD_MS = 15_000;
const COMPONENT = 'horizontal-pod-autoscaler';
/** The field manager of kube-controller-manager's writes (its user agent's prefix). */
const MANAGER = 'kube-controller-manager';

/** The scale subresource's view of a target: `spec.replicas` and the selector of its pods. */
interface ScaleView {
  replicas: number;
  selector?: LabelSelector;
}

class MetricError extends Error {
  constructor(
    readonly reason: string,
    readonly inner: string,
    message: string,
  ) {
    super(message);
  }
}

export class HpaController implements Controller {
  readonly name = 'horizontal-pod-autoscaler';
  private readonly normalizer = new Normalizer();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly usage: UsageModel,
  ) {}

  keysFor(event: StoreEvent): string[] {
    if (event.kind !== 'HorizontalPodAutoscaler') return [];
    const key = `${event.object.metadata.namespace}/${event.object.metadata.name}`;
    if (event.type === 'DELETED') {
      this.normalizer.forget(key);
      return [];
    }
    // enqueueHPA is AddRateLimited with a fixed 15 s interval: a new or changed HPA is first
    // reconciled one sync period later, then every period.
    this.ctx.requeueAt(this.name, key, this.ctx.clock.now() + HPA_SYNC_PERIOD_MS);
    return [];
  }

  sync(key: string): void {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const stored = this.ctx.store.get<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', ns, name);
    if (!stored) {
      this.normalizer.forget(key);
      return;
    }
    const now = this.ctx.clock.now();
    this.ctx.requeueAt(this.name, key, now + HPA_SYNC_PERIOD_MS);
    this.reconcile(key, clone(stored), now);
  }

  private reconcile(key: string, hpa: HorizontalPodAutoscaler, now: number): void {
    const original = clone(hpa.status ?? {});
    const ref = hpa.spec.scaleTargetRef;
    const target = this.target(hpa);
    if (typeof target === 'string') {
      this.ctx.events.record(hpa, 'Warning', 'FailedGetScale', target, COMPONENT);
      setCondition(
        hpa,
        'AbleToScale',
        'False',
        'FailedGetScale',
        `the HPA controller was unable to get the target's current scale: ${target}`,
        now,
      );
      this.writeStatus(hpa, original);
      return;
    }
    setCondition(
      hpa,
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
      now,
    );
    const current = target.scale.replicas;
    this.normalizer.recordInitial(key, current, now);
    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    let desired = 0;
    let reason = '';
    let rescale = true;
    let statuses: MetricStatus[] | undefined;
    if (current === 0 && min !== 0) {
      rescale = false;
      setCondition(
        hpa,
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
        now,
      );
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const computed = this.computeReplicasForMetrics(hpa, target.scale, now);
      if (computed instanceof Error) {
        hpa.status = { ...statusBase(hpa), currentReplicas: current };
        this.writeStatus(hpa, original);
        this.ctx.events.record(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.message, COMPONENT);
        return;
      }
      statuses = computed.statuses;
      desired = computed.replicas;
      if (desired > current) reason = `${computed.metric} above target`;
      if (desired < current) reason = 'All metrics below target';
      const normalized = hpa.spec.behavior
        ? this.normalizer.normalizeWithBehaviors(key, hpa.spec.behavior, current, desired, min, max, now)
        : this.normalizer.normalize(key, current, desired, min, max, now);
      applyNormalized(hpa, normalized.ableToScale, normalized.scalingLimited, now);
      desired = normalized.replicas;
      rescale = desired !== current;
    }
    if (rescale) {
      this.writeScale(target.kind, ns(hpa), ref.name, desired);
      setCondition(
        hpa,
        'AbleToScale',
        'True',
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desired}`,
        now,
      );
      this.ctx.events.record(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`, COMPONENT);
      this.normalizer.storeScaleEvent(key, hpa.spec.behavior, current, desired, now);
    } else {
      desired = current;
    }
    hpa.status = {
      ...statusBase(hpa),
      currentReplicas: current,
      desiredReplicas: desired,
      ...(statuses ? { currentMetrics: statuses } : {}),
      ...(rescale ? { lastScaleTime: rfc3339(now) } : {}),
    };
    if (!statuses) delete hpa.status.currentMetrics;
    this.writeStatus(hpa, original);
  }

  /** `computeReplicasForMetrics`: the largest proposal of the valid metrics; an error when all are invalid, or some are and it would scale down. */
  private computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    scale: ScaleView,
    now: number,
  ): { replicas: number; metric: string; statuses: MetricStatus[] } | Error {
    const specs = hpa.spec.metrics ?? [];
    if (!scale.selector) {
      const message = 'selector is required';
      this.ctx.events.record(hpa, 'Warning', 'SelectorRequired', message, COMPONENT);
      setCondition(
        hpa,
        'ScalingActive',
        'False',
        'InvalidSelector',
        "the HPA target's scale is missing a selector",
        now,
      );
      return new Error(message);
    }
    const statuses: MetricStatus[] = specs.map(() => ({ type: '' }));
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let firstError: MetricError | undefined;
    specs.forEach((spec, i) => {
      try {
        const proposal = this.computeForMetric(hpa, spec, scale, now);
        statuses[i] = proposal.status;
        if (replicas === 0 || proposal.replicas > replicas) {
          replicas = proposal.replicas;
          metric = proposal.metric;
        }
      } catch (err) {
        if (!(err instanceof MetricError)) throw err;
        // getUnableComputeReplicaCountCondition records an event per failing metric.
        this.ctx.events.record(hpa, 'Warning', err.reason, err.inner, COMPONENT);
        firstError ??= err;
        invalid++;
      }
    });
    if (firstError && (invalid >= specs.length || replicas < scale.replicas)) {
      setCondition(
        hpa,
        'ScalingActive',
        'False',
        firstError.reason,
        `the HPA was unable to compute the replica count: ${firstError.inner}`,
        now,
      );
      return new Error(
        `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError.message}`,
      );
    }
    setCondition(
      hpa,
      'ScalingActive',
      'True',
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${metric}`,
      now,
    );
    return { replicas, metric, statuses };
  }

  /** `computeStatusForResourceMetric` (utilization targets); other metric sources have no API behind them here, as on a cluster without custom or external metrics adapters. */
  private computeForMetric(
    hpa: HorizontalPodAutoscaler,
    spec: MetricSpec,
    scale: ScaleView,
    now: number,
  ): { replicas: number; metric: string; status: MetricStatus } {
    if (spec.type !== 'Resource' || !spec.resource) {
      const kind =
        spec.type === 'Pods'
          ? 'Pods'
          : spec.type === 'Object'
            ? 'Object'
            : spec.type === 'External'
              ? 'External'
              : 'ContainerResource';
      const inner =
        kind === 'External'
          ? 'unable to fetch metrics from external metrics API: the server could not find the requested resource (get .external.metrics.k8s.io)'
          : kind === 'ContainerResource'
            ? 'unable to get metrics for resource: container resource metrics are not served by this simulator'
            : 'unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered';
      throw new MetricError(`FailedGet${kind}Metric`, inner, `failed to get ${kind.toLowerCase()} metric: ${inner}`);
    }
    const resource = spec.resource.name;
    const target = spec.resource.target;
    const fail = (inner: string): MetricError =>
      new MetricError('FailedGetResourceMetric', inner, `failed to get ${resource} utilization: ${inner}`);
    const pods = this.ctx.store
      .list<Pod>('Pod', ns(hpa))
      .filter((p) => selectorMatches(scale.selector, p.metadata.labels));
    const metrics = this.podMetrics(pods, resource, now);
    if (metrics.size === 0)
      throw fail(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
    if (target.type === 'Utilization' && target.averageUtilization !== undefined) {
      try {
        const p = resourceReplicas(
          scale.replicas,
          target.averageUtilization,
          resource,
          pods,
          metrics,
          now,
          quantityMilliValue,
        );
        return {
          replicas: p.replicas,
          metric: `${resource} resource utilization (percentage of request)`,
          status: {
            type: 'Resource',
            resource: {
              name: resource,
              current: { averageUtilization: p.utilization, averageValue: formatMilli(p.rawAverage) },
            },
          },
        };
      } catch (err) {
        if (err instanceof ReplicaCalculationError) throw fail(err.message);
        throw err;
      }
    }
    if (target.type === 'AverageValue' && target.averageValue !== undefined) {
      try {
        const p = averageValueReplicas(
          scale.replicas,
          quantityMilliValue(target.averageValue),
          resource,
          pods,
          metrics,
          now,
        );
        return {
          replicas: p.replicas,
          metric: `${resource} resource`,
          status: {
            type: 'Resource',
            resource: { name: resource, current: { averageValue: formatMilli(p.rawAverage) } },
          },
        };
      } catch (err) {
        if (err instanceof ReplicaCalculationError) throw fail(err.message);
        throw err;
      }
    }
    throw fail('invalid resource metric source: neither a utilization target nor a value target was set');
  }

  /** metrics.k8s.io PodMetrics as the HPA's metrics client sums them: per pod, milli-units. */
  private podMetrics(pods: readonly Pod[], resource: string, now: number): Map<string, PodMetric> {
    const out = new Map<string, PodMetric>();
    const timestamp = this.usage.scrapedAt(now);
    for (const pod of pods) {
      const containers = this.usage.podUsage(pod, timestamp);
      if (!containers) continue;
      let sum = 0;
      for (const c of containers) sum += resource === 'cpu' ? c.cpu : resource === 'memory' ? c.memory * 1000 : 0;
      out.set(pod.metadata.name!, { value: sum, timestamp, windowMs: SCRAPE_MS });
    }
    return out;
  }

  /** The target through its scale subresource: a kind the API serves `/scale` for, and the object. */
  private target(hpa: HorizontalPodAutoscaler): { kind: string; scale: ScaleView } | string {
    const ref = hpa.spec.scaleTargetRef;
    const info = this.ctx.store.kinds.lookup(ref.apiVersion ?? '', ref.kind);
    if (!info || !SCALABLE.includes(info.kind)) {
      const group = (ref.apiVersion ?? '').includes('/') ? ref.apiVersion!.split('/')[0] : '';
      return `no matches for kind "${ref.kind}" in group "${group}"`;
    }
    const obj = this.ctx.store.get<KubeObject & { spec?: { replicas?: number; selector?: unknown } }>(
      info.kind,
      ns(hpa),
      ref.name,
    );
    if (!obj) return `${info.plural}${info.group ? `.${info.group}` : ''} "${ref.name}" not found`;
    const raw = obj.spec?.selector;
    // A ReplicationController's selector is a map (equality-based), the others' a LabelSelector.
    const selector: LabelSelector | undefined =
      raw === undefined
        ? undefined
        : info.kind === 'ReplicationController'
          ? { matchLabels: raw as Record<string, string> }
          : (raw as LabelSelector);
    return { kind: info.kind, scale: { replicas: obj.spec?.replicas ?? 1, selector } };
  }

  /** The scale subresource's update: spec.replicas of the target, as kube-controller-manager. */
  private writeScale(kind: string, namespace: string, name: string, replicas: number): void {
    const store = this.ctx.store;
    const current = store.get(kind, namespace, name);
    if (!current) return;
    const next = clone(current) as typeof current & { spec: { replicas?: number } };
    next.spec.replicas = replicas;
    updateObject(store, current, next, { manager: MANAGER, time: rfc3339(this.ctx.clock.now()) });
  }

  /** `updateStatusIfNeeded`: a status write only when something changed. */
  private writeStatus(hpa: HorizontalPodAutoscaler, original: HorizontalPodAutoscaler['status']): void {
    // HorizontalPodAutoscalerStatus's field order; desiredReplicas is never omitted.
    const s = hpa.status ?? {};
    const status: NonNullable<HorizontalPodAutoscaler['status']> = {
      ...(hpa.metadata.generation !== undefined ? { observedGeneration: hpa.metadata.generation } : {}),
      ...(s.lastScaleTime ? { lastScaleTime: s.lastScaleTime } : {}),
      ...(s.currentReplicas ? { currentReplicas: s.currentReplicas } : {}),
      desiredReplicas: s.desiredReplicas ?? 0,
      ...(s.currentMetrics?.length ? { currentMetrics: s.currentMetrics } : {}),
      ...(s.conditions?.length ? { conditions: s.conditions } : {}),
    };
    if (jsonEqual(status, original ?? {})) return;
    const current = this.ctx.store.get<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', ns(hpa), hpa.metadata.name!);
    if (!current) return;
    this.ctx.store.update('HorizontalPodAutoscaler', { ...current, status }, { subresource: 'status' });
  }
}

/** Kinds with a scale subresource the HPA can drive. */
const SCALABLE = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'];

function ns(hpa: HorizontalPodAutoscaler): string {
  return hpa.metadata.namespace ?? 'default';
}

/** The status fields kept between writes (setStatus keeps lastScaleTime and conditions). */
function statusBase(hpa: HorizontalPodAutoscaler): NonNullable<HorizontalPodAutoscaler['status']> {
  const s = hpa.status ?? {};
  return {
    ...(s.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}),
    ...(s.lastScaleTime ? { lastScaleTime: s.lastScaleTime } : {}),
    ...(s.currentReplicas !== undefined ? { currentReplicas: s.currentReplicas } : {}),
    ...(s.desiredReplicas !== undefined ? { desiredReplicas: s.desiredReplicas } : { desiredReplicas: 0 }),
    ...(s.currentMetrics ? { currentMetrics: s.currentMetrics } : {}),
    ...(s.conditions ? { conditions: s.conditions } : {}),
  };
}

function applyNormalized(
  hpa: HorizontalPodAutoscaler,
  able: NormalizedCondition,
  limited: NormalizedCondition,
  now: number,
): void {
  setCondition(hpa, 'AbleToScale', able.status, able.reason, able.message, now);
  setCondition(hpa, 'ScalingLimited', limited.status, limited.reason, limited.message, now);
}

/**
 * `setCondition`: replaces the condition of that type, keeping its lastTransitionTime unless the
 * status changed; conditions keep their order of first appearance.
 */
export function setCondition(
  hpa: HorizontalPodAutoscaler,
  type: HpaCondition['type'],
  status: HpaCondition['status'],
  reason: string,
  message: string,
  now: number,
): void {
  const conditions = [...(hpa.status?.conditions ?? [])];
  const i = conditions.findIndex((c) => c.type === type);
  const old = i >= 0 ? conditions[i] : undefined;
  const next: HpaCondition = {
    type,
    status,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : rfc3339(now),
    reason,
    message,
  };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  hpa.status = { ...(hpa.status ?? {}), conditions };
}
