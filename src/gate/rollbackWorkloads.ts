import type { ClusterClient, WorkloadRef } from '../cluster/port.js';
import { ApiError } from '../k8s/apiError.js';
import type { PodTemplateSpec } from '../k8s/objects.js';
import { workloadKindOf, workloadLabel } from '../k8s/workloadKinds.js';
import { rollbackKindOf } from '../rollback/rollbackKinds.js';
import type { WorkloadSnapshot } from '../rollout/snapshot.js';
import { rolloutKindOf } from '../rollout/workloads/index.js';
import type { RolledOut } from '../rollout/workloads/rolloutKind.js';
import { templateImages, templatesEqualIgnoringHash } from '../rollout/revisions.js';
import { GATE_FIELD_MANAGER } from '../rollback/undoApply.js';
import type { GatePolicy } from '../rollout/policy.js';
import { restartBaselineOf } from '../rollout/restarts.js';
import type { Baseline } from './baseline.js';
import { sectionOnDemand, type GateLog } from './gateLog.js';
import type { RestoredTemplate, TimelinePoint } from './result.js';
import { restoredTemplateText } from '../report/format.js';
import type { TemplateCatalogue } from '../report/templateNames.js';
import { withMark } from './outcomes.js';
import { watchRollouts, type WatchedWorkload } from './watchRollouts.js';

export interface RollbackRequest {
  ref: WorkloadRef;
  baseline: Baseline;
  /**
   * The pod template this run applied: a different one means someone else deployed since (a scale
   * or an annotation by someone else is not a new deploy, README "What the gate judges").
   */
  appliedTemplate?: PodTemplateSpec;
  createdByRun: boolean;
  /** The templates the rollout's timeline saw: the rollback's watch adds to them, and names the restored one. */
  templates?: TemplateCatalogue;
}

export interface RollbackOutcome {
  /** The Deployment is back on a good revision and verified healthy. */
  restored: boolean;
  rolledBackTo?: number;
  /** The template restored (its images and revision before the undo renumbered it). */
  template?: RestoredTemplate;
  /** Why not restored: Superseded, Paused, NoGoodRevision, RollbackFailed, ... */
  reason?: string;
  message: string;
  timeline: TimelinePoint[];
}

export interface RollbackOptions {
  policy: GatePolicy;
  timeoutSeconds: number;
  onNoGoodRevision: 'leave' | 'scale-to-zero' | 'delete';
  origin: number;
  /** Called once every undo is sent, before verifying them (a cancelled run gives its Leases back). */
  afterSend?: () => Promise<void>;
}

/** Attempts at sending one undo when the Deployment's status keeps moving under us. */
const MAX_ATTEMPTS = 8;

/**
 * Rolls back every requested Deployment to its last good revision, then verifies all of them
 * concurrently under the rollback's own deadline. Each undo is conditional on the Deployment
 * still having the template this run applied and on the resourceVersion last observed, so a
 * newer deploy by someone else is reported as Superseded, never overwritten.
 */
export async function rollbackWorkloads(
  cluster: ClusterClient,
  requests: RollbackRequest[],
  options: RollbackOptions,
  log: GateLog,
): Promise<Map<string, RollbackOutcome>> {
  // The "Rollback" header only above a real undo: a refusal or "left as it is" is said outside it.
  const section = sectionOnDemand(log, 'Rollback');
  try {
    return await rollBackAll(cluster, requests, options, log, section.open);
  } finally {
    await section.close();
  }
}

async function rollBackAll(
  cluster: ClusterClient,
  requests: RollbackRequest[],
  options: RollbackOptions,
  log: GateLog,
  openSection: () => void,
): Promise<Map<string, RollbackOutcome>> {
  const outcomes = new Map<string, RollbackOutcome>();
  const verifying: Array<{ key: string; watched: WatchedWorkload; restored: RestoredTemplate }> = [];
  for (const request of requests) {
    const key = workloadKey(request.ref);
    // Restarts of the pods the rollback returns to count from the rollback on (issue 9 #4).
    const restartBaseline = restartBaselineOf((await cluster.observe(request.ref)).pods);
    const sent = await sendUndo(cluster, request, options, log, openSection);
    if ('outcome' in sent) {
      outcomes.set(key, sent.outcome);
      continue;
    }
    verifying.push({
      key,
      watched: {
        ref: request.ref,
        context: {
          appliedAt: sent.at,
          appliedGeneration: sent.generation,
          name: request.ref.name,
          mode: 'rollback',
          restartBaseline,
        },
        progress: [],
        timeline: [],
        templates: request.templates ?? { seen: new Map() },
      },
      restored: sent.restored,
    });
    outcomes.set(key, { restored: false, message: sent.explanation, timeline: [] });
  }
  await options.afterSend?.();
  if (verifying.length === 0) return outcomes;

  await watchRollouts(
    cluster,
    verifying.map((v) => v.watched),
    {
      policy: { ...options.policy, timeoutSeconds: options.timeoutSeconds },
      mode: 'rollback',
      stopOnFirstFailure: false,
      origin: options.origin,
    },
    log,
  );
  for (const { key, watched, restored } of verifying) {
    const verdict = watched.verdict!;
    const kind = rolloutKindOf(workloadKindOf(watched.ref));
    const revision = watched.finalSnapshot ? kind.revision(watched.finalSnapshot) : undefined;
    const previous = outcomes.get(key)!;
    // The first observation after the undo patch marks the start of the rollback on the chart.
    const started = watched.timeline.map((p, i) => (i === 0 ? { ...p, note: 'rollback started' } : p));
    const done =
      watched.decidedAt !== undefined ? Math.round((watched.decidedAt - options.origin) / 100) / 10 : undefined;
    const timeline =
      verdict.state === 'succeeded' && done !== undefined && started.length > 0
        ? withMark(started, done, 'rolled back')
        : started;
    if (verdict.state === 'succeeded') {
      const target = restoredTemplateText({ rolledBackTo: revision, rolledBackToTemplate: restored });
      log.info(`${workloadLabel(watched.ref)} rolled back to ${target}, and healthy again`);
      outcomes.set(key, {
        restored: true,
        rolledBackTo: revision,
        template: restored,
        message: previous.message,
        timeline,
      });
    } else {
      log.error(
        `the rollback of ${workloadLabel(watched.ref)} did not complete: ${verdict.reason}: ${verdict.message}`,
      );
      outcomes.set(key, {
        restored: false,
        reason: 'RollbackFailed',
        message: `${previous.message}; the rollback did not complete: ${verdict.message}`,
        timeline,
      });
    }
  }
  return outcomes;
}

type Sent =
  { at: number; generation?: number; explanation: string; restored: RestoredTemplate } | { outcome: RollbackOutcome };

async function sendUndo(
  cluster: ClusterClient,
  request: RollbackRequest,
  options: RollbackOptions,
  log: GateLog,
  openSection: () => void,
): Promise<Sent> {
  const { ref } = request;
  const kind = rolloutKindOf(workloadKindOf(ref));
  /** The template of the undo already sent, whose answer was lost or refused: it may be in place. */
  let sent: { template: PodTemplateSpec; explanation: string; restored: RestoredTemplate } | undefined;
  for (let attempt = 1; ; attempt++) {
    const observed = await cluster.observe(ref);
    // After a failed attempt the watch cache may lag behind (or miss our own write): read afresh.
    const workload =
      attempt === 1
        ? kind.object(observed)
        : await cluster.get<RolledOut>('apps/v1', kind.kind, ref.namespace, ref.name);
    if (workload && sent && templatesEqualIgnoringHash(workload.spec.template, sent.template)) {
      // Idempotent: our undo was committed (its answer lost); never send a second one.
      const { explanation, restored } = sent;
      return { at: cluster.clock.now(), generation: workload.metadata.generation, explanation, restored };
    }
    if (
      workload &&
      request.appliedTemplate &&
      !templatesEqualIgnoringHash(workload.spec.template, request.appliedTemplate)
    ) {
      return superseded(ref, log);
    }
    // The workload as just read, in the observation the planner reads.
    const now = {
      ...observed,
      ...(kind.kind === 'Deployment' ? { deployment: workload } : { workload }),
    } as WorkloadSnapshot;
    const rollback = rollbackKindOf(kind.kind);
    const refused = rollback.cannotRollBack(now);
    if (refused) {
      log.error(refused);
      return { outcome: { restored: false, reason: 'Paused', message: refused, timeline: [] } };
    }
    const plan = rollback.plan(now, request.baseline.preApply);
    if (plan.kind === 'none') {
      if (plan.reason === 'NoGoodRevision' && request.createdByRun)
        return noGoodRevision(cluster, request, options, plan.message, log);
      log.error(`${workloadLabel(ref)}: not rolled back: ${plan.message}`);
      return { outcome: { restored: false, reason: plan.reason, message: plan.message, timeline: [] } };
    }
    openSection();
    if (!sent) log.info(plan.explanation);
    const restored = {
      ...(plan.targetRevision !== undefined ? { revision: plan.targetRevision } : {}),
      images: templateImages(plan.template),
    };
    sent = { template: plan.template, explanation: plan.explanation, restored };
    if (request.templates) request.templates.restored = plan.template;
    try {
      // A server-side apply under the deploy's own field manager (so the next deploy never
      // conflicts with this undo), forced over whoever co-owns the failing values, and conditional
      // on the resourceVersion just read (see undoApply.ts).
      const stored = await cluster.apply(plan.apply, { fieldManager: GATE_FIELD_MANAGER, force: true });
      await replaceStuckPods(cluster, ref, request.appliedTemplate, log);
      return {
        at: cluster.clock.now(),
        generation: stored.metadata.generation,
        explanation: plan.explanation,
        restored,
      };
    } catch (err) {
      // A status write by the controller between our read and our patch also moves the
      // resourceVersion: re-read, and only give up when the spec itself changed (above).
      // A lost connection whose retries ran out is ambiguous too: re-check before anything else.
      if ((ApiError.isConflict(err) || (err instanceof ApiError && err.code === 0)) && attempt < MAX_ATTEMPTS) continue;
      const why = err instanceof ApiError ? err.message : String(err);
      log.error(`${workloadLabel(ref)}: the rollback was refused: ${why}`);
      return {
        outcome: {
          restored: false,
          reason: 'RollbackFailed',
          message: `the rollback was refused: ${why}`,
          timeline: [],
        },
      };
    }
  }
}

/**
 * The forced rollback of a StatefulSet (revisionRollback.ts podsToReplace): once its template is
 * restored, the pods stuck on the failed one are deleted so the controller recreates them from the
 * restored revision instead of waiting for them forever. Nothing for other kinds.
 */
async function replaceStuckPods(
  cluster: ClusterClient,
  ref: WorkloadRef,
  failed: PodTemplateSpec | undefined,
  log: GateLog,
): Promise<void> {
  const stuck = rollbackKindOf(workloadKindOf(ref)).podsToReplace(await cluster.observe(ref), failed);
  for (const pod of stuck) {
    const name = pod.metadata.name ?? '';
    await cluster.delete('v1', 'Pod', ref.namespace, name).catch((err: unknown) => {
      if (!ApiError.isNotFound(err)) throw err;
    });
    log.info(
      `deleted pod "${name}", stuck on the failed revision: the StatefulSet controller would wait for it forever ` +
        '(forced rollback, https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#forced-rollback)',
    );
  }
}

function superseded(ref: WorkloadRef, log: GateLog): Sent {
  const message = `${workloadLabel(ref)} was changed by someone else after this run applied it; not rolling back over a newer deploy`;
  log.error(message);
  return { outcome: { restored: false, reason: 'Superseded', message, timeline: [] } };
}

/** A Deployment this run created has no good revision: do what the user asked for. */
async function noGoodRevision(
  cluster: ClusterClient,
  request: RollbackRequest,
  options: RollbackOptions,
  why: string,
  log: GateLog,
): Promise<Sent> {
  const { ref } = request;
  const base = `${workloadLabel(ref)} was created by this run and has no good revision to return to`;
  switch (options.onNoGoodRevision) {
    case 'scale-to-zero':
      if (workloadKindOf(ref) === 'DaemonSet') {
        log.warn(`${base}; a DaemonSet has no replicas to scale to 0: left as it is (use on-no-good-revision: delete)`);
        return {
          outcome: { restored: false, reason: 'NoGoodRevision', message: `${base}; left as it is`, timeline: [] },
        };
      }
      await cluster.scaleWorkload(ref, 0);
      log.warn(`${base}; scaled it to 0 replicas (on-no-good-revision: scale-to-zero)`);
      return {
        outcome: { restored: false, reason: 'NoGoodRevision', message: `${base}; scaled to 0 replicas`, timeline: [] },
      };
    case 'delete':
      // Idempotent: a retry of a delete whose answer was lost finds it gone.
      await cluster.delete('apps/v1', workloadKindOf(ref), ref.namespace, ref.name).catch((err: unknown) => {
        if (!ApiError.isNotFound(err)) throw err;
      });
      log.warn(`${base}; deleted it (on-no-good-revision: delete)`);
      return { outcome: { restored: false, reason: 'NoGoodRevision', message: `${base}; deleted it`, timeline: [] } };
    case 'leave':
      log.warn(`${base}; left as it is (on-no-good-revision: leave; use scale-to-zero or delete to clean up) — ${why}`);
      return {
        outcome: { restored: false, reason: 'NoGoodRevision', message: `${base}; left as it is`, timeline: [] },
      };
  }
}

/** `<namespace>/<name>` for a Deployment, `<Kind>/<namespace>/<name>` otherwise: how outcomes are keyed. */
export function workloadKey(ref: WorkloadRef): string {
  const kind = workloadKindOf(ref);
  return kind === 'Deployment' ? `${ref.namespace}/${ref.name}` : `${kind}/${ref.namespace}/${ref.name}`;
}
