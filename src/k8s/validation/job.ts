import type { StatusCause } from '../apiError.js';
import { deepEqual } from '../json.js';
import type { LabelSelector, PodTemplateSpec } from '../objects.js';
import { type FieldError, invalid, nonNegative, notSupported, required, toStatusCause } from './fieldErrors.js';
import { validateContainer } from './deployment.js';
import { validateAnnotations, validateLabels } from './names.js';

/** The Job fields validation reads (the full type lives with the simulated controller). */
export interface JobLike {
  metadata: { name?: string };
  spec: {
    parallelism?: number;
    completions?: number;
    activeDeadlineSeconds?: number;
    backoffLimit?: number;
    ttlSecondsAfterFinished?: number;
    completionMode?: string;
    selector?: LabelSelector;
    template: PodTemplateSpec;
    [key: string]: unknown;
  };
}

/**
 * API validation of batch/v1 Jobs that users hit, on the defaulted object (`ValidateJob`,
 * `validateJobSpec`, `ValidateJobUpdate` in
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/batch/validation/validation.go):
 * non-negative counts, a known completion mode, containers, the restart policy (a Job's pods must
 * end: `OnFailure` or `Never`; the pod default `Always` is refused), and on update the immutable
 * selector, completion mode and (outside suspension) pod template.
 */
export function validateJob(job: JobLike, old?: JobLike): StatusCause[] {
  return jobFieldErrors(job, old).map(toStatusCause);
}

export function jobFieldErrors(job: JobLike, old?: JobLike): FieldError[] {
  const spec = job.spec ?? ({} as JobLike['spec']);
  const errs: FieldError[] = [];
  const counts = ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'];
  for (const field of counts) {
    const value = spec[field];
    if (typeof value === 'number') errs.push(...nonNegative(value, `spec.${field}`));
  }
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(spec.completionMode))
    errs.push(notSupported('spec.completionMode', spec.completionMode, ['NonIndexed', 'Indexed']));
  if (spec.completionMode === 'Indexed' && spec.completions === undefined)
    errs.push(required('spec.completions', 'when completion mode is Indexed'));
  errs.push(...validateTemplate(spec.template));
  if (old) errs.push(...validateUpdate(job, old));
  return errs;
}

/** `ValidatePodTemplateSpec` for a Job template, then the Job's own restartPolicy rule (`validateJobSpec`). */
function validateTemplate(template: PodTemplateSpec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (!template) return [required('spec.template')];
  errs.push(...validateLabels(template.metadata?.labels, 'spec.template.metadata.labels'));
  errs.push(...validateAnnotations(template.metadata?.annotations, 'spec.template.metadata.annotations'));
  const containers = template.spec?.containers ?? [];
  const names = new Set<string>();
  if (containers.length === 0) errs.push(required('spec.template.spec.containers'));
  containers.forEach((c, i) => errs.push(...validateContainer(c, `spec.template.spec.containers[${i}]`, names)));
  const restartPolicy = template.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never')
    errs.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['OnFailure', 'Never']));
  return errs;
}

/** `ValidateJobSpecUpdate`: what cannot change once the Job exists. */
function validateUpdate(job: JobLike, old: JobLike): FieldError[] {
  const errs: FieldError[] = [];
  const immutable = (field: string, a: unknown, b: unknown) => {
    if (!deepEqual(a ?? null, b ?? null)) errs.push(invalid(field, a ?? null, 'field is immutable'));
  };
  immutable('spec.selector', job.spec.selector, old.spec.selector);
  immutable('spec.completionMode', job.spec.completionMode, old.spec.completionMode);
  // The template may change only while the Job is suspended (mutable scheduling directives).
  if (!(old.spec['suspend'] === true && job.spec['suspend'] === true))
    immutable('spec.template', job.spec.template, old.spec.template);
  return errs;
}
