import { timestamp as rfc3339 } from '../store/timestamp.js';
import type { ContainerState, Pod } from '../../../k8s/objects.js';
import {
  goDuration,
  imageId,
  imageSize,
  invalidImageMessage,
  notFoundMessage,
  transientPullMessage,
  unauthorizedMessage,
  type ImageReference,
} from './images.js';
import type { ContainerRun, StageName } from './types.js';

/**
 * The container lifecycle as data, in the spirit of kwok's Stage resources: each stage sets what the
 * container status shows, emits the kubelet's events, and names the next stage and its delay.
 *
 * Timings (virtual time) and their upstream counterparts:
 * - image pull back-off: 10s doubling to 300s per image (kubelet `imageBackOffPeriod`/`MaxContainerBackOff`),
 *   counted from the failure; `ErrImagePull` shows for one kubelet sync (1s) before `ImagePullBackOff`;
 * - crash back-off (flowcontrol.Backoff via `doBackOff` in kuberuntime_manager.go): the first exit restarts on the
 *   next sync (1s, the PLEG relist period), later exits wait 10s, 20s, … 300s from `finishedAt`; an entry idle for
 *   more than 600s is reset;
 * - CreateContainerConfigError is re-checked every 10s (the pod worker's error back-off) and at once when a
 *   ConfigMap or Secret changes.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/images/image_manager.go
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kuberuntime/kuberuntime_container.go
 */
export const SYNC_MS = 1_000;
export const IMAGE_BACKOFF_INITIAL_MS = 10_000;
export const CRASH_BACKOFF_INITIAL_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;
export const CONFIG_RECHECK_MS = 10_000;

/** What a stage may do to the world around the container. */
export interface StageContext {
  c: ContainerRun;
  pod: Pod;
  now: number;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  log(line: string): void;
  /** When the image is (or will be) on the node: done time of a cached or in-flight pull, else undefined. */
  imageOnNodeAt(ref: ImageReference): number | undefined;
  startPull(ref: ImageReference, doneAt: number): void;
  /** Forgets an in-flight pull that failed. */
  failPull(ref: ImageReference): void;
  /** The first missing ConfigMap/Secret reference of this container, as the kubelet words it. */
  missingConfig(): string | undefined;
  /** `format.Pod`: `<name>_<namespace>(<uid>)`. */
  podLabel: string;
  containerId(): string;
}

export type Transition = { next: StageName; afterMs: number } | undefined;
export type Stage = (k: StageContext) => Transition;

const waiting = (reason: string, message?: string): ContainerState => ({
  waiting: message ? { reason, message } : { reason },
});

const now = (next: StageName): Transition => ({ next, afterMs: 0 });

function quoted(image: string): string {
  return JSON.stringify(image);
}

export const STAGES: Record<StageName, Stage> = {
  Creating: (k) => {
    const { c } = k;
    c.state = waiting('ContainerCreating');
    if (!c.ref) return now('InvalidImageName');
    const onNode = k.imageOnNodeAt(c.ref);
    if (c.pullPolicy === 'Never')
      return onNode !== undefined && onNode <= k.now ? now('ImagePresent') : now('ErrImageNeverPull');
    if (c.pullPolicy !== 'Always' && onNode !== undefined && onNode <= k.now) return now('ImagePresent');
    return now('Pulling');
  },

  ImagePresent: (k) => {
    k.event('Normal', 'Pulled', `Container image ${quoted(k.c.image)} already present on machine`);
    k.c.imageID = imageId(k.c.ref!);
    return now('ConfigCheck');
  },

  Pulling: (k) => {
    const { c } = k;
    k.event('Normal', 'Pulling', `Pulling image ${quoted(c.image)}`);
    c.pullStartedAt = k.now;
    // A pull already running on the node (or a cached image under pullPolicy Always) finishes with it.
    const onNode = k.imageOnNodeAt(c.ref!);
    const pullMs = c.behaviour.pullSeconds * 1000;
    const doneAt =
      onNode !== undefined
        ? Math.max(onNode, k.now + (onNode <= k.now ? Math.min(pullMs, SYNC_MS) : 0))
        : k.now + pullMs;
    if (onNode === undefined) k.startPull(c.ref!, doneAt);
    return { next: 'PullDone', afterMs: doneAt - k.now };
  },

  PullDone: (k) => {
    const { c } = k;
    if (c.behaviour.pull !== 'ok' || c.pullFailures < c.behaviour.flakyPulls) {
      k.failPull(c.ref!);
      return now('ErrImagePull');
    }
    const took = goDuration(k.now - c.pullStartedAt);
    k.event(
      'Normal',
      'Pulled',
      `Successfully pulled image ${quoted(c.image)} in ${took} (${took} including waiting). Image size: ${imageSize(c.ref!)} bytes.`,
    );
    c.imageID = imageId(c.ref!);
    return now('ConfigCheck');
  },

  ErrImagePull: (k) => {
    const { c } = k;
    const message =
      c.behaviour.pull === 'unauthorized'
        ? unauthorizedMessage(c.ref!)
        : c.behaviour.pull === 'missing'
          ? notFoundMessage(c.ref!)
          : transientPullMessage(c.ref!);
    c.state = waiting('ErrImagePull', message);
    k.event('Warning', 'Failed', `Failed to pull image ${quoted(c.image)}: ${message}`);
    k.event('Warning', 'Failed', 'Error: ErrImagePull');
    c.pullFailures++;
    c.pullRetryAt = k.now + Math.min(IMAGE_BACKOFF_INITIAL_MS * 2 ** (c.pullFailures - 1), MAX_BACKOFF_MS);
    return { next: 'ImagePullBackOff', afterMs: SYNC_MS };
  },

  ImagePullBackOff: (k) => {
    const { c } = k;
    const message = `Back-off pulling image ${quoted(c.image)}`;
    c.state = waiting('ImagePullBackOff', message);
    k.event('Normal', 'BackOff', message);
    k.event('Warning', 'Failed', 'Error: ImagePullBackOff');
    return { next: 'Pulling', afterMs: Math.max(0, c.pullRetryAt - k.now) };
  },

  ErrImageNeverPull: (k) => {
    const message = `Container image ${quoted(k.c.image)} is not present with pull policy of Never`;
    k.c.state = waiting('ErrImageNeverPull', message);
    k.event('Warning', 'ErrImageNeverPull', message);
    k.event('Warning', 'Failed', 'Error: ErrImageNeverPull');
    return undefined;
  },

  InvalidImageName: (k) => {
    const message = invalidImageMessage(k.c.image);
    k.c.state = waiting('InvalidImageName', message);
    k.event('Warning', 'InspectFailed', message);
    k.event('Warning', 'Failed', 'Error: InvalidImageName');
    return undefined;
  },

  ConfigCheck: (k) => {
    const missing = k.missingConfig();
    k.c.configError = missing;
    return now(missing ? 'CreateContainerConfigError' : 'Starting');
  },

  CreateContainerConfigError: (k) => {
    k.c.state = waiting('CreateContainerConfigError', k.c.configError);
    k.event('Warning', 'Failed', `Error: ${k.c.configError}`);
    return { next: 'ConfigCheck', afterMs: CONFIG_RECHECK_MS };
  },

  Starting: (k) => {
    k.c.state = waiting('ContainerCreating');
    return { next: 'Running', afterMs: k.c.behaviour.startSeconds * 1000 };
  },

  Running: (k) => {
    const { c } = k;
    c.containerID = k.containerId();
    k.event('Normal', 'Created', `Created container: ${c.name}`);
    k.event('Normal', 'Started', `Started container ${c.name}`);
    c.startedAt = k.now;
    c.state = { running: { startedAt: rfc3339(k.now) } };
    c.started = true;
    c.everStarted = true;
    for (const line of c.behaviour.logs ?? [`${c.ref?.normalized ?? c.image}: container ${c.name} started`])
      k.log(line);
    const neverReady = c.behaviour.ready === 'never';
    c.ready = !neverReady && c.behaviour.readySeconds === 0;
    const runMs = c.behaviour.runSeconds === undefined ? undefined : c.behaviour.runSeconds * 1000;
    // restartCount counts the earlier starts: `crashTimes: N` exits on starts 0..N-1, runs from start N on.
    if (c.behaviour.crash || c.restartCount < c.behaviour.crashTimes)
      return { next: 'Exited', afterMs: runMs ?? c.behaviour.startSeconds * 1000 };
    const readyMs = c.behaviour.readySeconds * 1000;
    if (!neverReady && !c.ready && (runMs === undefined || readyMs < runMs)) return { next: 'Ready', afterMs: readyMs };
    if (runMs !== undefined) return { next: 'Exited', afterMs: runMs };
    return undefined;
  },

  Ready: (k) => {
    const { c } = k;
    c.ready = true;
    // A run-to-completion container still exits `runSeconds` after it started.
    if (c.behaviour.runSeconds !== undefined)
      return { next: 'Exited', afterMs: Math.max(0, c.startedAt + c.behaviour.runSeconds * 1000 - k.now) };
    return undefined;
  },

  Exited: (k) => {
    const { c } = k;
    const exitCode = c.behaviour.exitCode;
    // A run-to-completion container that succeeds logs only its own lines.
    if (c.behaviour.runSeconds === undefined || exitCode !== 0)
      k.log(`${c.ref?.normalized ?? c.image}: fatal error, exiting with code ${exitCode}`);
    c.finishedAt = k.now;
    c.state = {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt: rfc3339(c.startedAt),
        finishedAt: rfc3339(k.now),
        containerID: c.containerID,
      } as NonNullable<ContainerState['terminated']>,
    };
    c.ready = false;
    c.started = false;
    // ShouldContainerBeRestarted (pkg/kubelet/container/helpers.go): Never keeps every exited container
    // terminated, OnFailure keeps the ones that exited 0; the pod phase then follows (getPhase).
    const policy = k.pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Never' || (policy === 'OnFailure' && exitCode === 0)) return undefined;
    // doBackOff: no back-off entry (or one idle for 2×max) means restart on the next sync.
    const expired = c.crashBackoffMs > 0 && k.now - c.crashBackoffUpdated > 2 * MAX_BACKOFF_MS;
    if (c.crashBackoffMs === 0 || expired) {
      c.crashBackoffMs = CRASH_BACKOFF_INITIAL_MS;
      c.crashBackoffUpdated = k.now;
      return { next: 'Restart', afterMs: SYNC_MS };
    }
    return { next: 'CrashLoopBackOff', afterMs: SYNC_MS };
  },

  CrashLoopBackOff: (k) => {
    const { c } = k;
    const backoff = goDuration(c.crashBackoffMs);
    c.lastState = c.state.terminated ? { terminated: c.state.terminated } : c.lastState;
    c.state = waiting(
      'CrashLoopBackOff',
      `back-off ${backoff} restarting failed container=${c.name} pod=${k.podLabel}`,
    );
    k.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${k.podLabel}`);
    const restartAt = c.finishedAt + c.crashBackoffMs;
    // flowcontrol.Backoff.Next at the restart: double, capped.
    return { next: 'Restart', afterMs: Math.max(0, restartAt - k.now) };
  },

  Restart: (k) => {
    const { c } = k;
    if (c.state.terminated) c.lastState = { terminated: c.state.terminated };
    if (c.crashBackoffUpdated !== c.finishedAt) {
      c.crashBackoffMs = Math.min(c.crashBackoffMs * 2, MAX_BACKOFF_MS);
      c.crashBackoffUpdated = c.finishedAt;
    }
    c.restartCount++;
    k.event('Normal', 'Pulled', `Container image ${quoted(c.image)} already present on machine`);
    return now('Running');
  },
};
