/**
 * The gate's own time budget: fails once more than `timeoutSeconds` have passed since the apply
 * (strictly more, like every window). Applies also while the Deployment does not exist.
 */
import { formatDuration } from '../policy.js';
import { progressLine } from '../progressLine.js';
import { secondsText, type Detector } from './common.js';

export const detectTimeout: Detector = (snapshot, context, policy, now) => {
  const elapsed = now - context.appliedAt;
  if (elapsed <= policy.timeoutSeconds * 1000) return undefined;
  const what = context.mode === 'rollback' ? 'rollback' : 'rollout';
  const line = progressLine(snapshot, context);
  return {
    reason: 'Timeout',
    message:
      `${what} did not finish within the timeout of ${formatDuration(policy.timeoutSeconds)} ` +
      `(${secondsText(elapsed)} elapsed); last status: ${line}`,
    evidence: [{ reason: 'Timeout', message: line, since: context.appliedAt }],
  };
};
