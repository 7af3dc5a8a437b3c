/** Small builders for Deployments, ReplicaSets, pods and events at times relative to T0. */
import type {
  Condition,
  ContainerStatus,
  Deployment,
  KubeEvent,
  Pod,
  PodTemplateSpec,
  ReplicaSet,
} from '../../src/k8s/objects.js';
import { Annotations } from '../../src/k8s/objects.js';
import type { WorkloadSnapshot } from '../../src/rollout/snapshot.js';

/** 2026-01-01T00:00:00Z: every test time is T0 + seconds. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');
/** ms of T0 + seconds. */
export const t = (seconds: number): number => T0 + seconds * 1000;
/** RFC3339 (second precision) of T0 + seconds. */
export const at = (seconds: number): string => new Date(t(seconds)).toISOString().replace('.000Z', 'Z');

export const DEPLOYMENT_UID = 'uid-web';

export function template(image: string, hash?: string): PodTemplateSpec {
  return {
    metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } },
    spec: { containers: [{ name: 'web', image }] },
  };
}

export interface DeploymentOptions {
  image?: string;
  replicas?: number;
  generation?: number;
  observedGeneration?: number;
  revision?: number;
  updated?: number;
  ready?: number;
  available?: number;
  total?: number;
  conditions?: Condition[];
  annotations?: Record<string, string>;
  paused?: boolean;
  resourceVersion?: string;
  progressDeadlineSeconds?: number;
}

export function deployment(o: DeploymentOptions = {}): Deployment {
  const replicas = o.replicas ?? 3;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: DEPLOYMENT_UID,
      generation: o.generation ?? 2,
      resourceVersion: o.resourceVersion ?? '100',
      annotations: { [Annotations.revision]: String(o.revision ?? 2), ...(o.annotations ?? {}) },
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image ?? 'web:2'),
      ...(o.paused ? { paused: true } : {}),
      ...(o.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: o.progressDeadlineSeconds } : {}),
    },
    status: {
      observedGeneration: o.observedGeneration ?? o.generation ?? 2,
      replicas: o.total ?? replicas + 1,
      updatedReplicas: o.updated ?? 1,
      readyReplicas: o.ready ?? replicas,
      availableReplicas: o.available ?? replicas,
      conditions: o.conditions ?? [],
    },
  };
}

export interface ReplicaSetOptions {
  revision: number;
  image: string;
  hash: string;
  replicas?: number;
  available?: number;
  createdAt?: number;
  annotations?: Record<string, string>;
  conditions?: Condition[];
}

export function replicaSet(o: ReplicaSetOptions): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${o.hash}`,
      namespace: 'default',
      uid: `uid-rs-${o.hash}`,
      creationTimestamp: at(o.createdAt ?? -1000 + o.revision),
      labels: { app: 'web', 'pod-template-hash': o.hash },
      annotations: { [Annotations.revision]: String(o.revision), ...(o.annotations ?? {}) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: DEPLOYMENT_UID, controller: true },
      ],
    },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': o.hash } },
      template: template(o.image, o.hash),
    },
    status: { replicas: o.replicas ?? 1, availableReplicas: o.available ?? 0, conditions: o.conditions },
  };
}

export interface PodOptions {
  name: string;
  rs: ReplicaSet;
  createdAt?: number;
  waiting?: { reason: string; message?: string };
  restartCount?: number;
  lastTerminated?: { exitCode: number; reason?: string; finishedAt?: number };
  running?: boolean;
  conditions?: Condition[];
  init?: boolean;
}

export function pod(o: PodOptions): Pod {
  const image = o.rs.spec.template.spec!.containers[0]!.image!;
  const status: ContainerStatus = {
    name: 'web',
    image,
    ready: !!o.running,
    restartCount: o.restartCount ?? 0,
    state: o.waiting ? { waiting: o.waiting } : o.running ? { running: { startedAt: at(o.createdAt ?? 0) } } : {},
    ...(o.lastTerminated
      ? {
          lastState: {
            terminated: {
              exitCode: o.lastTerminated.exitCode,
              reason: o.lastTerminated.reason,
              finishedAt: o.lastTerminated.finishedAt !== undefined ? at(o.lastTerminated.finishedAt) : undefined,
            },
          },
        }
      : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name,
      namespace: 'default',
      uid: `uid-${o.name}`,
      creationTimestamp: at(o.createdAt ?? 0),
      labels: { ...o.rs.spec.template.metadata!.labels },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: o.rs.metadata.name!,
          uid: o.rs.metadata.uid!,
          controller: true,
        },
      ],
    },
    spec: { containers: [{ name: 'web', image }] },
    status: {
      phase: o.running ? 'Running' : 'Pending',
      conditions: o.conditions ?? [],
      ...(o.init ? { initContainerStatuses: [status], containerStatuses: [] } : { containerStatuses: [status] }),
    },
  };
}

export function event(p: Pod, reason: string, message: string, first: number, count = 1, type = 'Warning'): KubeEvent {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${p.metadata.name}.${reason}.${first}`, namespace: 'default' },
    involvedObject: {
      kind: 'Pod',
      name: p.metadata.name,
      namespace: 'default',
      uid: p.metadata.uid,
      fieldPath: 'spec.containers{web}',
    },
    reason,
    message,
    type,
    count,
    firstTimestamp: at(first),
    lastTimestamp: at(first),
  };
}

export function condition(
  type: string,
  status: Condition['status'],
  reason: string,
  seconds: number,
  message?: string,
): Condition {
  return { type, status, reason, message, lastUpdateTime: at(seconds), lastTransitionTime: at(seconds) };
}

/** Old revision 1 (web:1, fully available) and new revision 2 (web:2). */
export function revisions(newImage = 'web:2'): { oldRs: ReplicaSet; newRs: ReplicaSet } {
  return {
    oldRs: replicaSet({ revision: 1, image: 'web:1', hash: 'aaa111', replicas: 3, available: 3 }),
    newRs: replicaSet({ revision: 2, image: newImage, hash: 'bbb222', replicas: 1, createdAt: 0 }),
  };
}

export function snapshot(
  d: Deployment | undefined,
  rss: ReplicaSet[],
  pods: Pod[] = [],
  events: KubeEvent[] = [],
): WorkloadSnapshot {
  return { deployment: d, replicaSets: rss, pods, events };
}
