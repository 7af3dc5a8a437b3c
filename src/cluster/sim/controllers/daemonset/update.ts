import type { Node, Pod } from '../../../../k8s/objects.js';
import { isPodAvailable } from '../replicaset/podUtil.js';
import {
  isPodUpdated,
  nodeShouldRunDaemonPod,
  surgeCount,
  templateGeneration,
  unavailableCount,
  type DaemonSet,
} from './daemonSetUtil.js';

/**
 * The RollingUpdate decisions of pkg/controller/daemon/update.go (rollingUpdate,
 * findUpdatedPodsOnNode, updatedDesiredNodeCounts), as pure functions of the pods per node and
 * `now`: which old pods to delete and on which nodes to create a new pod. Upstream walks a Go map
 * (random order); nodes are walked here by name, so a run is reproducible.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/daemon/update.go
 */
export interface UpdateStep {
  podsToDelete: string[];
  nodesToCreate: string[];
}

/** findUpdatedPodsOnNode: at most one new and one old live pod on the node, else not ok. */
export function findUpdatedPodsOnNode(
  ds: DaemonSet,
  pods: readonly Pod[],
  hash: string,
): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  const generation = templateGeneration(ds);
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/**
 * updatedDesiredNodeCounts: maxSurge, maxUnavailable (scaled against the nodes that should run the
 * pod; 1 when both are 0) and that count; every such node gets an (empty) entry in `podsByNode`.
 */
export function updatedDesiredNodeCounts(
  ds: DaemonSet,
  nodes: readonly Node[],
  podsByNode: Map<string, Pod[]>,
): { maxSurge: number; maxUnavailable: number; desired: number } {
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    if (!podsByNode.has(node.metadata.name!)) podsByNode.set(node.metadata.name!, []);
  }
  let maxUnavailable = unavailableCount(ds, desired);
  const maxSurge = surgeCount(ds, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desired };
}

/** rollingUpdate: the pods to delete and the nodes to surge onto in this sync. */
export function rollingUpdate(
  ds: DaemonSet,
  nodes: readonly Node[],
  podsByNode: Map<string, Pod[]>,
  hash: string,
  nowMs: number,
): UpdateStep {
  const byNode = new Map(podsByNode);
  const { maxSurge, maxUnavailable, desired } = updatedDesiredNodeCounts(ds, nodes, byNode);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const available = (pod: Pod) => isPodAvailable(pod, minReady, nowMs);
  const nodeNames = [...byNode.keys()].sort();
  const nodeByName = new Map(nodes.map((n) => [n.metadata.name!, n]));
  const shouldRun = (name: string) => {
    const node = nodeByName.get(name);
    return node !== undefined && nodeShouldRunDaemonPod(node, ds).shouldRun;
  };

  // Not surging: delete just enough old pods to stay within maxUnavailable; manage creates the new ones.
  if (maxSurge === 0) {
    let numUnavailable = 0;
    const allowedReplacementPods: string[] = [];
    const candidatePodsToDelete: string[] = [];
    for (const name of nodeNames) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, byNode.get(name)!, hash);
      if (!ok) {
        numUnavailable++; // excess pods: the manage loop cleans up, counted unavailable
        continue;
      }
      if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
      else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (!available(oldPod!)) {
        allowedReplacementPods.push(oldPod!.metadata.name!); // an unavailable old pod is replaced at once
        numUnavailable++;
      } else if (numUnavailable < maxUnavailable) {
        candidatePodsToDelete.push(oldPod!.metadata.name!);
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidatePodsToDelete.length);
    return {
      podsToDelete: [...allowedReplacementPods, ...candidatePodsToDelete.slice(0, remaining)],
      nodesToCreate: [],
    };
  }

  // Surging: a new pod beside the old one on up to maxSurge nodes; the old one goes when the new is available.
  const oldPodsToDelete: string[] = [];
  const shouldNotRunPodsToDelete: string[] = [];
  const candidateNewNodes: string[] = [];
  const allowedNewNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const name of nodeNames) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, byNode.get(name)!, hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    if (oldPod) {
      if (available(oldPod)) numAvailable++;
    } else if (newPod && available(newPod)) numAvailable++;
    if (!oldPod) continue; // nothing to replace: the manage loop handles the node
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun(name)) oldPodsToDelete.push(oldPod.metadata.name!);
        else allowedNewNodes.push(name);
      } else if (!shouldRun(name)) {
        shouldNotRunPodsToDelete.push(oldPod.metadata.name!);
      } else if (numSurge < maxSurge) {
        candidateNewNodes.push(name);
      }
      continue;
    }
    if (!available(newPod)) {
      numSurge++; // waiting for the surge pod to become available
      continue;
    }
    oldPodsToDelete.push(oldPod.metadata.name!);
  }
  // With surge the owner expects full availability: a pod on a node that no longer should run it
  // goes only while more pods are available than desired.
  const deletable = numAvailable - desired;
  if (deletable > 0) oldPodsToDelete.push(...shouldNotRunPodsToDelete.slice(0, deletable));
  const remainingSurge = Math.min(Math.max(0, maxSurge - numSurge), candidateNewNodes.length);
  return {
    podsToDelete: oldPodsToDelete,
    nodesToCreate: [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)],
  };
}
