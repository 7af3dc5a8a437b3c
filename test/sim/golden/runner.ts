/**
 * Replays a golden input file (kwok-style: a scenario plus steps) on a fresh simulated cluster
 * and renders a readable trace: every Event as it is recorded or repeated, every change of the
 * Deployments' status counts, and after each step a snapshot of Deployments, ReplicaSets and pods.
 */
import { dump, load } from 'js-yaml';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import { applyJsonPatch } from '../../../src/cluster/sim/patch/jsonPatch.js';
import { parseScenario } from '../../../src/cluster/sim/scenario/parseScenario.js';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { StoreEvent } from '../../../src/cluster/sim/store/objectStore.js';
import {
  Annotations,
  type Deployment,
  type KubeEvent,
  type KubeObject,
  type Pod,
  type ReplicaSet,
} from '../../../src/k8s/objects.js';
import { kubectlUndo } from '../../../src/rollback/undoPatch.js';
import type { Job } from '../../../src/cluster/sim/controllers/job/types.js';

/** One step of an input file. Durations are Go-style (`30s`, `2m`, `1m30s`). */
export type Step =
  | { apply: KubeObject }
  | { setImage: { deployment: string; container?: string; image: string } }
  | { setResources: { deployment: string; container?: string; requests: Record<string, string> } }
  | { pause: string }
  | { resume: string }
  | { scale: { deployment: string; replicas: number } }
  | { undo: { deployment: string; toRevision?: number } }
  | { advance: string }
  | { waitRollout: { deployment: string; timeout: string } }
  | { waitJob: { job: string; timeout: string } }
  | { suspend: { job: string; suspend: boolean } };

export interface GoldenInput {
  description?: string;
  scenario?: Record<string, unknown>;
  steps: Step[];
}

export interface GoldenRun {
  trace: string;
  /** Every watch event of the run, serialised (the determinism test compares these). */
  history: string[];
}

const NS = 'default';

export function parseInput(text: string): GoldenInput {
  return load(text) as GoldenInput;
}

export function runGolden(input: GoldenInput): GoldenRun {
  const scenario = parseScenario(input.scenario ? dump(input.scenario) : '');
  const { simulation: sim } = createSimulatedCluster(scenario);
  const t0 = sim.clock.now();
  const lines: string[] = [];
  const history: string[] = [];
  const lastStatus = new Map<string, string>();
  const when = () => clockText(sim.clock.now() - t0);

  sim.store.watch((event) => {
    history.push(JSON.stringify([event.type, event.kind, event.resourceVersion, event.object]));
    lines.push(...traceLines(event, when, lastStatus));
  });

  if (input.description)
    lines.push(
      ...input.description
        .trim()
        .split('\n')
        .map((l) => `# ${l}`),
    );
  input.steps.forEach((step, i) => {
    lines.push('', `=== ${when()} step ${i + 1}: ${describeStep(step)}`);
    const note = runStep(sim, step);
    sim.settle();
    if (note) lines.push(`${when()}  ${note}`);
    lines.push(...snapshot(sim));
  });
  return { trace: lines.join('\n') + '\n', history };
}

function runStep(sim: Simulation, step: Step): string | undefined {
  const store = sim.store;
  const edit = (name: string, change: (d: Deployment) => void) => {
    const d = structuredClone(store.mustGet<Deployment>('Deployment', NS, name));
    change(d);
    store.update('Deployment', d);
  };
  const containers = (d: Deployment, only?: string) =>
    d.spec.template.spec!.containers.filter((c) => only === undefined || c.name === only);
  if ('apply' in step) {
    const obj = step.apply;
    const kind = obj.kind ?? '';
    const existing = store.get(kind, obj.metadata.namespace ?? NS, obj.metadata.name!);
    if (!existing) {
      store.create(kind, { ...structuredClone(obj), metadata: { namespace: NS, ...structuredClone(obj.metadata) } });
      return `${kind.toLowerCase()}.${groupOf(obj)}/${obj.metadata.name} created`;
    }
    // kubectl apply (client-side): the manifest's spec and labels win, annotations are merged.
    const next = structuredClone(existing) as KubeObject;
    next.spec = structuredClone(obj.spec);
    if (obj.metadata.labels) next.metadata.labels = structuredClone(obj.metadata.labels);
    if (obj.metadata.annotations)
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...obj.metadata.annotations };
    store.update(kind, next);
    return `${kind.toLowerCase()}.${groupOf(obj)}/${obj.metadata.name} configured`;
  }
  if ('setImage' in step) {
    const { deployment, container, image } = step.setImage;
    edit(deployment, (d) => containers(d, container).forEach((c) => (c.image = image)));
    return `deployment.apps/${deployment} image updated`;
  }
  if ('setResources' in step) {
    const { deployment, container, requests } = step.setResources;
    edit(deployment, (d) =>
      containers(d, container).forEach((c) => (c.resources = { ...(c.resources ?? {}), requests: { ...requests } })),
    );
    return `deployment.apps/${deployment} resource requirements updated`;
  }
  if ('pause' in step) {
    edit(step.pause, (d) => (d.spec.paused = true));
    return `deployment.apps/${step.pause} paused`;
  }
  if ('resume' in step) {
    edit(step.resume, (d) => delete d.spec.paused);
    return `deployment.apps/${step.resume} resumed`;
  }
  if ('scale' in step) {
    edit(step.scale.deployment, (d) => (d.spec.replicas = step.scale.replicas));
    return `deployment.apps/${step.scale.deployment} scaled`;
  }
  if ('undo' in step) {
    const { deployment, toRevision } = step.undo;
    const d = store.mustGet<Deployment>('Deployment', NS, deployment);
    const result = kubectlUndo(d, store.list<ReplicaSet>('ReplicaSet', NS), toRevision ?? 0);
    if (result.kind === 'error') return `error: ${result.error}`;
    if (result.kind === 'skipped') return `deployment.apps/${deployment} ${result.operation}`;
    store.update('Deployment', applyJsonPatch(structuredClone(d), result.ops));
    return `deployment.apps/${deployment} rolled back (to revision ${result.targetRevision})`;
  }
  if ('advance' in step) {
    sim.advance(parseDuration(step.advance));
    return undefined;
  }
  if ('waitRollout' in step) {
    const { deployment, timeout } = step.waitRollout;
    const done = sim.runUntil(
      () => rolledOut(store.get<Deployment>('Deployment', NS, deployment)),
      parseDuration(timeout),
    );
    return done
      ? `deployment "${deployment}" successfully rolled out`
      : `deployment "${deployment}" not rolled out after ${timeout}`;
  }
  if ('waitJob' in step) {
    // kubectl wait --for=condition=complete (or failed): the first terminal condition wins.
    const { job, timeout } = step.waitJob;
    const terminal = () =>
      store
        .get<Job>('Job', NS, job)
        ?.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const done = sim.runUntil(() => terminal() !== undefined, parseDuration(timeout));
    const c = terminal();
    return done && c ? `job.batch/${job} condition met: ${c.type}` : `job.batch/${job} not finished after ${timeout}`;
  }
  if ('suspend' in step) {
    const { job, suspend } = step.suspend;
    const j = structuredClone(store.mustGet<Job>('Job', NS, job));
    j.spec.suspend = suspend;
    store.update('Job', j);
    return `job.batch/${job} patched`;
  }
  throw new Error(`unknown step ${JSON.stringify(step)}`);
}

/** The API group as kubectl prints it after the kind (`deployment.apps`, `job.batch`). */
function groupOf(obj: KubeObject): string {
  const apiVersion = obj.apiVersion ?? 'apps/v1';
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

function describeStep(step: Step): string {
  const [verb, arg] = Object.entries(step)[0]!;
  if (verb === 'apply') {
    const obj = arg as KubeObject;
    return `apply ${obj.kind}/${obj.metadata.name}`;
  }
  return `${verb} ${typeof arg === 'string' ? arg : flowText(arg)}`;
}

function flowText(value: unknown): string {
  return dump(value, { flowLevel: 0, lineWidth: -1 }).trim();
}

/** kubectl rollout status's success rule. */
function rolledOut(d: Deployment | undefined): boolean {
  if (!d) return false;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    (s.updatedReplicas ?? 0) >= (d.spec.replicas ?? 1) &&
    (s.replicas ?? 0) <= (s.updatedReplicas ?? 0) &&
    (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0)
  );
}

function traceLines(event: StoreEvent, when: () => string, lastStatus: Map<string, string>): string[] {
  if (event.kind === 'Event' && event.type !== 'DELETED') {
    const e = event.object as KubeEvent;
    const count = (e.count ?? 1) > 1 ? ` (x${e.count})` : '';
    return [`${when()}  ${e.type} ${e.reason} ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}${count}`];
  }
  if (event.kind === 'Pod' && event.type === 'DELETED') return [`${when()}  removed Pod/${event.object.metadata.name}`];
  if (event.kind === 'Job') {
    const j = event.object as Job;
    const text = event.type === 'DELETED' ? 'deleted' : jobCounts(j);
    const id = `Job/${j.metadata.name}`;
    if (lastStatus.get(id) === text) return [];
    lastStatus.set(id, text);
    return [`${when()}  status Job/${j.metadata.name}: ${text}`];
  }
  if (event.kind === 'Deployment') {
    const d = event.object as Deployment;
    const text = event.type === 'DELETED' ? 'deleted' : deploymentCounts(d);
    if (lastStatus.get(d.metadata.name!) === text) return [];
    lastStatus.set(d.metadata.name!, text);
    return [`${when()}  status Deployment/${d.metadata.name}: ${text}`];
  }
  return [];
}

function deploymentCounts(d: Deployment): string {
  const s = d.status ?? {};
  return (
    `generation ${d.metadata.generation ?? 0}, observed ${s.observedGeneration ?? 0}, revision ${d.metadata.annotations?.[Annotations.revision] ?? '-'}, ` +
    `replicas ${s.replicas ?? 0}, updated ${s.updatedReplicas ?? 0}, ready ${s.readyReplicas ?? 0}, available ${s.availableReplicas ?? 0}, ` +
    `unavailable ${s.unavailableReplicas ?? 0}`
  );
}

/** A Job's status counters and times, as one trace line. */
function jobCounts(j: Job): string {
  const s = j.status ?? {};
  const u = s.uncountedTerminatedPods ?? {};
  const uncounted = (u.succeeded?.length ?? 0) + (u.failed?.length ?? 0);
  const conditions = (s.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type);
  return (
    `active ${s.active ?? 0}, ready ${s.ready ?? '-'}, succeeded ${s.succeeded ?? 0}, failed ${s.failed ?? 0}, ` +
    `terminating ${s.terminating ?? '-'}${uncounted ? `, uncounted ${u.succeeded?.length ?? 0}/${u.failed?.length ?? 0}` : ''}` +
    `${s.startTime ? `, started ${s.startTime}` : ''}${s.completionTime ? `, completed ${s.completionTime}` : ''}` +
    `${conditions.length ? `, [${conditions.join(', ')}]` : ''}`
  );
}

function snapshot(sim: Simulation): string[] {
  const out = ['--- snapshot'];
  for (const d of sim.store.list<Deployment>('Deployment', NS)) {
    const strategy =
      d.spec.strategy?.type === 'RollingUpdate'
        ? `RollingUpdate ${d.spec.strategy.rollingUpdate?.maxUnavailable} max unavailable, ${d.spec.strategy.rollingUpdate?.maxSurge} max surge`
        : d.spec.strategy?.type;
    out.push(
      `deployment ${d.metadata.name}: desired ${d.spec.replicas}${d.spec.paused ? ', paused' : ''}, ${strategy}, ${deploymentCounts(d)}`,
    );
    const history = d.metadata.annotations?.[Annotations.revisionHistory];
    if (history) out.push(`  revision-history ${history}`);
    for (const c of d.status?.conditions ?? [])
      out.push(`  ${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`);
  }
  const rsList = sim.store.list<ReplicaSet>('ReplicaSet', NS);
  for (const rs of rsList) {
    const s = rs.status ?? { replicas: 0 };
    const annotations = rs.metadata.annotations ?? {};
    const images = (rs.spec.template.spec?.containers ?? []).map((c) => c.image).join(',');
    const history = annotations[Annotations.revisionHistory]
      ? ` (history ${annotations[Annotations.revisionHistory]})`
      : '';
    out.push(
      `replicaset ${rs.metadata.name} revision ${annotations[Annotations.revision] ?? '-'}${history} ${images}: ` +
        `desired ${rs.spec.replicas ?? 0}, current ${s.replicas}, ready ${s.readyReplicas ?? 0}, available ${s.availableReplicas ?? 0}`,
    );
  }
  for (const j of sim.store.list<Job>('Job', NS)) {
    const spec = j.spec;
    out.push(
      `job ${j.metadata.name}: completions ${spec.completions ?? '-'}, parallelism ${spec.parallelism}, backoffLimit ${spec.backoffLimit}` +
        `${spec.activeDeadlineSeconds !== undefined ? `, activeDeadlineSeconds ${spec.activeDeadlineSeconds}` : ''}, ${jobCounts(j)}`,
    );
    for (const c of j.status?.conditions ?? [])
      out.push(`  ${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''} (since ${c.lastTransitionTime})`);
  }
  for (const pod of sim.store.list<Pod>('Pod', NS)) out.push(`pod ${pod.metadata.name}: ${podText(pod)}`);
  return out;
}

/** What `kubectl get pods` shows in STATUS and READY. */
function podText(pod: Pod): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = statuses.filter((c) => c.ready).length;
  const waiting = statuses.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
  let status = pod.metadata.deletionTimestamp ? 'Terminating' : (waiting ?? pod.status?.phase ?? 'Pending');
  // A finished pod shows its container's termination reason (Completed, Error), as kubectl does.
  const phase = pod.status?.phase;
  const terminated = statuses.find((c) => c.state?.terminated?.reason)?.state?.terminated?.reason;
  if ((phase === 'Succeeded' || phase === 'Failed') && terminated && !pod.metadata.deletionTimestamp)
    status = terminated;
  if (!pod.spec.nodeName && !pod.metadata.deletionTimestamp) status = 'Pending';
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  return `${status} ${ready}/${pod.spec.containers.length} ready, restarts ${restarts}, image ${pod.spec.containers.map((c) => c.image).join(',')}`;
}

/** mm:ss since the run started. */
function clockText(ms: number): string {
  const total = Math.floor(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export function parseDuration(text: string): number {
  const re = /(\d+)(ms|s|m|h)/g;
  let ms = 0;
  let matched = '';
  for (const m of text.matchAll(re)) {
    matched += m[0];
    ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  if (matched !== text || text === '') throw new Error(`bad duration ${JSON.stringify(text)}`);
  return ms;
}
