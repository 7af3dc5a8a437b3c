/**
 * The HPA's normalization (controllers/hpa/normalize.ts, after horizontal.go): the 5-minute
 * downscale stabilization window at and just past its end, the scale-up limit max(2 × current, 4),
 * min/max, and `behavior` policies and windows (horizontal_test.go's normalization cases).
 */
import { describe, expect, test } from '@jest/globals';
import { convertWithRules, Normalizer } from '../../../src/cluster/sim/controllers/hpa/normalize.js';

const S = 1000;

describe('without behavior (normalizeDesiredReplicas)', () => {
  test('a scale-down waits for the highest recommendation of the last 5 minutes: at 300 s it still counts, at 300.001 s not', () => {
    const n = new Normalizer();
    n.recordInitial('k', 5, 0);
    expect(n.normalize('k', 5, 5, 1, 10, 0).replicas).toBe(5);
    // Load falls at 15 s: the proposal is 2, held at 5 by the recommendation of 0 s.
    const held = n.normalize('k', 5, 2, 1, 10, 15 * S);
    expect(held).toEqual({
      replicas: 5,
      ableToScale: {
        status: 'True',
        reason: 'ScaleDownStabilized',
        message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
      },
      scalingLimited: {
        status: 'False',
        reason: 'DesiredWithinRange',
        message: 'the desired count is within the acceptable range',
      },
    });
    expect(n.normalize('k', 5, 2, 1, 10, 300 * S).replicas).toBe(5);
    const after = n.normalize('k', 5, 2, 1, 10, 300 * S + 1);
    expect(after.replicas).toBe(2);
    expect(after.ableToScale.reason).toBe('ReadyForNewScale');
  });

  test('a shorter window (the controller flag) ends sooner', () => {
    const n = new Normalizer(60 * S);
    n.recordInitial('k', 4, 0);
    expect(n.normalize('k', 4, 1, 1, 10, 60 * S).replicas).toBe(4);
    expect(n.normalize('k', 4, 1, 1, 10, 60 * S + 1).replicas).toBe(1);
  });

  test('the scale-up limit is max(2 × current, 4), then maxReplicas; minReplicas below', () => {
    expect(convertWithRules(1, 10, 1, 20)).toEqual([
      4,
      'ScaleUpLimit',
      'the desired replica count is increasing faster than the maximum scale rate',
    ]);
    expect(convertWithRules(3, 10, 1, 20)).toEqual([
      6,
      'ScaleUpLimit',
      'the desired replica count is increasing faster than the maximum scale rate',
    ]);
    expect(convertWithRules(3, 6, 1, 20)).toEqual([
      6,
      'DesiredWithinRange',
      'the desired count is within the acceptable range',
    ]);
    expect(convertWithRules(3, 10, 1, 5)).toEqual([
      5,
      'TooManyReplicas',
      'the desired replica count is more than the maximum replica count',
    ]);
    expect(convertWithRules(3, 1, 2, 5)).toEqual([
      2,
      'TooFewReplicas',
      'the desired replica count is less than the minimum replica count',
    ]);
  });
});

describe('with behavior (normalizeDesiredReplicasWithBehaviors)', () => {
  test('scaleUp policy Pods 2 per 60 s: 2 more, then none until 60 s after the first scale', () => {
    const n = new Normalizer();
    const behavior = { scaleUp: { policies: [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }] } };
    n.recordInitial('k', 2, 0);
    const first = n.normalizeWithBehaviors('k', behavior, 2, 10, 1, 20, 15 * S);
    expect(first.replicas).toBe(4);
    expect(first.scalingLimited).toEqual({
      status: 'True',
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    });
    n.storeScaleEvent('k', behavior, 2, 4, 15 * S);
    // The event at 15 s counts while it is after now - 60 s: at 75 s it no longer does.
    expect(n.normalizeWithBehaviors('k', behavior, 4, 10, 1, 20, 74 * S).replicas).toBe(4);
    expect(n.normalizeWithBehaviors('k', behavior, 4, 10, 1, 20, 75 * S).replicas).toBe(6);
  });

  test('scaleDown stabilizationWindowSeconds 60 and the default 100% per 15 s policy', () => {
    const n = new Normalizer();
    const behavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
    n.recordInitial('k', 8, 0);
    expect(n.normalizeWithBehaviors('k', behavior, 8, 2, 1, 10, 59 * S).replicas).toBe(8);
    const down = n.normalizeWithBehaviors('k', behavior, 8, 2, 1, 10, 60 * S);
    expect(down.replicas).toBe(2);
    expect(down.ableToScale.reason).toBe('ReadyForNewScale');
  });

  test('scaleUp stabilization keeps the lowest recent recommendation; selectPolicy Disabled never scales up', () => {
    const n = new Normalizer();
    n.recordInitial('k', 3, 0);
    const slow = { scaleUp: { stabilizationWindowSeconds: 30 } };
    const held = n.normalizeWithBehaviors('k', slow, 3, 6, 1, 10, 15 * S);
    expect(held.replicas).toBe(3);
    expect(held.ableToScale.reason).toBe('ScaleUpStabilized');
    const disabled = new Normalizer();
    disabled.recordInitial('k', 3, 0);
    expect(
      disabled.normalizeWithBehaviors('k', { scaleUp: { selectPolicy: 'Disabled' } }, 3, 6, 1, 10, 15 * S).replicas,
    ).toBe(3);
  });
});
