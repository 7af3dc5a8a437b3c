/**
 * The detectors in the order the judge runs them; the first conclusive failure wins.
 *
 * Specific pod-level causes come first (they explain the rollout-level symptoms), instant ones
 * before windowed ones; the Deployment-level symptoms (deadline, stall) and the gate's timeout
 * come last so that they only report what nothing more specific explains.
 */
import type { Detector } from './common.js';
import { detectConfigError } from './configError.js';
import { detectCrashLoop } from './crashLoop.js';
import { detectImagePull } from './imagePull.js';
import { detectInvalidImage } from './invalidImage.js';
import { detectProgressDeadline } from './progressDeadline.js';
import { detectReplicaFailure } from './replicaFailure.js';
import { detectStall } from './stall.js';
import { detectTimeout } from './timeout.js';
import { detectUnschedulable } from './unschedulable.js';

export type { Detector } from './common.js';

/** Named detectors, in judging order. */
export const DETECTORS: ReadonlyArray<{ name: string; detect: Detector }> = [
  { name: 'invalidImage', detect: detectInvalidImage },
  { name: 'imagePull', detect: detectImagePull },
  { name: 'configError', detect: detectConfigError },
  { name: 'crashLoop', detect: detectCrashLoop },
  { name: 'replicaFailure', detect: detectReplicaFailure },
  { name: 'unschedulable', detect: detectUnschedulable },
  { name: 'progressDeadline', detect: detectProgressDeadline },
  { name: 'stall', detect: detectStall },
  { name: 'timeout', detect: detectTimeout },
];

export {
  detectConfigError,
  detectCrashLoop,
  detectImagePull,
  detectInvalidImage,
  detectProgressDeadline,
  detectReplicaFailure,
  detectStall,
  detectTimeout,
  detectUnschedulable,
};
