/**
 * The gate's outcome: the JSON result of README "As a CLI" (a public contract: extend, never
 * break) plus extra detail the reports render.
 */
import type { WorkloadKind } from '../k8s/workloadKinds.js';
export type RunOutcome = 'succeeded' | 'rolled-back' | 'failed' | 'invalid';
export type WorkloadOutcome = 'succeeded' | 'rolled-back' | 'failed' | 'unchanged';

/** What was seen on a failing pod before the rollback removed it. */
export interface EvidenceRecord {
  pod?: string;
  container?: string;
  image?: string;
  reason?: string;
  message?: string;
  restartCount?: number;
  /** Event texts, `<Type> <Reason>: <message> (xN)`. */
  events?: string[];
  /** Last log lines of the container. */
  logs?: string[];
  /** Manifest file and line of the failing container's image, when known. */
  file?: string;
  line?: number;
}

/**
 * One observation for the rollout chart: ready replicas of the old and new revisions at `t`, and
 * the pods of each pod template.
 */
export interface TimelinePoint {
  /** Seconds since apply. */
  t: number;
  /**
   * Ready pods of every revision but the one being rolled out. After an undo the revision being
   * rolled out is the restored (good) template: read {@link templates} to know which is which.
   */
  oldReady: number;
  /** Ready pods of the revision being rolled out (the restored template's once a rollback started). */
  newReady: number;
  /** What happened at this moment, if anything notable ("failure declared", "rollback started"). */
  note?: string;
  /** Extension: the live pods of each pod template, named as a person knows the template. */
  templates?: TemplatePods[];
}

/** The pods of one pod template at one moment of the timeline. */
export interface TemplatePods {
  /**
   * The template by its images and what it is to this run: "nginx:1.231 (this deploy)",
   * "nginx:1.14.2 (last good)", "nginx:1.14.2, env changed (this deploy)", never a revision number
   * (src/report/templateNames.ts). While the gate watches, the template's hash.
   */
  template: string;
  ready: number;
  /** Its live pods that are not Ready (pending, pulling an image, crashing). */
  unavailable: number;
}

/** A template a rollback restored: its container images and its revision before the undo. */
export interface RestoredTemplate {
  revision?: number;
  images: string[];
}

export interface PhaseTiming {
  name: 'validate' | 'apply' | 'watch' | 'capture' | 'rollback' | 'verify';
  seconds: number;
}

export interface WorkloadResult {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  result: WorkloadOutcome;
  /** The revision this run produced (a Deployment's revision annotation, a ControllerRevision's number). */
  revision?: number;
  /** The revision the workload was rolled back to (its number after the undo renumbering). */
  rolledBackTo?: number;
  /**
   * The template the rollback restored, as a person knows it: its images, and the revision it had
   * before the undo re-added it as the newest revision ({@link rolledBackTo}).
   */
  rolledBackToTemplate?: RestoredTemplate;
  reason?: string;
  message: string;
  /** From apply to the final verdict, including the rollback. */
  durationSeconds: number;
  /** From apply to the moment the failure was declared. */
  detectedAfterSeconds?: number;
  /** Extensions (not in the minimal contract): */
  previousRevision?: number;
  evidence?: EvidenceRecord[];
  timeline?: TimelinePoint[];
  /** Kubectl-style progress lines as they changed. */
  progress?: string[];
  rollbackMessage?: string;
}

/**
 * One applied object other than a Deployment, waited on until kstatus calls it Current
 * (src/rollout/kinds, waitObjects.ts), or skipped (`rollout-gate.dev/wait: "false"`).
 */
export interface ObjectResult {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  /** kstatus's status when last read; Skipped when not waited on. */
  status: 'Current' | 'InProgress' | 'Failed' | 'Terminating' | 'Skipped';
  /** not-waited: the run stopped before this object had a verdict (another failure, a cancel). */
  result: 'ready' | 'failed' | 'skipped' | 'timeout' | 'not-waited';
  /** Failed: kstatus's reason (the condition's, or the custom rule's); timeout: `Timeout`. */
  reason?: string;
  message: string;
  /** From the end of the apply to the verdict (0 when it was ready at once or skipped). */
  waitedSeconds: number;
  /** Its `.status.conditions` when it failed or timed out. */
  conditions?: ObjectCondition[];
  /** Events about it, oldest first, `<Type> <Reason>: <message> (xN)`, when it failed or timed out. */
  events?: string[];
  /** A failed Job: its last pod that failed, the container's exit and its last log lines. */
  failedPod?: FailedPod;
}

export interface FailedPod {
  pod: string;
  container: string;
  exitCode?: number;
  reason?: string;
  /** The last lines the container logged (empty when they cannot be read). */
  logs: string[];
}

export interface ObjectCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface InputError {
  file?: string;
  line?: number;
  message: string;
}

export interface AppliedObject {
  kind: string;
  namespace?: string;
  name: string;
  /** created | configured | unchanged */
  action: string;
  file?: string;
  line?: number;
}

/**
 * A field the manifests set that another field manager had written to another value, taken over
 * by this run's apply (README "Ownership"): imperative edits (operation `Update`:
 * `kubectl set image`, `edit`, `scale`, `rollout undo`, client-side apply) always, another
 * applier's fields (operation `Apply`) only with `force-conflicts`.
 */
export interface DriftRecord {
  kind: string;
  namespace?: string;
  name: string;
  /** Printed as the API server prints it: `.spec.template.spec.containers[name="web"].image`. */
  field: string;
  /** The field manager that last wrote it, and how. */
  manager: string;
  operation: 'Update' | 'Apply';
  /** The live value before this run's apply (absent: the field was unset). */
  live?: unknown;
  /** The value the manifests set. */
  applied?: unknown;
}

export interface GateResult {
  result: RunOutcome;
  /** Why the whole run failed when it is not a workload's verdict: Cancelled, Locked. */
  reason?: string;
  workloads: WorkloadResult[];
  errors: InputError[];
  /** Extensions: */
  /** Every applied object other than a Deployment, with its health (absent when nothing was applied). */
  objects?: ObjectResult[];
  warnings?: InputError[];
  applied?: AppliedObject[];
  /** Fields someone else had changed that this run's apply took over (one record per field). */
  drift?: DriftRecord[];
  phases?: PhaseTiming[];
  simulated?: boolean;
}

/** Exit codes of README "As a CLI". */
export const ExitCode = {
  succeeded: 0,
  rolledBack: 1,
  invalid: 2,
  failed: 3,
} as const;

export function exitCodeFor(result: RunOutcome): number {
  switch (result) {
    case 'succeeded':
      return ExitCode.succeeded;
    case 'rolled-back':
      return ExitCode.rolledBack;
    case 'invalid':
      return ExitCode.invalid;
    case 'failed':
      return ExitCode.failed;
  }
}
