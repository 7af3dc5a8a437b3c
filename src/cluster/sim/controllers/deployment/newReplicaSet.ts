import { ApiError } from '../../../../k8s/apiError.js';
import { clone, controllerOf, newControllerRef } from '../../../../k8s/meta.js';
import { Annotations, Labels, type Deployment, type OwnerReference, type ReplicaSet } from '../../../../k8s/objects.js';
import {
  ConditionTypes,
  Reasons,
  getDeploymentCondition,
  newDeploymentCondition,
  setDeploymentCondition,
} from './conditions.js';
import type { DeploymentIO } from './io.js';
import { computeHash } from './podTemplateHash.js';
import {
  equalIgnoreHash,
  findNewReplicaSet,
  findOldReplicaSets,
  maxRevision,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
} from './replicaSetUtil.js';
import { newRSNewReplicas } from './rollingMath.js';
import { hasProgressDeadline } from './status.js';

// sync.go getAllReplicaSetsAndSyncRevision / getNewReplicaSet:
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/sync.go

export interface ReplicaSetsOfDeployment {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

/** metav1.NewControllerRef for a Deployment. */
export function deploymentControllerRef(d: Deployment): OwnerReference {
  return newControllerRef(d, 'apps/v1', 'Deployment');
}

/** sync.go getAllReplicaSetsAndSyncRevision: old RSs, and the new RS (created when asked and missing). */
export function getAllReplicaSetsAndSyncRevision(
  io: DeploymentIO,
  d: Deployment,
  rsList: ReplicaSet[],
  createIfNotExisted: boolean,
): ReplicaSetsOfDeployment {
  const { all: oldRSs } = findOldReplicaSets(d, rsList);
  const newRS = getNewReplicaSet(io, d, rsList, oldRSs, createIfNotExisted);
  return { newRS, oldRSs };
}

/**
 * sync.go getNewReplicaSet: syncs an existing new RS (annotations, revision, minReadySeconds) and
 * the Deployment's revision, or creates the new RS named `<deployment>-<hash>`.
 * Mutates `d` (annotations, status) as the Go code does, writing it through the status subresource.
 */
export function getNewReplicaSet(
  io: DeploymentIO,
  d: Deployment,
  rsList: ReplicaSet[],
  oldRSs: ReplicaSet[],
  createIfNotExisted: boolean,
): ReplicaSet | undefined {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = String(maxRevision(oldRSs) + 1);
  const minReadySeconds = d.spec.minReadySeconds ?? 0;

  if (existing) {
    const copy = clone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    if (annotationsUpdated || (copy.spec.minReadySeconds ?? 0) !== minReadySeconds) {
      copy.spec.minReadySeconds = minReadySeconds;
      // The Deployment's revision follows on a later pass, once the RS carries it.
      return io.updateReplicaSet(copy);
    }
    let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.[Annotations.revision] ?? '');
    if (hasProgressDeadline(d) && !getDeploymentCondition(d.status, ConditionTypes.progressing)) {
      // Progress was never tracked (e.g. a deadline was just added): start the timer now.
      d.status ??= {};
      setDeploymentCondition(
        d.status,
        newDeploymentCondition(
          ConditionTypes.progressing,
          'True',
          Reasons.foundNewReplicaSet,
          `Found new replica set ${JSON.stringify(copy.metadata.name)}`,
          io.now(),
        ),
      );
      needsUpdate = true;
    }
    if (needsUpdate) io.updateDeploymentStatus(d);
    return copy;
  }
  if (!createIfNotExisted) return undefined;

  const template = clone(d.spec.template);
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [Labels.podTemplateHash]: hash },
  };
  const selector = clone(d.spec.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [Labels.podTemplateHash]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      // Deterministic name, so a retried create is idempotent.
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      ownerReferences: [deploymentControllerRef(d)],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, minReadySeconds, selector, template },
  };
  const newReplicasCount = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = newReplicasCount;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = io.createReplicaSet(newRS);
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'AlreadyExists') {
      alreadyExists = true;
      const found = io.getReplicaSet(newRS.metadata.namespace ?? 'default', newRS.metadata.name!);
      if (!found) throw err;
      const ref = controllerOf(found);
      if (ref && ref.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, found.spec.template)) {
        // A slow cache or a fast resync: this is our new RS after all.
        created = found;
      } else {
        // Hash collision: bump collisionCount so the next sync hashes to another name.
        d.status ??= {};
        d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
        try {
          io.updateDeploymentStatus(d);
        } catch {
          // The original AlreadyExists is what requeues the Deployment.
        }
        throw err;
      }
    } else if (err instanceof ApiError && err.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) {
      throw err;
    } else {
      const msg = `Failed to create new replica set ${JSON.stringify(newRS.metadata.name)}: ${(err as Error).message}`;
      if (hasProgressDeadline(d)) {
        d.status ??= {};
        setDeploymentCondition(
          d.status,
          newDeploymentCondition(ConditionTypes.progressing, 'False', Reasons.replicaSetCreateError, msg, io.now()),
        );
        try {
          io.updateDeploymentStatus(d);
        } catch {
          // The create error is the one to report.
        }
      }
      io.event(d, 'Warning', Reasons.replicaSetCreateError, msg);
      throw err;
    }
  }
  if (!alreadyExists && newReplicasCount > 0) {
    io.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${newReplicasCount}`);
  }
  let needsUpdate = setDeploymentRevision(d, newRevision);
  if (!alreadyExists && hasProgressDeadline(d)) {
    d.status ??= {};
    setDeploymentCondition(
      d.status,
      newDeploymentCondition(
        ConditionTypes.progressing,
        'True',
        Reasons.newReplicaSetCreated,
        `Created new replica set ${JSON.stringify(created.metadata.name)}`,
        io.now(),
      ),
    );
    needsUpdate = true;
  }
  if (needsUpdate) io.updateDeploymentStatus(d);
  return created;
}
