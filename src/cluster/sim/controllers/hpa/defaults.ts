import type { KubeObject } from '../../../../k8s/objects.js';
import { defaultScaleDown, defaultScaleUp } from './normalize.js';
import type { HorizontalPodAutoscaler } from './types.js';

/**
 * autoscaling/v2 defaults (pkg/apis/autoscaling/v2/defaults.go, SetDefaults_HorizontalPodAutoscaler):
 * minReplicas 1, a CPU utilization target of 80% when no metric is given, and a given `behavior`
 * filled with the default rules (an absent one stays absent: the controller then uses its
 * command-line stabilization window).
 */
export function defaultHorizontalPodAutoscaler(obj: KubeObject): void {
  const hpa = obj as HorizontalPodAutoscaler;
  if (!hpa.spec) return;
  hpa.spec.minReplicas ??= 1;
  if (!hpa.spec.metrics || hpa.spec.metrics.length === 0)
    hpa.spec.metrics = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
    ];
  const behavior = hpa.spec.behavior;
  if (behavior) {
    behavior.scaleUp = defaultScaleUp(behavior.scaleUp);
    behavior.scaleDown = defaultScaleDown(behavior.scaleDown);
  }
}
