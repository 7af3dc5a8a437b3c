import { ApiError } from '../../../../k8s/apiError.js';
import { clone, newControllerRef } from '../../../../k8s/meta.js';
import type { Pod } from '../../../../k8s/objects.js';
import type { ControllerContext } from '../controller.js';
import { JOB_TRACKING_FINALIZER, JobLabels, type Job } from './types.js';

/**
 * The Job controller's pod writes (controller_utils.go `RealPodControl`, job_controller.go): creation from
 * the template with the tracking finalizer, deletion, and the finalizer patch; with the events podControl
 * records (`SuccessfulCreate` / `FailedCreate`, `SuccessfulDelete` / `FailedDelete`).
 */
export const COMPONENT = 'job-controller';

/**
 * `CreatePodsWithGenerateName`: `<job>-<5 chars>`, or `<job>-<index>-<5 chars>` for Indexed Jobs with the
 * completion-index annotation and label, hostname `<job>-<index>` and the JOB_COMPLETION_INDEX variable
 * (`addCompletionIndexEnvVariables`, `addCompletionIndexAnnotation`, `addCompletionIndexLabel`).
 */
export function createJobPod(ctx: ControllerContext, job: Job, index?: number): Pod | undefined {
  const template = clone(job.spec.template);
  const meta = template.metadata ?? {};
  const spec = template.spec ?? { containers: [] };
  const finalizers = [...(meta.finalizers ?? [])];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
  let labels = meta.labels;
  let annotations = meta.annotations;
  if (index !== undefined) {
    annotations = { ...(annotations ?? {}), [JobLabels.completionIndex]: String(index) };
    labels = { ...(labels ?? {}), [JobLabels.completionIndex]: String(index) };
    spec.hostname = `${job.metadata.name}-${index}`;
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      if ((c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) continue;
      c.env = [
        ...(c.env ?? []),
        {
          name: 'JOB_COMPLETION_INDEX',
          valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JobLabels.completionIndex}']` } },
        },
      ];
    }
  }
  const pod: Pod = {
    metadata: {
      generateName: index === undefined ? `${job.metadata.name}-` : `${job.metadata.name}-${index}-`,
      namespace: job.metadata.namespace,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
      finalizers,
      ownerReferences: [newControllerRef(job, 'batch/v1', 'Job')],
    },
    spec,
  };
  try {
    const created = ctx.store.create<Pod>('Pod', pod);
    ctx.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, COMPONENT);
    return created;
  } catch (err) {
    ctx.events.record(job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`, COMPONENT);
    return undefined;
  }
}

/** `podControl.DeletePod`; a pod already gone counts as deleted. */
export function deleteJobPod(ctx: ControllerContext, job: Job, pod: Pod): boolean {
  try {
    ctx.store.delete('Pod', pod.metadata.namespace, pod.metadata.name!);
    ctx.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, COMPONENT);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return true;
    ctx.events.record(job, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`, COMPONENT);
    return false;
  }
}

export function hasTrackingFinalizer(pod: Pod): boolean {
  return (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

/** `removeTrackingFinalizerPatch` applied to the pod as stored now; true when it is gone (or the pod is). */
export function removeTrackingFinalizer(ctx: ControllerContext, pod: Pod): boolean {
  const current = ctx.store.get<Pod>('Pod', pod.metadata.namespace, pod.metadata.name!);
  if (!current || current.metadata.uid !== pod.metadata.uid || !hasTrackingFinalizer(current)) return true;
  const next = clone(current);
  next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
  if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
  ctx.store.update('Pod', next);
  return true;
}
