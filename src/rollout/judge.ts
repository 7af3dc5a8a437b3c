/**
 * The rollout judge: one pure decision per observation.
 *
 * Order (deterministic; the first conclusive answer wins):
 * 1. Deployment not found: progressing (it may still be created) until the gate's timeout.
 * 2. Success: kubectl's success rule (spec/kubectl-rollout.md §1.1) and the controller has
 *    observed the generation we applied, so the counts are not a stale status of the old template,
 *    and every new pod has stayed Ready for the stability window (stability.ts). While only the
 *    window is awaited, the failure detectors still run (a container that exits inside it fails
 *    via the crash-loop detector) and the progress line is the window's waiting sentence.
 * 3. Paused: a paused Deployment never rolls out a template change, waiting is pointless; it fails
 *    with reason `Paused` and says how to resume. (kubectl has no special case and waits forever.)
 * 4. The failure detectors in {@link DETECTORS} order.
 * 5. Otherwise progressing, with kubectl's waiting line as the message.
 */
import type { Failure } from './failure.js';
import { DETECTORS } from './detectors/index.js';
import { generationObserved } from './detectors/progressDeadline.js';
import { detectTimeout } from './detectors/timeout.js';
import type { GatePolicy } from './policy.js';
import { progressLine, viewStatus } from './progressLine.js';
import type { RolloutContext, WorkloadSnapshot } from './snapshot.js';
import { stabilityWait, type StabilityWait } from './stability.js';

/** The judge's answer for one observation. */
export interface Verdict {
  state: 'progressing' | 'succeeded' | 'failed';
  /** The failure reason (design.md §3.1), only when failed. */
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

/** Judges one observation of a rollout (see the module doc for the order of checks). */
export function judge(snapshot: WorkloadSnapshot, context: RolloutContext, policy: GatePolicy, now: number): Verdict {
  const deployment = snapshot.deployment;
  const status = viewStatus(snapshot, context);
  const done = !!deployment && status?.done === true && !status.error && generationObserved(deployment, context);
  const unstable = done ? stabilityWait(snapshot, policy, now) : undefined;
  const kubectlLine = progressLine(snapshot, context);
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
  if (!deployment) {
    const timeout = detectTimeout(snapshot, context, policy, now);
    return timeout ? failed(timeout) : { state: 'progressing', message: line, progressLine: line };
  }
  // A paused Deployment that meets kubectl's rule has rolled out: only the window is awaited.
  if (deployment.spec.paused && !done) {
    const name = deployment.metadata.name ?? '';
    return failed({
      reason: 'Paused',
      message:
        `deployment "${name}" is paused, so its new template will not roll out; resume it with ` +
        `'kubectl rollout resume deployment/${name}' (or remove spec.paused) and run the gate again`,
      evidence: [{ reason: 'Paused', message: line }],
    });
  }
  for (const { detect } of DETECTORS) {
    const failure = detect(snapshot, context, policy, now);
    if (failure) return failed(failure);
  }
  return { state: 'progressing', message: line, progressLine: line, ...(unstable && { stability: unstable }) };
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
