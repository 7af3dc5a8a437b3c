/**
 * `ReplicaFailure=True` on the new ReplicaSet (or on the Deployment, which copies it): the
 * ReplicaSet controller cannot create pods at all, e.g. `exceeded quota` or an admission webhook
 * denial. No pod will ever exist to recover, so the rollout fails at once; the evidence is the
 * condition and the RS's `FailedCreate` events.
 */
import type { Condition, KubeEvent } from '../../k8s/objects.js';
import { parseTime } from '../../k8s/meta.js';
import { findNewReplicaSet } from '../revisions.js';
import { brief, eventLine, secondFloor, type Detector } from './common.js';

export const detectReplicaFailure: Detector = (snapshot, context) => {
  const deployment = snapshot.deployment;
  if (!deployment) return undefined;
  const rs = findNewReplicaSet(deployment, snapshot.replicaSets);
  const rsCondition = rs?.status?.conditions?.find(isReplicaFailure);
  const dCondition = deployment.status?.conditions?.find(isReplicaFailure);
  // The Deployment's copy may be left over from an earlier revision: only count it when fresh.
  const fresh = (c: Condition | undefined) =>
    c !== undefined && (parseTime(c.lastUpdateTime ?? c.lastTransitionTime) ?? 0) >= secondFloor(context.appliedAt);
  const condition = rsCondition ?? (fresh(dCondition) ? dCondition : undefined);
  if (!condition) return undefined;
  const events = snapshot.events
    .filter(
      (e: KubeEvent) => e.involvedObject.kind === 'ReplicaSet' && rs && e.involvedObject.name === rs.metadata.name,
    )
    .filter((e) => e.reason === 'FailedCreate')
    .map(eventLine);
  const rsName = rs?.metadata.name ?? deployment.metadata.name ?? '';
  return {
    reason: 'ReplicaFailure',
    message: `ReplicaSet "${rsName}" cannot create pods (${condition.reason ?? 'ReplicaFailure'}: ${brief(condition.message)})`,
    evidence: [
      {
        reason: condition.reason ?? 'ReplicaFailure',
        message: condition.message,
        events,
        since: parseTime(condition.lastTransitionTime),
      },
    ],
  };
};

function isReplicaFailure(c: Condition): boolean {
  return c.type === 'ReplicaFailure' && c.status === 'True';
}
