import type { ClusterClient, WorkloadRef } from '../cluster/port.js';
import { ApiError } from '../k8s/apiError.js';
import { gateLeaseName, LEASE_API_VERSION, type Lease } from '../k8s/lease.js';
import { lastGoodAnnotations, parseStoredLastGood, type StoredLastGood } from '../rollback/lastGood.js';
import type { WorkloadSnapshot } from '../rollout/snapshot.js';
import { workloadKindOf, workloadLabel } from '../k8s/workloadKinds.js';
import { rollbackKindOf } from '../rollback/rollbackKinds.js';
import type { GateLog } from './gateLog.js';
import { blankLease, writeLease } from './lock.js';

/**
 * After a successful rollout, records for each Deployment the revision, hash and template the gate
 * saw fully available (the target of the next rollback) in the annotations of its Lease
 * (`rollout-gate.<name>`, lock.ts), created if this run held none: off the Deployment, so the
 * record bumps no generation, reaches no ReplicaSet, and no `kubectl rollout undo` can copy a stale
 * one back. A failure to record is a warning, not a failed deploy.
 */
export async function recordLastGood(
  cluster: ClusterClient,
  workloads: Array<{ ref: WorkloadRef; snapshot?: WorkloadSnapshot }>,
  log: GateLog,
): Promise<void> {
  for (const { ref, snapshot } of workloads) {
    if (!snapshot) continue;
    const record = rollbackKindOf(workloadKindOf(ref)).lastGoodRecord(snapshot);
    if (!record) continue;
    const annotations = lastGoodAnnotations(record);
    try {
      await writeLease(cluster, ref, (current) => {
        const base = current ?? blankLease(ref);
        const own = base.metadata.annotations ?? {};
        if (Object.entries(annotations).every(([k, v]) => own[k] === v)) return undefined;
        return { ...base, metadata: { ...base.metadata, annotations: { ...own, ...annotations } } };
      });
    } catch (err) {
      const why = err instanceof ApiError ? err.message : String(err);
      log.warn(`could not record the last good revision of ${workloadLabel(ref)}: ${why}`);
    }
  }
}

/**
 * The last-good record of `ref` from its Lease (`lease` when the caller already holds it, else one
 * read). Undefined when there is none or it cannot be read (the rollback then falls back on the
 * legacy annotations and the pre-apply revision).
 */
export async function readLastGood(
  cluster: ClusterClient,
  ref: WorkloadRef,
  lease?: Lease,
): Promise<StoredLastGood | undefined> {
  try {
    const found =
      lease ??
      (await cluster.get<Lease>(
        LEASE_API_VERSION,
        'Lease',
        ref.namespace,
        gateLeaseName(ref.name, workloadKindOf(ref)),
      ));
    return parseStoredLastGood(found?.metadata.annotations);
  } catch {
    return undefined;
  }
}
