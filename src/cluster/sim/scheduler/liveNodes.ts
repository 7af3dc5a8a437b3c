import type { Node, Pod } from '../../../k8s/objects.js';
import { newNode } from './nodes.js';
import { nodeAllocatable, podRequests, type Resources } from './resources.js';
import { quantityMilliValue, quantityValue } from '../../../k8s/quantity.js';
import { nodeTaints } from './taints.js';

/** A real cluster's nodes with what their running pods leave free, for a prediction. */
export interface LiveCapacity {
  /** One simulated Node per real one, allocatable = free capacity, sorted by name. */
  nodes: Node[];
  /** Nodes marked unschedulable (`kubectl cordon`): kept, and the scheduler skips them as it would. */
  cordoned: number;
  /** Free capacity summed over the schedulable nodes. */
  freeCpuMilli: number;
  freeMemoryBytes: number;
  freePods: number;
}

/**
 * The simulated counterpart of a real cluster's nodes: each keeps its name, labels, taints and
 * cordon (so nodeSelector, affinity, tolerations and cordons filter as they do there), and its
 * allocatable becomes the node's `status.allocatable` minus the requests of the non-terminated pods
 * bound to it, as the scheduler's NodeResourcesFit counts them (PodRequests: containers summed,
 * raised to the largest init container, sidecars added; pods in phase Succeeded or Failed free
 * their resources; `kubectl describe node` sums "Allocated resources" the same way):
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/scheduler/framework/plugins/noderesources/fit.go
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/component-helpers/resource/helpers.go
 * `pods` is the callers' choice of running pods: the plan leaves out the pods of the Deployments
 * the simulation re-creates, which would otherwise be counted twice.
 */
export function liveNodes(nodes: readonly Node[], pods: readonly Pod[]): LiveCapacity {
  const used = new Map<string, { cpu: number; memory: number; pods: number }>();
  for (const pod of pods) {
    const name = pod.spec?.nodeName;
    const phase = pod.status?.phase;
    if (!name || phase === 'Succeeded' || phase === 'Failed') continue;
    const u = used.get(name) ?? { cpu: 0, memory: 0, pods: 0 };
    const r = withOverhead(pod, podRequests(pod));
    used.set(name, { cpu: u.cpu + r.cpu, memory: u.memory + r.memory, pods: u.pods + 1 });
  }
  const out: LiveCapacity = { nodes: [], cordoned: 0, freeCpuMilli: 0, freeMemoryBytes: 0, freePods: 0 };
  const sorted = [...nodes].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const [i, node] of sorted.entries()) {
    const name = node.metadata.name ?? '';
    const alloc = nodeAllocatable(node);
    const u = used.get(name) ?? { cpu: 0, memory: 0, pods: 0 };
    const free = {
      cpu: Math.max(0, alloc.cpu - u.cpu),
      memory: Math.max(0, alloc.memory - u.memory),
      pods: Math.max(0, alloc.pods - u.pods),
    };
    const sim = newNode(name, { cpu: `${free.cpu}m`, memory: String(free.memory), pods: free.pods }, i, {
      taints: nodeTaints(node),
    });
    // The real node's labels win over the ones a simulated kubelet registers (its OS, its hostname).
    sim.metadata.labels = { ...sim.metadata.labels, ...(node.metadata.labels ?? {}) };
    if (node.spec?.unschedulable) {
      sim.spec = { ...sim.spec, unschedulable: true };
      out.cordoned++;
    } else {
      out.freeCpuMilli += free.cpu;
      out.freeMemoryBytes += free.memory;
      out.freePods += free.pods;
    }
    out.nodes.push(sim);
  }
  return out;
}

/**
 * PodRequests adds the pod's `spec.overhead` (set by RuntimeClass admission, e.g. for Kata or
 * gVisor sandboxes) to what its containers request; the simulator's own pods carry none.
 */
function withOverhead(pod: Pod, req: Resources): Resources {
  const overhead = (pod.spec as { overhead?: Record<string, string> } | undefined)?.overhead;
  if (!overhead) return req;
  const parse = (fn: (q: string) => number, q: string | undefined): number => {
    try {
      return q === undefined ? 0 : fn(q);
    } catch {
      return 0;
    }
  };
  return {
    cpu: req.cpu + parse(quantityMilliValue, overhead.cpu),
    memory: req.memory + parse(quantityValue, overhead.memory),
  };
}
