/**
 * A rollout that stopped moving: updated/ready/available replicas unchanged for longer than
 * `stallSeconds` (peers.md idea 2), long before `progressDeadlineSeconds`.
 *
 * The window starts at the latest sign of progress: the apply, the controller's own (a
 * Deployment's `Progressing` condition `lastUpdateTime`: the controller refreshes it whenever
 * `DeploymentProgressing` sees updated/ready/available replicas grow or old ones shrink), and
 * `context.lastProgressAt` when the gate tracks counts itself. Runs after the specific detectors,
 * so a stall with a known cause reports that cause.
 */
import type { ProgressView } from '../snapshot.js';
import { secondsText, type Detector } from './common.js';

export const detectStall: Detector<ProgressView> = (view, context, policy, now) => {
  const anchors = [context.appliedAt, context.lastProgressAt, view.progressAt];
  const since = Math.max(...anchors.filter((t): t is number => t !== undefined));
  if (now - since <= policy.stallSeconds * 1000) return undefined;
  return {
    reason: 'Stalled',
    message:
      `${view.label} stalled at ${view.counts}: no progress for ` +
      `${secondsText(now - since)} (stall window ${policy.stallSeconds} s); ${view.line}`,
    evidence: [{ reason: 'Stalled', message: view.line, since }],
  };
};
