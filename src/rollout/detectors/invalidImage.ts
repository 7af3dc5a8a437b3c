/**
 * InvalidImageName of a new pod: the image reference cannot be parsed, no retry can fix it, so
 * the rollout fails at once (README "What the gate judges").
 */
import type { Evidence } from '../failure.js';
import {
  brief,
  containerEntries,
  eventLine,
  matchingEvents,
  ofNewPods,
  podCreated,
  type PodDetector,
} from './common.js';

export const detectInvalidImage: PodDetector = (revision, context) => {
  const { pods } = revision;
  const evidence: Array<Evidence & { image: string }> = [];
  const failingPods = new Set<string>();
  for (const pod of pods) {
    for (const { status } of containerEntries(pod)) {
      const waiting = status.state.waiting;
      if (waiting?.reason !== 'InvalidImageName') continue;
      failingPods.add(pod.metadata.name ?? '');
      evidence.push({
        pod: pod.metadata.name,
        container: status.name,
        reason: waiting.reason,
        message: waiting.message,
        events: matchingEvents(pod, revision.events, (e) => e.reason === 'InspectFailed' || e.reason === 'Failed').map(
          eventLine,
        ),
        since: podCreated(pod, context),
        image: imageOf(pod.spec.containers.concat(pod.spec.initContainers ?? []), status.name) ?? status.image,
      });
    }
  }
  const first = evidence[0];
  if (!first) return undefined;
  const detail = first.message ? `: ${brief(first.message)}` : '';
  return {
    reason: 'InvalidImageName',
    message:
      `${ofNewPods(failingPods.size, pods.length)} cannot start: the image reference "${first.image}" of container ` +
      `"${first.container}" is invalid (InvalidImageName${detail})`,
    evidence: evidence.map(({ image: _image, ...rest }) => rest),
  };
};

function imageOf(containers: Array<{ name: string; image?: string }>, name: string): string | undefined {
  return containers.find((c) => c.name === name)?.image;
}
