/**
 * The PR dry run's report (pure): from the workloads before and after and what the simulated
 * rollout did, the template diff, the scaling steps, peak pods, extra capacity, minimum
 * availability, duration, the predicted verdict and the lint of risky settings; and the verdict
 * on every other object the run waited on (a migration Job that would fail fails the plan).
 */
import type { Container, PodSpec, PodTemplateSpec } from '../k8s/objects.js';
import { quantityMilliValue, quantityValue } from '../k8s/quantity.js';
import { templateDiff } from './diff.js';
import { desiredReplicas, strategyText, type PlannedWorkload } from './kinds.js';
import { lintWorkload } from './lint.js';
import type {
  Capacity,
  CapacityAssumption,
  ObjectPlan,
  Plan,
  PlanImages,
  PlanInput,
  PlanObjectInput,
  PlanWorkloadInput,
  RolloutStep,
  WorkloadPlan,
} from './types.js';

const SCALED = /^Scaled (up|down) replica set (\S+) to (\d+)/;

/** Builds the plan of every workload and object, in input order. */
export function buildPlan(input: PlanInput): Plan {
  const capacity = input.capacity ?? UNKNOWN_CAPACITY;
  const images = input.images ?? IMAGES_NOT_ASKED;
  const workloads = input.workloads.map((w) => planWorkload(w, input.timeoutSeconds, capacity, images));
  const objects = (input.objects ?? []).map(planObject);
  const fails =
    workloads.some((w) => w.prediction.result === 'fails') || objects.some((o) => o.prediction.result === 'fails');
  // A rollout that cannot be predicted is no green light either, but no reason to fail the PR.
  const risky = workloads.some((w) => w.lint.length > 0 || w.prediction.result === 'unknown');
  return {
    verdict: fails ? 'fails' : risky ? 'risky' : 'ok',
    workloads,
    objects,
    errors: [],
    baselineSource: input.baselineSource,
    capacity,
    images,
  };
}

/** No registry asked: the check is off, or nothing called the plan with it. */
export const IMAGES_NOT_ASKED: PlanImages = { checked: false, results: [], fromScenario: [], notes: [] };

export const UNKNOWN_CAPACITY: CapacityAssumption = {
  source: 'unknown',
  description: 'not known (no cluster, no scenario nodes), so nodes do not limit and no Unschedulable is predicted',
};

/**
 * The gate's verdict as a prediction. Pods that cannot be placed prove nothing when the nodes were
 * made up: with unknown capacity an Unschedulable outcome is said as not known, never as a failure.
 */
function predict(w: PlanWorkloadInput, capacity: CapacityAssumption, images: PlanImages): WorkloadPlan['prediction'] {
  const outcome = w.outcome;
  if (w.applyError) return { result: 'fails', reason: 'ApplyRejected', message: w.applyError };
  const used = new Set(templateImages(w.after));
  const checks = images.results.filter((c) => used.has(c.image));
  if (!outcome || (outcome.result !== 'failed' && outcome.result !== 'rolled-back')) {
    // A success on images nobody could look up is a success only if they exist.
    const unasked = checks.flatMap((c) =>
      c.result === 'not-checked' ? [`image ${c.image} not checked: ${c.reason}`] : [],
    );
    if (unasked.length > 0)
      return {
        result: 'unknown',
        reason: 'ImagesNotChecked',
        message: `would succeed if its images exist (not checked): ${unasked.join('; ')}`,
      };
    return { result: 'succeeds', message: outcome?.message ?? 'not observed' };
  }
  if (outcome.reason === 'Unschedulable' && capacity.source === 'unknown')
    return {
      result: 'unknown',
      reason: 'CapacityNotKnown',
      message: `capacity not known: without a cluster or scenario nodes the simulated pods could not be placed (${outcome.message})`,
    };
  // The registry's own answer, for the pull the simulated kubelet failed because of it.
  const answers =
    outcome.reason === 'ErrImagePull' || outcome.reason === 'ImagePullBackOff'
      ? checks.flatMap((c) =>
          c.result === 'not-found' || c.result === 'unauthorized' ? [`${c.registry}: ${c.answer} for ${c.image}`] : [],
        )
      : [];
  return {
    result: 'fails',
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    message: answers.length > 0 ? `${outcome.message} (${answers.join('; ')})` : outcome.message,
    ...(outcome.detectedAfterSeconds !== undefined ? { detectedAfterSeconds: outcome.detectedAfterSeconds } : {}),
  };
}

/** The scaling steps from the controller's ScalingReplicaSet events, replayed over the RS sizes before. */
export function rolloutSteps(
  replicaSetsBefore: PlanWorkloadInput['replicaSetsBefore'],
  newReplicaSet: string | undefined,
  events: PlanWorkloadInput['scalingEvents'],
): RolloutStep[] {
  const sizes = new Map(replicaSetsBefore.map((rs) => [rs.name, rs.replicas]));
  const steps: RolloutStep[] = [];
  for (const e of events) {
    const m = SCALED.exec(e.message);
    if (!m) continue;
    const name = m[2]!;
    const to = Number(m[3]);
    sizes.set(name, to);
    let oldReplicas = 0;
    for (const [rs, n] of sizes) if (rs !== newReplicaSet) oldReplicas += n;
    steps.push({
      t: e.t,
      direction: m[1] as 'up' | 'down',
      replicaSet: name === newReplicaSet ? 'new' : 'old',
      replicaSetName: name,
      to,
      oldReplicas,
      newReplicas: newReplicaSet ? (sizes.get(newReplicaSet) ?? 0) : 0,
    });
  }
  return steps;
}

/**
 * The verdict on an object the dry run waited on: failed or not Current in time is a predicted
 * failure (the real run would fail and roll back what it changed); skipped objects are said so.
 */
function planObject(o: PlanObjectInput): ObjectPlan {
  const result: ObjectPlan['prediction']['result'] =
    o.result === 'ready' ? 'ready' : o.result === 'skipped' || o.result === 'not-waited' ? 'skipped' : 'fails';
  return {
    kind: o.kind,
    apiVersion: o.apiVersion,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    name: o.name,
    ...(o.file ? { file: o.file } : {}),
    ...(o.line ? { line: o.line } : {}),
    prediction: {
      result,
      ...(o.reason ? { reason: o.reason } : {}),
      message: o.message,
      afterSeconds: o.waitedSeconds,
    },
  };
}

/** Requests of one pod of a template (undefined per resource when any container requests none). */
export function podRequests(template: { spec?: PodSpec } | PodTemplateSpec | undefined): Capacity {
  const containers: Container[] = template?.spec?.containers ?? [];
  let cpu: number | undefined = 0;
  let memory: number | undefined = 0;
  for (const c of containers) {
    const r = c.resources?.requests ?? {};
    cpu = cpu === undefined || r.cpu === undefined ? undefined : cpu + safe(() => quantityMilliValue(r.cpu!));
    memory = memory === undefined || r.memory === undefined ? undefined : memory + safe(() => quantityValue(r.memory!));
  }
  if (containers.length === 0) return {};
  return { ...(cpu !== undefined ? { cpuMilli: cpu } : {}), ...(memory !== undefined ? { memoryBytes: memory } : {}) };
}

function safe(fn: () => number): number {
  try {
    return fn();
  } catch {
    return 0;
  }
}

/** The images of a workload's pod template, init containers first, as the kubelet pulls them. */
export function templateImages(d: PlannedWorkload): string[] {
  const spec = d.spec.template?.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.image ?? '').filter(Boolean);
}

function planWorkload(
  w: PlanWorkloadInput,
  timeoutSeconds: number,
  capacity: CapacityAssumption,
  images: PlanImages,
): WorkloadPlan {
  const after = w.after;
  const before = w.before;
  const replicas = desiredReplicas(w.kind, after);
  const replicasBefore = before ? desiredReplicas(w.kind, before) : 0;
  const diff = templateDiff(before?.spec.template, after.spec.template);
  const change: WorkloadPlan['change'] = !before
    ? 'create'
    : diff.length > 0
      ? 'update'
      : replicasBefore !== replicas
        ? 'scale'
        : 'unchanged';
  const shape = w.kind === 'Deployment' ? replicaSetShape(w) : podShape(w, replicas);
  const minAvailable = w.availability.length > 0 ? Math.min(...w.availability.map((a) => a.available)) : replicas;
  const unavailableReached = Math.max(0, Math.min(replicas, replicasBefore || replicas) - minAvailable);
  const outcome = w.outcome;
  return {
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
    ...(w.file ? { file: w.file } : {}),
    ...(w.line ? { line: w.line } : {}),
    change,
    replicasBefore,
    replicas,
    strategy: strategyText(w.kind, after),
    templateDiff: diff,
    steps: shape.steps,
    peakPods: shape.peakPods,
    surgeReached: shape.surgeReached,
    unavailableReached,
    minAvailable,
    extraCapacity: shape.extraCapacity,
    durationSeconds: outcome?.durationSeconds ?? 0,
    prediction: predict(w, capacity, images),
    lint: lintWorkload(w.kind, after, before, timeoutSeconds, {
      ...(w.file ? { file: w.file } : {}),
      ...(w.line ? { line: w.line } : {}),
      ...(w.imageLines ? { imageLines: w.imageLines } : {}),
    }),
  };
}

type RolloutShape = Pick<WorkloadPlan, 'steps' | 'peakPods' | 'surgeReached' | 'extraCapacity'>;

/** A Deployment's rollout replayed from its ReplicaSets' scaling events. */
function replicaSetShape(w: PlanWorkloadInput): RolloutShape {
  const replicas = desiredReplicas(w.kind, w.after);
  const steps = rolloutSteps(w.replicaSetsBefore, w.newReplicaSet, w.scalingEvents);
  const initialPods = w.replicaSetsBefore.reduce((n, rs) => n + rs.replicas, 0);
  const peakPods = Math.max(initialPods, ...steps.map((s) => s.oldReplicas + s.newReplicas));
  const surgeReached = Math.max(0, peakPods - Math.max(replicas, initialPods));

  // Requests at each moment: old ReplicaSets at the old template's requests, the new at the new one's.
  const oldReq = podRequests((w.before ?? w.after).spec.template);
  const newReq = podRequests(w.after.spec.template);
  const at = (oldN: number, newN: number, key: keyof Capacity): number | undefined => {
    const o = oldReq[key];
    const n = newReq[key];
    if ((oldN > 0 && o === undefined) || (newN > 0 && n === undefined)) return undefined;
    return oldN * (o ?? 0) + newN * (n ?? 0);
  };
  const extra = (key: keyof Capacity): number | undefined => {
    const base = at(initialPods, 0, key);
    const points = [base, ...steps.map((s) => at(s.oldReplicas, s.newReplicas, key))];
    if (points.some((p) => p === undefined)) return undefined;
    return Math.max(0, ...(points as number[])) - (base ?? 0);
  };
  return { steps, peakPods, surgeReached, extraCapacity: capacityOf(extra('cpuMilli'), extra('memoryBytes')) };
}

/**
 * A StatefulSet's or DaemonSet's rollout, from its pods as observed: they are replaced in place
 * (or surged per node), so the peak and the extra capacity are what the pods were at their most.
 */
function podShape(w: PlanWorkloadInput, replicas: number): RolloutShape {
  const initial = w.podsBefore ?? { pods: 0, requests: {} };
  const seen = w.availability.filter((a) => a.pods !== undefined);
  const peakPods = Math.max(initial.pods, ...seen.map((a) => a.pods ?? 0));
  const surgeReached = Math.max(0, peakPods - Math.max(replicas, initial.pods));
  const extra = (key: keyof Capacity): number | undefined => {
    const points = [initial.requests[key], ...seen.map((a) => a.requests?.[key])];
    if (points.some((p) => p === undefined)) return undefined;
    return Math.max(0, ...(points as number[])) - (initial.requests[key] ?? 0);
  };
  return { steps: [], peakPods, surgeReached, extraCapacity: capacityOf(extra('cpuMilli'), extra('memoryBytes')) };
}

/** The sum of several requests; a resource is unknown (undefined) when any part does not request it. */
export function sumCapacities(parts: readonly Capacity[]): Capacity {
  let cpu: number | undefined = 0;
  let memory: number | undefined = 0;
  for (const r of parts) {
    cpu = cpu === undefined || r.cpuMilli === undefined ? undefined : cpu + r.cpuMilli;
    memory = memory === undefined || r.memoryBytes === undefined ? undefined : memory + r.memoryBytes;
  }
  return capacityOf(cpu, memory);
}

function capacityOf(cpu: number | undefined, memory: number | undefined): Capacity {
  return { ...(cpu !== undefined ? { cpuMilli: cpu } : {}), ...(memory !== undefined ? { memoryBytes: memory } : {}) };
}
