import type { ClusterClient, WorkloadRef } from '../cluster/port.js';
import type { PodTemplateSpec } from '../k8s/objects.js';
import { workloadKindOf, workloadLabel } from '../k8s/workloadKinds.js';
import type { FailureReason } from '../rollout/failure.js';
import { judgeWorkload, type Verdict } from '../rollout/judge.js';
import type { GatePolicy } from '../rollout/policy.js';
import { templatesEqualIgnoringHash } from '../rollout/revisions.js';
import type { RolloutContext, WorkloadSnapshot } from '../rollout/snapshot.js';
import { rolloutKindOf } from '../rollout/workloads/index.js';
import type { GateLog } from './gateLog.js';
import type { TemplateCatalogue } from '../report/templateNames.js';
import type { TimelinePoint } from './result.js';

/** One workload being watched (its kind is its reference's). */
export interface WatchedWorkload {
  ref: WorkloadRef;
  context: RolloutContext;
  verdict?: Verdict;
  /** When the verdict became final (ms). */
  decidedAt?: number;
  /** The observation the final verdict was made on (before any rollback changes it). */
  finalSnapshot?: WorkloadSnapshot;
  progress: string[];
  /** Observations for the chart; their templates are keyed by hash until the result names them. */
  timeline: TimelinePoint[];
  /** The templates the timeline saw, and what each is to the run (shared with the rollback's watch). */
  templates: TemplateCatalogue;
  /** Counts used to notice progress (updated/ready/available) for the stall window. */
  lastCounts?: string;
  /**
   * The pod template this run applied (rollout mode). When another writer replaces it during the
   * watch (a rollover), the rollout being judged is no longer ours: the verdict is `Superseded`.
   * Other changes (replicas, annotations) are followed.
   */
  appliedTemplate?: PodTemplateSpec;
  /** The revision the controller gave the applied template, once observed. */
  appliedRevision?: number;
  /**
   * This run did not change its pod template: it is watched for health only. A new template by
   * someone else ends its watch (Superseded) without counting as the run's failure.
   */
  followOnly?: boolean;
}

/** Not a judge's reason: the gate's own, for a rollout someone else replaced mid-watch. */
export const SUPERSEDED = 'Superseded';

export interface WatchOptions {
  policy: GatePolicy;
  mode: 'rollout' | 'rollback';
  /** Stop as soon as one workload fails (the others are rolled back with it). */
  stopOnFirstFailure: boolean;
  /** Longest wait between two judgements when nothing changes (ms); window boundaries need a re-check. */
  recheckMs?: number;
  /** Time origin of the timeline (ms): the apply. */
  origin: number;
  /** Stops watching (verdicts left undecided) once aborted. */
  signal?: AbortSignal;
  /** How to wait for a change (default: the cluster's waitForChange); a SharedWait when other loops run alongside. */
  wait?: (maxMs: number) => Promise<void>;
}

/**
 * Watches several Deployments concurrently under one time budget, judging each on every change
 * (and at least every `recheckMs`, so window boundaries are caught without an event). Prints
 * kubectl's progress line whenever it changes, not on every event. Returns when every workload
 * has a final verdict, or at the first failure when `stopOnFirstFailure`.
 */
export async function watchRollouts(
  cluster: ClusterClient,
  workloads: WatchedWorkload[],
  options: WatchOptions,
  log: GateLog,
): Promise<void> {
  const recheckMs = options.recheckMs ?? 1000;
  for (;;) {
    const now = cluster.clock.now();
    let failed = false;
    if (options.signal?.aborted) return;
    for (const w of workloads) {
      if (w.decidedAt !== undefined) continue;
      const snapshot = await cluster.observe(w.ref);
      // A watch cache that has not yet seen this run's own write (a dropped watch not yet resumed)
      // shows the Deployment as it was before: judging that would judge the wrong revision.
      if (staleOf(w, snapshot) && now - w.context.appliedAt < options.policy.timeoutSeconds * 1000) continue;
      noteProgress(w, snapshot, now);
      noteAppliedRevision(w, snapshot);
      const kind = rolloutKindOf(workloadKindOf(w.ref));
      const context = { ...w.context, mode: options.mode };
      const verdict = supersededVerdict(w, snapshot) ?? judgeWorkload(kind, snapshot, context, options.policy, now);
      recordTimeline(w, snapshot, now, options.origin);
      // Inside the stability window only a change in the number of awaited pods is news, not each second more.
      const sameWait = verdict.stability !== undefined && w.verdict?.stability?.waiting === verdict.stability.waiting;
      if (!sameWait && verdict.progressLine !== w.progress[w.progress.length - 1] && verdict.progressLine !== '') {
        w.progress.push(verdict.progressLine);
        log.info(`${w.ref.namespace}/${w.ref.name}: ${verdict.progressLine}`);
      }
      w.verdict = verdict;
      if (verdict.state !== 'progressing') {
        w.decidedAt = now;
        w.finalSnapshot = snapshot;
        if (verdict.state === 'failed' && !supersededFollower(w)) failed = true;
      }
    }
    const pending = workloads.filter((w) => w.decidedAt === undefined);
    if (pending.length === 0 || (failed && options.stopOnFirstFailure)) return;
    const wait = nextWaitMs(pending, now, recheckMs);
    await (options.wait ? options.wait(wait) : cluster.waitForChange(wait));
  }
}

/**
 * How long to wait for a change: at most `recheckMs`, and no later than the first moment a
 * verdict asks to be looked at again (the end of a stability window, which no event announces).
 */
export function nextWaitMs(pending: WatchedWorkload[], now: number, recheckMs: number): number {
  let wait = recheckMs;
  for (const w of pending) {
    const at = w.verdict?.stability?.stableAt;
    if (at !== undefined) wait = Math.min(wait, Math.max(1, at - now));
  }
  return wait;
}

/**
 * Another writer replaced the pod template after this run applied it (README "What the gate judges": only a new
 * template is `Superseded`): judging on would report their rollout as ours, and its success would
 * be recorded as our last good revision. Only in rollout mode. Any other change by someone else
 * (a scale by an autoscaler or `kubectl scale`, an annotation) bumps the generation too but keeps
 * the rollout ours: it is followed, and judged by kubectl's rule against the new spec.
 */
function supersededVerdict(w: WatchedWorkload, snapshot: WorkloadSnapshot): Verdict | undefined {
  const workload = rolloutKindOf(workloadKindOf(w.ref)).object(snapshot);
  if (w.context.mode !== 'rollout' || !workload || !w.appliedTemplate) return undefined;
  if (templatesEqualIgnoringHash(workload.spec.template, w.appliedTemplate)) return undefined;
  // A stale watch cache still shows the template from before our apply: not someone else's.
  if ((workload.metadata.generation ?? 0) <= (w.context.appliedGeneration ?? 0)) return undefined;
  const message =
    `${workloadLabel(w.ref)} was changed by someone else during the rollout (a new pod template, ` +
    `generation ${workload.metadata.generation ?? '?'}; this run applied generation ${w.context.appliedGeneration ?? '?'}); ` +
    "its rollout is no longer this run's to judge or to roll back";
  // The verdict's reason type lists the judge's reasons; Superseded is the gate's own (README "As a CLI" allows "...").
  const reason = SUPERSEDED as FailureReason;
  return { state: 'failed', reason, message, failure: { reason, message, evidence: [] }, progressLine: '' };
}

/**
 * A workload annotated `rollout-gate.dev/wait: "false"`: applied, never watched, judged, recorded
 * as last good, nor rolled back for its own sake (its verdict is final at the apply).
 */
export function notWaitedOn(w: WatchedWorkload, at: number): void {
  const message = `${workloadLabel(w.ref)} applied, not waited on (annotation rollout-gate.dev/wait: "false")`;
  w.verdict = { state: 'succeeded', message, progressLine: '' };
  w.decidedAt = at;
}

/** A watched-for-health-only workload whose template someone else replaced: not this run's failure. */
export function supersededFollower(w: WatchedWorkload): boolean {
  return w.followOnly === true && (w.verdict?.reason as string | undefined) === SUPERSEDED;
}

function staleOf(w: WatchedWorkload, snapshot: WorkloadSnapshot): boolean {
  const generation = rolloutKindOf(workloadKindOf(w.ref)).object(snapshot)?.metadata.generation;
  const applied = w.context.appliedGeneration;
  return generation !== undefined && applied !== undefined && generation < applied;
}

/**
 * The revision of the applied template: read while the controller's status is of the current
 * generation and the template is still ours (a scale by someone else moves the generation on, and
 * the revision stays the applied template's).
 */
function noteAppliedRevision(w: WatchedWorkload, snapshot: WorkloadSnapshot): void {
  const kind = rolloutKindOf(workloadKindOf(w.ref));
  const workload = kind.object(snapshot);
  if (!workload || w.context.mode !== 'rollout' || !w.appliedTemplate) return;
  const observed = (workload.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? 0;
  if (observed < (workload.metadata.generation ?? 0)) return;
  if ((workload.metadata.generation ?? 0) < (w.context.appliedGeneration ?? 0)) return;
  if (!templatesEqualIgnoringHash(workload.spec.template, w.appliedTemplate)) return;
  w.appliedRevision = kind.revision(snapshot);
}

/** The stall window restarts whenever the rollout's counts (updated, ready, available) change. */
function noteProgress(w: WatchedWorkload, snapshot: WorkloadSnapshot, now: number): void {
  const counts = rolloutKindOf(workloadKindOf(w.ref)).progress(snapshot, w.context).moved;
  if (counts !== w.lastCounts) {
    if (w.lastCounts !== undefined) w.context = { ...w.context, lastProgressAt: now };
    w.lastCounts = counts;
  }
}

/**
 * Ready pods of the new revision and of every older one, and the pods of each template (by hash,
 * named when the result is built: src/report/templateNames.ts), when they change.
 */
function recordTimeline(w: WatchedWorkload, snapshot: WorkloadSnapshot, now: number, origin: number): void {
  const { oldReady, newReady, templates } = rolloutKindOf(workloadKindOf(w.ref)).readiness(snapshot);
  for (const t of templates) if (t.template || !w.templates.seen.has(t.hash)) w.templates.seen.set(t.hash, t.template);
  const pods = templates
    .map((t) => ({ template: t.hash, ready: t.ready, unavailable: t.unavailable }))
    .sort((a, b) => a.template.localeCompare(b.template));
  const last = w.timeline[w.timeline.length - 1];
  const same = JSON.stringify(last?.templates ?? []) === JSON.stringify(pods);
  if (last && last.oldReady === oldReady && last.newReady === newReady && same) return;
  w.timeline.push({ t: Math.round((now - origin) / 100) / 10, oldReady, newReady, templates: pods });
}
