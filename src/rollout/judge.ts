/**
 * The rollout judge: one pure decision per observation of any workload kind, through the kind's
 * module (workloads/rolloutKind.ts).
 *
 * Order (deterministic; the first conclusive answer wins):
 * 1. Workload not found: progressing (it may still be created) until the gate's timeout.
 * 2. Success: kubectl's success rule for the kind (https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/rollout_status.go) and the controller
 *    has observed the generation we applied, so the counts are not a stale status of the old
 *    template, and every pod of the new revision has stayed Ready for the stability window
 *    (stability.ts). While only the window is awaited, the failure detectors still run (a
 *    container that exits inside it fails via the crash-loop detector) and the progress line is
 *    the window's waiting sentence.
 * 3. Cannot roll out at all: a paused Deployment never rolls out a template change, an OnDelete
 *    StatefulSet or DaemonSet only when pods are deleted; waiting is pointless, the verdict says
 *    what to do. (kubectl waits forever on a paused Deployment.)
 * 4. The kind's detectors, in its order.
 * 5. Otherwise progressing, with kubectl's waiting line as the message.
 */
import { detectTimeout } from './detectors/timeout.js';
import type { Failure } from './failure.js';
import type { GatePolicy } from './policy.js';
import type { RolloutContext, WorkloadSnapshot } from './snapshot.js';
import { stabilityWait, type StabilityWait } from './stability.js';
import { deploymentRollout } from './workloads/deployment.js';
import type { RolloutKind } from './workloads/rolloutKind.js';

/** The judge's answer for one observation. */
export interface Verdict {
  state: 'progressing' | 'succeeded' | 'failed';
  /** The failure reason (README "As a CLI"), only when failed. */
  reason?: Failure['reason'];
  /** Failed: the failure sentence. Otherwise kubectl's line (without its newline). */
  message: string;
  failure?: Failure;
  /** kubectl's status line for this observation, without the trailing newline. */
  progressLine: string;
  /**
   * Progressing on the stability window only: how many new pods are awaited and when the window
   * ends for the pods Ready now (`stableAt`), so the watcher can wake then instead of waiting for
   * an event, and print the window's line when the number of awaited pods changes.
   */
  stability?: StabilityWait;
}

/** Judges one observation of a workload's rollout (see the module doc for the order of checks). */
export function judgeWorkload<S>(
  kind: RolloutKind<S>,
  snapshot: S,
  context: RolloutContext,
  policy: GatePolicy,
  now: number,
): Verdict {
  const exists = kind.exists(snapshot);
  const status = kind.status(snapshot, context);
  const done = exists && status?.done === true && !status.error && kind.observed(snapshot, context);
  const unstable = done ? stabilityWait(kind.revisionPods(snapshot).pods, policy, now) : undefined;
  const kubectlLine = kind.line(snapshot, context);
  if (done && !unstable) {
    return { state: 'succeeded', message: kubectlLine, progressLine: kubectlLine };
  }
  // kubectl's success line is printed only with the success: inside the window the window's sentence.
  const line = unstable?.message ?? kubectlLine;
  const failed = (failure: Failure): Verdict => ({
    state: 'failed',
    reason: failure.reason,
    message: failure.message,
    failure,
    progressLine: line,
  });
  if (!exists) {
    const timeout = detectTimeout(kind.progress(snapshot, context), context, policy, now);
    return timeout ? failed(timeout) : { state: 'progressing', message: line, progressLine: line };
  }
  // A workload that meets kubectl's rule has rolled out: only the window is awaited.
  const blocked = done ? undefined : kind.cannotRollOut(snapshot, line, context);
  if (blocked) return failed(blocked);
  for (const { detect } of kind.detectors) {
    const failure = detect(snapshot, context, policy, now);
    if (failure) return failed(failure);
  }
  return { state: 'progressing', message: line, progressLine: line, ...(unstable && { stability: unstable }) };
}

/** Judges one observation of a Deployment's rollout. */
export function judge(snapshot: WorkloadSnapshot, context: RolloutContext, policy: GatePolicy, now: number): Verdict {
  return judgeWorkload(deploymentRollout, snapshot, context, policy, now);
}

/**
 * Judges the verification of a rollback: `judge` in rollback mode. `context.appliedAt` must be
 * when the rollback patch was sent: the failed revision's `ProgressDeadlineExceeded` (older than
 * that) is ignored, and the timeout is the rollback's own budget (`policy.timeoutSeconds`).
 */
export function judgeRollback(
  snapshot: WorkloadSnapshot,
  context: RolloutContext,
  policy: GatePolicy,
  now: number,
): Verdict {
  return judge(snapshot, { ...context, mode: 'rollback' }, policy, now);
}
