import type { WorkloadRef } from '../cluster/port.js';
import type { GateLog } from './gateLog.js';
import type { LeaseHold } from './lock.js';
import { CANCELLED, cancelledBeforeApplyResult } from './outcomes.js';
import type { GateResult, PhaseTiming, WorkloadResult } from './result.js';

/**
 * The results of runs that end before anything is applied: another run holds a Lease, or the run
 * was cancelled first.
 */

/** The run's reason when another run holds the Lease of one of its Deployments. */
export const LOCKED = 'Locked';

/** Another run holds a lease on some Deployments: nothing applied. */
export function lockedResult(
  locked: Array<{ ref: WorkloadRef; hold: LeaseHold }>,
  log: GateLog,
  simulated: boolean,
): GateResult {
  const workloads: WorkloadResult[] = locked.map(({ ref, hold }) => {
    const until = new Date(hold.expiresAt).toISOString();
    const message =
      `deployment "${ref.name}" is being deployed by another gate run ` +
      `(${hold.holder}, Lease ${hold.lease} held until ${until} unless renewed); nothing was applied`;
    log.error(message);
    return {
      kind: 'Deployment',
      namespace: ref.namespace,
      name: ref.name,
      result: 'failed',
      reason: LOCKED,
      message,
      durationSeconds: 0,
    };
  });
  return { result: 'failed', reason: LOCKED, workloads, errors: [], applied: [], phases: [], simulated };
}

/** Cancelled before anything was applied: nothing to undo. */
export function cancelledBeforeApply(
  refs: WorkloadRef[],
  phases: PhaseTiming[],
  log: GateLog,
  simulated: boolean,
): GateResult {
  log.error('the run was cancelled before anything was applied');
  return {
    result: 'failed',
    reason: CANCELLED,
    workloads: cancelledBeforeApplyResult(refs),
    errors: [],
    applied: [],
    phases,
    simulated,
  };
}
