/**
 * CreateContainerConfigError of new pods: a missing ConfigMap/Secret (or key) referenced by the
 * container, or a bad securityContext.
 *
 * The kubelet's `failed to sync <kind> cache` is transient (its informer has not caught up) and
 * never fails (krane `pod.rb`). Other messages fail once they have lasted longer than
 * `configErrorGraceSeconds`, measured from the `firstTimestamp` of the pod's first `Failed` event
 * carrying the same message (`Error: <message>`), else from the pod's creation. The grace lets a
 * ConfigMap or Secret applied in the same run arrive. On a pod that existed before the change
 * (restarts.ts) the window starts no earlier than the change.
 */
import type { Evidence } from '../failure.js';
import { windowStart } from '../restarts.js';
import {
  brief,
  containerEntries,
  earliest,
  eventLine,
  eventStart,
  matchingEvents,
  ofNewPods,
  podCreated,
  secondsText,
  type PodDetector,
} from './common.js';

const TRANSIENT_CACHE = /failed to sync .*? cache/i;

export const detectConfigError: PodDetector = (revision, context, policy, now) => {
  const { pods } = revision;
  const hits: Array<Evidence & { since: number }> = [];
  const failingPods = new Set<string>();
  for (const pod of pods) {
    for (const { status } of containerEntries(pod)) {
      const waiting = status.state.waiting;
      if (waiting?.reason !== 'CreateContainerConfigError') continue;
      if (TRANSIENT_CACHE.test(waiting.message ?? '')) continue;
      failingPods.add(pod.metadata.name ?? '');
      const events = matchingEvents(
        pod,
        revision.events,
        (e) => e.reason === 'Failed' && !TRANSIENT_CACHE.test(e.message ?? '') && sameError(e.message, waiting.message),
      );
      hits.push({
        pod: pod.metadata.name,
        container: status.name,
        reason: waiting.reason,
        message: waiting.message,
        events: events.map(eventLine),
        since: windowStart(pod, earliest(events.map(eventStart), podCreated(pod, context)), context),
      });
    }
  }
  const graceMs = policy.configErrorGraceSeconds * 1000;
  const decisive = hits.filter((h) => now - h.since > graceMs).sort((a, b) => a.since - b.since)[0];
  if (!decisive) return undefined;
  return {
    reason: 'CreateContainerConfigError',
    message:
      `${ofNewPods(failingPods.size, pods.length)} cannot create container "${decisive.container}" ` +
      `(CreateContainerConfigError: ${brief(decisive.message)}) for ${secondsText(now - decisive.since)} ` +
      `(grace ${policy.configErrorGraceSeconds} s)`,
    evidence: [decisive, ...hits.filter((h) => h !== decisive)],
  };
};

/** The kubelet's Failed event reads `Error: <waiting message>`; without a waiting message any Failed event counts. */
function sameError(eventMessage: string | undefined, waitingMessage: string | undefined): boolean {
  if (!waitingMessage) return true;
  return (eventMessage ?? '').includes(waitingMessage);
}
