/**
 * The stability window: kubectl's success rule holds for an instant when a crashing container is
 * Ready between its start and its exit (a container without a readiness probe is Ready as soon as
 * it runs: kubelet `prober_manager.go` UpdatePodStatus sets ready when no probe exists). Under
 * Recreate, or a RollingUpdate whose last new pods become ready when the old ones are gone
 * (1 replica with maxUnavailable 0, maxUnavailable 100%), that instant is enough for
 * `kubectl rollout status` to print success. The gate additionally waits until every pod of the
 * new revision has been Ready, with every container running, for `policy.stableSeconds`.
 *
 * A pod's stability starts at the latest of its Ready condition's lastTransitionTime and its
 * containers' `state.running.startedAt`: a restart since the change (restarts.ts) starts the
 * window again even when the kubelet's status never showed the pod unready in between. Pods that
 * became Ready long ago (the early pods of a rolling update, the pods a rollback returns to) add
 * no delay. Windows compare strictly (policy.ts): at exactly the window the pod is not yet stable.
 */
import type { Pod } from '../k8s/objects.js';
import { parseTime } from '../k8s/meta.js';
import type { GatePolicy } from './policy.js';

/** New pods still inside the window: the judge's waiting sentence and when to look again. */
export interface StabilityWait {
  /** `Waiting for 3 new pods to stay ready for 10 s (2 s so far)...` */
  message: string;
  /** How many new pods are not yet stable. */
  waiting: number;
  /** The first time (ms) at which every pod that is Ready now would be stable: just past the window. */
  stableAt: number;
}

/**
 * When the pod has been Ready with every container running since (ms), or undefined when it is not
 * Ready now. Times have second precision in the API: a pod is taken as Ready since the second its
 * condition names, up to a second earlier than it really was.
 */
export function readySince(pod: Pod): number | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return undefined;
  let since = parseTime(ready.lastTransitionTime) ?? 0;
  for (const status of pod.status?.containerStatuses ?? []) {
    const running = status.state.running;
    if (!running) return undefined;
    since = Math.max(since, parseTime(running.startedAt) ?? since);
  }
  return since;
}

/**
 * `pods` are the new revision's (the kind's revisionPods). Undefined when every live pod of them has been Ready for longer than the window
 * (or the window is 0: kubectl's rule alone); otherwise what is still awaited.
 */
export function stabilityWait(pods: Pod[], policy: GatePolicy, now: number): StabilityWait | undefined {
  const windowMs = policy.stableSeconds * 1000;
  if (windowMs <= 0) return undefined;
  // Terminating and finished pods are not the revision's running pods (the ReplicaSet replaces them).
  const live = pods.filter(
    (p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
  );
  const sinces = live.map((pod) => readySince(pod) ?? now).filter((since) => now - since <= windowMs);
  if (sinces.length === 0) return undefined;
  const latest = Math.max(...sinces);
  const soFar = Math.floor((now - latest) / 1000);
  const count = sinces.length === 1 ? '1 new pod' : `${sinces.length} new pods`;
  return {
    message: `Waiting for ${count} to stay ready for ${policy.stableSeconds} s (${soFar} s so far)...`,
    waiting: sinces.length,
    stableAt: latest + windowMs + 1,
  };
}
