import type { Condition, KubeObject, LabelSelector, PodTemplateSpec } from '../../../../k8s/objects.js';

/**
 * batch/v1 Job, the fields the simulated controllers read and write
 * (https://github.com/kubernetes/api/blob/master/batch/v1/types.go).
 */
export interface JobSpec {
  parallelism?: number;
  completions?: number;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  selector?: LabelSelector;
  manualSelector?: boolean;
  template: PodTemplateSpec;
  ttlSecondsAfterFinished?: number;
  completionMode?: 'NonIndexed' | 'Indexed' | string;
  suspend?: boolean;
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed' | string;
  podFailurePolicy?: unknown;
  [key: string]: unknown;
}

export interface JobStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  ready?: number;
  [key: string]: unknown;
}

export interface Job extends KubeObject {
  spec: JobSpec;
  status?: JobStatus;
}

/** Labels and annotations of batch/v1 (`batch.kubernetes.io/...` and the legacy names). */
export const JobLabels = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
  completionIndex: 'batch.kubernetes.io/job-completion-index',
} as const;

/** The finalizer the controller puts on every pod it creates, to count it before it disappears. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

/** Condition types (`JobConditionType`) and the reasons the controller writes. */
export const JobConditions = {
  complete: 'Complete',
  failed: 'Failed',
  failureTarget: 'FailureTarget',
  successCriteriaMet: 'SuccessCriteriaMet',
  suspended: 'Suspended',
} as const;

/** Whether the Job has a Complete or Failed condition with status True (`util.IsJobFinished`). */
export function finishedCondition(job: Job): Condition | undefined {
  return job.status?.conditions?.find(
    (c) => (c.type === JobConditions.complete || c.type === JobConditions.failed) && c.status === 'True',
  );
}

export function isIndexed(job: Job): boolean {
  return job.spec.completionMode === 'Indexed';
}
