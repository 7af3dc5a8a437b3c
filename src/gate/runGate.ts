import type { ClusterClient, WorkloadObservation, WorkloadRef } from '../cluster/port.js';
import type { Deployment } from '../k8s/objects.js';
import type { GatePolicy } from '../rollout/policy.js';
import { policyWarnings } from '../rollout/policy.js';
import { applyManifests, ApplyError, type ApplyDocument } from './applyManifests.js';
import { formatDrift } from '../report/drift.js';
import { recordBaseline, type Baseline } from './baseline.js';
import { captureEvidence } from './captureEvidence.js';
import type { GateLog } from './gateLog.js';
import { recordLastGood } from './recordLastGood.js';
import type { GateResult, PhaseTiming, RunOutcome, WorkloadResult } from './result.js';
import { rollbackWorkloads, workloadKey, type RollbackOutcome, type RollbackRequest } from './rollbackWorkloads.js';
import { watchRollouts, type WatchedWorkload } from './watchRollouts.js';
import { revisionOf } from '../rollout/revisions.js';
import { SeededRandom } from '../clock/seededRandom.js';
import type { RandomSource } from '../cluster/retry.js';
import { acquireLock, releaseLock, type Lease, type LockOutcome } from './lock.js';
import { GATE_RETRY_POLICY, RetryingCluster } from './retryingCluster.js';

/** A manifest document plus the lines of its container images (from the manifest loader). */
export interface GateDocument extends ApplyDocument {
  imageLines?: Record<string, number>;
}

export interface GateInput {
  /** Validated documents in apply order. */
  documents: GateDocument[];
  policy: GatePolicy;
  rollback: 'on-failure' | 'never';
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
  /** Take a lease on every Deployment for the run (default true; see lock.ts). */
  lock?: boolean;
  /** The lease holder's name (default: rollout-gate-<random>); make it say who runs (CI run id, host). */
  lockHolder?: string;
  /** Jitter of the retries (default: seeded from the clock). */
  random?: RandomSource;
}

/** One gated Deployment, from baseline to outcome. */
interface Workload {
  ref: WorkloadRef;
  doc: GateDocument;
  baseline: Baseline;
  watched: WatchedWorkload;
  /** True when this run changed its spec (created it, or bumped its generation). */
  changed: boolean;
  appliedRevision?: number;
  result?: WorkloadResult;
}

/**
 * The use case: apply every document, watch every Deployment concurrently under one budget,
 * judge, and when one fails roll back every Deployment this run changed to its last good
 * revision, verifying the rollback. Pure orchestration over the ClusterClient port.
 */
export async function runGate(client: ClusterClient, input: GateInput, log: GateLog): Promise<GateResult> {
  const clock = client.clock;
  const startedAt = clock.now();
  const random = input.random ?? new SeededRandom(startedAt >>> 0);
  const budgetMs = (input.policy.timeoutSeconds + input.rollbackTimeoutSeconds) * 1000 + 60_000;
  // Every request is retried (429/5xx/lost connection) with back-off and jitter within the budget.
  // One request never retries longer than the run's own timeout (an unreachable cluster fails a
  // `--timeout 2s` run in about 2 s), nor past the whole budget.
  const cluster = new RetryingCluster(client, {
    random,
    notAfter: () => startedAt + budgetMs,
    policy: { deadlineMs: Math.min(GATE_RETRY_POLICY.deadlineMs, input.policy.timeoutSeconds * 1000) },
  });
  const holder = input.lockHolder ?? `rollout-gate-${Math.floor(random.next() * 2 ** 40).toString(16)}`;
  const held: WorkloadRef[] = [];
  const lease = async (ref: WorkloadRef): Promise<LockOutcome | undefined> => {
    if (input.lock === false) return undefined;
    const outcome = await acquireLock(cluster, ref, holder, budgetMs);
    if (outcome.state === 'held') held.push(ref);
    return outcome;
  };
  try {
    return await gateRun(cluster, input, log, lease);
  } finally {
    for (const ref of held) await releaseLock(cluster, ref, holder);
  }
}

async function gateRun(
  cluster: ClusterClient,
  input: GateInput,
  log: GateLog,
  lease: (ref: WorkloadRef) => Promise<LockOutcome | undefined>,
): Promise<GateResult> {
  const clock = cluster.clock;
  const signal = input.signal;
  const phases: PhaseTiming[] = [];
  const timed = async <T>(name: PhaseTiming['name'], fn: () => Promise<T>): Promise<T> => {
    const start = clock.now();
    try {
      return await fn();
    } finally {
      phases.push({ name, seconds: round1((clock.now() - start) / 1000) });
    }
  };

  const deploymentDocs = input.documents.filter((d) => d.object.kind === 'Deployment');
  const refs = deploymentDocs.map((d) => ({
    namespace: d.object.metadata.namespace ?? 'default',
    name: d.object.metadata.name ?? '',
  }));
  await cluster.watch(refs);
  // What each Deployment looked like before this run wrote anything: taking the lease below
  // changes annotations, which bumps the generation, and until the controller has observed that
  // the stored status no longer proves the previous revision was fully available.
  const untouched = new Map<string, WorkloadObservation>();
  for (const ref of refs) untouched.set(workloadKey(ref), await cluster.observe(ref));

  // Leases first: a live lease of another run on any Deployment means nothing is applied at all.
  const locked: Array<{ ref: WorkloadRef; lease: Lease }> = [];
  for (const ref of refs) {
    const outcome = await lease(ref);
    if (outcome?.state === 'locked') locked.push({ ref, lease: outcome.lease });
  }
  if (locked.length > 0) return lockedResult(locked, log, cluster.mode === 'simulated');

  const workloads: Workload[] = [];
  for (const [i, doc] of deploymentDocs.entries()) {
    const ref = refs[i]!;
    const baseline = recordBaseline(await cluster.observe(ref), untouched.get(workloadKey(ref)));
    for (const warning of policyWarnings(input.policy, doc.object as Deployment))
      log.warn(warning, { file: doc.file, line: doc.line });
    if (baseline.paused)
      log.warn(
        `deployment "${ref.name}" is paused in the cluster; the gate cannot roll it out or back until it is resumed`,
      );
    workloads.push({
      ref,
      doc,
      baseline,
      changed: false,
      watched: { ref, context: { appliedAt: 0, name: ref.name }, progress: [], timeline: [] },
    });
  }

  if (signal?.aborted) return cancelledBeforeApply();

  // Apply.
  const origin = clock.now();
  let applied;
  try {
    applied = await timed('apply', () =>
      log.group('Apply', async () => {
        const outcome = await applyManifests(cluster, input.documents, {
          force: input.force,
          changeCause: input.changeCause,
          signal,
        });
        for (const a of outcome.applied) log.info(`${a.kind.toLowerCase()}/${a.name} ${a.action}`);
        for (const d of outcome.drift) log.warn(formatDrift(d));
        return outcome;
      }),
    );
  } catch (err) {
    if (err instanceof ApplyError) {
      log.error(err.message, { file: err.document.file, line: err.document.line });
      return {
        result: 'failed',
        workloads: [],
        errors: [{ file: err.document.file, line: err.document.line, message: err.cause.message }],
        applied: err.appliedBefore,
        phases,
        simulated: cluster.mode === 'simulated',
      };
    }
    throw err;
  }
  const appliedAt = clock.now();
  for (const w of workloads) {
    const stored = applied.stored[input.documents.indexOf(w.doc)] as Deployment | undefined;
    let generation = stored?.metadata.generation;
    // Not applied at all (cancelled before its document): not changed by this run.
    w.changed = stored !== undefined && (!w.baseline.exists || generation !== w.baseline.generation);
    if (stored && !w.baseline.exists) {
      // Created by this run: leased now; the lease's annotation write moves the generation (ours).
      const outcome = await lease(w.ref);
      if (outcome?.state === 'held') generation = outcome.deployment.metadata.generation;
    }
    w.watched.context = {
      appliedAt,
      appliedGeneration: generation,
      baselineRevision: w.baseline.revision,
      name: w.ref.name,
      mode: 'rollout',
    };
    w.watched.appliedTemplate = stored?.spec.template;
  }

  // Watch.
  await timed('watch', () =>
    log.group('Rollout', () =>
      watchRollouts(
        cluster,
        workloads.map((w) => w.watched),
        {
          policy: input.policy,
          mode: 'rollout',
          stopOnFirstFailure: input.rollback === 'on-failure',
          origin,
          ...(signal ? { signal } : {}),
        },
        log,
      ),
    ),
  );
  if (signal?.aborted) return cancelled();

  const failedOnes = workloads.filter((w) => w.watched.verdict?.state === 'failed');
  const detectedAt = Math.min(...failedOnes.map((w) => w.watched.decidedAt ?? Infinity));
  for (const w of workloads) {
    // The revision this run produced; after a rollover the Deployment's current one is someone else's.
    if (w.watched.appliedRevision !== undefined) {
      w.appliedRevision = w.watched.appliedRevision;
      continue;
    }
    const obs = w.watched.finalSnapshot?.deployment ?? (await cluster.observe(w.ref)).deployment;
    w.appliedRevision = obs ? revisionOf(obs) : undefined;
  }

  if (failedOnes.length === 0) {
    for (const w of workloads) {
      const verdict = w.watched.verdict!;
      const unchanged = !w.changed && w.baseline.preApply.fullyAvailable;
      w.result = {
        kind: 'Deployment',
        namespace: w.ref.namespace,
        name: w.ref.name,
        result: unchanged ? 'unchanged' : 'succeeded',
        ...(w.appliedRevision ? { revision: w.appliedRevision } : {}),
        ...(w.baseline.revision ? { previousRevision: w.baseline.revision } : {}),
        message: unchanged ? `deployment "${w.ref.name}" unchanged; ${verdict.message}` : verdict.message,
        durationSeconds: round1(((w.watched.decidedAt ?? clock.now()) - appliedAt) / 1000),
        progress: w.watched.progress,
        timeline: w.watched.timeline,
      };
    }
    await recordLastGood(
      cluster,
      workloads.map((w) => ({ ref: w.ref, snapshot: w.watched.finalSnapshot })),
      log,
    );
    return finish('succeeded');
  }

  // Capture evidence of every failure before anything is rolled back.
  await timed('capture', async () => {
    for (const w of failedOnes) {
      const failure = w.watched.verdict!.failure!;
      const lines = Object.fromEntries(
        Object.entries(w.doc.imageLines ?? {}).map(([c, line]) => [c, { file: w.doc.file, line }]),
      );
      const evidence = await captureEvidence(cluster, w.ref, failure, w.watched.finalSnapshot!, lines);
      w.result = failedResult(w, appliedAt, clock.now());
      w.result.evidence = evidence;
      log.error(`deployment "${w.ref.name}" failed: ${w.watched.verdict!.reason}: ${w.watched.verdict!.message}`, {
        file: evidence.find((e) => e.file)?.file ?? w.doc.file,
        line: evidence.find((e) => e.line)?.line ?? w.doc.line,
      });
    }
  });

  if (input.rollback === 'never') {
    for (const w of workloads) w.result ??= undecidedResult(w, appliedAt, clock.now(), 'rollback disabled');
    log.warn('rollback is disabled (--rollback never): the failed revision stays in place');
    return finish('failed');
  }

  // Roll back every Deployment this run changed, failed or not, together.
  const requests: RollbackRequest[] = workloads
    .filter((w) => w.changed)
    .map((w) => ({
      ref: w.ref,
      baseline: w.baseline,
      appliedGeneration: w.watched.context.appliedGeneration,
      createdByRun: !w.baseline.exists,
    }));
  const outcomes = await timed('rollback', () =>
    log.group('Rollback', () =>
      rollbackWorkloads(
        cluster,
        requests,
        {
          policy: input.policy,
          timeoutSeconds: input.rollbackTimeoutSeconds,
          onNoGoodRevision: input.onNoGoodRevision,
          origin,
        },
        log,
      ),
    ),
  );
  let allRestored = true;
  for (const w of workloads) {
    const outcome = outcomes.get(workloadKey(w.ref));
    w.result ??= undecidedResult(
      w,
      appliedAt,
      clock.now(),
      `rolled back because ${failedOnes.map((f) => f.ref.name).join(', ')} failed`,
    );
    if (!outcome) {
      // Not changed by this run: nothing to roll back.
      if (w.result.result !== 'failed') w.result.result = 'unchanged';
      continue;
    }
    w.result.durationSeconds = round1((clock.now() - appliedAt) / 1000);
    w.result.rollbackMessage = outcome.message;
    w.result.timeline = [...(w.result.timeline ?? []), ...outcome.timeline];
    if (outcome.restored) {
      w.result.result = 'rolled-back';
      if (outcome.rolledBackTo !== undefined) w.result.rolledBackTo = outcome.rolledBackTo;
    } else {
      allRestored = false;
      w.result.result = 'failed';
      if (outcome.reason && w.watched.verdict?.state !== 'failed') w.result.reason = outcome.reason;
      if (outcome.reason === 'Superseded') w.result.reason = 'Superseded';
    }
  }
  return finish(allRestored ? 'rolled-back' : 'failed');

  /** Cancelled before anything was applied: nothing to undo. */
  function cancelledBeforeApply(): GateResult {
    log.error('the run was cancelled before anything was applied');
    return {
      result: 'failed',
      reason: CANCELLED,
      workloads: workloads.map((w) => ({
        kind: 'Deployment',
        namespace: w.ref.namespace,
        name: w.ref.name,
        result: 'unchanged',
        reason: CANCELLED,
        message: 'the run was cancelled before anything was applied',
        durationSeconds: 0,
      })),
      errors: [],
      applied: [],
      phases,
      simulated: cluster.mode === 'simulated',
    };
  }

  /**
   * Cancelled after (part of) the apply: roll back what this run changed, when asked to, and
   * report every workload's state. The rollback itself is not cancellable: it is what makes the
   * state consistent.
   */
  async function cancelled(): Promise<GateResult> {
    const at = round1((clock.now() - origin) / 1000);
    const rollBack = input.rollbackOnCancel !== false;
    log.error(
      `the run was cancelled after ${at} s` +
        (rollBack ? '; rolling back what it changed' : '; leaving what it applied in place (rollback-on-cancel false)'),
    );
    const changed = workloads.filter((w) => w.changed);
    const outcomes =
      rollBack && changed.length > 0
        ? await timed('rollback', () =>
            log.group('Rollback', () =>
              rollbackWorkloads(
                cluster,
                changed.map((w) => ({
                  ref: w.ref,
                  baseline: w.baseline,
                  appliedGeneration: w.watched.context.appliedGeneration,
                  createdByRun: !w.baseline.exists,
                })),
                {
                  policy: input.policy,
                  timeoutSeconds: input.rollbackTimeoutSeconds,
                  onNoGoodRevision: input.onNoGoodRevision,
                  origin,
                },
                log,
              ),
            ),
          )
        : new Map<string, RollbackOutcome>();
    for (const w of workloads) {
      const outcome = outcomes.get(workloadKey(w.ref));
      const base = undecidedResult(w, appliedAt, clock.now(), `cancelled after ${at} s`);
      const result: WorkloadResult['result'] = !w.changed
        ? 'unchanged'
        : outcome?.restored
          ? 'rolled-back'
          : rollBack
            ? 'failed'
            : base.result;
      w.result = {
        ...base,
        result,
        reason: outcome && !outcome.restored && outcome.reason === 'Superseded' ? 'Superseded' : CANCELLED,
        ...(outcome?.rolledBackTo !== undefined ? { rolledBackTo: outcome.rolledBackTo } : {}),
        ...(outcome
          ? { rollbackMessage: outcome.message, timeline: [...(base.timeline ?? []), ...outcome.timeline] }
          : {}),
      };
    }
    return { ...finish('failed'), reason: CANCELLED };
  }

  function finish(result: RunOutcome): GateResult {
    return {
      result,
      workloads: workloads.map((w) => w.result!),
      errors: [],
      applied: applied!.applied,
      ...(applied!.drift.length > 0 ? { drift: applied!.drift } : {}),
      phases,
      simulated: cluster.mode === 'simulated',
    };
  }

  function failedResult(w: Workload, start: number, now: number): WorkloadResult {
    const verdict = w.watched.verdict!;
    return {
      kind: 'Deployment',
      namespace: w.ref.namespace,
      name: w.ref.name,
      result: 'failed',
      ...(w.appliedRevision ? { revision: w.appliedRevision } : {}),
      ...(w.baseline.revision ? { previousRevision: w.baseline.revision } : {}),
      reason: verdict.reason,
      message: verdict.message,
      durationSeconds: round1((now - start) / 1000),
      detectedAfterSeconds: round1((detectedAt - start) / 1000),
      progress: w.watched.progress,
      timeline: [
        ...w.watched.timeline,
        { t: round1((detectedAt - origin) / 1000), ...lastPoint(w), note: 'failure declared' },
      ],
    };
  }
}

/** The run's reason when a signal cancelled it. */
export const CANCELLED = 'Cancelled';
/** The run's reason when another run holds a lease on one of its Deployments. */
export const LOCKED = 'Locked';

function lockedResult(locked: Array<{ ref: WorkloadRef; lease: Lease }>, log: GateLog, simulated: boolean): GateResult {
  const workloads: WorkloadResult[] = locked.map(({ ref, lease }) => {
    const until = new Date(lease.expiresAt).toISOString();
    const message =
      `deployment "${ref.name}" is being deployed by another gate run (${lease.holder}, lease until ${until}); ` +
      'nothing was applied';
    log.error(message);
    return {
      kind: 'Deployment',
      namespace: ref.namespace,
      name: ref.name,
      result: 'failed',
      reason: LOCKED,
      message,
      durationSeconds: 0,
    };
  });
  return { result: 'failed', reason: LOCKED, workloads, errors: [], applied: [], phases: [], simulated };
}

function undecidedResult(w: Workload, start: number, now: number, why: string): WorkloadResult {
  const verdict = w.watched.verdict;
  return {
    kind: 'Deployment',
    namespace: w.ref.namespace,
    name: w.ref.name,
    result: verdict?.state === 'succeeded' ? 'succeeded' : 'failed',
    ...(w.appliedRevision ? { revision: w.appliedRevision } : {}),
    ...(w.baseline.revision ? { previousRevision: w.baseline.revision } : {}),
    message: `${verdict?.message ?? 'not observed'} (${why})`,
    durationSeconds: round1((now - start) / 1000),
    progress: w.watched.progress,
    timeline: w.watched.timeline,
  };
}

function lastPoint(w: Workload): { oldReady: number; newReady: number } {
  const last = w.watched.timeline[w.watched.timeline.length - 1];
  return { oldReady: last?.oldReady ?? 0, newReady: last?.newReady ?? 0 };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
