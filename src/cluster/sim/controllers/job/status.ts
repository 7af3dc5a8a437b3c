import type { Condition, Pod } from '../../../../k8s/objects.js';
import type { ControllerContext } from '../controller.js';
import { JobConditions, JobLabels, type Job, type JobStatus } from './types.js';
import { COMPONENT, hasTrackingFinalizer, removeTrackingFinalizer } from './podControl.js';
import { ensureCondition, findCondition, newCondition } from './conditions.js';

/** What one sync decided, handed to {@link trackJobStatusAndRemoveFinalizers}. */
export interface SyncResult {
  job: Job;
  /** The status being built (active, ready, terminating, startTime and conditions already set). */
  status: JobStatus;
  pods: readonly Pod[];
  /** FailureTarget / SuccessCriteriaMet / Failed decided this sync, if any. */
  finished: Condition | undefined;
  terminating: number;
  /** Indexes that had succeeded before this sync (Indexed Jobs). */
  succeededIndexes: Set<number>;
  needsFlush: boolean;
  /** Called with each status flush that carries newly finished pods (`updateBackoffRecord`). */
  onFlush(): void;
}

/**
 * `trackJobStatusAndRemoveFinalizers` (job_controller.go): finished pods still holding the tracking
 * finalizer go to `uncountedTerminatedPods` (flushed first, with the interim FailureTarget or
 * SuccessCriteriaMet condition), then their finalizers are removed and they move to the `succeeded` /
 * `failed` counters; the terminal Complete or Failed condition is added once nothing is left uncounted
 * and no pod is terminating (`enactJobFinished`), with the `Completed` or failure-reason event.
 */
export function trackJobStatusAndRemoveFinalizers(ctx: ControllerContext, r: SyncResult): void {
  const { job, status } = r;
  const now = ctx.clock.now();
  const indexed = job.spec.completionMode === 'Indexed';
  const completions = job.spec.completions ?? 0;
  const uncounted = {
    succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])],
    failed: [...(status.uncountedTerminatedPods?.failed ?? [])],
  };
  status.uncountedTerminatedPods = uncounted;
  let needsFlush = r.needsFlush;
  const withFinalizer = new Set(r.pods.filter(hasTrackingFinalizer).map((p) => p.metadata.uid!));
  if (cleanUncounted(status, withFinalizer)) needsFlush = true;
  const toRemove: Pod[] = [];
  const newIndexes: number[] = [];
  let finished = r.finished;
  for (const pod of r.pods) {
    if (!hasTrackingFinalizer(pod)) continue;
    const failed = isPodFailed(pod, job);
    // canRemoveFinalizer: the Job is going away or finished, or the pod is done.
    const canRemove =
      !!job.metadata.deletionTimestamp || finished !== undefined || pod.status?.phase === 'Succeeded' || failed;
    if (!canRemove) continue;
    toRemove.push(pod);
    const uid = pod.metadata.uid!;
    const ix = completionIndex(pod);
    if (pod.status?.phase === 'Succeeded' && !uncounted.failed.includes(uid)) {
      if (indexed) {
        if (ix !== undefined && ix < completions && !r.succeededIndexes.has(ix)) {
          newIndexes.push(ix);
          needsFlush = true;
        }
      } else if (!uncounted.succeeded.includes(uid)) {
        uncounted.succeeded.push(uid);
        needsFlush = true;
      }
    } else if (failed || (finished !== undefined && finished.type !== JobConditions.successCriteriaMet)) {
      // When the Job is finishing, every pod not yet terminated counts as failed.
      if (!uncounted.failed.includes(uid) && (!indexed || (ix !== undefined && ix < completions))) {
        uncounted.failed.push(uid);
        needsFlush = true;
      }
    }
  }
  if (indexed) {
    const all = new Set([...r.succeededIndexes, ...newIndexes]);
    const text = formatIndexes(all);
    if (text !== (status.completedIndexes ?? '')) needsFlush = true;
    status.succeeded = all.size;
    status.completedIndexes = text;
  }
  const conditions = [...(status.conditions ?? [])];
  if (finished?.type === JobConditions.failureTarget) {
    conditions.push(finished);
    needsFlush = true;
    finished = newCondition(JobConditions.failed, 'True', finished.reason!, finished.message!, now);
  }
  if (finished?.type === JobConditions.successCriteriaMet) {
    if (!findCondition(conditions, JobConditions.successCriteriaMet)) {
      conditions.push(finished);
      needsFlush = true;
    }
    finished = newCondition(JobConditions.complete, 'True', finished.reason!, finished.message!, now);
  }
  status.conditions = conditions;
  // flushUncountedAndRemoveFinalizers: status first (with the uncounted uids), then the finalizers.
  if (needsFlush) {
    writeStatus(ctx, job, status);
    r.onFlush();
    needsFlush = false;
  }
  for (const pod of toRemove) if (removeTrackingFinalizer(ctx, pod)) withFinalizer.delete(pod.metadata.uid!);
  if (cleanUncounted(status, withFinalizer)) needsFlush = true;
  // enactJobFinished: nothing uncounted, nothing terminating.
  let jobFinished = false;
  const left = uncounted.succeeded.length + uncounted.failed.length;
  if (finished && left === 0 && r.terminating === 0) {
    [status.conditions] = ensureCondition(
      status.conditions,
      finished.type,
      'True',
      finished.reason!,
      finished.message!,
      now,
    );
    if (finished.type === JobConditions.complete) status.completionTime = finished.lastTransitionTime!;
    jobFinished = true;
    needsFlush = true;
  }
  if (!needsFlush) return;
  writeStatus(ctx, job, status);
  if (!jobFinished) return;
  // recordJobFinished
  if (finished!.type === JobConditions.complete) {
    if (job.spec.completions !== undefined && (status.succeeded ?? 0) > job.spec.completions)
      ctx.events.record(
        job,
        'Warning',
        'TooManySucceededPods',
        'Too many succeeded pods running after completion count reached',
        COMPONENT,
      );
    ctx.events.record(job, 'Normal', 'Completed', 'Job completed', COMPONENT);
  } else {
    ctx.events.record(job, 'Warning', finished!.reason!, finished!.message!, COMPONENT);
  }
}

/** `cleanUncountedPodsWithoutFinalizers`: uncounted pods whose finalizer is gone move to the counters. */
function cleanUncounted(status: JobStatus, withFinalizer: Set<string>): boolean {
  const u = status.uncountedTerminatedPods!;
  let changed = false;
  const keepS = (u.succeeded ?? []).filter((uid) => withFinalizer.has(uid));
  if (keepS.length !== (u.succeeded ?? []).length) {
    changed = true;
    status.succeeded = (status.succeeded ?? 0) + (u.succeeded!.length - keepS.length);
    u.succeeded = keepS;
  }
  const keepF = (u.failed ?? []).filter((uid) => withFinalizer.has(uid));
  if (keepF.length !== (u.failed ?? []).length) {
    changed = true;
    status.failed = (status.failed ?? 0) + (u.failed!.length - keepF.length);
    u.failed = keepF;
  }
  return changed;
}

/**
 * `isPodFailed`: phase Failed, or (unless podReplacementPolicy is Failed) deleted before it succeeded,
 * so a pod removed while running still counts.
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (job.spec.podReplacementPolicy === 'Failed') return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** `getCompletionIndex`: the annotation as a non-negative integer, else undefined. */
export function completionIndex(pod: Pod): number | undefined {
  const raw = pod.metadata.annotations?.[JobLabels.completionIndex];
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return undefined;
  return Number(raw);
}

/** `parseIndexesFromString`: `1,3-5` -> {1,3,4,5}. */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-');
    const from = Number(a);
    const to = b === undefined ? from : Number(b);
    for (let i = from; i <= to && i < completions; i++) out.add(i);
  }
  return out;
}

/** `orderedIntervals.String()`: `0-2,4`. */
export function formatIndexes(indexes: Set<number>): string {
  const sorted = [...indexes].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Writes the status in the order and with the omissions of the Go struct (`omitempty` counters, pointer
 * fields `terminating`, `ready` and `uncountedTerminatedPods` always present once set).
 */
function writeStatus(ctx: ControllerContext, job: Job, s: JobStatus): void {
  const u = s.uncountedTerminatedPods ?? {};
  const out: JobStatus = {
    ...(s.conditions && s.conditions.length > 0 ? { conditions: s.conditions } : {}),
    ...(s.startTime ? { startTime: s.startTime } : {}),
    ...(s.completionTime ? { completionTime: s.completionTime } : {}),
    ...(s.active ? { active: s.active } : {}),
    ...(s.succeeded ? { succeeded: s.succeeded } : {}),
    ...(s.failed ? { failed: s.failed } : {}),
    ...(s.terminating !== undefined ? { terminating: s.terminating } : {}),
    ...(s.completedIndexes ? { completedIndexes: s.completedIndexes } : {}),
    uncountedTerminatedPods: {
      ...(u.succeeded && u.succeeded.length > 0 ? { succeeded: [...u.succeeded] } : {}),
      ...(u.failed && u.failed.length > 0 ? { failed: [...u.failed] } : {}),
    },
    ...(s.ready !== undefined ? { ready: s.ready } : {}),
  };
  const current = ctx.store.get<Job>('Job', job.metadata.namespace, job.metadata.name!);
  if (!current || current.metadata.uid !== job.metadata.uid) return;
  ctx.store.update('Job', { ...current, status: out }, { subresource: 'status' });
}
