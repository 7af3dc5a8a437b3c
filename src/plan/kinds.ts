/**
 * What the plan reads of each kind of workload (pure): its desired replicas, its update strategy
 * as `kubectl describe` says it, and the replicas its status calls available. A Deployment's rollout
 * is replayed from its ReplicaSets (buildPlan.ts); StatefulSets and DaemonSets replace pods in
 * place, so the plan follows their pods instead.
 */
import type { DaemonSet, Deployment, IntOrString, StatefulSet } from '../k8s/objects.js';
import type { WorkloadKind } from '../k8s/workloadKinds.js';

/** A workload the plan predicts, as applied or as stored. */
export type PlannedWorkload = Deployment | StatefulSet | DaemonSet;

/**
 * Desired replicas. A DaemonSet has none in its spec: one pod per eligible node, which only its
 * status knows (`desiredNumberScheduled`, set by the controller after the apply).
 */
export function desiredReplicas(kind: WorkloadKind, w: PlannedWorkload): number {
  if (kind === 'DaemonSet') return (w as DaemonSet).status?.desiredNumberScheduled ?? 0;
  return (w as Deployment | StatefulSet).spec.replicas ?? 1;
}

/** Available replicas as the workload's status says (availableReplicas, or a DaemonSet's numberAvailable). */
export function availableReplicas(kind: WorkloadKind, w: PlannedWorkload): number {
  if (kind === 'DaemonSet') return (w as DaemonSet).status?.numberAvailable ?? 0;
  return (w as Deployment | StatefulSet).status?.availableReplicas ?? 0;
}

/** `RollingUpdate (25% max unavailable, 25% max surge)`, `Recreate`, `OnDelete`, as kubectl describe says them. */
export function strategyText(kind: WorkloadKind, w: PlannedWorkload): string {
  if (kind === 'StatefulSet') {
    const s = (w as StatefulSet).spec;
    const type = s.updateStrategy?.type ?? 'RollingUpdate';
    const policy = s.podManagementPolicy ?? 'OrderedReady';
    if (type !== 'RollingUpdate') return `${type} (${policy})`;
    const ru = s.updateStrategy?.rollingUpdate ?? {};
    return `RollingUpdate (${policy}, partition ${ru.partition ?? 0}, ${String(ru.maxUnavailable ?? 1)} max unavailable)`;
  }
  if (kind === 'DaemonSet') {
    const s = (w as DaemonSet).spec;
    const type = s.updateStrategy?.type ?? 'RollingUpdate';
    if (type !== 'RollingUpdate') return type;
    const ru = s.updateStrategy?.rollingUpdate ?? {};
    return `RollingUpdate (${String(ru.maxUnavailable ?? 1)} max unavailable, ${String(ru.maxSurge ?? 0)} max surge)`;
  }
  const d = w as Deployment;
  const type = d.spec.strategy?.type ?? 'RollingUpdate';
  if (type !== 'RollingUpdate') return type;
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  return `RollingUpdate (${String(ru.maxUnavailable ?? '25%')} max unavailable, ${String(ru.maxSurge ?? '25%')} max surge)`;
}

/** The rolling update's maxUnavailable, when the kind has one (for the "every replica at once" lint). */
export function maxUnavailable(kind: WorkloadKind, w: PlannedWorkload): IntOrString | undefined {
  if (kind === 'Deployment') {
    const s = (w as Deployment).spec.strategy;
    return (s?.type ?? 'RollingUpdate') === 'RollingUpdate'
      ? (s?.rollingUpdate?.maxUnavailable ?? undefined)
      : undefined;
  }
  const s = (w as StatefulSet | DaemonSet).spec.updateStrategy;
  return (s?.type ?? 'RollingUpdate') === 'RollingUpdate' ? (s?.rollingUpdate?.maxUnavailable ?? undefined) : undefined;
}
