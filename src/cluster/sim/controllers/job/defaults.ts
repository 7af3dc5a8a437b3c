import type { KubeObject } from '../../../../k8s/objects.js';
import { defaultPodSpec } from '../../store/builtinKinds.js';
import { JobLabels, type Job } from './types.js';

/**
 * batch/v1 `SetDefaults_Job` (https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/batch/v1/defaults.go):
 * completions and parallelism 1 when both are unset (parallelism 1 when only it is), backoffLimit 6
 * (MaxInt32 with backoffLimitPerIndex), completionMode NonIndexed, suspend false, manualSelector false,
 * podReplacementPolicy TerminatingOrFailed (Failed with a podFailurePolicy), and the pod template defaults
 * (restartPolicy Always when unset, which Job validation then refuses, as a real API server does).
 */
export function defaultJob(obj: KubeObject): void {
  const job = obj as Job;
  job.spec ??= { template: {} };
  const spec = job.spec;
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed';
  spec.template ??= {};
  defaultPodSpec(spec.template.spec);
}

/**
 * The Job strategy's PrepareForCreate (pkg/registry/batch/job/strategy.go, `generateSelector`): unless
 * `manualSelector`, the template gets the `batch.kubernetes.io/controller-uid` and `.../job-name` labels (and
 * the legacy `controller-uid` / `job-name`), the selector matches the uid label, and a Job created without
 * labels takes its template's labels (SetDefaults_Job shares the map, so the generated ones show too).
 * Label maps are written with sorted keys, as Go serialises maps.
 */
export function prepareJobForCreate(obj: KubeObject): void {
  const job = obj as Job;
  const spec = job.spec;
  const uid = job.metadata.uid ?? '';
  if (!spec.manualSelector) {
    const labels = { ...(spec.template.metadata?.labels ?? {}) };
    labels[JobLabels.legacyJobName] ??= job.metadata.name!;
    labels[JobLabels.jobName] ??= job.metadata.name!;
    labels[JobLabels.legacyControllerUid] ??= uid;
    labels[JobLabels.controllerUid] ??= uid;
    spec.template.metadata = { ...(spec.template.metadata ?? {}), labels: sorted(labels) };
    const matchLabels = { ...(spec.selector?.matchLabels ?? {}) };
    matchLabels[JobLabels.controllerUid] ??= uid;
    spec.selector = { ...(spec.selector ?? {}), matchLabels: sorted(matchLabels) };
  }
  const templateLabels = spec.template.metadata?.labels;
  if (templateLabels && Object.keys(job.metadata.labels ?? {}).length === 0)
    job.metadata.labels = { ...templateLabels };
  delete job.status;
}

function sorted(map: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key]!;
  return out;
}
