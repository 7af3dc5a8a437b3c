/**
 * How the peers decide a rollout failed, as pure functions of one observation and the time since
 * apply (their documented defaults). Used only by the benchmark, to replay each peer's policy on the same
 * simulated rollout the gate judges.
 */
import type { WorkloadObservation } from '../../src/cluster/port.js';
import { findNewReplicaSet, podsOf } from '../../src/rollout/revisions.js';
import { deploymentStatus } from '../../src/rollout/statusViewer.js';

export interface PeerPolicy {
  name: string;
  /** How often the peer looks (seconds); it only sees the cluster at these moments. */
  intervalSeconds: number;
  /** Undefined while waiting; otherwise why it gave up. */
  failed(observation: WorkloadObservation, secondsSinceApply: number): string | undefined;
  /** Whether the peer rolls back by itself once it has failed. */
  rollsBack: boolean;
}

/** `kubectl rollout status` (no --timeout): fails only on ProgressDeadlineExceeded; undo is a later step. */
export const kubectlRolloutStatus: PeerPolicy = {
  name: 'kubectl rollout status, then rollout undo',
  intervalSeconds: 0,
  rollsBack: true,
  failed: (obs) => {
    if (!obs.deployment) return undefined;
    const status = deploymentStatus(obs.deployment);
    return status.error ? status.error : undefined;
  },
};

/** Helm 4 `upgrade --rollback-on-failure` (kstatus watcher, default --timeout 5m0s). */
export const helmRollbackOnFailure: PeerPolicy = {
  name: 'Helm upgrade --rollback-on-failure (timeout 5m)',
  intervalSeconds: 0,
  rollsBack: true,
  failed: (obs, seconds) => {
    const pde = obs.deployment?.status?.conditions?.find(
      (c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
    );
    if (pde) return 'Progress deadline exceeded';
    return seconds > 300 ? 'context deadline exceeded (timeout 5m0s)' : undefined;
  },
};

/**
 * krane (default --global-timeout 300s): a Deployment fails when every pod of its latest
 * ReplicaSet is doomed; `ErrImagePull` with "not found" dooms a pod, `ImagePullBackOff` does not.
 * krane syncs every few seconds (3 s here); it never rolls back.
 */
export const krane: PeerPolicy = {
  name: 'krane deploy (global timeout 300s)',
  intervalSeconds: 3,
  rollsBack: false,
  failed: (obs, seconds) => {
    const d = obs.deployment;
    if (d) {
      const rs = findNewReplicaSet(d, obs.replicaSets);
      const pods = rs ? podsOf(rs, obs.pods) : [];
      const doomed = pods.filter((p) =>
        (p.status?.containerStatuses ?? []).some(
          (c) => c.state.waiting?.reason === 'ErrImagePull' && /not found/i.test(c.state.waiting.message ?? ''),
        ),
      );
      if (pods.length > 0 && doomed.length === pods.length) return 'Failed to pull image (all new pods doomed)';
    }
    return seconds >= 300 ? 'GLOBAL WATCH TIMEOUT (300 seconds)' : undefined;
  },
};

export const PEER_POLICIES = [kubectlRolloutStatus, helmRollbackOnFailure, krane];
