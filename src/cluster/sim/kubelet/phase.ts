import type { PodStatus } from '../../../k8s/objects.js';
import type { ContainerRun } from './types.js';

type Phase = NonNullable<PodStatus['phase']>;

/**
 * The pod phase from its containers, as the kubelet's `getPhase`
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet_pods.go) computes it for pods
 * without init containers (the simulator counts init containers as completed):
 * - a container waiting without an earlier termination keeps the pod Pending;
 * - any running container makes it Running;
 * - all stopped: Always is Running (restarting); all exited 0 is Succeeded; Never with a failure is Failed;
 *   OnFailure with a failure is Running (restarting).
 * A container waiting after a termination (CrashLoopBackOff) counts as stopped.
 */
export function getPhase(restartPolicy: string, containers: readonly ContainerRun[]): Phase {
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of containers) {
    if (c.state.running) running++;
    else if (c.state.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** Whether the phase is terminal: the kubelet tears the sandbox down and never runs the pod again. */
export function isTerminalPhase(phase: Phase): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * The reason of Ready/ContainersReady on a terminal pod (`generateContainersReadyConditionForTerminalPhase`,
 * pkg/kubelet/status/generate.go): PodCompleted when it succeeded, PodFailed when it failed.
 */
export function terminalReadyReason(phase: Phase): string {
  return phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
}
