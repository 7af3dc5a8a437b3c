import { jsonEqual } from '../store/jsonValue.js';
import { timestamp as rfc3339 } from '../store/timestamp.js';
import type { Condition, Node, Pod } from '../../../k8s/objects.js';
import type { Controller, ControllerContext } from '../controllers/controller.js';
import type { StoreEvent } from '../store/objectStore.js';
import { matchesRequiredNodeAffinity, requiredNodeNames } from './nodeAffinity.js';
import {
  findUntoleratedTaint,
  isNoScheduleOrNoExecute,
  nodeTaints,
  podTolerations,
  toleratesTaint,
  type Taint,
} from './taints.js';
import { nodeAllocatable, nonZeroRequests, podRequests, type Allocatable, type Resources } from './resources.js';

/**
 * The default scheduler, reduced to what a rollout observes
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/scheduler/schedule_one.go):
 * filters (NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit: pods count, cpu, memory), scores by the
 * most free capacity after placement (LeastAllocated on non-zero requests) with ties going to the first
 * node by name (upstream picks randomly among ties), binds with a `Scheduled` event, and on failure sets
 * `PodScheduled=False/Unschedulable` with the FitError text plus the preemption post-filter text.
 * Unschedulable pods are retried when capacity frees (pod deleted or finished, node added or changed) and
 * every 5 minutes (`podMaxInUnschedulablePodsDuration`). All pods have the same priority, so preemption
 * never finds victims.
 */
const SCHEDULER = 'default-scheduler';
const UNSCHEDULABLE_FLUSH_MS = 5 * 60_000;

const REASON_UNSCHEDULABLE_NODE = 'node(s) were unschedulable';
const REASON_SELECTOR = "node(s) didn't match Pod's node affinity/selector";
/** v1.TaintNodeUnschedulable: what NodeUnschedulable checks the pod's tolerations against. */
const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
const PREEMPTION_NO_VICTIMS = 'No preemption victims found for incoming pod';
const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';

interface Usage extends Resources {
  pods: number;
  /** Requests with the non-zero defaults, for scoring. */
  scoreCpu: number;
  scoreMemory: number;
}

interface Placement {
  node: string;
  req: Resources;
}

/** Why one node was filtered out; `resolvable` = preemption could help (resource shortage). */
export interface NodeVerdict {
  reasons: string[];
  resolvable: boolean;
}

export class Scheduler implements Controller {
  readonly name = 'scheduler';
  private readonly usage = new Map<string, Usage>();
  private readonly placed = new Map<string, Placement>();
  private readonly unschedulable = new Set<string>();
  /** Parsed allocatable per node, keyed by the node object's resourceVersion. */
  private readonly allocatable = new Map<string, { rv: string; value: Allocatable }>();

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(event: StoreEvent): string[] {
    if (event.kind === 'Node') return this.retryUnschedulable();
    if (event.kind !== 'Pod') return [];
    const pod = event.object as Pod;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (event.type === 'DELETED' || (terminal && pod.spec?.nodeName)) {
      this.unschedulable.delete(key);
      return this.unplace(key) ? this.retryUnschedulable() : [];
    }
    if (pod.spec?.nodeName) {
      this.unschedulable.delete(key);
      if (!this.placed.has(key)) this.place(key, pod.spec.nodeName, podRequests(pod));
      return [];
    }
    if (pod.metadata.deletionTimestamp) {
      this.unschedulable.delete(key);
      return [];
    }
    if ((pod.spec?.schedulerName ?? SCHEDULER) !== SCHEDULER || this.unschedulable.has(key)) return [];
    return [key];
  }

  sync(key: string): void {
    this.unschedulable.delete(key);
    const slash = key.indexOf('/');
    const pod = this.ctx.store.get<Pod>('Pod', key.slice(0, slash), key.slice(slash + 1));
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp) return;
    const nodes = this.ctx.store.list<Node>('Node');
    const req = podRequests(pod);
    const scoreReq = nonZeroRequests(req);
    let best: { node: string; score: number } | undefined;
    const verdicts: NodeVerdict[] = [];
    const pinned = requiredNodeNames(pod);
    for (const node of nodes) {
      // NodeAffinity's PreFilter: a pod pinned by `matchFields metadata.name` (a DaemonSet pod) is only
      // filtered on those nodes; the others count as not matching its node affinity.
      if (pinned && !pinned.has(node.metadata.name!)) {
        verdicts.push({ reasons: [REASON_SELECTOR], resolvable: false });
        continue;
      }
      const verdict = this.filter(pod, node, req);
      if (verdict) {
        verdicts.push(verdict);
        continue;
      }
      const score = this.score(node, scoreReq);
      if (!best || score > best.score) best = { node: node.metadata.name!, score };
    }
    if (best) this.bind(pod, best.node);
    else
      this.fail(
        key,
        pod,
        nodes.length === 0 ? 'no nodes available to schedule pods' : fitErrorMessage(nodes.length, verdicts),
      );
  }

  /**
   * The default profile's filters in their order, stopping at the first that fails (RunFilterPlugins):
   * NodeUnschedulable (pods tolerating `node.kubernetes.io/unschedulable:NoSchedule` pass, as
   * DaemonSet pods do), TaintToleration (NoSchedule and NoExecute taints), NodeAffinity (nodeSelector
   * and required node affinity, including the `matchFields metadata.name` a DaemonSet pod carries),
   * then NodeResourcesFit. https://github.com/kubernetes/kubernetes/tree/master/pkg/scheduler/framework/plugins
   */
  private filter(pod: Pod, node: Node, req: Resources): NodeVerdict | undefined {
    const tolerations = podTolerations(pod);
    if (node.spec?.unschedulable && !tolerations.some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT)))
      return { reasons: [REASON_UNSCHEDULABLE_NODE], resolvable: false };
    // TaintToleration: a lost node carries node.kubernetes.io/unreachable:NoSchedule.
    const taint = findUntoleratedTaint(nodeTaints(node), tolerations, isNoScheduleOrNoExecute);
    if (taint)
      return {
        reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`],
        resolvable: false,
      };
    if (!matchesRequiredNodeAffinity(pod, node)) return { reasons: [REASON_SELECTOR], resolvable: false };
    const alloc = this.alloc(node);
    const used = this.usage.get(node.metadata.name!) ?? emptyUsage();
    const reasons: string[] = [];
    if (used.pods + 1 > alloc.pods) reasons.push('Too many pods');
    if (req.cpu > 0 && req.cpu > alloc.cpu - used.cpu) reasons.push('Insufficient cpu');
    if (req.memory > 0 && req.memory > alloc.memory - used.memory) reasons.push('Insufficient memory');
    return reasons.length > 0 ? { reasons, resolvable: true } : undefined;
  }

  /** LeastAllocated: mean free fraction of cpu and memory after placing the pod. */
  private score(node: Node, scoreReq: Resources): number {
    const alloc = this.alloc(node);
    const used = this.usage.get(node.metadata.name!) ?? emptyUsage();
    const free = (cap: number, requested: number) => (cap > 0 ? Math.max(0, cap - requested) / cap : 0);
    return (free(alloc.cpu, used.scoreCpu + scoreReq.cpu) + free(alloc.memory, used.scoreMemory + scoreReq.memory)) / 2;
  }

  private alloc(node: Node): Allocatable {
    const rv = node.metadata.resourceVersion ?? '';
    const cached = this.allocatable.get(node.metadata.name!);
    if (cached && cached.rv === rv) return cached.value;
    const value = nodeAllocatable(node);
    this.allocatable.set(node.metadata.name!, { rv, value });
    return value;
  }

  /** The Binding subresource: sets spec.nodeName and PodScheduled=True in one write. */
  private bind(pod: Pod, nodeName: string): void {
    // The store deep-copies what changed and shares the rest with the stored version.
    const next: Pod = { ...pod, spec: { ...pod.spec, nodeName } };
    next.status = {
      ...(pod.status ?? {}),
      conditions: setPodScheduled(
        next.status?.conditions,
        { type: 'PodScheduled', status: 'True' },
        this.ctx.clock.now(),
      ),
    };
    next.status.phase ??= 'Pending';
    const bound = this.ctx.store.update('Pod', next);
    this.ctx.events.record(
      bound,
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`,
      SCHEDULER,
    );
  }

  private fail(key: string, pod: Pod, message: string): void {
    this.unschedulable.add(key);
    const cond: Condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message };
    const conditions = setPodScheduled(pod.status?.conditions, cond, this.ctx.clock.now());
    let current = pod;
    if (!jsonEqual(conditions, pod.status?.conditions ?? [])) {
      const next: Pod = {
        ...pod,
        status: { ...(pod.status ?? {}), phase: pod.status?.phase ?? 'Pending', conditions },
      };
      current = this.ctx.store.update('Pod', next, { subresource: 'status' });
    }
    this.ctx.events.record(current, 'Warning', 'FailedScheduling', message, SCHEDULER);
    this.ctx.requeueAt(this.name, key, this.ctx.clock.now() + UNSCHEDULABLE_FLUSH_MS);
  }

  private place(key: string, node: string, req: Resources): void {
    this.placed.set(key, { node, req });
    this.adjust(node, req, 1);
  }

  private unplace(key: string): boolean {
    const p = this.placed.get(key);
    if (!p) return false;
    this.placed.delete(key);
    this.adjust(p.node, p.req, -1);
    return true;
  }

  private adjust(node: string, req: Resources, sign: 1 | -1): void {
    let u = this.usage.get(node);
    if (!u) this.usage.set(node, (u = emptyUsage()));
    const nz = nonZeroRequests(req);
    u.pods += sign;
    u.cpu += sign * req.cpu;
    u.memory += sign * req.memory;
    u.scoreCpu += sign * nz.cpu;
    u.scoreMemory += sign * nz.memory;
  }

  /** Moves every unschedulable pod back to the active queue (a cluster event that may make them fit). */
  private retryUnschedulable(): string[] {
    const keys = [...this.unschedulable];
    this.unschedulable.clear();
    return keys;
  }
}

function emptyUsage(): Usage {
  return { pods: 0, cpu: 0, memory: 0, scoreCpu: 0, scoreMemory: 0 };
}

/** PodScheduled keeps its lastTransitionTime while its status does not change. */
export function setPodScheduled(conditions: Condition[] | undefined, cond: Condition, nowMs: number): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? list[i] : undefined;
  const lastTransitionTime = old && old.status === cond.status ? old.lastTransitionTime : rfc3339(nowMs);
  const next: Condition = { type: cond.type, status: cond.status, lastProbeTime: null, lastTransitionTime };
  if (cond.reason) next.reason = cond.reason;
  if (cond.message) next.message = cond.message;
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/** A "reason → count" histogram, rendered `N reason` sorted as strings and joined by ", " (FitError.Error). */
function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .map(([r, n]) => `${n} ${r}`)
    .sort()
    .join(', ');
}

/**
 * `FitError.Error()` followed by the DefaultPreemption post-filter message, e.g.
 * `0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.`
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/scheduler/framework/types.go
 */
export function fitErrorMessage(numNodes: number, verdicts: readonly NodeVerdict[]): string {
  const filter = histogram(verdicts.flatMap((v) => v.reasons));
  const preemption = histogram(verdicts.map((v) => (v.resolvable ? PREEMPTION_NO_VICTIMS : PREEMPTION_NOT_HELPFUL)));
  return `0/${numNodes} nodes are available: ${filter}. preemption: 0/${numNodes} nodes are available: ${preemption}.`;
}
