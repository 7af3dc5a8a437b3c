import type { Node, Pod } from '../../../../k8s/objects.js';
import { availableAt, isPodAvailable, isPodReady } from '../replicaset/podUtil.js';
import {
  compareByCreationAndPhase,
  isPodUpdated,
  nodeShouldRunDaemonPod,
  templateGeneration,
  type DaemonSet,
  type DaemonSetStatus,
} from './daemonSetUtil.js';

/**
 * updateDaemonSetStatus (daemon_controller.go): per node that should run the pod, its oldest
 * scheduled pod counts for current, ready, available and updated; pods on nodes that should not
 * run one are misscheduled. Fields in the order and with the omitempty of apps/v1 DaemonSetStatus.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/daemon/daemon_controller.go
 */
export function calculateStatus(
  ds: DaemonSet,
  nodes: readonly Node[],
  podsByNode: ReadonlyMap<string, Pod[]>,
  hash: string,
  nowMs: number,
  updateObservedGeneration: boolean,
): { status: DaemonSetStatus; nextCheck?: number } {
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let updated = 0;
  let available = 0;
  let nextCheck: number | undefined;
  const minReady = ds.spec.minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = podsByNode.get(node.metadata.name!) ?? [];
    const scheduled = pods.length > 0;
    if (!shouldRun) {
      if (scheduled) misscheduled++;
      continue;
    }
    desired++;
    if (!scheduled) continue;
    current++;
    const pod = [...pods].sort(compareByCreationAndPhase)[0]!;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, nowMs)) available++;
      else {
        const at = availableAt(pod, minReady, nowMs);
        if (at !== undefined && (nextCheck === undefined || at < nextCheck)) nextCheck = at;
      }
    }
    if (isPodUpdated(pod, hash, generation)) updated++;
  }
  const old = ds.status;
  const status: DaemonSetStatus = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
  };
  const observed = updateObservedGeneration ? ds.metadata.generation : old?.observedGeneration;
  if (observed) status.observedGeneration = observed;
  if (updated) status.updatedNumberScheduled = updated;
  if (available) status.numberAvailable = available;
  if (desired - available) status.numberUnavailable = desired - available;
  if (old?.collisionCount !== undefined) status.collisionCount = old.collisionCount;
  if (old?.conditions) status.conditions = old.conditions;
  return { status, ...(nextCheck !== undefined ? { nextCheck } : {}) };
}
