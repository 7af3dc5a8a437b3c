import type { Deployment, KubeObject, ReplicaSet } from '../../../../k8s/objects.js';

/**
 * Everything the deployment sync logic does to the outside world: the controller implements it
 * on the simulated API server; tests implement it in memory (recording actions, injecting
 * failures) so the upstream table tests can drive the same code paths.
 * Writes throw ApiError-like errors, as client-go calls return them.
 */
export interface DeploymentIO {
  now(): number;
  createReplicaSet(rs: ReplicaSet): ReplicaSet;
  /** Fresh read (the informer cache in Go), used after an AlreadyExists. */
  getReplicaSet(namespace: string, name: string): ReplicaSet | undefined;
  updateReplicaSet(rs: ReplicaSet): ReplicaSet;
  deleteReplicaSet(rs: ReplicaSet): void;
  /** Main-resource update (rollback: template and annotations). */
  updateDeployment(d: Deployment): Deployment;
  /** Status-subresource update: persists status and annotations, never bumps generation. */
  updateDeploymentStatus(d: Deployment): Deployment;
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** workqueue AddAfter. */
  requeueAfter(d: Deployment, ms: number): void;
  /** workqueue AddRateLimited. */
  requeueRateLimited(d: Deployment): void;
}

/** Several errors from one sync (Go's utilerrors.NewAggregate). */
export function aggregate(errors: unknown[]): unknown {
  const real = errors.filter((e) => e !== undefined && e !== null);
  if (real.length === 0) return undefined;
  if (real.length === 1) return real[0];
  return new AggregateError(real, `[${real.map((e) => (e instanceof Error ? e.message : String(e))).join(', ')}]`);
}
