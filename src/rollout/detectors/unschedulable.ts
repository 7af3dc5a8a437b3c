/**
 * New pods that the scheduler cannot place (`PodScheduled=False`, reason `Unschedulable`).
 *
 * Fails once one new pod has been unschedulable for longer than `unschedulableGraceSeconds`,
 * measured from the condition's `lastTransitionTime` (else the pod's creation). The window lets
 * the cluster autoscaler add a node or the old pods free their resources during the surge. On a
 * pod that was already pending before the change (restarts.ts) it starts no earlier than the change.
 */
import type { Condition } from '../../k8s/objects.js';
import { parseTime } from '../../k8s/meta.js';
import type { Evidence } from '../failure.js';
import { windowStart } from '../restarts.js';
import { brief, eventLine, matchingEvents, ofNewPods, podCreated, secondsText, type PodDetector } from './common.js';

export const detectUnschedulable: PodDetector = (revision, context, policy, now) => {
  const { pods } = revision;
  const hits: Array<Evidence & { since: number }> = [];
  for (const pod of pods) {
    const scheduled = pod.status?.conditions?.find((c: Condition) => c.type === 'PodScheduled');
    if (scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable') continue;
    hits.push({
      pod: pod.metadata.name,
      reason: 'Unschedulable',
      message: scheduled.message,
      events: matchingEvents(pod, revision.events, (e) => e.reason === 'FailedScheduling').map(eventLine),
      since: windowStart(pod, parseTime(scheduled.lastTransitionTime) ?? podCreated(pod, context), context),
    });
  }
  const graceMs = policy.unschedulableGraceSeconds * 1000;
  const decisive = hits.filter((h) => now - h.since > graceMs).sort((a, b) => a.since - b.since)[0];
  if (!decisive) return undefined;
  const why = decisive.message ? `: ${brief(decisive.message)}` : '';
  return {
    reason: 'Unschedulable',
    message:
      `${ofNewPods(hits.length, pods.length)} cannot be scheduled; pod "${decisive.pod}" has been unschedulable for ` +
      `${secondsText(now - decisive.since)} (grace ${policy.unschedulableGraceSeconds} s)${why}`,
    evidence: [decisive, ...hits.filter((h) => h !== decisive)],
  };
};
