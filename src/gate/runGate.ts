import type { ClusterClient, WorkloadRef } from '../cluster/port.js';
import type { Deployment } from '../k8s/objects.js';
import type { GatePolicy } from '../rollout/policy.js';
import { policyWarnings } from '../rollout/policy.js';
import { applyManifests, ApplyError, type ApplyDocument } from './applyManifests.js';
import { recordBaseline, type Baseline } from './baseline.js';
import { captureEvidence } from './captureEvidence.js';
import type { GateLog } from './gateLog.js';
import { recordLastGood } from './recordLastGood.js';
import type { GateResult, PhaseTiming, RunOutcome, WorkloadResult } from './result.js';
import { rollbackWorkloads, type RollbackRequest } from './rollbackWorkloads.js';
import { watchRollouts, type WatchedWorkload } from './watchRollouts.js';
import { revisionOf } from '../rollout/revisions.js';

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
export async function runGate(cluster: ClusterClient, input: GateInput, log: GateLog): Promise<GateResult> {
  const clock = cluster.clock;
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

  const workloads: Workload[] = [];
  for (const [i, doc] of deploymentDocs.entries()) {
    const ref = refs[i]!;
    const baseline = recordBaseline(await cluster.observe(ref));
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

  // Apply.
  const origin = clock.now();
  let applied;
  try {
    applied = await timed('apply', () =>
      log.group('Apply', async () => {
        const outcome = await applyManifests(cluster, input.documents, {
          force: input.force,
          changeCause: input.changeCause,
        });
        for (const a of outcome.applied) log.info(`${a.kind.toLowerCase()}/${a.name} ${a.action}`);
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
    const generation = stored?.metadata.generation;
    w.changed = !w.baseline.exists || generation !== w.baseline.generation;
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
        { policy: input.policy, mode: 'rollout', stopOnFirstFailure: input.rollback === 'on-failure', origin },
        log,
      ),
    ),
  );

  const failedOnes = workloads.filter((w) => w.watched.verdict?.state === 'failed');
  const detectedAt = Math.min(...failedOnes.map((w) => w.watched.decidedAt ?? Infinity));
  for (const w of workloads) {
    // The revision this run produced; after a rollover the Deployment's current one is someone else's.
    const obs = w.watched.finalSnapshot?.deployment ?? (await cluster.observe(w.ref)).deployment;
    w.appliedRevision = w.watched.appliedRevision ?? (obs ? revisionOf(obs) : undefined);
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
    const outcome = outcomes.get(`${w.ref.namespace}/${w.ref.name}`);
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

  function finish(result: RunOutcome): GateResult {
    return {
      result,
      workloads: workloads.map((w) => w.result!),
      errors: [],
      applied: applied!.applied,
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
