import { clone } from '../../../../k8s/meta.js';
import { Annotations, Labels, type Deployment, type ReplicaSet } from '../../../../k8s/objects.js';
import { Reasons } from './conditions.js';
import type { DeploymentIO } from './io.js';
import { getAllReplicaSetsAndSyncRevision } from './newReplicaSet.js';
import { equalIgnoreHash, lastRevision, nonNil, revision, skipCopyAnnotation } from './replicaSetUtil.js';

// rollback.go (legacy server-side rollback through `deprecated.deployment.rollback.to`):
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/rollback.go

/** rollback.go getRollbackTo: the requested revision, or undefined when absent or unparseable. */
export function getRollbackTo(d: Deployment): number | undefined {
  const text = d.metadata.annotations?.[Annotations.rollbackTo];
  if (!text || !/^[+-]?[0-9]+$/.test(text)) return undefined;
  return Number.parseInt(text, 10);
}

/** rollback.go rollback: copy the template of the wanted revision back into the Deployment. */
export function rollback(io: DeploymentIO, d: Deployment, rsList: ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(io, d, rsList, true);
  const allRSs = nonNil([...oldRSs, newRS]);
  let target = getRollbackTo(d)!;
  if (target === 0) {
    target = lastRevision(allRSs);
    if (target === 0) {
      io.event(d, 'Warning', Reasons.rollbackRevisionNotFound, 'Unable to find last revision.');
      return updateDeploymentAndClearRollbackTo(io, d);
    }
  }
  for (const rs of allRSs) {
    if (revision(rs) !== target) continue;
    const performed = rollbackToTemplate(io, d, rs);
    if (performed)
      io.event(
        d,
        'Normal',
        Reasons.rollbackDone,
        `Rolled back deployment ${JSON.stringify(d.metadata.name)} to revision ${target}`,
      );
    return;
  }
  io.event(d, 'Warning', Reasons.rollbackRevisionNotFound, 'Unable to find the revision to rollback to.');
  updateDeploymentAndClearRollbackTo(io, d);
}

/** rollback.go rollbackToTemplate: returns whether the template changed. */
function rollbackToTemplate(io: DeploymentIO, d: Deployment, rs: ReplicaSet): boolean {
  let performed = false;
  if (!equalIgnoreHash(d.spec.template, rs.spec.template)) {
    // deployment_util.go SetFromReplicaSetTemplate: the template without the hash label.
    const template = clone(rs.spec.template);
    if (template.metadata?.labels) delete template.metadata.labels[Labels.podTemplateHash];
    d.spec.template = template;
    // deployment_util.go SetDeploymentAnnotationsTo: keep the skip-list annotations, take the RS's
    // others, so e.g. change-cause follows the revision rolled back to.
    const kept = Object.fromEntries(
      Object.entries(d.metadata.annotations ?? {}).filter(([k]) => skipCopyAnnotation(k)),
    );
    for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!skipCopyAnnotation(k)) kept[k] = v;
    d.metadata.annotations = kept;
    performed = true;
  } else {
    io.event(
      d,
      'Warning',
      Reasons.rollbackTemplateUnchanged,
      `The rollback revision contains the same template as current deployment ${JSON.stringify(d.metadata.name)}`,
    );
  }
  updateDeploymentAndClearRollbackTo(io, d);
  return performed;
}

function updateDeploymentAndClearRollbackTo(io: DeploymentIO, d: Deployment): void {
  if (d.metadata.annotations) delete d.metadata.annotations[Annotations.rollbackTo];
  io.updateDeployment(d);
}
