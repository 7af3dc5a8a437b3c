/**
 * A rollout that stopped moving: updated/ready/available replicas unchanged for longer than
 * `stallSeconds` (peers.md idea 2), long before `progressDeadlineSeconds`.
 *
 * The window starts at the latest sign of progress: the apply, the Deployment's
 * `Progressing` condition `lastUpdateTime` (the controller refreshes it whenever
 * `DeploymentProgressing` sees updated/ready/available replicas grow or old ones shrink), and
 * `context.lastProgressAt` when the gate tracks counts itself. Runs after the specific detectors,
 * so a stall with a known cause reports that cause.
 */
import { parseTime } from '../../k8s/meta.js';
import { progressLine } from '../progressLine.js';
import { secondsText, type Detector } from './common.js';

export const detectStall: Detector = (snapshot, context, policy, now) => {
  const deployment = snapshot.deployment;
  if (!deployment) return undefined;
  const progressing = deployment.status?.conditions?.find((c) => c.type === 'Progressing');
  const anchors = [context.appliedAt, context.lastProgressAt, parseTime(progressing?.lastUpdateTime)];
  const since = Math.max(...anchors.filter((t): t is number => t !== undefined));
  if (now - since <= policy.stallSeconds * 1000) return undefined;
  const status = deployment.status ?? {};
  const desired = deployment.spec.replicas ?? 1;
  const counts =
    `${status.updatedReplicas ?? 0} of ${desired} updated, ${status.readyReplicas ?? 0} ready, ` +
    `${status.availableReplicas ?? 0} available`;
  return {
    reason: 'Stalled',
    message:
      `deployment "${deployment.metadata.name ?? ''}" stalled at ${counts}: no progress for ` +
      `${secondsText(now - since)} (stall window ${policy.stallSeconds} s); ${progressLine(snapshot, context)}`,
    evidence: [{ reason: 'Stalled', message: progressLine(snapshot, context), since }],
  };
};
