/** The failure shape every detector returns, and the reasons of the JSON result (README "As a CLI"). */

/** Why a rollout failed; the first ten are the `reason` values of the JSON result. */
export type FailureReason =
  | 'ImagePullBackOff'
  | 'ErrImagePull'
  | 'CrashLoopBackOff'
  | 'CreateContainerConfigError'
  | 'InvalidImageName'
  | 'Unschedulable'
  | 'ReplicaFailure'
  | 'ProgressDeadlineExceeded'
  | 'Stalled'
  | 'Timeout'
  | 'Paused'
  /** A StatefulSet or DaemonSet whose pods only change when deleted: nothing for the gate to roll out. */
  | 'OnDelete';

/** One piece of evidence: a pod/container state, a condition or a set of events. */
export interface Evidence {
  pod?: string;
  container?: string;
  /** Waiting/terminated reason or condition reason. */
  reason?: string;
  message?: string;
  /** Event lines, `<reason>: <message>` (with ` (x<count>)` when repeated). */
  events?: string[];
  /** When this evidence first appeared (ms); the window of the detector is measured from here. */
  since?: number;
}

/** A conclusive failure of a rollout. */
export interface Failure {
  reason: FailureReason;
  /** A human sentence with the evidence. */
  message: string;
  evidence: Evidence[];
}
