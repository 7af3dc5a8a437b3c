import type { Node, Pod } from '../../../k8s/objects.js';

/**
 * Taints and tolerations as core/v1 defines them (staging/src/k8s.io/api/core/v1/toleration.go,
 * taint.go) and as the scheduler's TaintToleration plugin and the DaemonSet controller read them
 * (pkg/apis/core/v1/helper/helpers.go FindMatchingUntoleratedTaint):
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/api/core/v1/toleration.go
 */
export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect | string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Equal' | 'Exists' | string;
  value?: string;
  effect?: TaintEffect | string;
  tolerationSeconds?: number;
}

export const TAINT_EFFECTS: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function nodeTaints(node: Node): Taint[] {
  return (node.spec?.taints as Taint[] | undefined) ?? [];
}

export function podTolerations(pod: Pick<Pod, 'spec'>): Toleration[] {
  return (pod.spec?.tolerations as Toleration[] | undefined) ?? [];
}

/**
 * Toleration.ToleratesTaint: an empty effect matches every effect, an empty key (with Exists)
 * every key; `Equal` (or no operator) also compares the value, `Exists` does not.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** FindMatchingUntoleratedTaint: the first taint passing `filter` that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  filter: (taint: Taint) => boolean,
): Taint | undefined {
  return taints.find((taint) => filter(taint) && !tolerations.some((t) => toleratesTaint(t, taint)));
}

/** The effects the scheduler's TaintToleration filter and the DaemonSet's `predicates` enforce. */
export const isNoScheduleOrNoExecute = (taint: Taint): boolean =>
  taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';
