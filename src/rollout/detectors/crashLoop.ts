/**
 * CrashLoopBackOff / repeated restarts of new pods, counted from the change.
 *
 * Fails at once on a container waiting in `CrashLoopBackOff` when `crashLoopFailsAtOnce` (krane's
 * "Crashing repeatedly" doom rule), and in any case once a container has restarted
 * `crashLoopRestarts` times since the change was sent (catches liveness-probe kills and crashes
 * observed between back-offs). No window: a restart count is already a history, which is why it
 * is counted from the baseline (restarts.ts): a pod that existed before the change (a scale-up, a
 * no-op redeploy, a rollback onto an older ReplicaSet) fails only on restarts since then, and its
 * CrashLoopBackOff only counts once it restarted since then. The message carries the last exit
 * code and reason from `lastState.terminated`.
 */
import type { ContainerStatus, Pod } from '../../k8s/objects.js';
import { parseTime } from '../../k8s/meta.js';
import type { Evidence } from '../failure.js';
import { existedBefore, restartsSince } from '../restarts.js';
import type { RolloutContext } from '../snapshot.js';
import { brief, containerEntries, eventLine, matchingEvents, ofNewPods, type PodDetector } from './common.js';

interface Hit {
  evidence: Evidence;
  status: ContainerStatus;
  pod: Pod;
  restarts: number;
}

export const detectCrashLoop: PodDetector = (revision, context, policy) => {
  const { pods } = revision;
  const hits: Hit[] = [];
  const failingPods = new Set<string>();
  for (const pod of pods) {
    for (const { status } of containerEntries(pod)) {
      const restarts = restartsSince(pod, status, context);
      const inBackOff =
        status.state.waiting?.reason === 'CrashLoopBackOff' && (restarts > 0 || !existedBefore(pod, context));
      const tooMany = restarts >= policy.crashLoopRestarts;
      if (!(inBackOff && policy.crashLoopFailsAtOnce) && !tooMany) continue;
      const podName = pod.metadata.name ?? '';
      failingPods.add(podName);
      const terminated = status.lastState?.terminated ?? status.state.terminated;
      hits.push({
        pod,
        status,
        restarts,
        evidence: {
          pod: podName,
          container: status.name,
          reason: status.state.waiting?.reason ?? terminated?.reason ?? 'Restarting',
          message: status.state.waiting?.message ?? terminated?.message,
          events: matchingEvents(pod, revision.events, (e) => e.reason === 'BackOff' || e.reason === 'Unhealthy').map(
            eventLine,
          ),
          since: parseTime(terminated?.finishedAt),
        },
      });
    }
  }
  const first = hits[0];
  if (!first) return undefined;
  const terminated = first.status.lastState?.terminated ?? first.status.state.terminated;
  const exit = terminated
    ? `exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}` +
      (terminated.message ? `: ${brief(terminated.message, 120)}` : '')
    : 'keeps exiting';
  const state =
    first.status.state.waiting?.reason === 'CrashLoopBackOff' ? 'keep crashing (CrashLoopBackOff)' : 'keep restarting';
  return {
    reason: 'CrashLoopBackOff',
    message:
      `${ofNewPods(failingPods.size, pods.length)} ${state}: container "${first.status.name}" of pod ` +
      `"${first.pod.metadata.name ?? ''}" ${exit} and was restarted ${restartText(first, context)}`,
    evidence: hits.map((h) => h.evidence),
  };
};

/** `3 times`; on a pod that existed before the change, `2 times since the rollback (7 in all)`. */
function restartText(hit: Hit, context: RolloutContext): string {
  const times = (n: number) => `${n} ${n === 1 ? 'time' : 'times'}`;
  if (!existedBefore(hit.pod, context) || hit.restarts === hit.status.restartCount) return times(hit.restarts);
  const since = context.mode === 'rollback' ? 'the rollback' : 'the apply';
  return `${times(hit.restarts)} since ${since} (${hit.status.restartCount} in all)`;
}
