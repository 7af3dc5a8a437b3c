/** The one-line progress message the gate prints while waiting: kubectl's, without the newline. */
import { isFreshCondition } from './detectors/progressDeadline.js';
import type { RolloutContext, WorkloadSnapshot } from './snapshot.js';
import { deploymentStatus, type StatusResult } from './statusViewer.js';

/**
 * kubectl's status viewer on the snapshot, ignoring a stale `ProgressDeadlineExceeded` (see
 * detectors/progressDeadline.ts). A fresh one yields kubectl's error text.
 */
export function viewStatus(snapshot: WorkloadSnapshot, context: RolloutContext): StatusResult | undefined {
  if (!snapshot.deployment) return undefined;
  return deploymentStatus(snapshot.deployment, { countProgressDeadline: (c) => isFreshCondition(c, context) });
}

/**
 * kubectl's line without the trailing newline; `Waiting for deployment "<name>" to be created...`
 * while the Deployment does not exist (kubectl itself would fail with NotFound).
 */
export function progressLine(snapshot: WorkloadSnapshot, context: RolloutContext): string {
  const status = viewStatus(snapshot, context);
  if (!status) return `Waiting for deployment "${context.name ?? ''}" to be created...`;
  return (status.error ?? status.message).replace(/\n$/, '');
}
