/**
 * A StatefulSet or DaemonSet controller that cannot create pods at all (quota, admission webhook,
 * a PVC it cannot create): the controller records a `FailedCreate` Warning on the workload
 * (stateful_pod_control.go recordPodEvent: `create Pod web-0 in StatefulSet web failed error: ...`;
 * daemon_controller.go syncNodes: `Error creating: ...`) and retries forever, so the rollout
 * cannot recover by waiting. Only events since the change count.
 */
import type { KubeEvent, KubeObject } from '../../k8s/objects.js';
import type { RolloutContext } from '../snapshot.js';
import { brief, eventLine, eventStart, secondFloor, type Detector } from './common.js';

/** What the detector reads: the workload and the events about it. */
export interface ControllerEvents {
  workload?: KubeObject;
  events: KubeEvent[];
}

export const detectFailedCreate: Detector<ControllerEvents> = ({ workload, events }, context: RolloutContext) => {
  if (!workload) return undefined;
  const failures = events
    .filter(
      (e) =>
        e.reason === 'FailedCreate' &&
        e.involvedObject.kind === workload.kind &&
        e.involvedObject.name === workload.metadata.name &&
        (eventStart(e) ?? 0) >= secondFloor(context.appliedAt),
    )
    .sort((a, b) => (eventStart(a) ?? 0) - (eventStart(b) ?? 0));
  const first = failures[0];
  if (!first) return undefined;
  const kind = (workload.kind ?? '').toLowerCase();
  return {
    reason: 'ReplicaFailure',
    message: `${kind} "${workload.metadata.name ?? ''}" cannot create pods (FailedCreate: ${brief(failures.at(-1)?.message)})`,
    evidence: [
      { reason: 'FailedCreate', message: first.message, events: failures.map(eventLine), since: eventStart(first) },
    ],
  };
};
