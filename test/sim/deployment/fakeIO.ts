import fs from 'node:fs';
import { ApiError } from '../../../src/k8s/apiError.js';
import { clone, rfc3339 } from '../../../src/k8s/meta.js';
import type { Deployment, IntOrString, KubeObject, ReplicaSet } from '../../../src/k8s/objects.js';
import type { DeploymentIO } from '../../../src/cluster/sim/controllers/deployment/io.js';

/** Test-only helpers: the upstream vectors, Go-test-style builders and an in-memory DeploymentIO. */

export interface Vector {
  name: string;
  source?: string;
  input: any;
  expected: any;
  notes?: string;
}

export function loadGroups(): Record<string, Vector[]> {
  const path = new URL('../../fixtures/k8s-vectors.json', import.meta.url);
  return JSON.parse(fs.readFileSync(path, 'utf8')).groups;
}

/** A fixed "now" for vectors whose Go test uses the wall clock (`real time (>> 2017)`). */
export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Symbolic times of the vectors: 'zero' (unset), 'now', 'now±Nm', 'now-Nh'. */
export function symbolicTime(text: string | undefined | null): string | undefined {
  if (text === undefined || text === null || text === 'zero') return undefined;
  const m = /^now(?:([+-])(\d+)([mh]))?$/.exec(text);
  if (!m) return text;
  const sign = m[1] === '-' ? -1 : 1;
  const ms = m[2] ? Number(m[2]) * (m[3] === 'h' ? 3_600_000 : 60_000) : 0;
  return rfc3339(NOW + sign * ms);
}

export const baseTemplate = () => ({
  metadata: { labels: { app: 'foo' } },
  spec: { containers: [{ name: 'app', image: 'foo:v1' }] },
});

/** Go test helper newDeployment: RollingUpdate, nil surge/unavailable become int 0 (not 25%). */
export function newDeployment(opts: {
  name?: string;
  replicas?: number | null;
  revisionHistoryLimit?: number | null;
  maxSurge?: IntOrString | null;
  maxUnavailable?: IntOrString | null;
  strategy?: string;
  progressDeadlineSeconds?: number | null;
  generation?: number;
}): Deployment {
  const type = opts.strategy ?? 'RollingUpdate';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: opts.name ?? 'foo',
      namespace: 'default',
      uid: 'deployment-uid',
      generation: opts.generation ?? 0,
    },
    spec: {
      ...(opts.replicas === null ? {} : { replicas: opts.replicas ?? 1 }),
      selector: { matchLabels: { app: 'foo' } },
      template: baseTemplate(),
      strategy:
        type === 'RollingUpdate'
          ? { type, rollingUpdate: { maxSurge: opts.maxSurge ?? 0, maxUnavailable: opts.maxUnavailable ?? 0 } }
          : { type },
      ...(opts.revisionHistoryLimit === null || opts.revisionHistoryLimit === undefined
        ? {}
        : { revisionHistoryLimit: opts.revisionHistoryLimit }),
      ...(opts.progressDeadlineSeconds === null || opts.progressDeadlineSeconds === undefined
        ? {}
        : { progressDeadlineSeconds: opts.progressDeadlineSeconds }),
    },
    status: {},
  };
}

/** A ReplicaSet from the vectors' `rs` shape. */
export function newRS(opts: {
  name?: string;
  uid?: string;
  specReplicas?: number;
  statusReplicas?: number;
  availableReplicas?: number;
  readyReplicas?: number;
  observedGeneration?: number;
  terminatingReplicas?: number | null;
  createdAt?: string | null;
  annotations?: Record<string, string> | null;
  template?: ReplicaSet['spec']['template'];
  deleting?: boolean;
}): ReplicaSet {
  const status: NonNullable<ReplicaSet['status']> = {
    replicas: opts.statusReplicas ?? 0,
    availableReplicas: opts.availableReplicas ?? 0,
    readyReplicas: opts.readyReplicas ?? 0,
    observedGeneration: opts.observedGeneration ?? 0,
  };
  if (opts.terminatingReplicas !== undefined && opts.terminatingReplicas !== null)
    status.terminatingReplicas = opts.terminatingReplicas;
  const created = symbolicTime(opts.createdAt);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: opts.name ?? 'rs',
      namespace: 'default',
      uid: opts.uid ?? `uid-${opts.name ?? 'rs'}`,
      ...(created ? { creationTimestamp: created } : {}),
      ...(opts.annotations ? { annotations: { ...opts.annotations } } : {}),
      ...(opts.deleting ? { deletionTimestamp: rfc3339(NOW) } : {}),
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'foo', uid: 'deployment-uid', controller: true },
      ],
    },
    spec: {
      replicas: opts.specReplicas ?? 0,
      selector: { matchLabels: { app: 'foo' } },
      template: opts.template ?? baseTemplate(),
    },
    status,
  };
}

export interface Action {
  verb: 'create' | 'update' | 'delete' | 'update-deployment' | 'update-status';
  name: string;
  replicas?: number;
  object: KubeObject;
  failed?: boolean;
}

/** In-memory DeploymentIO: keeps RSs by name, records every action, can fail RS or status writes. */
export class FakeIO implements DeploymentIO {
  readonly rs = new Map<string, ReplicaSet>();
  readonly actions: Action[] = [];
  readonly events: Array<{ type: string; reason: string; message: string }> = [];
  readonly requeues: Array<{ kind: 'after' | 'rateLimited'; ms?: number }> = [];
  failRSUpdates = false;
  failStatusUpdates = false;
  deployment?: Deployment;
  private seq = 0;

  constructor(
    public nowMs = NOW,
    replicaSets: ReplicaSet[] = [],
  ) {
    for (const r of replicaSets) this.rs.set(r.metadata.name!, clone(r));
  }

  list(): ReplicaSet[] {
    return [...this.rs.values()].map(clone);
  }

  now(): number {
    return this.nowMs;
  }

  createReplicaSet(input: ReplicaSet): ReplicaSet {
    const name = input.metadata.name!;
    if (this.rs.has(name)) throw ApiError.alreadyExists('replicasets.apps', name);
    const obj = clone(input);
    obj.metadata.uid = `created-${++this.seq}`;
    obj.metadata.creationTimestamp = rfc3339(this.nowMs);
    obj.metadata.generation = 1;
    this.rs.set(name, obj);
    this.actions.push({ verb: 'create', name, replicas: obj.spec.replicas, object: clone(obj) });
    return clone(obj);
  }

  getReplicaSet(_namespace: string, name: string): ReplicaSet | undefined {
    const found = this.rs.get(name);
    return found && clone(found);
  }

  updateReplicaSet(input: ReplicaSet): ReplicaSet {
    const name = input.metadata.name!;
    if (this.failRSUpdates) {
      this.actions.push({ verb: 'update', name, replicas: input.spec.replicas, object: clone(input), failed: true });
      throw new ApiError(500, 'InternalError', 'fake error');
    }
    const obj = clone(input);
    this.rs.set(name, obj);
    this.actions.push({ verb: 'update', name, replicas: obj.spec.replicas, object: clone(obj) });
    return clone(obj);
  }

  deleteReplicaSet(input: ReplicaSet): void {
    this.rs.delete(input.metadata.name!);
    this.actions.push({ verb: 'delete', name: input.metadata.name!, object: clone(input) });
  }

  updateDeployment(d: Deployment): Deployment {
    this.actions.push({ verb: 'update-deployment', name: d.metadata.name!, object: clone(d) });
    this.deployment = clone(d);
    return clone(d);
  }

  updateDeploymentStatus(d: Deployment): Deployment {
    const failed = this.failStatusUpdates;
    this.actions.push({ verb: 'update-status', name: d.metadata.name!, object: clone(d), failed });
    if (failed) throw new ApiError(500, 'InternalError', 'fake status error');
    this.deployment = clone(d);
    return clone(d);
  }

  event(_obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }

  requeueAfter(_d: Deployment, ms: number): void {
    this.requeues.push({ kind: 'after', ms });
  }

  requeueRateLimited(): void {
    this.requeues.push({ kind: 'rateLimited' });
  }

  /** The size of RS `name` after the recorded successful actions (its input size when untouched). */
  sizeOf(name: string, initial: number): number {
    const last = [...this.actions]
      .reverse()
      .find((a) => a.name === name && (a.verb === 'update' || a.verb === 'create') && !a.failed);
    return last?.replicas ?? initial;
  }
}
