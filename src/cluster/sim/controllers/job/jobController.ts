import { selectorMatches } from '../../../../k8s/labels.js';
import { controllerOf, parseTime, rfc3339 } from '../../../../k8s/meta.js';
import type { Condition, Pod } from '../../../../k8s/objects.js';
import type { StoreEvent } from '../../store/objectStore.js';
import type { Controller, ControllerContext } from '../controller.js';
import { sortActivePods } from '../replicaset/podRanking.js';
import { countTerminatingPods, filterActivePods, isPodReady } from '../replicaset/podUtil.js';
import { newBackoffRecord, remainingBackoffMs, type BackoffRecord } from './backoff.js';
import {
  ensureCondition,
  failureCondition,
  findCondition,
  Messages,
  newCondition,
  successCondition,
} from './conditions.js';
import { COMPONENT, createJobPod, deleteJobPod, hasTrackingFinalizer, removeTrackingFinalizer } from './podControl.js';
import { completionIndex, isPodFailed, parseIndexes, trackJobStatusAndRemoveFinalizers } from './status.js';
import { finishedCondition, isIndexed, JobConditions, type Job, type JobStatus } from './types.js';

/** `SyncJobBatchPeriod`: pod changes reach a Job's sync at most this late (batched). */
export const SYNC_JOB_BATCH_PERIOD_MS = 1_000;
/** `MaxPodCreateDeletePerSync`. */
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
const ORPHAN = 'orphan-pod:';

/**
 * The Job controller (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/job/job_controller.go,
 * `syncJob` and `manageJob`): runs `parallelism` pods until `completions` succeed, replaces failed pods after the
 * pod failure back-off (backoff.ts), fails the Job past `backoffLimit` (failed pods, or container restarts under
 * OnFailure) or `activeDeadlineSeconds`, suspends and resumes, and tracks finished pods through the
 * `batch.kubernetes.io/job-tracking` finalizer (status.ts). Job changes sync at once; pod changes are batched
 * by one second, as upstream. Pod failure policies, success policies and backoffLimitPerIndex are not simulated.
 */
export class JobController implements Controller {
  readonly name = 'job';
  private readonly backoff = new Map<string, BackoffRecord>();

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(event: StoreEvent): string[] {
    if (event.kind === 'Job') return [`${event.object.metadata.namespace}/${event.object.metadata.name}`];
    if (event.kind !== 'Pod') return [];
    const pod = event.object as Pod;
    const owner = controllerOf(pod);
    if (!owner || owner.kind !== 'Job') return [];
    const ns = pod.metadata.namespace ?? 'default';
    const job = this.ctx.store.get<Job>('Job', ns, owner.name);
    if (!job || job.metadata.uid !== owner.uid) {
      // enqueueOrphanPod: a pod of a deleted Job only needs its finalizer removed.
      return event.type !== 'DELETED' && hasTrackingFinalizer(pod) ? [`${ORPHAN}${ns}/${pod.metadata.name}`] : [];
    }
    // enqueueSyncJobBatched (addPod / updatePod / deletePod).
    this.ctx.requeueAt(this.name, `${ns}/${owner.name}`, this.ctx.clock.now() + SYNC_JOB_BATCH_PERIOD_MS);
    return [];
  }

  sync(key: string): void {
    if (key.startsWith(ORPHAN)) return this.cleanupOrphan(key.slice(ORPHAN.length));
    const slash = key.indexOf('/');
    const job = this.ctx.store.get<Job>('Job', key.slice(0, slash), key.slice(slash + 1));
    // A finished (or deleted) Job forgets its back-off record.
    if (!job || finishedCondition(job)) {
      this.backoff.delete(key);
      return;
    }
    // A Job managed by another controller (spec.managedBy, JobManagedBy) is left alone.
    const managedBy = job.spec['managedBy'];
    if (typeof managedBy === 'string' && managedBy !== 'kubernetes.io/job-controller') return;
    this.syncJob(key, job);
  }

  private syncJob(key: string, job: Job): void {
    const now = this.ctx.clock.now();
    const spec = job.spec;
    const status: JobStatus = structuredClone(job.status ?? {});
    const uncounted = status.uncountedTerminatedPods ?? {};
    const pods = this.podsFor(job);
    const active = filterActivePods(pods);
    let terminating = countTerminatingPods(pods);
    let ready = active.filter(isPodReady).length;
    // getNewFinishedPods: finished pods still holding the finalizer and not yet listed as uncounted.
    const valid = (p: Pod) => hasTrackingFinalizer(p) && (!isIndexed(job) || validIndex(job, p));
    const newSucceeded = pods.filter(
      (p) => valid(p) && !uncounted.succeeded?.includes(p.metadata.uid!) && p.status?.phase === 'Succeeded',
    );
    const newFailed = pods.filter(
      (p) => valid(p) && !uncounted.failed?.includes(p.metadata.uid!) && isPodFailed(p, job),
    );
    let succeeded = (status.succeeded ?? 0) + newSucceeded.length + (uncounted.succeeded?.length ?? 0);
    const failed = (status.failed ?? 0) + newFailed.length + (uncounted.failed?.length ?? 0);
    const suspended = spec.suspend === true;
    if (!status.startTime && !suspended) status.startTime = rfc3339(now);
    const record = newBackoffRecord(this.backoff.get(key), newSucceeded, newFailed);

    let finished: Condition | undefined = findCondition(status.conditions, JobConditions.successCriteriaMet);
    if (finished?.status !== 'True') finished = undefined;
    if (!finished) {
      const target = findCondition(status.conditions, JobConditions.failureTarget);
      if (target?.status === 'True')
        finished = newCondition(JobConditions.failed, 'True', target.reason!, target.message!, now);
    }
    if (!finished) {
      const started = parseTime(status.startTime);
      const deadline =
        spec.activeDeadlineSeconds !== undefined && started !== undefined && !suspended
          ? started + spec.activeDeadlineSeconds * 1000
          : undefined;
      if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods))
        finished = failureCondition('BackoffLimitExceeded', Messages.backoffLimitExceeded, now);
      // pastActiveDeadline: the deadline itself is past (duration >= allowed).
      else if (deadline !== undefined && now >= deadline)
        finished = failureCondition('DeadlineExceeded', Messages.deadlineExceeded, now);
      else if (deadline !== undefined) this.ctx.requeueAt(this.name, key, deadline);
    }
    const succeededIndexes = isIndexed(job)
      ? parseIndexes(status.completedIndexes, spec.completions ?? 0)
      : new Set<number>();
    if (isIndexed(job)) {
      for (const p of newSucceeded) succeededIndexes.add(completionIndex(p)!);
      succeeded = succeededIndexes.size;
    }

    let activeCount = active.length;
    let suspendChanged = false;
    if (finished) {
      // deleteActivePods: the finalizers stay; they are removed as the pods are counted as failed.
      for (const pod of active) {
        if (!deleteJobPod(this.ctx, job, pod)) continue;
        activeCount--;
        terminating++;
        if (isPodReady(pod)) ready--;
      }
    } else {
      let manageCalled = false;
      if (!job.metadata.deletionTimestamp) {
        const managed = this.manageJob(key, job, active, succeeded, terminating, record, succeededIndexes);
        activeCount = managed.active;
        terminating = managed.terminating;
        ready -= managed.removedReady;
        manageCalled = true;
      }
      const complete =
        spec.completions === undefined
          ? succeeded > 0 && activeCount === 0
          : succeeded >= spec.completions && activeCount === 0;
      if (complete) finished = successCondition(now);
      else if (manageCalled) {
        const [conditions, changed] = suspended
          ? ensureCondition(
              status.conditions ?? [],
              JobConditions.suspended,
              'True',
              'JobSuspended',
              'Job suspended',
              now,
            )
          : ensureCondition(
              status.conditions ?? [],
              JobConditions.suspended,
              'False',
              'JobResumed',
              'Job resumed',
              now,
            );
        status.conditions = conditions;
        if (changed) {
          suspendChanged = true;
          this.ctx.events.record(
            job,
            'Normal',
            suspended ? 'Suspended' : 'Resumed',
            `Job ${suspended ? 'suspended' : 'resumed'}`,
            COMPONENT,
          );
          // A resumed Job's activeDeadlineSeconds counts from the resume.
          if (!suspended) status.startTime = rfc3339(now);
        }
      }
    }
    const needsFlush =
      suspendChanged ||
      activeCount !== (status.active ?? 0) ||
      ready !== status.ready ||
      terminating !== status.terminating;
    status.active = activeCount;
    status.ready = ready;
    status.terminating = terminating;
    trackJobStatusAndRemoveFinalizers(this.ctx, {
      job,
      status,
      pods,
      finished,
      terminating,
      succeededIndexes: isIndexed(job) ? parseIndexes(job.status?.completedIndexes, spec.completions ?? 0) : new Set(),
      needsFlush,
      onFlush: () => this.backoff.set(key, record),
    });
  }

  /**
   * `manageJob`: deletes every active pod of a suspended Job; otherwise deletes extra pods or creates
   * missing ones (after the pod failure back-off). Returns the active and terminating counts after it.
   */
  private manageJob(
    key: string,
    job: Job,
    active: Pod[],
    succeeded: number,
    terminating: number,
    record: BackoffRecord,
    succeededIndexes: Set<number>,
  ): { active: number; terminating: number; removedReady: number } {
    const spec = job.spec;
    const parallelism = spec.parallelism ?? 1;
    const remove = (pods: Pod[]) => {
      let removed = 0;
      let removedReady = 0;
      for (const pod of pods) {
        // deleteJobPods: the finalizer goes first, the pod will not be counted.
        removeTrackingFinalizer(this.ctx, pod);
        if (!deleteJobPod(this.ctx, job, pod)) continue;
        removed++;
        if (isPodReady(pod)) removedReady++;
      }
      return { active: active.length - removed, terminating: terminating + removed, removedReady };
    };
    if (spec.suspend) return remove(sortActivePods(active));
    let wantActive: number;
    if (spec.completions === undefined) wantActive = succeeded > 0 ? active.length : parallelism;
    else wantActive = Math.max(0, Math.min(spec.completions - succeeded, parallelism));
    const rmAtLeast = Math.max(0, active.length - wantActive);
    const toDelete = this.podsForRemoval(job, active, rmAtLeast).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (toDelete.length > 0) return remove(toDelete);
    // onlyReplaceFailedPods: terminating pods are still waited for before replacing them.
    const waitFor = spec.podReplacementPolicy === 'Failed' ? terminating : 0;
    let diff = wantActive - waitFor - active.length;
    if (diff <= 0) return { active: active.length, terminating, removedReady: 0 };
    const now = this.ctx.clock.now();
    const remaining = remainingBackoffMs(record, now);
    if (remaining > 0) {
      // enqueueSyncJobWithDelay (at least the batch period); upstream reports 0 active for this sync.
      this.ctx.requeueAt(this.name, key, now + Math.max(remaining, SYNC_JOB_BATCH_PERIOD_MS));
      return { active: 0, terminating, removedReady: 0 };
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    const indexes = isIndexed(job) ? firstPendingIndexes(job, active, succeededIndexes, diff) : undefined;
    if (indexes) diff = indexes.length;
    let created = 0;
    for (let i = 0; i < diff; i++) if (createJobPod(this.ctx, job, indexes?.[i])) created++;
    return { active: active.length + created, terminating, removedReady: 0 };
  }

  /** `activePodsForRemoval`: duplicated or out-of-range indexes first (Indexed), then `ActivePods` order. */
  private podsForRemoval(job: Job, active: Pod[], rmAtLeast: number): Pod[] {
    const rm: Pod[] = [];
    let left = active;
    if (isIndexed(job)) {
      const seen = new Set<number>();
      left = [];
      for (const pod of [...active].sort((a, b) => (completionIndex(a) ?? -1) - (completionIndex(b) ?? -1))) {
        const ix = completionIndex(pod);
        if (ix === undefined || ix >= (job.spec.completions ?? 0) || seen.has(ix)) rm.push(pod);
        else {
          seen.add(ix);
          left.push(pod);
        }
      }
    }
    if (rm.length < rmAtLeast) rm.push(...sortActivePods(left).slice(0, rmAtLeast - rm.length));
    return rm;
  }

  /** The Job's pods: controlled by it and matching its selector (`getPodsForJob`, adoption not simulated). */
  private podsFor(job: Job): Pod[] {
    return this.ctx.store
      .listOwnedBy<Pod>('Pod', job.metadata.uid!)
      .filter((p) => selectorMatches(job.spec.selector, p.metadata.labels ?? {}));
  }

  private cleanupOrphan(podKey: string): void {
    const slash = podKey.indexOf('/');
    const pod = this.ctx.store.get<Pod>('Pod', podKey.slice(0, slash), podKey.slice(slash + 1));
    if (pod) removeTrackingFinalizer(this.ctx, pod);
  }
}

/** `pastBackoffLimitOnFailure`: under OnFailure, container restarts of running or pending pods count. */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase !== 'Running' && phase !== 'Pending') continue;
    for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])])
      restarts += s.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function validIndex(job: Job, pod: Pod): boolean {
  const ix = completionIndex(pod);
  return ix !== undefined && ix < (job.spec.completions ?? 0);
}

/** `firstPendingIndexes`: the lowest indexes neither succeeded nor running, at most `count`. */
function firstPendingIndexes(job: Job, active: Pod[], succeeded: Set<number>, count: number): number[] {
  const taken = new Set(succeeded);
  for (const pod of active) {
    const ix = completionIndex(pod);
    if (ix !== undefined) taken.add(ix);
  }
  const out: number[] = [];
  for (let i = 0; i < (job.spec.completions ?? 0) && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}
