/**
 * Replays a DaemonSet golden input (a scenario plus steps, as test/sim/golden/runner.ts does for
 * Deployments) and renders a trace: every Event as it is recorded or repeated, every change of the
 * DaemonSets' status, and after each step a snapshot of DaemonSets, their ControllerRevisions and
 * pods. `waitRollout` prints kubectl's DaemonSet status lines (rollout_status.go) as they change.
 */
import { dump, load } from 'js-yaml';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import type { DaemonSet } from '../../../src/cluster/sim/controllers/daemonset/daemonSetUtil.js';
import type { ControllerRevision } from '../../../src/cluster/sim/controllers/history/controllerHistory.js';
import { parseScenario } from '../../../src/cluster/sim/scenario/parseScenario.js';
import { newNode } from '../../../src/cluster/sim/scheduler/nodes.js';
import type { Taint } from '../../../src/cluster/sim/scheduler/taints.js';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { StoreEvent } from '../../../src/cluster/sim/store/objectStore.js';
import type { KubeEvent, KubeObject, Node, Pod } from '../../../src/k8s/objects.js';
import { daemonSetStatus } from '../../../src/rollout/statusViewer.js';
import { parseDuration } from '../golden/runner.js';

export type Step =
  | { apply: KubeObject }
  | { setImage: { daemonset: string; image: string } }
  | { deletePod: string }
  | { addNode: { name: string; labels?: Record<string, string>; taints?: Taint[] } }
  | { labelNode: { node: string; labels: Record<string, string> } }
  | { taintNode: { node: string; taints: Taint[] } }
  | { advance: string }
  | { waitRollout: { daemonset: string; timeout: string } };

export interface GoldenInput {
  description?: string;
  scenario?: Record<string, unknown>;
  steps: Step[];
}

const NS = 'default';

export function parseInput(text: string): GoldenInput {
  return load(text) as GoldenInput;
}

export function runGolden(input: GoldenInput): { trace: string; history: string[] } {
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
    const notes = runStep(sim, step, when, lines);
    sim.settle();
    lines.push(...notes);
    lines.push(...snapshot(sim));
  });
  return { trace: lines.join('\n') + '\n', history };
}

function runStep(sim: Simulation, step: Step, when: () => string, trace: string[]): string[] {
  const store = sim.store;
  if ('apply' in step) {
    const obj = structuredClone(step.apply);
    const kind = obj.kind ?? '';
    const existing = store.get(kind, obj.metadata.namespace ?? NS, obj.metadata.name!);
    if (!existing) {
      store.create(kind, { ...obj, metadata: { namespace: NS, ...obj.metadata } });
      return [`${when()}  ${kind.toLowerCase()}.apps/${obj.metadata.name} created`];
    }
    store.update(kind, { ...structuredClone(existing), spec: obj.spec });
    return [`${when()}  ${kind.toLowerCase()}.apps/${obj.metadata.name} configured`];
  }
  if ('setImage' in step) {
    const ds = structuredClone(store.mustGet<DaemonSet>('DaemonSet', NS, step.setImage.daemonset));
    for (const c of ds.spec.template.spec!.containers) c.image = step.setImage.image;
    store.update('DaemonSet', ds);
    return [`${when()}  daemonset.apps/${step.setImage.daemonset} image updated`];
  }
  if ('deletePod' in step) {
    store.delete('Pod', NS, step.deletePod);
    return [`${when()}  pod "${step.deletePod}" deleted`];
  }
  if ('addNode' in step) {
    const { name, labels, taints } = step.addNode;
    store.create('Node', newNode(name, {}, store.list('Node').length, { labels, taints }));
    return [`${when()}  node/${name} registered`];
  }
  if ('labelNode' in step) {
    const node = structuredClone(store.mustGet<Node>('Node', undefined, step.labelNode.node));
    node.metadata.labels = { ...(node.metadata.labels ?? {}), ...step.labelNode.labels };
    store.update('Node', node);
    return [`${when()}  node/${step.labelNode.node} labeled`];
  }
  if ('taintNode' in step) {
    const node = structuredClone(store.mustGet<Node>('Node', undefined, step.taintNode.node));
    node.spec = { ...(node.spec ?? {}), taints: [...((node.spec?.taints as Taint[]) ?? []), ...step.taintNode.taints] };
    store.update('Node', node);
    return [`${when()}  node/${step.taintNode.node} tainted`];
  }
  if ('advance' in step) {
    sim.advance(parseDuration(step.advance));
    return [];
  }
  const { daemonset, timeout } = step.waitRollout;
  // kubectl rollout status: a line each time the viewer's answer changes, until done or the timeout,
  // in the trace where it happens.
  const out = trace;
  let last = '';
  const check = (): boolean => {
    const ds = store.get<DaemonSet>('DaemonSet', NS, daemonset);
    if (!ds) return false;
    const result = daemonSetStatus(ds);
    const text = 'error' in result && result.error ? `error: ${result.error}` : (result.message ?? '').trimEnd();
    if (text !== last) out.push(`${when()}  ${text}`);
    last = text;
    return result.done === true || ('error' in result && Boolean(result.error));
  };
  const done = sim.runUntil(check, parseDuration(timeout));
  if (!done) out.push(`${when()}  error: timed out waiting for the condition (after ${timeout})`);
  return [];
}

function describeStep(step: Step): string {
  const [verb, arg] = Object.entries(step)[0]!;
  if (verb === 'apply') {
    const obj = arg as KubeObject;
    return `apply ${obj.kind}/${obj.metadata.name}`;
  }
  return `${verb} ${typeof arg === 'string' ? arg : dump(arg, { flowLevel: 0, lineWidth: -1 }).trim()}`;
}

function traceLines(event: StoreEvent, when: () => string, lastStatus: Map<string, string>): string[] {
  if (event.kind === 'Event' && event.type !== 'DELETED') {
    const e = event.object as KubeEvent;
    const count = (e.count ?? 1) > 1 ? ` (x${e.count})` : '';
    return [`${when()}  ${e.type} ${e.reason} ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}${count}`];
  }
  if (event.kind === 'Pod' && event.type === 'DELETED') return [`${when()}  removed Pod/${event.object.metadata.name}`];
  if (event.kind === 'ControllerRevision') {
    const r = event.object as ControllerRevision;
    return [`${when()}  ${event.type.toLowerCase()} ControllerRevision/${r.metadata.name} revision ${r.revision}`];
  }
  if (event.kind === 'DaemonSet') {
    const ds = event.object as DaemonSet;
    const text = event.type === 'DELETED' ? 'deleted' : statusText(ds);
    if (lastStatus.get(ds.metadata.name!) === text) return [];
    lastStatus.set(ds.metadata.name!, text);
    return [`${when()}  status DaemonSet/${ds.metadata.name}: ${text}`];
  }
  return [];
}

function statusText(ds: DaemonSet): string {
  const s = ds.status;
  return (
    `generation ${ds.metadata.generation ?? 0}, observed ${s?.observedGeneration ?? 0}, ` +
    `desired ${s?.desiredNumberScheduled ?? 0}, current ${s?.currentNumberScheduled ?? 0}, ready ${s?.numberReady ?? 0}, ` +
    `updated ${s?.updatedNumberScheduled ?? 0}, available ${s?.numberAvailable ?? 0}, unavailable ${s?.numberUnavailable ?? 0}, ` +
    `misscheduled ${s?.numberMisscheduled ?? 0}${s?.collisionCount !== undefined ? `, collisions ${s.collisionCount}` : ''}`
  );
}

function snapshot(sim: Simulation): string[] {
  const out = ['--- snapshot'];
  for (const ds of sim.store.list<DaemonSet>('DaemonSet', NS)) {
    const strategy = ds.spec.updateStrategy;
    const rolling = strategy?.rollingUpdate;
    const text =
      strategy?.type === 'RollingUpdate'
        ? `RollingUpdate ${rolling?.maxUnavailable} max unavailable, ${rolling?.maxSurge} max surge`
        : strategy?.type;
    out.push(`daemonset ${ds.metadata.name}: ${text}, ${statusText(ds)}`);
  }
  for (const r of sim.store.list<ControllerRevision>('ControllerRevision', NS)) {
    const spec = (r.data as { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } }).spec;
    const images = (spec?.template?.spec?.containers ?? []).map((c) => c.image).join(',');
    out.push(`controllerrevision ${r.metadata.name} revision ${r.revision} ${images}`);
  }
  for (const pod of sim.store.list<Pod>('Pod', NS)) out.push(`pod ${pod.metadata.name}: ${podText(pod)}`);
  return out;
}

/** What `kubectl get pods -o wide` shows in STATUS, READY, RESTARTS and NODE, plus the revision hash. */
function podText(pod: Pod): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = statuses.filter((c) => c.ready).length;
  const waiting = statuses.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
  let status = pod.metadata.deletionTimestamp ? 'Terminating' : (waiting ?? pod.status?.phase ?? 'Pending');
  if (!pod.spec.nodeName && !pod.metadata.deletionTimestamp) status = 'Pending';
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const labels = pod.metadata.labels ?? {};
  return (
    `${status} ${ready}/${pod.spec.containers.length} ready, restarts ${restarts}, node ${pod.spec.nodeName ?? '<none>'}, ` +
    `image ${pod.spec.containers.map((c) => c.image).join(',')}, hash ${labels['controller-revision-hash'] ?? '-'}, generation ${labels['pod-template-generation'] ?? '-'}`
  );
}

function clockText(ms: number): string {
  const total = Math.floor(ms / 1000);
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}
