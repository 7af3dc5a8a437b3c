import type { ContainerState } from '../../../k8s/objects.js';
import type { ImageReference } from './images.js';
import type { ImageUsage } from './usage.js';

/** How a simulated image behaves (README "The simulated cluster" `images:`). Unlisted fields take the defaults below. */
export interface ImageBehaviour {
  /** Time to pull when not cached on the node (default 2). */
  pullSeconds?: number;
  /** Time from pulled to running (default 1); a crashing container also runs this long before it exits. */
  startSeconds?: number;
  /** Time from running to Ready, i.e. the readiness probe delay (default 0). */
  readySeconds?: number;
  /** Registry answer (default 'ok'). */
  pull?: 'ok' | 'missing' | 'unauthorized';
  /** The first N pulls of the image by a container fail with a transient registry error (503), then it pulls (default 0). */
  flakyPulls?: number;
  /** Exits after startSeconds, every time (CrashLoopBackOff). */
  crash?: boolean;
  /**
   * Exits after startSeconds on its first N starts, then runs (default 0): a pod that ends with
   * `restartCount: N` and Ready, like a long-lived pod that crashed or was OOM-killed in the past.
   */
  crashTimes?: number;
  /** 'never': runs but readiness never passes (default 'always'). */
  ready?: 'always' | 'never';
  /**
   * Run-to-completion: the container exits on its own after running this long (Jobs, one-off pods).
   * It exits with `exitCode`, which defaults to 0 here (to 1 with `crash: true`). What happens next is
   * the pod's restartPolicy: Always restarts it with the crash back-off, OnFailure only when the exit
   * code is not 0, Never leaves it terminated (the pod ends Succeeded or Failed).
   */
  runSeconds?: number;
  /** Exit code of a crashing container (default 1; default 0 for a `runSeconds` container that does not crash). */
  exitCode?: number;
  /** Lines the container logs when it starts. */
  logs?: string[];
  /** CPU and memory each running container of the image uses (metrics.k8s.io, the HPA); default 0. */
  usage?: ImageUsage;
}

export const DEFAULT_IMAGE_BEHAVIOUR: Required<Omit<ImageBehaviour, 'logs' | 'runSeconds' | 'usage'>> = {
  pullSeconds: 2,
  startSeconds: 1,
  readySeconds: 0,
  pull: 'ok',
  flakyPulls: 0,
  crash: false,
  crashTimes: 0,
  ready: 'always',
  exitCode: 1,
};

export interface KubeletOptions {
  /** Behaviour of an image reference as written in the pod spec; default: every image exists and is healthy. */
  imageBehaviour?(image: string): ImageBehaviour;
  /** Seconds a container takes to stop after SIGTERM, capped by the grace period (default 1). */
  stopSeconds?: number;
}

/** The stages a container goes through (the lifecycle table in stages.ts). */
export type StageName =
  | 'Creating'
  | 'ImagePresent'
  | 'Pulling'
  | 'PullDone'
  | 'ErrImagePull'
  | 'ImagePullBackOff'
  | 'ErrImageNeverPull'
  | 'InvalidImageName'
  | 'ConfigCheck'
  | 'CreateContainerConfigError'
  | 'Starting'
  | 'Running'
  | 'Ready'
  | 'Exited'
  | 'CrashLoopBackOff'
  | 'Restart';

/** One container's simulated runtime state. */
export interface ContainerRun {
  name: string;
  image: string;
  pullPolicy: string;
  ref: ImageReference | undefined;
  behaviour: Required<Omit<ImageBehaviour, 'logs' | 'runSeconds' | 'usage'>> & { logs?: string[]; runSeconds?: number };
  stage: StageName;
  /** The stage to enter at `due` (virtual ms), if any. */
  next?: StageName;
  due?: number;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  started: boolean;
  everStarted: boolean;
  restartCount: number;
  imageID: string;
  containerID: string;
  /** Image pull back-off: failures so far and when the next attempt may start. */
  pullFailures: number;
  pullRetryAt: number;
  /** Crash back-off entry (flowcontrol.Backoff): current duration (0 = none) and last update (finishedAt). */
  crashBackoffMs: number;
  crashBackoffUpdated: number;
  startedAt: number;
  finishedAt: number;
  /** When the current pull started (for the Pulled event's duration). */
  pullStartedAt: number;
  configError?: string;
}
