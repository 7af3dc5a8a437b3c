import type { WorkloadRef } from '../cluster/port.js';
import { workloadKindOf, workloadLabel } from '../k8s/workloadKinds.js';
import type { Baseline } from './baseline.js';
import type { GateDocument } from './runGate.js';
import type { TimelinePoint, WorkloadResult } from './result.js';
import type { RollbackOutcome } from './rollbackWorkloads.js';
import { SUPERSEDED, supersededFollower, type WatchedWorkload } from './watchRollouts.js';

/**
 * Pure builders of each workload's result from what the run saw of it: the verdict of its watch,
 * whether this run changed its pod template, and the outcome of its rollback.
 */

/** One gated workload, from baseline to outcome. */
export interface Workload {
  ref: WorkloadRef;
  doc: GateDocument;
  baseline: Baseline;
  watched: WatchedWorkload;
  /** True when this run changed its pod template (or created it): see `changedByApply`. */
  changed: boolean;
  appliedRevision?: number;
  result?: WorkloadResult;
}

/** The times a result is measured with (ms): the apply's start (timeline origin) and end. */
export interface RunTimes {
  origin: number;
  appliedAt: number;
}

/** The run's reason when a signal cancelled it. */
export const CANCELLED = 'Cancelled';

/** The fields every result of a watched workload starts with. */
function base(w: Workload, times: RunTimes, now: number): Omit<WorkloadResult, 'result' | 'message'> {
  return {
    kind: workloadKindOf(w.ref),
    namespace: w.ref.namespace,
    name: w.ref.name,
    ...(w.appliedRevision ? { revision: w.appliedRevision } : {}),
    ...(w.baseline.revision ? { previousRevision: w.baseline.revision } : {}),
    durationSeconds: round1((now - times.appliedAt) / 1000),
    progress: w.watched.progress,
    timeline: w.watched.timeline,
  };
}

/**
 * Whether the workload failed in its own right: a Deployment this run did not change whose
 * template someone else replaced mid-run did not fail this run (README "What the gate judges").
 */
export function ownFailure(w: Workload): boolean {
  return w.watched.verdict?.state === 'failed' && !supersededFollower(w.watched);
}

/** The timeline with a last point at `t` (the last observation's counts) noting `note`. */
export function withMark(timeline: readonly TimelinePoint[], t: number, note: string): TimelinePoint[] {
  const last = timeline[timeline.length - 1];
  if (!last) return [...timeline];
  return [...timeline, { ...last, t: Math.max(t, last.t), note }];
}

/** A workload whose rollout succeeded (or, template unchanged, stayed healthy). */
export function settledResult(w: Workload, times: RunTimes, now: number): WorkloadResult {
  if (!w.changed) return unchangedResult(w, times, now);
  const result = base(w, times, w.watched.decidedAt ?? now);
  const at = w.watched.decidedAt;
  return {
    ...result,
    // The verdict's moment on the chart: the last observation may be well before it (the stability window).
    ...(at !== undefined
      ? { timeline: withMark(w.watched.timeline, round1((at - times.origin) / 1000), 'rollout complete') }
      : {}),
    result: 'succeeded',
    message: w.watched.verdict!.message,
  };
}

/**
 * A workload this run did not give a new pod template: `unchanged`, never rolled back. The
 * message says so, then what the watch saw (and why it stopped early, when it did).
 */
export function unchangedResult(w: Workload, times: RunTimes, now: number, why?: string): WorkloadResult {
  const verdict = w.watched.verdict;
  const at = w.baseline.revision ? ` (revision ${w.baseline.revision})` : '';
  const seen = verdict?.message ?? 'not observed';
  const stopped = why && verdict?.state !== 'succeeded' ? ` (${why})` : '';
  return {
    ...base(w, times, w.watched.decidedAt ?? now),
    result: 'unchanged',
    ...(supersededFollower(w.watched) ? { reason: SUPERSEDED } : {}),
    message: `${workloadLabel(w.ref)} unchanged: the pod template is the one already running${at}; ${seen}${stopped}`,
  };
}

/** A workload whose own verdict failed, declared at `detectedAt`. */
export function failedResult(w: Workload, times: RunTimes, detectedAt: number, now: number): WorkloadResult {
  const verdict = w.watched.verdict!;
  const last = w.watched.timeline[w.watched.timeline.length - 1];
  return {
    ...base(w, times, now),
    result: 'failed',
    reason: verdict.reason,
    message: verdict.message,
    detectedAfterSeconds: round1((detectedAt - times.appliedAt) / 1000),
    timeline: [
      ...w.watched.timeline,
      {
        t: round1((detectedAt - times.origin) / 1000),
        oldReady: last?.oldReady ?? 0,
        newReady: last?.newReady ?? 0,
        note: 'failure declared',
        ...(last?.templates ? { templates: last.templates } : {}),
      },
    ],
  };
}

/** A changed workload whose own watch did not fail, stopped for `why` (a sibling failed, a cancel, ...). */
export function undecidedResult(w: Workload, times: RunTimes, now: number, why: string): WorkloadResult {
  const verdict = w.watched.verdict;
  return {
    ...base(w, times, now),
    result: verdict?.state === 'succeeded' ? 'succeeded' : 'failed',
    message: `${verdict?.message ?? 'not observed'} (${why})`,
  };
}

/** Folds a rollback's outcome into a changed workload's result. */
export function withRollback(result: WorkloadResult, outcome: RollbackOutcome, ownVerdictFailed: boolean): void {
  result.rollbackMessage = outcome.message;
  result.timeline = [...(result.timeline ?? []), ...outcome.timeline];
  if (outcome.restored) {
    result.result = 'rolled-back';
    if (outcome.rolledBackTo !== undefined) result.rolledBackTo = outcome.rolledBackTo;
    if (outcome.template) result.rolledBackToTemplate = outcome.template;
    return;
  }
  result.result = 'failed';
  if (outcome.reason && !ownVerdictFailed) result.reason = outcome.reason;
  if (outcome.reason === 'Superseded') result.reason = 'Superseded';
}

/** Why a failed workload this run did not change is not rolled back. */
export function notChangedMessage(w: Workload): string {
  const at = w.baseline.revision ? ` (revision ${w.baseline.revision})` : '';
  return `not rolled back: this run did not change the pod template of ${workloadLabel(w.ref)}${at}`;
}

/** Cancelled before anything was applied: every workload unchanged. */
export function cancelledBeforeApplyResult(refs: WorkloadRef[]): WorkloadResult[] {
  return refs.map((ref) => ({
    kind: workloadKindOf(ref),
    namespace: ref.namespace,
    name: ref.name,
    result: 'unchanged',
    reason: CANCELLED,
    message: 'the run was cancelled before anything was applied',
    durationSeconds: 0,
  }));
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
