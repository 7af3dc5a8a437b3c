import { parseSelectorString, selectorMatches } from '../../../k8s/labels.js';
import type { Condition, Node, Pod } from '../../../k8s/objects.js';
import type { ChaosEvent } from '../scenario/scenario.js';
import type { Simulation } from '../simulation.js';
import { timestamp } from '../store/timestamp.js';

/**
 * Cluster chaos (issue 6): the timed events of a scenario's `faults.chaos`, scheduled on the virtual
 * clock. Times count from `origin`, the moment `createSimulatedCluster` returns (the pre-existing
 * objects are rolled out; the gate applies next). Events at `0s` take effect at once, before the apply;
 * the others fire when virtual time reaches them. Deterministic: events fire in (time, list order).
 *
 * The model, simplified from Kubernetes:
 * - `loseNode: node-2` — at `at` the node lifecycle controller has already noticed the silent kubelet
 *   (upstream: after `node-monitor-grace-period`, 40-50 s): the node's `Ready` condition becomes
 *   `Unknown/NodeStatusUnknown`, it gets the `node.kubernetes.io/unreachable` taints (NoSchedule, NoExecute),
 *   the kubelet on it stops doing anything, and its pods are marked `Ready=False` with a `NodeNotReady`
 *   Warning event. `evictAfter` later (default 30 s; upstream the default toleration is 300 s) the taint
 *   eviction controller deletes every pod on the node: each gets status `reason: Evicted`, a
 *   `DisruptionTarget` condition (`DeletionByTaintManager`) and a Warning `Evicted` event, and is removed at
 *   once (as a force delete / PodGC would, since the kubelet cannot confirm). Their ReplicaSets replace them;
 *   the scheduler does not bind to the tainted node. The node never comes back.
 * - `evictPods: { selector, count, namespace }` — the Eviction API on `count` matching running pods, newest
 *   first (ties by name): `reason: Evicted`, `DisruptionTarget` (`EvictionByEvictionAPI`), a Warning `Evicted`
 *   event, then a graceful delete (the kubelet stops the pod). No PodDisruptionBudget is consulted.
 * - `pauseController: deployment, for: 60s` — the controller stops syncing for that long (a stuck
 *   controller manager); its dirty keys are kept and synced when it resumes, so it catches up.
 */
export function scheduleChaos(simulation: Simulation, events: readonly ChaosEvent[], origin: number): void {
  // `at: 0s` is in effect at once (before the gate's apply is synced); later times are clock timers.
  const when = (at: number, label: string, fn: () => void) => {
    if (at <= simulation.clock.now()) {
      fn();
      simulation.settle();
    } else simulation.clock.at(at, label, fn);
  };
  events.forEach((event, i) => {
    const at = origin + event.atMs;
    if ('loseNode' in event) {
      when(at, `chaos[${i}] lose ${event.loseNode}`, () => {
        loseNode(simulation, event.loseNode);
        when(at + event.evictAfterMs, `chaos[${i}] evict pods of ${event.loseNode}`, () =>
          evictNodePods(simulation, event.loseNode),
        );
      });
    } else if ('evictPods' in event) {
      when(at, `chaos[${i}] evict ${event.evictPods.selector}`, () =>
        evictPods(simulation, event.evictPods.namespace, event.evictPods.selector, event.evictPods.count),
      );
    } else {
      when(at, `chaos[${i}] pause ${event.pauseController}`, () =>
        simulation.pause(event.pauseController, at + event.forMs),
      );
    }
  });
}

const NODE_CONTROLLER = 'node-controller';
const TAINT_EVICTION = 'taint-eviction-controller';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

function loseNode(simulation: Simulation, name: string): void {
  const { store, events, clock } = simulation;
  const node = store.get<Node>('Node', undefined, name);
  if (!node || lost(node)) return;
  const now = timestamp(clock.now());
  const taints = [
    ...((node.spec?.taints as unknown[] | undefined) ?? []),
    { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: now },
    { key: UNREACHABLE, effect: 'NoExecute', timeAdded: now },
  ];
  const tainted = store.update<Node>('Node', { ...node, spec: { ...node.spec, taints } });
  // The node lifecycle controller marks every kubelet-posted condition Unknown (tryUpdateNodeHealth).
  const conditions = (tainted.status?.conditions ?? []).map((c) =>
    c.status !== 'Unknown'
      ? {
          ...c,
          status: 'Unknown' as const,
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
          lastTransitionTime: now,
        }
      : c,
  );
  const notReady = store.update<Node>(
    'Node',
    { ...tainted, status: { ...tainted.status, conditions } },
    { subresource: 'status' },
  );
  events.record(notReady, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`, NODE_CONTROLLER);
  // MarkPodsNotReady: the pods on the node stop being Ready (and so stop being available).
  for (const pod of podsOn(simulation, name)) {
    if (pod.metadata.deletionTimestamp) continue;
    const updated = store.update<Pod>(
      'Pod',
      { ...pod, status: { ...pod.status, conditions: setCondition(pod.status?.conditions, 'Ready', 'False', now) } },
      { subresource: 'status' },
    );
    events.record(updated, 'Warning', 'NodeNotReady', 'Node is not ready', NODE_CONTROLLER);
  }
}

function evictNodePods(simulation: Simulation, name: string): void {
  for (const pod of podsOn(simulation, name)) {
    evict(
      simulation,
      pod,
      'DeletionByTaintManager',
      'Taint manager: deleting due to NoExecute taint',
      `Node ${name} is unreachable: evicting pod ${pod.metadata.namespace}/${pod.metadata.name} (taint ${UNREACHABLE}:NoExecute)`,
      TAINT_EVICTION,
      true,
    );
  }
}

function evictPods(simulation: Simulation, namespace: string, selectorText: string, count: number): void {
  const selector = parseSelectorString(selectorText);
  const candidates = simulation.store
    .list<Pod>('Pod', namespace)
    .filter(
      (p) =>
        selectorMatches(selector, p.metadata.labels) &&
        !p.metadata.deletionTimestamp &&
        p.status?.phase !== 'Succeeded' &&
        p.status?.phase !== 'Failed',
    )
    .sort(
      (a, b) =>
        (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    )
    .slice(0, count);
  for (const pod of candidates) {
    const node = pod.spec?.nodeName;
    const nodeObj = node ? simulation.store.get<Node>('Node', undefined, node) : undefined;
    evict(
      simulation,
      pod,
      'EvictionByEvictionAPI',
      'Eviction API: evicting',
      `Evicted pod ${pod.metadata.namespace}/${pod.metadata.name}${node ? ` from node ${node}` : ''} (chaos evictPods "${selectorText}")`,
      'eviction-api',
      !nodeObj || lost(nodeObj),
    );
  }
}

/** Marks the pod evicted (status reason, DisruptionTarget, Warning event), then deletes it. */
function evict(
  simulation: Simulation,
  pod: Pod,
  disruptionReason: string,
  disruptionMessage: string,
  eventMessage: string,
  component: string,
  force: boolean,
): void {
  const { store, events, clock } = simulation;
  const now = timestamp(clock.now());
  const ns = pod.metadata.namespace!;
  const name = pod.metadata.name!;
  let current = pod;
  if (!pod.metadata.deletionTimestamp) {
    const conditions = setCondition(
      pod.status?.conditions,
      'DisruptionTarget',
      'True',
      now,
      disruptionReason,
      disruptionMessage,
    );
    current = store.update<Pod>(
      'Pod',
      { ...pod, status: { ...pod.status, conditions, reason: 'Evicted', message: eventMessage } },
      { subresource: 'status' },
    );
  }
  events.record(current, 'Warning', 'Evicted', eventMessage, component);
  store.delete('Pod', ns, name, force ? { gracePeriodSeconds: 0 } : {});
  // A pod already terminating on an unreachable node can only go by force (the kubelet cannot confirm).
  if (force && store.get('Pod', ns, name)) store.remove('Pod', ns, name);
}

function podsOn(simulation: Simulation, node: string): Pod[] {
  return simulation.store
    .list<Pod>('Pod', undefined, { fieldSelector: { 'spec.nodeName': node } })
    .sort(
      (a, b) =>
        (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
}

function lost(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown';
}

function setCondition(
  conditions: Condition[] | undefined,
  type: string,
  status: Condition['status'],
  now: string,
  reason?: string,
  message?: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === type);
  const old = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  } as Condition;
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}
