/**
 * CrashLoopBackOff / repeated restarts of new pods.
 *
 * Fails at once on a container waiting in `CrashLoopBackOff` when `crashLoopFailsAtOnce` (krane's
 * "Crashing repeatedly" doom rule), and in any case once a container's `restartCount` reaches
 * `crashLoopRestarts` (catches liveness-probe kills and crashes observed between back-offs). No
 * window: a restart count is already a history. The message carries the last exit code and reason
 * from `lastState.terminated`.
 */
import type { ContainerStatus } from '../../k8s/objects.js';
import { parseTime } from '../../k8s/meta.js';
import type { Evidence } from '../failure.js';
import { newRevisionOf } from '../revisions.js';
import { brief, containerEntries, eventLine, matchingEvents, ofNewPods, type Detector } from './common.js';

export const detectCrashLoop: Detector = (snapshot, _context, policy) => {
  const { pods } = newRevisionOf(snapshot.deployment, snapshot.replicaSets, snapshot.pods);
  const hits: Array<{ evidence: Evidence; status: ContainerStatus; pod: string }> = [];
  const failingPods = new Set<string>();
  for (const pod of pods) {
    for (const { status } of containerEntries(pod)) {
      const inBackOff = status.state.waiting?.reason === 'CrashLoopBackOff';
      const tooMany = status.restartCount >= policy.crashLoopRestarts;
      if (!(inBackOff && policy.crashLoopFailsAtOnce) && !tooMany) continue;
      const podName = pod.metadata.name ?? '';
      failingPods.add(podName);
      const terminated = status.lastState?.terminated ?? status.state.terminated;
      hits.push({
        pod: podName,
        status,
        evidence: {
          pod: podName,
          container: status.name,
          reason: status.state.waiting?.reason ?? terminated?.reason ?? 'Restarting',
          message: status.state.waiting?.message ?? terminated?.message,
          events: matchingEvents(pod, snapshot.events, (e) => e.reason === 'BackOff' || e.reason === 'Unhealthy').map(
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
  const times = first.status.restartCount === 1 ? 'time' : 'times';
  const state =
    first.status.state.waiting?.reason === 'CrashLoopBackOff' ? 'keep crashing (CrashLoopBackOff)' : 'keep restarting';
  return {
    reason: 'CrashLoopBackOff',
    message:
      `${ofNewPods(failingPods.size, pods.length)} ${state}: container "${first.status.name}" of pod "${first.pod}" ` +
      `${exit} and was restarted ${first.status.restartCount} ${times}`,
    evidence: hits.map((h) => h.evidence),
  };
};
