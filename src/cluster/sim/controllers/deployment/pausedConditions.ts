import type { Deployment } from '../../../../k8s/objects.js';
import {
  ConditionTypes,
  Reasons,
  getDeploymentCondition,
  newDeploymentCondition,
  setDeploymentCondition,
} from './conditions.js';
import type { DeploymentIO } from './io.js';
import { hasProgressDeadline } from './status.js';

/**
 * sync.go checkPausedConditions: pausing or resuming sets Progressing=Unknown, which also restarts
 * the deadline timer (lastUpdateTime). A reported timeout is never overwritten.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/sync.go
 */
export function checkPausedConditions(io: DeploymentIO, d: Deployment): void {
  if (!hasProgressDeadline(d)) return;
  const cond = getDeploymentCondition(d.status, ConditionTypes.progressing);
  if (cond?.reason === Reasons.progressDeadlineExceeded) return;
  const pausedCondExists = cond?.reason === Reasons.deploymentPaused;
  d.status ??= {};
  if (d.spec.paused && !pausedCondExists) {
    setDeploymentCondition(
      d.status,
      newDeploymentCondition(
        ConditionTypes.progressing,
        'Unknown',
        Reasons.deploymentPaused,
        'Deployment is paused',
        io.now(),
      ),
    );
  } else if (!d.spec.paused && pausedCondExists) {
    setDeploymentCondition(
      d.status,
      newDeploymentCondition(
        ConditionTypes.progressing,
        'Unknown',
        Reasons.deploymentResumed,
        'Deployment is resumed',
        io.now(),
      ),
    );
  } else {
    return;
  }
  io.updateDeploymentStatus(d);
}
