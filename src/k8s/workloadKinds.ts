/**
 * The kinds of workload the gate rolls out and judges itself (every other applied object is waited
 * on through its kstatus health): where the API serves each, and what each controls.
 */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface WorkloadKindInfo {
  apiVersion: 'apps/v1';
  /** URL segment under /apis/apps/v1/namespaces/<ns>/. */
  plural: string;
  /** What keeps its history: ReplicaSets (Deployment) or ControllerRevisions. */
  history: 'ReplicaSet' | 'ControllerRevision';
}

export const WORKLOAD_KINDS: Readonly<Record<WorkloadKind, WorkloadKindInfo>> = {
  Deployment: { apiVersion: 'apps/v1', plural: 'deployments', history: 'ReplicaSet' },
  StatefulSet: { apiVersion: 'apps/v1', plural: 'statefulsets', history: 'ControllerRevision' },
  DaemonSet: { apiVersion: 'apps/v1', plural: 'daemonsets', history: 'ControllerRevision' },
};

/** Whether an applied object of `apiVersion`/`kind` is a workload the gate rolls out. */
export function isWorkloadKind(apiVersion: string | undefined, kind: string | undefined): kind is WorkloadKind {
  return apiVersion === 'apps/v1' && (kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet');
}

/** A reference's kind; references without one are Deployments (the gate's first and default kind). */
export function workloadKindOf(ref: { kind?: WorkloadKind }): WorkloadKind {
  return ref.kind ?? 'Deployment';
}

/** `deployment "web"`, `statefulset "db"`, `daemonset "agent"`: how logs and messages name a workload. */
export function workloadLabel(ref: { kind?: WorkloadKind; name: string }): string {
  return `${workloadKindOf(ref).toLowerCase()} "${ref.name}"`;
}
