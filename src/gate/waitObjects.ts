import type { ClusterClient } from '../cluster/port.js';
import { ApiError } from '../k8s/apiError.js';
import { builtinResource } from '../k8s/builtinResources.js';
import { isWorkloadKind } from '../k8s/workloadKinds.js';
import type { KubeEvent, KubeObject, Pod } from '../k8s/objects.js';
import { eventLine } from '../rollout/detectors/common.js';
import { conditionsOf, inProgress, type JsonObject } from '../rollout/kinds/health.js';
import {
  judgeWait,
  readWaitControls,
  type Health,
  type HealthChecks,
  type WaitVerdict,
} from '../rollout/kinds/index.js';
import { formatDuration } from '../rollout/policy.js';
import type { GateLog } from './gateLog.js';
import { round1 } from './outcomes.js';
import type { FailedPod, ObjectCondition, ObjectResult } from './result.js';

/** One applied object the run waits on (every kind but Deployment, which has its own judge). */
export interface WaitedObject {
  /** The object as the apply stored it: its first reading, for free. */
  applied: KubeObject;
  /** When to read it again (ms); undefined before the first judgement. */
  nextReadAt?: number;
  /** Start of the current Failed streak (judgeWait's tolerance). */
  failedSince?: number;
  lastHealth?: Health;
  result?: ObjectResult;
}

export interface ObjectWaitOptions {
  /** The end of the apply (ms): waits and the timeout count from here. */
  appliedAt: number;
  timeoutSeconds: number;
  /** Re-read cadence of an object that is not Current yet (the Deployment watch's recheck, 1 s). */
  recheckMs?: number;
  checks?: HealthChecks;
  /** Failed tolerance of objects without the annotation (ms; default 0). */
  defaultFailedToleranceMs?: number;
  /** Stop at the first failure (rollback on-failure): the run is over. */
  stopOnFirstFailure: boolean;
  /** Waits for a change or `maxMs` (SharedWait.wait, or the cluster's waitForChange). */
  wait: (maxMs: number) => Promise<void>;
  signal?: AbortSignal;
}

/** The longest pause between two reads of one slow object. */
export const MAX_READ_INTERVAL_MS = 10_000;
/** How many events of a failed object are kept (the most recent). */
const MAX_EVENTS = 10;

/**
 * Whether an applied object is waited on here: every kind but the workloads the gate rolls out
 * (Deployments, StatefulSets, DaemonSets: their rollouts have the gate's fail-fast judge,
 * watchRollouts.ts).
 */
export function waitsOnObject(object: KubeObject): boolean {
  return !isWorkloadKind(object.apiVersion, object.kind);
}

/**
 * Waits until every object is Current by kstatus's rules (or a custom rule), Failed past its
 * tolerance, or the run's timeout (`appliedAt + timeoutSeconds`, exactly). Cheap on a real
 * cluster: a built-in object is first judged as the apply returned it, and one Current then is
 * never read (a custom resource is read once first: its operator may not have written a status
 * yet when the apply answered, and without one kstatus calls it Current); one that is not is re-read every
 * `recheckMs` at first, then less often the longer it takes (a tenth of its wait so far, at most
 * every 10 s), and exactly at its tolerance's end and at the timeout. Results go on each object.
 */
export async function waitForObjects(
  cluster: ClusterClient,
  objects: WaitedObject[],
  options: ObjectWaitOptions,
  log: GateLog,
): Promise<void> {
  const recheckMs = options.recheckMs ?? 1000;
  const timeoutAt = options.appliedAt + options.timeoutSeconds * 1000;
  for (let first = true; ; first = false) {
    if (options.signal?.aborted) return;
    const now = cluster.clock.now();
    let failed = false;
    for (const o of objects) {
      if (o.result || (o.nextReadAt !== undefined && o.nextReadAt > now)) continue;
      const live =
        first && builtinResource(o.applied.apiVersion ?? '', o.applied.kind ?? '')
          ? o.applied
          : await read(cluster, o.applied);
      const result = await judgeOne(cluster, o, live, now, { ...options, recheckMs, timeoutAt }, log);
      if (result === 'failed' || result === 'timeout') failed = true;
    }
    const pending = objects.filter((o) => !o.result);
    if (pending.length === 0 || (failed && options.stopOnFirstFailure)) return;
    const next = Math.min(...pending.map((o) => o.nextReadAt ?? now));
    await options.wait(Math.max(1, next - now));
  }
}

async function judgeOne(
  cluster: ClusterClient,
  o: WaitedObject,
  live: KubeObject | Health,
  now: number,
  options: ObjectWaitOptions & { recheckMs: number; timeoutAt: number },
  log: GateLog,
): Promise<ObjectResult['result'] | undefined> {
  const waited = now - options.appliedAt;
  const object = 'metadata' in live ? live : o.applied;
  const verdict: WaitVerdict =
    'metadata' in live
      ? judgeWait(live, {
          now,
          ...(o.failedSince !== undefined ? { failedSince: o.failedSince } : {}),
          ...(options.defaultFailedToleranceMs !== undefined
            ? { defaultFailedToleranceMs: options.defaultFailedToleranceMs }
            : {}),
          ...(options.checks ? { checks: options.checks } : {}),
        })
      : { state: 'waiting', health: live };
  if (verdict.state === 'skipped') {
    o.result = {
      ...identity(o.applied),
      status: 'Skipped',
      result: 'skipped',
      message: 'not waited on (annotation rollout-gate.dev/wait: "false")',
      waitedSeconds: 0,
    };
    return o.result.result;
  }
  o.lastHealth = verdict.health;
  if (verdict.state === 'ready') {
    o.result = {
      ...identity(o.applied),
      status: 'Current',
      result: 'ready',
      message: verdict.health.message,
      waitedSeconds: round1(waited / 1000),
    };
    if (waited > 0) log.info(`${describe(o.applied)} is ready after ${round1(waited / 1000)} s`);
    return o.result.result;
  }
  if (verdict.state === 'failed') {
    const evidence = await evidenceOf(cluster, object);
    const health = verdict.health;
    o.result = {
      ...identity(o.applied),
      status: 'Failed',
      result: 'failed',
      reason: health.reason || 'Failed',
      message: `${describe(o.applied)} failed: ${health.reason ? `${health.reason}: ` : ''}${health.message}${summary(evidence)}`,
      waitedSeconds: round1(waited / 1000),
      ...evidence,
    };
    log.error(o.result.message);
    return o.result.result;
  }
  o.failedSince = verdict.state === 'waiting' ? verdict.failedSince : undefined;
  if (now >= options.timeoutAt) {
    const evidence = await evidenceOf(cluster, object);
    o.result = {
      ...identity(o.applied),
      status: verdict.health.status,
      result: 'timeout',
      reason: 'Timeout',
      message:
        `${describe(o.applied)} was not ready within the timeout of ${formatDuration(options.timeoutSeconds)}: ` +
        `${verdict.health.status}${verdict.health.reason ? ` (${verdict.health.reason})` : ''}: ${verdict.health.message}` +
        summary(evidence),
      waitedSeconds: round1(waited / 1000),
      ...evidence,
    };
    log.error(o.result.message);
    return o.result.result;
  }
  // At the recheck cadence at first, then a tenth of the wait so far; never past the tolerance's end or the timeout.
  let next = now + Math.min(MAX_READ_INTERVAL_MS, Math.max(options.recheckMs, Math.floor(waited / 10)));
  if (o.failedSince !== undefined) next = Math.min(next, o.failedSince + toleranceOf(object, options));
  o.nextReadAt = Math.max(now + 1, Math.min(next, options.timeoutAt));
  return undefined;
}

/** The tolerance judgeWait applies to this object (its annotation, else the run's default). */
function toleranceOf(object: KubeObject, options: ObjectWaitOptions): number {
  return readWaitControls(object).controls.failedToleranceMs ?? options.defaultFailedToleranceMs ?? 0;
}

/** The live object, or a Health saying why it could not be read (the next read may succeed). */
async function read(cluster: ClusterClient, obj: KubeObject): Promise<KubeObject | Health> {
  try {
    const live = await cluster.get(
      obj.apiVersion ?? '',
      obj.kind ?? '',
      obj.metadata.namespace,
      obj.metadata.name ?? '',
    );
    return live ?? inProgress('NotFound', `${describe(obj)} was not found`);
  } catch (err) {
    if (err instanceof ApiError) return inProgress('ReadError', `reading ${describe(obj)}: ${err.message}`);
    throw err;
  }
}

/** Conditions and recent events of an object that failed or timed out, read now. */
async function evidenceOf(
  cluster: ClusterClient,
  obj: KubeObject,
): Promise<{ conditions?: ObjectCondition[]; events?: string[]; failedPod?: FailedPod }> {
  const conditions: ObjectCondition[] = conditionsOf(obj as JsonObject).map((c) => ({
    type: c.type,
    status: c.status,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  }));
  let events: KubeEvent[] = [];
  try {
    events = await cluster.eventsFor(
      obj.apiVersion ?? '',
      obj.kind ?? '',
      obj.metadata.namespace,
      obj.metadata.name ?? '',
    );
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
  const lines = events.slice(-MAX_EVENTS).map((e) => `${e.type ?? 'Normal'} ${eventLine(e)}`);
  const failedPod = obj.kind === 'Job' ? await failedPodOf(cluster, obj, events) : undefined;
  return {
    ...(conditions.length > 0 ? { conditions } : {}),
    ...(lines.length > 0 ? { events: lines } : {}),
    ...(failedPod ? { failedPod } : {}),
  };
}

/** How many log lines of a failed Job's pod are kept. */
const FAILED_POD_LOG_LINES = 10;

/**
 * The evidence of a failed Job: the newest of the pods it created (its `SuccessfulCreate` events
 * name them, job_controller.go) whose container terminated with a non-zero code, with its last
 * log lines. Undefined when no such pod can be read (deleted by a TTL, no permission).
 */
async function failedPodOf(
  cluster: ClusterClient,
  job: KubeObject,
  events: KubeEvent[],
): Promise<FailedPod | undefined> {
  const created = events
    .filter((e) => e.reason === 'SuccessfulCreate')
    .map((e) => /Created pod: (\S+)/.exec(e.message ?? '')?.[1])
    .filter((name): name is string => name !== undefined)
    .reverse();
  const namespace = job.metadata.namespace ?? 'default';
  for (const name of created) {
    let pod: Pod | undefined;
    try {
      pod = await cluster.get<Pod>('v1', 'Pod', namespace, name);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
    const statuses = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
    const failed = statuses.find((c) => (c.state.terminated ?? c.lastState?.terminated)?.exitCode);
    if (!failed) continue;
    const terminated = failed.state.terminated ?? failed.lastState!.terminated!;
    const logs = await cluster.podLogs(namespace, name, failed.name, FAILED_POD_LOG_LINES).catch(() => []);
    return {
      pod: name,
      container: failed.name,
      ...(terminated.exitCode !== undefined ? { exitCode: terminated.exitCode } : {}),
      ...(terminated.reason ? { reason: terminated.reason } : {}),
      logs,
    };
  }
  return undefined;
}

/** `; conditions: Ready=False (Failed: disk full); events: Warning ...` for the message. */
function summary(evidence: { conditions?: ObjectCondition[]; events?: string[]; failedPod?: FailedPod }): string {
  const parts: string[] = [];
  const pod = evidence.failedPod;
  if (pod)
    parts.push(
      `pod ${pod.pod}: container "${pod.container}" exited with code ${pod.exitCode ?? '?'}` +
        (pod.reason ? ` (${pod.reason})` : '') +
        (pod.logs.length > 0 ? `, last log line: ${pod.logs[pod.logs.length - 1]}` : ''),
    );
  if (evidence.conditions)
    parts.push(
      `conditions: ${evidence.conditions
        .map(
          (c) =>
            `${c.type}=${c.status}${c.reason || c.message ? ` (${[c.reason, c.message].filter(Boolean).join(': ')})` : ''}`,
        )
        .join(', ')}`,
    );
  if (evidence.events) parts.push(`events: ${evidence.events.slice(-3).join('; ')}`);
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

function identity(obj: KubeObject): Pick<ObjectResult, 'kind' | 'apiVersion' | 'namespace' | 'name'> {
  return {
    kind: obj.kind ?? '',
    apiVersion: obj.apiVersion ?? '',
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    name: obj.metadata.name ?? '',
  };
}

/** `Database "orders" (example.com/v1) in namespace default`, as messages name an object. */
export function describe(obj: Pick<KubeObject, 'kind' | 'apiVersion' | 'metadata'>): string {
  const ns = obj.metadata.namespace ? ` in namespace ${obj.metadata.namespace}` : '';
  return `${obj.kind ?? ''} "${obj.metadata.name ?? ''}" (${obj.apiVersion ?? ''})${ns}`;
}

/**
 * The results of objects left without a verdict when the run stopped (`why`): `not-waited`, with
 * the health last seen.
 */
export function notWaitedResults(objects: WaitedObject[], now: number, appliedAt: number, why: string): void {
  for (const o of objects) {
    if (o.result) continue;
    const health = o.lastHealth;
    o.result = {
      ...identity(o.applied),
      status: health?.status ?? 'InProgress',
      result: 'not-waited',
      message: `${health ? `${health.status}: ${health.message}` : 'not judged yet'} (${why})`,
      waitedSeconds: round1(Math.max(0, now - appliedAt) / 1000),
    };
  }
}
