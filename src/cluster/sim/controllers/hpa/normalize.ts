import type { HpaScalingRules } from './types.js';

/**
 * The HPA's normalization of a proposed replica count, transcribed from
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/horizontal.go:
 * without `behavior`, `normalizeDesiredReplicas` (the highest recommendation of the last 5 minutes
 * for a scale-down, a scale-up at most to max(2 × current, 4), then min/max); with `behavior`,
 * `normalizeDesiredReplicasWithBehaviors` (stabilization windows both ways, the policies' rates).
 * State (recommendations, scale events) is kept per HPA key, as the controller keeps it in memory.
 */

/** --horizontal-pod-autoscaler-downscale-stabilization (default 5m). */
export const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;
const SCALE_UP_LIMIT_FACTOR = 2.0;
const SCALE_UP_LIMIT_MINIMUM = 4.0;

export interface Condition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface Normalized {
  replicas: number;
  /** AbleToScale (ReadyForNewScale, ScaleUpStabilized, ScaleDownStabilized). */
  ableToScale: Condition;
  /** ScalingLimited (DesiredWithinRange, TooFewReplicas, TooManyReplicas, ScaleUpLimit, ScaleDownLimit). */
  scalingLimited: Condition;
}

interface Recommendation {
  replicas: number;
  at: number;
}
interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

/** The autoscaling/v2 defaults of a `behavior` that is given (SetDefaults_HorizontalPodAutoscalerBehavior). */
export function defaultScaleUp(rules: HpaScalingRules | undefined): Required<HpaScalingRules> {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? 0,
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies ?? [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

export function defaultScaleDown(
  rules: HpaScalingRules | undefined,
): HpaScalingRules & Pick<Required<HpaScalingRules>, 'selectPolicy' | 'policies'> {
  return {
    ...(rules?.stabilizationWindowSeconds !== undefined
      ? { stabilizationWindowSeconds: rules.stabilizationWindowSeconds }
      : {}),
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

const WITHIN: Condition = {
  status: 'False',
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
};
const READY: Condition = {
  status: 'True',
  reason: 'ReadyForNewScale',
  message: 'recommended size matches current size',
};

export class Normalizer {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  constructor(private readonly downscaleStabilizationMs = DOWNSCALE_STABILIZATION_MS) {}

  /** `recordInitialRecommendation`: the current size is the first recommendation. */
  recordInitial(key: string, current: number, now: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: current, at: now }]);
  }

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }

  /** `normalizeDesiredReplicas` (no `behavior`). */
  normalize(key: string, current: number, proposed: number, min: number, max: number, now: number): Normalized {
    const stabilized = this.stabilize(key, proposed, now);
    const ableToScale: Condition =
      stabilized !== proposed
        ? {
            status: 'True',
            reason: 'ScaleDownStabilized',
            message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
          }
        : READY;
    const [replicas, reason, message] = convertWithRules(current, stabilized, min, max);
    return {
      replicas,
      ableToScale,
      scalingLimited: { status: replicas === stabilized ? 'False' : 'True', reason, message },
    };
  }

  /** `normalizeDesiredReplicasWithBehaviors`. */
  normalizeWithBehaviors(
    key: string,
    behavior: { scaleUp?: HpaScalingRules; scaleDown?: HpaScalingRules },
    current: number,
    proposed: number,
    min: number,
    max: number,
    now: number,
  ): Normalized {
    const up = defaultScaleUp(behavior.scaleUp);
    const down = defaultScaleDown(behavior.scaleDown);
    // maybeInitScaleDownStabilizationWindow
    const downWindow = down.stabilizationWindowSeconds ?? this.downscaleStabilizationMs / 1000;
    const [stabilized, reason, message] = this.stabilizeWithBehaviors(
      key,
      current,
      proposed,
      up.stabilizationWindowSeconds,
      downWindow,
      now,
    );
    const ableToScale: Condition = stabilized !== proposed ? { status: 'True', reason, message } : READY;
    const [replicas, limitReason, limitMessage] = this.convertWithBehaviorRate(
      key,
      up,
      down,
      current,
      stabilized,
      min,
      max,
      now,
    );
    return {
      replicas,
      ableToScale,
      scalingLimited: {
        status: replicas === stabilized ? 'False' : 'True',
        reason: limitReason,
        message: limitMessage,
      },
    };
  }

  /** `storeScaleEvent`: only with `behavior` (the rate policies read them). */
  storeScaleEvent(
    key: string,
    behavior: { scaleUp?: HpaScalingRules; scaleDown?: HpaScalingRules } | undefined,
    previous: number,
    next: number,
    now: number,
  ): void {
    if (!behavior) return;
    const upward = next > previous;
    const rules = upward ? defaultScaleUp(behavior.scaleUp) : defaultScaleDown(behavior.scaleDown);
    const map = upward ? this.scaleUpEvents : this.scaleDownEvents;
    const events = map.get(key) ?? [];
    const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
    for (const e of events) if (e.at < now - longest * 1000) e.outdated = true;
    const event: ScaleEvent = { change: Math.abs(next - previous), at: now, outdated: false };
    let reuse = -1;
    events.forEach((e, i) => {
      if (e.outdated) reuse = i;
    });
    if (reuse >= 0) events[reuse] = event;
    else events.push(event);
    map.set(key, events);
  }

  /** `stabilizeRecommendation`: the highest recommendation within the window; the oldest outside it is replaced. */
  private stabilize(key: string, proposed: number, now: number): number {
    const recs = this.recommendations.get(key) ?? [];
    const cutoff = now - this.downscaleStabilizationMs;
    let highest = proposed;
    let old = -1;
    recs.forEach((r, i) => {
      if (r.at < cutoff) old = i;
      else if (r.replicas > highest) highest = r.replicas;
    });
    const rec = { replicas: proposed, at: now };
    if (old >= 0) recs[old] = rec;
    else recs.push(rec);
    this.recommendations.set(key, recs);
    return highest;
  }

  /**
   * `stabilizeRecommendationWithBehaviors` as upstream master has it: the current count is raised
   * to the lowest recommendation of the scale-up window and lowered to the highest of the scale-down
   * window, both at once, so a stabilization never moves the count against the proposal. The older
   * form (one window, chosen by the proposal's direction) scaled up on metrics below target and
   * down through the scale-up window, the bugs of https://github.com/kubernetes/kubernetes/issues/96671
   * and /98174; the autoscaler property (test/gate) found it here.
   */
  private stabilizeWithBehaviors(
    key: string,
    current: number,
    proposed: number,
    upWindow: number,
    downWindow: number,
    now: number,
  ): [number, string, string] {
    const recs = this.recommendations.get(key) ?? [];
    const upCutoff = now - upWindow * 1000;
    const downCutoff = now - downWindow * 1000;
    let upRecommendation = proposed;
    let downRecommendation = proposed;
    let old = -1;
    recs.forEach((r, i) => {
      if (r.at > upCutoff) upRecommendation = Math.min(r.replicas, upRecommendation);
      if (r.at > downCutoff) downRecommendation = Math.max(r.replicas, downRecommendation);
      if (r.at < upCutoff && r.at < downCutoff) old = i;
    });
    let recommendation = current;
    if (recommendation < upRecommendation) recommendation = upRecommendation;
    if (recommendation > downRecommendation) recommendation = downRecommendation;
    const rec = { replicas: proposed, at: now };
    if (old >= 0) recs[old] = rec;
    else recs.push(rec);
    this.recommendations.set(key, recs);
    return proposed >= current
      ? [
          recommendation,
          'ScaleUpStabilized',
          'recent recommendations were lower than current one, applying the lowest recent recommendation',
        ]
      : [
          recommendation,
          'ScaleDownStabilized',
          'recent recommendations were higher than current one, applying the highest recent recommendation',
        ];
  }

  private convertWithBehaviorRate(
    key: string,
    up: Required<HpaScalingRules>,
    down: ReturnType<typeof defaultScaleDown>,
    current: number,
    desired: number,
    min: number,
    max: number,
    now: number,
  ): [number, string, string] {
    if (desired > current) {
      let limit = scaleUpLimitWithRules(current, this.scaleUpEvents.get(key) ?? [], up, now);
      if (limit < current) limit = current;
      let allowed = max;
      let reason = 'TooManyReplicas';
      let message = 'the desired replica count is more than the maximum replica count';
      if (allowed > limit) {
        allowed = limit;
        reason = 'ScaleUpLimit';
        message = 'the desired replica count is increasing faster than the maximum scale rate';
      }
      if (desired > allowed) return [allowed, reason, message];
    } else if (desired < current) {
      let limit = scaleDownLimitWithRules(current, this.scaleDownEvents.get(key) ?? [], down, now);
      if (limit > current) limit = current;
      let allowed = min;
      let reason = 'TooFewReplicas';
      let message = 'the desired replica count is less than the minimum replica count';
      if (allowed < limit) {
        allowed = limit;
        reason = 'ScaleDownLimit';
        message = 'the desired replica count is decreasing faster than the maximum scale rate';
      }
      if (desired < allowed) return [allowed, reason, message];
    }
    return [desired, WITHIN.reason, WITHIN.message];
  }
}

/** `convertDesiredReplicasWithRules`. */
export function convertWithRules(current: number, desired: number, min: number, max: number): [number, string, string] {
  const scaleUpLimit = Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM));
  let maximum: number;
  let reason: string;
  let message: string;
  if (max > scaleUpLimit) {
    maximum = scaleUpLimit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maximum = max;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  if (desired < min) return [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
  if (desired > maximum) return [maximum, reason, message];
  return [desired, WITHIN.reason, WITHIN.message];
}

/** `getReplicasChangePerPeriod`. */
function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.at > cutoff) sum += e.change;
  return sum;
}

/** `calculateScaleUpLimitWithScalingRules`. */
function scaleUpLimitWithRules(
  current: number,
  events: readonly ScaleEvent[],
  rules: Required<HpaScalingRules>,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const select = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? 2 ** 31 - 1 : -(2 ** 31);
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, events, now);
    // Rounded up, or a small percentage would never add a pod.
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = select(result, proposed);
  }
  return result;
}

/** `calculateScaleDownLimitWithBehaviors`. */
function scaleDownLimitWithRules(
  current: number,
  events: readonly ScaleEvent[],
  rules: ReturnType<typeof defaultScaleDown>,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const select = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = 2 ** 31 - 1;
  for (const p of rules.policies) {
    const start = current + changeInPeriod(p.periodSeconds, events, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = select(result, proposed);
  }
  return result;
}
