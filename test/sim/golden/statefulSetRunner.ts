/**
 * Replays a StatefulSet golden input (a scenario plus steps) on a fresh simulated cluster and
 * renders a readable trace: every Event, every change of the StatefulSets' status, pod and claim
 * removals, and after each step a snapshot of the StatefulSets, their ControllerRevisions, pods
 * and PersistentVolumeClaims. The Deployment runner (runner.ts) does the same for Deployments.
 */
import { dump, load } from 'js-yaml';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import { canonicalJson } from '../../../src/cluster/sim/controllers/deployment/semanticEqual.js';
import {
  templateOfRevision,
  templatePatch,
  type ControllerRevision,
} from '../../../src/cluster/sim/controllers/history/controllerHistory.js';
import { applyStrategicMergePatch } from '../../../src/cluster/sim/patch/strategicMerge.js';
import { parseScenario } from '../../../src/cluster/sim/scenario/parseScenario.js';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { StoreEvent } from '../../../src/cluster/sim/store/objectStore.js';
import { controllerOf } from '../../../src/k8s/meta.js';
import type { KubeEvent, KubeObject, Pod } from '../../../src/k8s/objects.js';
import { STATEFULSET_REVISION_LABEL, type StatefulSet } from '../../../src/k8s/statefulSet.js';
import { statefulSetStatus } from '../../../src/rollout/statusViewer.js';
import { parseDuration } from './runner.js';

export type Step =
  | { apply: KubeObject }
  | { setImage: { statefulset: string; container?: string; image: string } }
  | { scale: { statefulset: string; replicas: number } }
  | { partition: { statefulset: string; partition: number } }
  | { deletePod: string }
  | { undo: { statefulset: string; toRevision?: number } }
  | { advance: string }
  | { waitRollout: { statefulset: string; timeout: string } };

export interface GoldenInput {
  description?: string;
  scenario?: Record<string, unknown>;
  steps: Step[];
}

const NS = 'default';

export function parseInput(text: string): GoldenInput {
  return load(text) as GoldenInput;
}

export function runStatefulSetGolden(input: GoldenInput): { trace: string; history: string[] } {
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
  for (const l of (input.description ?? '').trim().split('\n')) if (l) lines.push(`# ${l}`);
  input.steps.forEach((step, i) => {
    const [verb, arg] = Object.entries(step)[0]!;
    const what = verb === 'apply' ? `${(arg as KubeObject).kind}/${(arg as KubeObject).metadata.name}` : flow(arg);
    lines.push('', `=== ${when()} step ${i + 1}: ${verb} ${what}`);
    const note = runStep(sim, step);
    sim.settle();
    if (note) lines.push(`${when()}  ${note}`);
    lines.push(...snapshot(sim));
  });
  return { trace: lines.join('\n') + '\n', history };
}

function runStep(sim: Simulation, step: Step): string | undefined {
  const store = sim.store;
  const edit = (name: string, change: (s: StatefulSet) => void) => {
    const set = structuredClone(store.mustGet<StatefulSet>('StatefulSet', NS, name));
    change(set);
    store.update('StatefulSet', set);
  };
  if ('apply' in step) {
    const obj = step.apply;
    const kind = obj.kind ?? '';
    const existing = store.get(kind, NS, obj.metadata.name!);
    const group = (obj.apiVersion ?? '').includes('/') ? `.${obj.apiVersion!.split('/')[0]}` : '';
    if (!existing) {
      store.create(kind, { ...structuredClone(obj), metadata: { namespace: NS, ...structuredClone(obj.metadata) } });
      return `${kind.toLowerCase()}${group}/${obj.metadata.name} created`;
    }
    const next = structuredClone(existing);
    next.spec = structuredClone(obj.spec);
    store.update(kind, next);
    return `${kind.toLowerCase()}${group}/${obj.metadata.name} configured`;
  }
  if ('setImage' in step) {
    const { statefulset, container, image } = step.setImage;
    edit(statefulset, (s) =>
      s.spec.template
        .spec!.containers.filter((c) => !container || c.name === container)
        .forEach((c) => (c.image = image)),
    );
    return `statefulset.apps/${statefulset} image updated`;
  }
  if ('scale' in step) {
    edit(step.scale.statefulset, (s) => (s.spec.replicas = step.scale.replicas));
    return `statefulset.apps/${step.scale.statefulset} scaled`;
  }
  if ('partition' in step) {
    const { statefulset, partition } = step.partition;
    edit(statefulset, (s) => (s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition } }));
    return `statefulset.apps/${statefulset} patched`;
  }
  if ('deletePod' in step) {
    store.delete('Pod', NS, step.deletePod);
    return `pod "${step.deletePod}" deleted`;
  }
  if ('undo' in step) return undo(sim, step.undo.statefulset, step.undo.toRevision ?? 0);
  if ('advance' in step) {
    sim.advance(parseDuration(step.advance));
    return undefined;
  }
  if ('waitRollout' in step) {
    const { statefulset, timeout } = step.waitRollout;
    const viewer = () => statefulSetStatus(store.mustGet<StatefulSet>('StatefulSet', NS, statefulset));
    sim.runUntil(() => viewer().done, parseDuration(timeout));
    const result = viewer();
    return result.error
      ? `error: ${result.error}`
      : result.message.trimEnd() + (result.done ? '' : ` (after ${timeout})`);
  }
  throw new Error(`unknown step ${JSON.stringify(step)}`);
}

/**
 * kubectl rollout undo for a StatefulSet (polymorphichelpers/rollback.go StatefulSetRollbacker):
 * the revision's data, a strategic merge patch whose template carries `$patch: replace`.
 */
function undo(sim: Simulation, name: string, toRevision: number): string {
  const set = sim.store.mustGet<StatefulSet>('StatefulSet', NS, name);
  const history = sim.store
    .list<ControllerRevision>('ControllerRevision', NS)
    .filter((r) => controllerOf(r)?.uid === set.metadata.uid);
  if (toRevision === 0 && history.length <= 1) return 'error: no last revision to roll back to';
  const numbers = history.map((r) => r.revision).sort((a, b) => a - b);
  const wanted = toRevision > 0 ? toRevision : numbers[numbers.length - 2];
  const target = history.find((r) => r.revision === wanted);
  if (!target) return 'error: unable to find specified revision in history';
  // statefulsetMatch: the set's own patch equals the revision's data, byte for byte.
  if (templatePatch(set.spec.template) === canonicalJson(target.data))
    return `statefulset.apps/${name} skipped rollback (current template already matches revision ${toRevision})`;
  sim.store.update('StatefulSet', applyStrategicMergePatch(set, target.data));
  return `statefulset.apps/${name} rolled back (to revision ${wanted})`;
}

function traceLines(event: StoreEvent, when: () => string, lastStatus: Map<string, string>): string[] {
  if (event.kind === 'Event' && event.type !== 'DELETED') {
    const e = event.object as KubeEvent;
    const count = (e.count ?? 1) > 1 ? ` (x${e.count})` : '';
    return [`${when()}  ${e.type} ${e.reason} ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}${count}`];
  }
  if (event.type === 'DELETED' && ['Pod', 'PersistentVolumeClaim', 'ControllerRevision'].includes(event.kind))
    return [`${when()}  removed ${event.kind}/${event.object.metadata.name}`];
  if (event.kind === 'StatefulSet') {
    const set = event.object as StatefulSet;
    const text = event.type === 'DELETED' ? 'deleted' : counts(set);
    if (lastStatus.get(set.metadata.name!) === text) return [];
    lastStatus.set(set.metadata.name!, text);
    return [`${when()}  status StatefulSet/${set.metadata.name}: ${text}`];
  }
  return [];
}

function counts(set: StatefulSet): string {
  const s = set.status;
  return (
    `generation ${set.metadata.generation ?? 0}, observed ${s?.observedGeneration ?? 0}, replicas ${s?.replicas ?? 0}, ` +
    `ready ${s?.readyReplicas ?? 0}, current ${s?.currentReplicas ?? 0}, updated ${s?.updatedReplicas ?? 0}, ` +
    `available ${s?.availableReplicas ?? 0}, currentRevision ${s?.currentRevision ?? '-'}, updateRevision ${s?.updateRevision ?? '-'}`
  );
}

function snapshot(sim: Simulation): string[] {
  const out = ['--- snapshot'];
  for (const set of sim.store.list<StatefulSet>('StatefulSet', NS)) {
    const strategy = set.spec.updateStrategy;
    const rolling = strategy?.rollingUpdate ? ` ${flow(strategy.rollingUpdate)}` : '';
    out.push(
      `statefulset ${set.metadata.name}: desired ${set.spec.replicas}, ${set.spec.podManagementPolicy}, ${strategy?.type}${rolling}, ${counts(set)}`,
    );
    const viewer = statefulSetStatus(set);
    out.push(`  rollout status: ${viewer.error ? `error: ${viewer.error}` : viewer.message.trimEnd()}`);
  }
  const revisions = [...sim.store.list<ControllerRevision>('ControllerRevision', NS)].sort(
    (a, b) => a.revision - b.revision,
  );
  for (const r of revisions)
    out.push(
      `controllerrevision ${r.metadata.name} revision ${r.revision}: ${(templateOfRevision(r)?.spec?.containers ?? []).map((c) => c.image).join(',')}`,
    );
  for (const pod of sim.store.list<Pod>('Pod', NS))
    out.push(
      `pod ${pod.metadata.name}: ${podText(pod)}, revision ${pod.metadata.labels?.[STATEFULSET_REVISION_LABEL] ?? '-'}`,
    );
  for (const pvc of sim.store.list('PersistentVolumeClaim', NS)) {
    const owners = (pvc.metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`).join(',') || 'none';
    out.push(
      `pvc ${pvc.metadata.name}: ${(pvc.status as { phase?: string } | undefined)?.phase ?? 'Pending'}, owners ${owners}`,
    );
  }
  return out;
}

/** What `kubectl get pods` shows in STATUS and READY. */
function podText(pod: Pod): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = statuses.filter((c) => c.ready).length;
  const waiting = statuses.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
  let status = pod.metadata.deletionTimestamp ? 'Terminating' : (waiting ?? pod.status?.phase ?? 'Pending');
  if (!pod.spec.nodeName && !pod.metadata.deletionTimestamp) status = 'Pending';
  return `${status} ${ready}/${pod.spec.containers.length} ready, image ${pod.spec.containers.map((c) => c.image).join(',')}`;
}

function flow(value: unknown): string {
  return typeof value === 'string' ? value : dump(value, { flowLevel: 0, lineWidth: -1 }).trim();
}

function clockText(ms: number): string {
  const total = Math.floor(ms / 1000);
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}
