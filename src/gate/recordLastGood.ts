import type { ClusterClient, WorkloadRef } from '../cluster/port.js';
import { ApiError } from '../k8s/apiError.js';
import { lastGoodAnnotations } from '../rollback/lastGood.js';
import type { WorkloadSnapshot } from '../rollout/snapshot.js';
import type { GateLog } from './gateLog.js';

/**
 * Field manager of the gate's own bookkeeping annotations. Distinct from the apply manager, so
 * the next server-side apply of the user's manifests (which do not carry them) keeps them.
 */
export const RECORD_FIELD_MANAGER = 'rollout-gate-record';

/**
 * After a successful rollout, records on each Deployment the revision (and template) the gate
 * saw fully available: the target of the next rollback. A failure to record is a warning, not a
 * failed deploy.
 */
export async function recordLastGood(
  cluster: ClusterClient,
  workloads: Array<{ ref: WorkloadRef; snapshot?: WorkloadSnapshot }>,
  log: GateLog,
): Promise<void> {
  for (const { ref, snapshot } of workloads) {
    if (!snapshot?.deployment) continue;
    const annotations = lastGoodAnnotations(snapshot.deployment, snapshot.replicaSets);
    if (!annotations) continue;
    const current = snapshot.deployment.metadata.annotations ?? {};
    if (Object.entries(annotations).every(([k, v]) => current[k] === v)) continue;
    try {
      await cluster.annotateDeployment(ref, annotations, RECORD_FIELD_MANAGER);
    } catch (err) {
      const why = err instanceof ApiError ? err.message : String(err);
      log.warn(`could not record the last good revision of deployment "${ref.name}": ${why}`);
    }
  }
}
