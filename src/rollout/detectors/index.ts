/**
 * The detectors. Each workload kind (src/rollout/workloads/) lists the ones it runs, in judging
 * order: specific pod-level causes first (they explain the rollout-level symptoms), instant ones
 * before windowed ones; the workload-level symptoms (deadline, stall) and the gate's timeout last,
 * so that they only report what nothing more specific explains.
 */
export type { Detector, PodDetector } from './common.js';
export { detectConfigError } from './configError.js';
export { detectCrashLoop } from './crashLoop.js';
export { detectFailedCreate } from './failedCreate.js';
export { detectImagePull } from './imagePull.js';
export { detectInvalidImage } from './invalidImage.js';
export { detectProgressDeadline } from './progressDeadline.js';
export { detectReplicaFailure } from './replicaFailure.js';
export { detectStall } from './stall.js';
export { detectTimeout } from './timeout.js';
export { detectUnschedulable } from './unschedulable.js';
