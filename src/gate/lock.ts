import type { ClusterClient, WorkloadRef } from '../cluster/port.js';
import { ApiError } from '../k8s/apiError.js';
import type { Deployment } from '../k8s/objects.js';
import { RECORD_FIELD_MANAGER } from './recordLastGood.js';

/**
 * A lease against a second gate run on the same Deployment while one is running.
 *
 * Design: the annotation `rollout-gate.dev/lock: <holder>/<expiry>` (expiry RFC 3339, UTC) on the
 * Deployment, written as a merge patch under the gate's record field manager (so the next
 * server-side apply of the user's manifests leaves it alone) with the resourceVersion just read as
 * a precondition: of two runs reading the same version, one write wins and the other gets a 409,
 * re-reads, and sees the winner's live lease. A lease whose expiry has passed (a run killed
 * without releasing it) is taken over. The lease is released (the annotation removed, again
 * conditionally, only while it is still ours) when the run ends, whatever the outcome.
 * A Deployment that does not exist yet cannot carry a lease: it is taken right after this run
 * creates it (two runs creating the same Deployment at once are not told apart).
 * A Deployment's generation moves with its annotations: the gate takes its leases before it records
 * the baseline, and for a Deployment it created counts the lease's generation as its own apply's.
 */
export const LOCK_ANNOTATION = 'rollout-gate.dev/lock';

export interface Lease {
  holder: string;
  /** ms since the epoch */
  expiresAt: number;
}

export function formatLease(lease: Lease): string {
  return `${lease.holder}/${new Date(lease.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

/** `<holder>/<expiry>`; the holder may itself contain slashes. Undefined when unreadable. */
export function parseLease(value: string | undefined): Lease | undefined {
  if (!value) return undefined;
  const slash = value.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const expiresAt = Date.parse(value.slice(slash + 1));
  return Number.isNaN(expiresAt) ? undefined : { holder: value.slice(0, slash), expiresAt };
}

/** The live lease of another holder on `d`, if any. */
export function foreignLease(d: Deployment | undefined, holder: string, now: number): Lease | undefined {
  const lease = parseLease(d?.metadata.annotations?.[LOCK_ANNOTATION]);
  return lease && lease.holder !== holder && lease.expiresAt > now ? lease : undefined;
}

const ATTEMPTS = 8;

export type LockOutcome =
  { state: 'held'; deployment: Deployment } | { state: 'absent' } | { state: 'locked'; lease: Lease };

/** Takes the lease on one Deployment (see the module doc). */
export async function acquireLock(
  cluster: ClusterClient,
  ref: WorkloadRef,
  holder: string,
  ttlMs: number,
): Promise<LockOutcome> {
  for (let attempt = 1; ; attempt++) {
    const d = await cluster.get<Deployment>('apps/v1', 'Deployment', ref.namespace, ref.name);
    if (!d) return { state: 'absent' };
    const now = cluster.clock.now();
    const other = foreignLease(d, holder, now);
    if (other) return { state: 'locked', lease: other };
    try {
      const deployment = await cluster.annotateDeployment(
        ref,
        { [LOCK_ANNOTATION]: formatLease({ holder, expiresAt: now + ttlMs }) },
        RECORD_FIELD_MANAGER,
        { resourceVersion: d.metadata.resourceVersion ?? '' },
      );
      return { state: 'held', deployment };
    } catch (err) {
      // Someone wrote in between (maybe another run's lease, maybe our own write whose answer was lost): re-read.
      if (ApiError.isConflict(err) && attempt < ATTEMPTS) continue;
      throw err;
    }
  }
}

/** Removes our lease, only while it is still ours. Never throws: a lease left behind expires. */
export async function releaseLock(cluster: ClusterClient, ref: WorkloadRef, holder: string): Promise<boolean> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const d = await cluster.get<Deployment>('apps/v1', 'Deployment', ref.namespace, ref.name);
      if (parseLease(d?.metadata.annotations?.[LOCK_ANNOTATION])?.holder !== holder) return true;
      await cluster.annotateDeployment(ref, { [LOCK_ANNOTATION]: null }, RECORD_FIELD_MANAGER, {
        resourceVersion: d!.metadata.resourceVersion ?? '',
      });
      return true;
    } catch (err) {
      if (!ApiError.isConflict(err)) return false;
    }
  }
  return false;
}
