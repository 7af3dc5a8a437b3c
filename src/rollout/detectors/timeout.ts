/**
 * The gate's own time budget: fails once more than `timeoutSeconds` have passed since the apply
 * (strictly more, like every window). Applies also while the workload does not exist.
 */
import { formatDuration } from '../policy.js';
import type { ProgressView } from '../snapshot.js';
import { secondsText, type Detector } from './common.js';

export const detectTimeout: Detector<Pick<ProgressView, 'line'>> = (view, context, policy, now) => {
  const elapsed = now - context.appliedAt;
  if (elapsed <= policy.timeoutSeconds * 1000) return undefined;
  const what = context.mode === 'rollback' ? 'rollback' : 'rollout';
  return {
    reason: 'Timeout',
    message:
      `${what} did not finish within the timeout of ${formatDuration(policy.timeoutSeconds)} ` +
      `(${secondsText(elapsed)} elapsed); last status: ${view.line}`,
    evidence: [{ reason: 'Timeout', message: view.line, since: context.appliedAt }],
  };
};
