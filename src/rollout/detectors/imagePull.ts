/**
 * ErrImagePull / ImagePullBackOff of new pods.
 *
 * * Fails at once when the registry's answer is definitive: the image or tag does not exist, or
 *   access is refused (krane's `/not found/i` doom rule, widened to `manifest unknown` and
 *   `unauthorized`), or `ErrImageNeverPull`. The answer is read from the container's waiting
 *   message and from the pod's `Failed` pull events (the back-off message itself says nothing).
 * * Otherwise fails once one new pod has been failing to pull for longer than
 *   `imagePullGraceSeconds`, measured from the `firstTimestamp` of the pod's first pull-failure
 *   event (`Failed`/`BackOff` mentioning a pull), else from the pod's creation. One flaky pull
 *   recovers inside the window (the kubelet retries after 10 s and 20 s) and never fails;
 *   rate limits and network errors are never taken as definitive. On a pod that existed before
 *   the change (restarts.ts) the window starts no earlier than the change.
 */
import type { KubeEvent } from '../../k8s/objects.js';
import type { Evidence, Failure } from '../failure.js';
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

const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull']);
const NOT_FOUND = /not found|manifest unknown|does not exist|no such image|name unknown/i;
const UNAUTHORIZED = /unauthorized|authentication required|access denied|denied:|forbidden/i;
const TRANSIENT =
  /toomanyrequests|rate limit|timeout|timed out|connection refused|connection reset|tls handshake|temporar|50[0-4] (internal server error|bad gateway|service unavailable|gateway timeout)/i;

type Verdict = 'not-found' | 'unauthorized' | 'never-pull';

interface PullProblem {
  evidence: Evidence & { since: number };
  image: string;
  waitingReason: string;
  verdict?: Verdict;
  decisiveMessage: string;
}

/** Classifies one registry message: definitive not found / unauthorized, or undefined (maybe transient). */
export function classifyPullMessage(message: string | undefined): 'not-found' | 'unauthorized' | undefined {
  if (!message || TRANSIENT.test(message)) return undefined;
  // Docker Hub's refusal reads "pull access denied, repository does not exist or may require
  // authorization": it is an authorization answer that also contains "does not exist".
  if (UNAUTHORIZED.test(message)) return 'unauthorized';
  if (NOT_FOUND.test(message)) return 'not-found';
  return undefined;
}

export const detectImagePull: PodDetector = (revision, context, policy, now) => {
  const { pods } = revision;
  const problems: PullProblem[] = [];
  const failingPods = new Set<string>();
  for (const pod of pods) {
    for (const { status } of containerEntries(pod)) {
      const waiting = status.state.waiting;
      if (!waiting?.reason || !PULL_REASONS.has(waiting.reason)) continue;
      const podName = pod.metadata.name ?? '';
      failingPods.add(podName);
      const events = matchingEvents(pod, revision.events, (e) => isPullFailure(e) && aboutContainer(e, status.name));
      let verdict: Verdict | undefined = waiting.reason === 'ErrImageNeverPull' ? 'never-pull' : undefined;
      let decisiveMessage = waiting.message ?? '';
      for (const text of [waiting.message, ...events.map((e) => e.message)]) {
        const found: Verdict | undefined = verdict ? undefined : classifyPullMessage(text);
        if (found) {
          verdict = found;
          decisiveMessage = text ?? '';
        }
      }
      problems.push({
        image: status.image,
        waitingReason: waiting.reason,
        verdict,
        decisiveMessage,
        evidence: {
          pod: podName,
          container: status.name,
          reason: waiting.reason,
          message: waiting.message,
          events: events.map(eventLine),
          since: windowStart(pod, earliest(events.map(eventStart), podCreated(pod, context)), context),
        },
      });
    }
  }
  if (problems.length === 0) return undefined;
  const definitive = problems.find((p) => p.verdict !== undefined);
  const graceMs = policy.imagePullGraceSeconds * 1000;
  const expired = problems
    .filter((p) => now - p.evidence.since > graceMs)
    .sort((a, b) => a.evidence.since - b.evidence.since)[0];
  const decisive = definitive ?? expired;
  if (!decisive) return undefined;
  const reason = decisive.waitingReason === 'ImagePullBackOff' ? 'ImagePullBackOff' : 'ErrImagePull';
  const head =
    `${ofNewPods(failingPods.size, pods.length)} cannot pull image "${decisive.image}" ` +
    `(${decisive.waitingReason}: ${registryAnswer(decisive.decisiveMessage, decisive.image)})`;
  const tail =
    decisive.verdict === 'not-found'
      ? '; the registry says the image does not exist'
      : decisive.verdict === 'unauthorized'
        ? '; the registry refused access (check the image name and imagePullSecrets)'
        : decisive.verdict === 'never-pull'
          ? '; imagePullPolicy is Never and the image is not on the node'
          : ` for ${secondsText(now - decisive.evidence.since)} (grace ${policy.imagePullGraceSeconds} s)`;
  return {
    reason,
    message: head + tail,
    evidence: [decisive.evidence, ...problems.filter((p) => p !== decisive).map((p) => p.evidence)],
  } satisfies Failure;
};

/**
 * The registry's own answer inside a runtime's pull error, for the one-line verdict (the evidence
 * keeps the full text): containerd wraps it as `rpc error: code = NotFound desc = failed to pull and
 * unpack image "<ref>": failed to resolve reference "<ref>": <ref>: not found`, so what follows the
 * last mention of the image is the answer (`not found`; `pull access denied, ...: authorization failed`).
 * https://github.com/containerd/containerd/blob/main/internal/cri/server/images/image_pull.go
 */
export function registryAnswer(message: string, image: string): string {
  const parts = message.replace(/^rpc error: code = \w+ desc = /, '').split(': ');
  const name = image.replace(/@.*$/, '');
  let last = -1;
  parts.forEach((part, i) => {
    if (name && part.includes(name)) last = i;
  });
  const answer = last >= 0 && last < parts.length - 1 ? parts.slice(last + 1).join(': ') : parts.join(': ');
  return brief(answer);
}

/** A kubelet event about a failed pull: `Failed` ("Failed to pull image ...", "Error: ErrImagePull") or `BackOff` on a pull. */
function isPullFailure(event: KubeEvent): boolean {
  if (event.reason !== 'Failed' && event.reason !== 'BackOff') return false;
  return /pull|ErrImage/i.test(event.message ?? '');
}

/** Events carry `spec.containers{name}` in fieldPath; events without one concern the whole pod. */
function aboutContainer(event: KubeEvent, container: string): boolean {
  const path = event.involvedObject.fieldPath;
  return !path || path.endsWith(`{${container}}`);
}
