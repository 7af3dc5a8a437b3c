import type { ClusterClient, WorkloadObservation, WorkloadRef } from '../cluster/port.js';
import type { Deployment } from '../k8s/objects.js';
import { isWorkloadKind, workloadKindOf, workloadLabel, type WorkloadKind } from '../k8s/workloadKinds.js';
import type { RolledOut } from '../rollout/workloads/rolloutKind.js';
import type { GatePolicy } from '../rollout/policy.js';
import { policyWarnings } from '../rollout/policy.js';
import { applyManifests, ApplyError, type ApplyDocument } from './applyManifests.js';
import { formatDrift } from '../report/drift.js';
import { namedTimeline } from '../report/templateNames.js';
import { changedByApply, recordBaseline } from './baseline.js';
import { captureEvidence } from './captureEvidence.js';
import type { GateLog } from './gateLog.js';
import {
  CANCELLED,
  failedResult,
  notChangedMessage,
  ownFailure,
  round1,
  settledResult,
  undecidedResult,
  unchangedResult,
  withRollback,
  type Workload,
} from './outcomes.js';
import { readLastGood, recordLastGood } from './recordLastGood.js';
import type { AppliedObject, DriftRecord, GateResult, PhaseTiming, RunOutcome, WorkloadResult } from './result.js';
import { rollbackWorkloads, workloadKey, type RollbackOutcome } from './rollbackWorkloads.js';
import { notWaitedOn, supersededFollower } from './watchRollouts.js';
import { watchEverything } from './watchPhase.js';
import { notWaitedResults, waitsOnObject, type WaitedObject } from './waitObjects.js';
import { cancelledBeforeApply, lockedResult } from './earlyResults.js';
import { readWaitControls, type HealthChecks } from '../rollout/kinds/index.js';
import { rolloutKindOf } from '../rollout/workloads/index.js';
import { SeededRandom } from '../clock/seededRandom.js';
import type { RandomSource } from '../cluster/retry.js';
import { LeaseKeeper, type LeaseHold, type LockOutcome } from './lock.js';
import { GATE_RETRY_POLICY, RetryingCluster } from './retryingCluster.js';
import { preflight } from './preflight.js';

export { CANCELLED } from './outcomes.js';
export { LOCKED } from './earlyResults.js';

/** A manifest document plus the lines of its container images (from the manifest loader). */
export interface GateDocument extends ApplyDocument {
  imageLines?: Record<string, number>;
  /** The line of any field of the document, when read from a file (ManifestDocument's). */
  lineOf?(path: ReadonlyArray<string | number>): number | undefined;
}

export interface GateInput {
  /** Validated documents in apply order. */
  documents: GateDocument[];
  policy: GatePolicy;
  rollback: 'on-failure' | 'never';
  /**
   * Whether `rollback: 'never'` is the user's choice, to be warned about (default true). The
   * planner runs without rollback on its own: saying "rollback is disabled" there misleads.
   */
  rollbackNeverChosen?: boolean;
  /** The rollback's own deadline (seconds). */
  rollbackTimeoutSeconds: number;
  /** A Deployment this run created that fails has no good revision: leave it, scale it to 0, or delete it. */
  onNoGoodRevision: 'leave' | 'scale-to-zero' | 'delete';
  force: boolean;
  changeCause?: string;
  /**
   * Cancels the run (SIGINT/SIGTERM, a cancelled workflow). The run stops applying and watching;
   * with `rollbackOnCancel` (the default) every Deployment it changed is rolled back (and verified);
   * the result is `failed`, reason `Cancelled`. A cancel during the rollback itself lets it finish.
   */
  signal?: AbortSignal;
  rollbackOnCancel?: boolean;
  /** Hold a Lease on every Deployment for the run (default true; see lock.ts). */
  lock?: boolean;
  /** The lease holder's name (default: rollout-gate-<random>); make it say who runs (CI run id, host). */
  lockHolder?: string;
  /** Jitter of the retries (default: seeded from the clock). */
  random?: RandomSource;
  /** Custom health rules per kind (`--health-checks`). */
  healthChecks?: HealthChecks;
  /** How long an object may stay Failed before it fails the run, unless it says (`--failed-tolerance`; default 0). */
  failedToleranceSeconds?: number;
}

/**
 * The use case: apply every document, watch every Deployment concurrently under one budget,
 * judge, and when one fails roll back every Deployment this run changed (gave a new pod
 * template) to its last good revision, verifying the rollback. Pure orchestration over the
 * ClusterClient port, as a pipeline of phases: preflight (permissions) -> baseline -> apply -> watch ->
 * judge -> capture -> rollback (+ verify) -> record -> report.
 */
export async function runGate(client: ClusterClient, input: GateInput, log: GateLog): Promise<GateResult> {
  const clock = client.clock;
  const startedAt = clock.now();
  const random = input.random ?? new SeededRandom(startedAt >>> 0);
  const budgetMs = (input.policy.timeoutSeconds + input.rollbackTimeoutSeconds) * 1000 + 60_000;
  // Every request is retried (429/5xx/lost connection) with back-off and jitter within the budget.
  // One request never retries longer than the run's own timeout (an unreachable cluster fails a
  // `--timeout 2s` run in about 2 s), nor past the whole budget.
  const cluster: RetryingCluster = new RetryingCluster(client, {
    random,
    notAfter: () => startedAt + budgetMs,
    policy: { deadlineMs: Math.min(GATE_RETRY_POLICY.deadlineMs, input.policy.timeoutSeconds * 1000) },
    // The holds are renewed whenever the gate waits, and no wait outlasts the next renewal.
    beforeWait: async (maxMs: number): Promise<number> => {
      await keeper.renewIfDue();
      // (At least 1 s: a renewal that just failed is due again at once, and the next wait retries it.)
      return Math.min(maxMs, Math.max(keeper.dueIn(), 1_000));
    },
  });
  const holder = input.lockHolder ?? `rollout-gate-${Math.floor(random.next() * 2 ** 40).toString(16)}`;
  const keeper: LeaseKeeper = new LeaseKeeper(cluster, holder, log);
  const leases: Leases = {
    take: async (ref) => (input.lock === false ? undefined : keeper.acquire(ref)),
    releaseAll: () => keeper.releaseAll(),
  };
  try {
    return await gateRun(cluster, input, log, leases);
  } finally {
    await keeper.releaseAll();
  }
}

/** The run's Leases (lock.ts): taken before anything is applied, released at the end or on cancel. */
interface Leases {
  take(ref: WorkloadRef): Promise<LockOutcome | undefined>;
  releaseAll(): Promise<void>;
}

/** What the phases of one run share. */
interface Run {
  cluster: ClusterClient;
  input: GateInput;
  log: GateLog;
  workloads: Workload[];
  phases: PhaseTiming[];
  /** When the apply began (ms): the origin of the timelines. */
  origin: number;
  /** When the apply ended (ms): durations are measured from here. */
  appliedAt: number;
  applied: AppliedObject[];
  /** Fields this run took over from imperative edits (applyManifests.ts). */
  drift: DriftRecord[];
  leases: Leases;
  /** Deployments whose namespace did not exist before the apply: leased right after it. */
  leaseAfterApply: WorkloadRef[];
  /** Every other applied object, waited on until healthy (waitObjects.ts). */
  objects: WaitedObject[];
}

async function gateRun(cluster: ClusterClient, input: GateInput, log: GateLog, leases: Leases): Promise<GateResult> {
  const run: Run = {
    cluster,
    input,
    log,
    workloads: [],
    phases: [],
    origin: 0,
    appliedAt: 0,
    applied: [],
    drift: [],
    leases,
    leaseAfterApply: [],
    objects: [],
  };
  // Every permission the run needs, asked before anything is taken or written.
  const forbidden = await preflight(cluster, input.documents, input, log);
  if (forbidden) return forbidden;
  const workloadDocs = input.documents.filter((d) => isWorkloadKind(d.object.apiVersion, d.object.kind));
  const refs: WorkloadRef[] = workloadDocs.map((d) => ({
    namespace: d.object.metadata.namespace ?? 'default',
    name: d.object.metadata.name ?? '',
    ...(d.object.kind === 'Deployment' ? {} : { kind: d.object.kind as WorkloadKind }),
  }));
  await cluster.watch(refs);

  // Leases first, also of Deployments this run is about to create: a live lease of another run on
  // any Deployment means nothing is applied at all.
  const locked: Array<{ ref: WorkloadRef; hold: LeaseHold }> = [];
  const held = new Map<string, LockOutcome>();
  for (const ref of refs) {
    const outcome = await leases.take(ref);
    if (outcome?.state === 'locked') locked.push({ ref, hold: outcome.hold });
    if (outcome) held.set(workloadKey(ref), outcome);
    if (outcome?.state === 'no-namespace') run.leaseAfterApply.push(ref);
  }
  if (locked.length > 0) return lockedResult(locked, log, cluster.mode === 'simulated');

  run.workloads = await recordBaselines(run, workloadDocs, refs, held);
  if (input.signal?.aborted) return cancelledBeforeApply(refs, run.phases, log, cluster.mode === 'simulated');
  const applyFailure = await apply(run);
  if (applyFailure) return applyFailure;
  await watch(run);
  if (input.signal?.aborted) return cancelled(run);
  const failed = await judge(run);
  const unhealthy = run.objects.filter((o) => o.result?.result === 'failed' || o.result?.result === 'timeout');
  if (failed.length === 0 && unhealthy.length === 0) {
    // Every workload settles: succeeded, or unchanged when its template did not change.
    const now = cluster.clock.now();
    for (const w of run.workloads) w.result = settledResult(w, run, now);
    await record(run);
    return finish(run, 'succeeded');
  }
  if (failed.length > 0) await capture(run, failed);
  if (input.rollback === 'never') return rollbackDisabled(run, input.rollbackNeverChosen !== false);
  const changed = run.workloads.filter((w) => w.changed);
  const outcomes = await rollBack(run, changed);
  await recordRestored(run, outcomes);
  const culprits = [
    ...failed.map((f) => f.ref.name),
    ...unhealthy.map((o) => `${o.applied.kind ?? ''}/${o.applied.metadata.name ?? ''}`),
  ];
  return report(run, culprits, outcomes);
}

/** Phase baseline: each Deployment as it is just before the apply (after the leases). */
async function recordBaselines(
  run: Run,
  docs: GateDocument[],
  refs: WorkloadRef[],
  held: Map<string, LockOutcome>,
): Promise<Workload[]> {
  const workloads: Workload[] = [];
  const observed = new Map<string, WorkloadObservation>();
  for (const [i, doc] of docs.entries()) {
    const ref = refs[i]!;
    const observation = await run.cluster.observe(ref);
    observed.set(workloadKey(ref), observation);
    const baseline = recordBaseline(observation, ref);
    // The last-good record lives on the Lease; legacy annotations on the Deployment are the fallback.
    const outcome = held.get(workloadKey(ref));
    const lastGood = await readLastGood(run.cluster, ref, outcome?.state === 'held' ? outcome.lease : undefined);
    if (lastGood) baseline.preApply.lastGood = lastGood;
    if (doc.object.kind === 'Deployment')
      for (const warning of policyWarnings(run.input.policy, doc.object as Deployment))
        run.log.warn(warning, { file: doc.file, line: doc.line });
    if (baseline.paused)
      run.log.warn(
        `deployment "${ref.name}" is paused in the cluster; the gate cannot roll it out or back until it is resumed`,
      );
    workloads.push({
      ref,
      doc,
      baseline,
      changed: false,
      watched: {
        ref,
        context: { appliedAt: 0, name: ref.name },
        progress: [],
        timeline: [],
        templates: {
          seen: new Map(),
          ...(baseline.workload ? { previous: baseline.workload.spec.template } : {}),
          previousGood: baseline.preApply.fullyAvailable,
        },
      },
    });
  }
  // What ran before this run, seen fully available now, is the newest good revision the gate knows
  // of (the target of this run's rollback, and of later runs' if this one leaves a broken revision).
  await recordLastGood(
    run.cluster,
    workloads
      // (Not where the Lease cannot be used: 403, or no namespace yet.)
      .filter((w) => w.baseline.preApply.fullyAvailable && held.get(workloadKey(w.ref))?.state !== 'unavailable')
      .map((w) => ({ ref: w.ref, snapshot: observed.get(workloadKey(w.ref)) })),
    run.log,
  );
  return workloads;
}

/**
 * Phase apply: every document, in order; then what each Deployment's judge needs to know about
 * it (whether its template changed, the generation and template applied, the restart baseline).
 * An API error stops the run with nothing more applied (the result is returned).
 */
async function apply(run: Run): Promise<GateResult | undefined> {
  const { cluster, input, log } = run;
  run.origin = cluster.clock.now();
  let outcome;
  try {
    outcome = await timed(run, 'apply', () =>
      log.group('Apply', async () => {
        const applied = await applyManifests(cluster, input.documents, {
          force: input.force,
          changeCause: input.changeCause,
          signal: input.signal,
        });
        for (const a of applied.applied) log.info(`${a.kind.toLowerCase()}/${a.name} ${a.action}`);
        for (const d of applied.drift) log.warn(formatDrift(d));
        return applied;
      }),
    );
  } catch (err) {
    if (!(err instanceof ApplyError)) throw err;
    log.error(err.message, { file: err.document.file, line: err.document.line });
    return {
      result: 'failed',
      workloads: [],
      errors: [{ file: err.document.file, line: err.document.line, message: err.cause.message }],
      applied: err.appliedBefore,
      phases: run.phases,
      simulated: cluster.mode === 'simulated',
    };
  }
  run.applied = outcome.applied;
  run.drift = outcome.drift;
  for (const ref of run.leaseAfterApply) {
    const late = await run.leases.take(ref);
    if (late?.state === 'locked')
      log.warn(`${workloadLabel(ref)}: another gate run (${late.hold.holder}) took its Lease during this apply`);
  }
  run.appliedAt = cluster.clock.now();
  run.objects = outcome.stored.filter(waitsOnObject).map((applied) => ({ applied }));
  for (const w of run.workloads) {
    const stored = outcome.stored[input.documents.indexOf(w.doc)] as RolledOut | undefined;
    const generation = stored?.metadata.generation;
    // Not applied at all (cancelled before its document): not changed by this run.
    w.changed = changedByApply(w.baseline, stored);
    w.watched.context = {
      appliedAt: run.appliedAt,
      appliedGeneration: generation,
      baselineRevision: w.baseline.revision,
      name: w.ref.name,
      mode: 'rollout',
      restartBaseline: w.baseline.restarts,
    };
    w.watched.appliedTemplate = stored?.spec.template;
    if (stored) w.watched.templates.applied = stored.spec.template;
    w.watched.followOnly = !w.changed;
    // `rollout-gate.dev/wait: "false"` on a workload (an OnDelete StatefulSet, say): applied, not watched.
    if (!readWaitControls(w.doc.object).controls.wait) notWaitedOn(w.watched, run.appliedAt);
  }
  return undefined;
}

/** Phase watch: every Deployment and every other applied object, concurrently (watchPhase.ts). */
async function watch(run: Run): Promise<void> {
  const { input, log } = run;
  await timed(run, 'watch', () =>
    log.group('Rollout', () =>
      watchEverything(
        run.cluster,
        run.workloads.map((w) => w.watched),
        run.objects,
        {
          rollouts: {
            policy: input.policy,
            mode: 'rollout',
            stopOnFirstFailure: input.rollback === 'on-failure',
            origin: run.origin,
          },
          objects: {
            appliedAt: run.appliedAt,
            timeoutSeconds: input.policy.timeoutSeconds,
            defaultFailedToleranceMs: (input.failedToleranceSeconds ?? 0) * 1000,
            ...(input.healthChecks ? { checks: input.healthChecks } : {}),
          },
          ...(input.signal ? { signal: input.signal } : {}),
        },
        log,
      ),
    ),
  );
}

/** Phase judge: the revision this run produced, and the workloads that failed in their own right. */
async function judge(run: Run): Promise<Workload[]> {
  for (const w of run.workloads) {
    // The revision this run produced; after a rollover the Deployment's current one is someone else's.
    if (w.watched.appliedRevision !== undefined) {
      w.appliedRevision = w.watched.appliedRevision;
      continue;
    }
    const snapshot = w.watched.finalSnapshot ?? (await run.cluster.observe(w.ref));
    w.appliedRevision = rolloutKindOf(workloadKindOf(w.ref)).revision(snapshot);
  }
  return run.workloads.filter(ownFailure);
}

/** Phase record: the last good revision of every Deployment, after a successful run. */
async function record(run: Run): Promise<void> {
  await recordLastGood(
    run.cluster,
    // A Deployment someone else redeployed mid-run is theirs to record.
    run.workloads
      .filter((w) => !supersededFollower(w.watched))
      .map((w) => ({ ref: w.ref, snapshot: w.watched.finalSnapshot })),
    run.log,
  );
}

/**
 * After a verified rollback, the restored revision is one the gate saw fully available: recorded
 * like a successful rollout's, so a later run still knows it after a person breaks it again.
 */
async function recordRestored(run: Run, outcomes: Map<string, RollbackOutcome>): Promise<void> {
  const restored = run.workloads.filter((w) => outcomes.get(workloadKey(w.ref))?.restored);
  const snapshots = [];
  for (const w of restored) snapshots.push({ ref: w.ref, snapshot: await run.cluster.observe(w.ref) });
  await recordLastGood(run.cluster, snapshots, run.log);
}

/** Phase capture: the evidence of every failure, before anything is rolled back. */
async function capture(run: Run, failed: Workload[]): Promise<void> {
  const { cluster, log } = run;
  const detectedAt = Math.min(...failed.map((w) => w.watched.decidedAt ?? Infinity));
  await timed(run, 'capture', async () => {
    for (const w of failed) {
      const failure = w.watched.verdict!.failure!;
      const evidence = await captureEvidence(cluster, w.ref, failure, w.watched.finalSnapshot!, w.doc);
      w.result = failedResult(w, run, detectedAt, cluster.clock.now());
      w.result.evidence = evidence;
      log.error(`${workloadLabel(w.ref)} failed: ${w.watched.verdict!.reason}: ${w.watched.verdict!.message}`, {
        file: evidence.find((e) => e.file)?.file ?? w.doc.file,
        line: evidence.find((e) => e.line)?.line ?? w.doc.line,
      });
    }
  });
}

function rollbackDisabled(run: Run, chosen: boolean): GateResult {
  const now = run.cluster.clock.now();
  for (const w of run.workloads)
    w.result ??= w.changed
      ? undecidedResult(w, run, now, 'rollback disabled')
      : unchangedResult(w, run, now, 'rollback disabled');
  if (chosen) run.log.warn('rollback is disabled (--rollback never): the failed revision stays in place');
  return finish(run, 'failed');
}

/**
 * Phases rollback and verify (rollbackWorkloads does both): every Deployment this run changed,
 * failed or not, together. One whose template this run did not change is never rolled back.
 */
async function rollBack(
  run: Run,
  changed: Workload[],
  afterSend?: () => Promise<void>,
): Promise<Map<string, RollbackOutcome>> {
  const { input, log } = run;
  for (const w of run.workloads)
    if (!w.changed && ownFailure(w)) log.warn(`${workloadLabel(w.ref)}: ${notChangedMessage(w)}`);
  if (changed.length === 0) return new Map();
  return timed(run, 'rollback', () =>
    // (Its own "Rollback" section, opened only when an undo is sent.)
    rollbackWorkloads(
      run.cluster,
      changed.map((w) => ({
        ref: w.ref,
        baseline: w.baseline,
        appliedTemplate: w.watched.appliedTemplate,
        createdByRun: !w.baseline.exists,
        templates: w.watched.templates,
      })),
      {
        policy: input.policy,
        timeoutSeconds: input.rollbackTimeoutSeconds,
        onNoGoodRevision: input.onNoGoodRevision,
        origin: run.origin,
        ...(afterSend ? { afterSend } : {}),
      },
      log,
    ),
  );
}

/**
 * Phase report, after a failure: each workload's result with its rollback. The run is
 * `rolled-back` only when every failed workload and every changed one is back on a good revision.
 */
function report(run: Run, failedNames: string[], outcomes: Map<string, RollbackOutcome>): GateResult {
  const now = run.cluster.clock.now();
  const culprits = failedNames.join(', ');
  let allRestored = true;
  for (const w of run.workloads) {
    const failedItself = ownFailure(w);
    if (!w.changed) {
      if (failedItself) {
        w.result!.rollbackMessage = notChangedMessage(w);
        allRestored = false;
      } else {
        w.result = unchangedResult(w, run, now, `not watched to the end: ${culprits} failed`);
      }
      continue;
    }
    w.result ??= undecidedResult(w, run, now, `rolled back because ${culprits} failed`);
    const outcome = outcomes.get(workloadKey(w.ref));
    if (!outcome) continue;
    w.result.durationSeconds = round1((now - run.appliedAt) / 1000);
    withRollback(w.result, outcome, failedItself);
    if (!outcome.restored) allRestored = false;
  }
  // Only Deployments are rolled back: a failed object with none to restore leaves the run failed.
  return finish(run, allRestored && outcomes.size > 0 ? 'rolled-back' : 'failed');
}

/**
 * Cancelled after (part of) the apply: roll back what this run changed, when asked to, and
 * report every workload's state. The rollback itself is not cancellable: it is what makes the
 * state consistent.
 */
async function cancelled(run: Run): Promise<GateResult> {
  const { cluster, input, log } = run;
  const at = round1((cluster.clock.now() - run.origin) / 1000);
  const rollBackNow = input.rollbackOnCancel !== false;
  log.error(
    `the run was cancelled after ${at} s` +
      (rollBackNow
        ? '; rolling back what it changed'
        : '; leaving what it applied in place (rollback-on-cancel false)'),
  );
  const changed = run.workloads.filter((w) => w.changed);
  // GitHub kills a cancelled job ~10 s after its SIGINT: once the undo writes are sent, give the
  // Leases back before verifying, so a kill leaves none behind.
  const outcomes = rollBackNow
    ? await rollBack(run, changed, () => run.leases.releaseAll())
    : new Map<string, RollbackOutcome>();
  const now = cluster.clock.now();
  for (const w of run.workloads) {
    const outcome = outcomes.get(workloadKey(w.ref));
    const why = `cancelled after ${at} s`;
    if (!w.changed) {
      w.result = { ...unchangedResult(w, run, now, why), reason: CANCELLED };
      continue;
    }
    const base = undecidedResult(w, run, now, why);
    const result: WorkloadResult['result'] = outcome?.restored ? 'rolled-back' : rollBackNow ? 'failed' : base.result;
    w.result = {
      ...base,
      result,
      reason: outcome && !outcome.restored && outcome.reason === 'Superseded' ? 'Superseded' : CANCELLED,
      ...(outcome?.rolledBackTo !== undefined ? { rolledBackTo: outcome.rolledBackTo } : {}),
      ...(outcome?.template ? { rolledBackToTemplate: outcome.template } : {}),
      ...(outcome
        ? { rollbackMessage: outcome.message, timeline: [...(base.timeline ?? []), ...outcome.timeline] }
        : {}),
    };
  }
  return { ...finish(run, 'failed'), reason: CANCELLED };
}

function finish(run: Run, result: RunOutcome): GateResult {
  const why = result === 'succeeded' ? 'not judged' : 'the run stopped before its verdict';
  notWaitedResults(run.objects, run.cluster.clock.now(), run.appliedAt, why);
  return {
    result,
    workloads: run.workloads.map((w) => withNamedTemplates(w.result!, w)),
    errors: [],
    applied: run.applied,
    objects: run.objects.map((o) => o.result!),
    ...(run.drift.length > 0 ? { drift: run.drift } : {}),
    phases: run.phases,
    simulated: run.cluster.mode === 'simulated',
  };
}

/** The result with its timeline's templates named by images and role (recorded by hash while watching). */
function withNamedTemplates(result: WorkloadResult, w: Workload): WorkloadResult {
  return result.timeline ? { ...result, timeline: namedTimeline(result.timeline, w.watched.templates) } : result;
}

/** Runs one phase, recording how long it took. */
async function timed<T>(run: Run, name: PhaseTiming['name'], fn: () => Promise<T>): Promise<T> {
  const start = run.cluster.clock.now();
  try {
    return await fn();
  } finally {
    run.phases.push({ name, seconds: round1((run.cluster.clock.now() - start) / 1000) });
  }
}
