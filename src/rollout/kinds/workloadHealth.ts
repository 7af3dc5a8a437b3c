import { parseTime } from '../../k8s/meta.js';
import {
  conditionsOf,
  conditionWithStatus,
  current,
  failed,
  hasIntField,
  inProgress,
  intField,
  arrayField,
  stringField,
  type Health,
  type JsonObject,
} from './health.js';

/**
 * kstatus's rules for the built-in workloads, transcribed from
 * https://github.com/kubernetes-sigs/cli-utils/blob/master/pkg/kstatus/status/core.go
 * (function named on each). Reasons and messages are kstatus's, word for word, so a user who
 * knows Flux or `kubectl` plugins built on kstatus reads the same words. Deployments keep the
 * gate's own fail-fast judge (src/rollout/judge.ts); this answer is the generic one.
 */

const tooFewReady = 'LessReady';
const tooFewAvailable = 'LessAvailable';
const tooFewUpdated = 'LessUpdated';
const tooFewReplicas = 'LessReplicas';
const extraPods = 'ExtraPods';

/** core.go ScheduleWindow: how long a pod may stay unscheduled before it is reported Unschedulable. */
export const SCHEDULE_WINDOW_MS = 15_000;

/** core.go stsConditions: StatefulSets set no conditions; only the counters and revisions tell. */
export function statefulSetHealth(obj: JsonObject): Health {
  if (stringField(obj, '.spec.updateStrategy.type', '') === 'OnDelete')
    return current('StatefulSet is using the ondelete update strategy');
  const specReplicas = intField(obj, '.spec.replicas', 1);
  const readyReplicas = intField(obj, '.status.readyReplicas', 0);
  const currentReplicas = intField(obj, '.status.currentReplicas', 0);
  const updatedReplicas = intField(obj, '.status.updatedReplicas', 0);
  const statusReplicas = intField(obj, '.status.replicas', 0);
  const partition = intField(obj, '.spec.updateStrategy.rollingUpdate.partition', -1);

  if (specReplicas > statusReplicas) return inProgress(tooFewReplicas, `Replicas: ${statusReplicas}/${specReplicas}`);
  if (specReplicas > readyReplicas) return inProgress(tooFewReady, `Ready: ${readyReplicas}/${specReplicas}`);
  if (statusReplicas > specReplicas)
    return inProgress(extraPods, `Pending termination: ${statusReplicas - specReplicas}`);
  // https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#partitions
  if (partition !== -1) {
    if (updatedReplicas < specReplicas - partition)
      return inProgress('PartitionRollout', `updated: ${updatedReplicas}/${specReplicas - partition}`);
    return current(`Partition rollout complete. updated: ${updatedReplicas}`);
  }
  if (specReplicas > currentReplicas) return inProgress('LessCurrent', `current: ${currentReplicas}/${specReplicas}`);
  if (stringField(obj, '.status.currentRevision', '') !== stringField(obj, '.status.updateRevision', ''))
    return inProgress('RevisionMismatch', 'Waiting for updated revision to match current');
  return current(`All replicas scheduled as expected. Replicas: ${statusReplicas}`);
}

/**
 * core.go deploymentConditions. Without progressDeadlineSeconds the controller sets no
 * Progressing condition (deployment_util.go treats MaxInt32 as unset), so it counts as progressing.
 */
export function deploymentHealth(obj: JsonObject): Health {
  const MAX_INT32 = 2147483647;
  let progressing = intField(obj, '.spec.progressDeadlineSeconds', MAX_INT32) === MAX_INT32;
  let available = false;
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Progressing') {
      // https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/deployment/progress.go
      if (c.reason === 'ProgressDeadlineExceeded') return failed(c.reason, 'Progress deadline exceeded');
      if (c.status === 'True' && c.reason === 'NewReplicaSetAvailable') progressing = true;
    } else if (c.type === 'Available' && c.status === 'True') available = true;
  }
  const specReplicas = intField(obj, '.spec.replicas', 1);
  const statusReplicas = intField(obj, '.status.replicas', 0);
  const updatedReplicas = intField(obj, '.status.updatedReplicas', 0);
  const readyReplicas = intField(obj, '.status.readyReplicas', 0);
  const availableReplicas = intField(obj, '.status.availableReplicas', 0);

  if (specReplicas > statusReplicas) return inProgress(tooFewReplicas, `Replicas: ${statusReplicas}/${specReplicas}`);
  if (specReplicas > updatedReplicas) return inProgress(tooFewUpdated, `Updated: ${updatedReplicas}/${specReplicas}`);
  if (statusReplicas > specReplicas)
    return inProgress(extraPods, `Pending termination: ${statusReplicas - specReplicas}`);
  if (updatedReplicas > availableReplicas)
    return inProgress(tooFewAvailable, `Available: ${availableReplicas}/${updatedReplicas}`);
  if (specReplicas > readyReplicas) return inProgress(tooFewReady, `Ready: ${readyReplicas}/${specReplicas}`);
  if (!progressing) return inProgress('ReplicaSetNotAvailable', 'ReplicaSet not Available');
  if (!available) return inProgress('DeploymentNotAvailable', 'Deployment not Available');
  return current(`Deployment is available. Replicas: ${statusReplicas}`);
}

/** core.go replicasetConditions. ReplicaFailure (quota, admission) is InProgress in kstatus, not Failed. */
export function replicaSetHealth(obj: JsonObject): Health {
  // https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/replicaset/replica_set_utils.go
  if (conditionWithStatus(conditionsOf(obj), 'ReplicaFailure', 'True'))
    return inProgress('ReplicaFailure', 'Replica Failure condition. Check Pods');
  const specReplicas = intField(obj, '.spec.replicas', 1);
  const statusReplicas = intField(obj, '.status.replicas', 0);
  const readyReplicas = intField(obj, '.status.readyReplicas', 0);
  const availableReplicas = intField(obj, '.status.availableReplicas', 0);
  const labelled = intField(obj, '.status.fullyLabeledReplicas', 0);

  if (specReplicas > labelled) return inProgress('LessLabelled', `Labelled: ${labelled}/${specReplicas}`);
  if (specReplicas > availableReplicas)
    return inProgress(tooFewAvailable, `Available: ${availableReplicas}/${specReplicas}`);
  if (specReplicas > readyReplicas) return inProgress(tooFewReady, `Ready: ${readyReplicas}/${specReplicas}`);
  if (statusReplicas > specReplicas)
    return inProgress(extraPods, `Pending termination: ${statusReplicas - specReplicas}`);
  return current(`ReplicaSet is available. Replicas: ${statusReplicas}`);
}

/**
 * core.go checkGenerationSet: a controller that acted on the object always writes these two, so
 * their absence means it has not yet (DaemonSets, and PodDisruptionBudgets here).
 */
export function generationNotSet(obj: JsonObject, kind: string): Health | undefined {
  if (!hasIntField(obj, '.metadata.generation'))
    return inProgress('NoGeneration', `${kind} metadata.generation not found`);
  if (!hasIntField(obj, '.status.observedGeneration'))
    return inProgress('NoObservedGeneration', `${kind} status.observedGeneration not found`);
  return undefined;
}

/** core.go daemonsetConditions. */
export function daemonSetHealth(obj: JsonObject): Health {
  const notSet = generationNotSet(obj, 'DaemonSet');
  if (notSet) return notSet;
  const desired = intField(obj, '.status.desiredNumberScheduled', -1);
  const currentScheduled = intField(obj, '.status.currentNumberScheduled', 0);
  const updated = intField(obj, '.status.updatedNumberScheduled', 0);
  const availableCount = intField(obj, '.status.numberAvailable', 0);
  const ready = intField(obj, '.status.numberReady', 0);

  if (desired === -1) return inProgress('NoDesiredNumber', 'Missing .status.desiredNumberScheduled');
  if (desired > currentScheduled) return inProgress('LessCurrent', `Current: ${currentScheduled}/${desired}`);
  if (desired > updated) return inProgress(tooFewUpdated, `Updated: ${updated}/${desired}`);
  if (desired > availableCount) return inProgress(tooFewAvailable, `Available: ${availableCount}/${desired}`);
  if (desired > ready) return inProgress(tooFewReady, `Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
}

/** core.go getCrashLoopingContainers: containers waiting in CrashLoopBackOff, in status order. */
function crashLoopingContainers(obj: JsonObject): string[] {
  const names: string[] = [];
  for (const item of arrayField(obj, '.status.containerStatuses')) {
    const status = item as { name?: unknown; state?: { waiting?: { reason?: unknown } } } | null;
    if (typeof status?.name === 'string' && status.state?.waiting?.reason === 'CrashLoopBackOff')
      names.push(status.name);
  }
  return names;
}

/**
 * core.go podConditions. A completed pod is Current whether it succeeded or not (its owner
 * judges it). `now` replaces kstatus's time.Now() for the 15 s scheduling window, measured from
 * the pod's creationTimestamp; a pod without one has been unschedulable forever.
 */
export function podHealth(obj: JsonObject, now: number): Health {
  const conditions = conditionsOf(obj);
  const phase = stringField(obj, '.status.phase', '');
  switch (phase) {
    case 'Succeeded':
      return current('Pod has completed successfully');
    case 'Failed':
      return current('Pod has completed, but not successfully');
    case 'Running': {
      if (conditionWithStatus(conditions, 'Ready', 'True')) return current('Pod is Ready');
      const crashing = crashLoopingContainers(obj);
      if (crashing.length > 0)
        return failed('ContainerCrashLooping', `Containers in CrashLoop state: ${crashing.join(',')}`);
      return inProgress('PodRunningNotReady', 'Pod is running but is not Ready');
    }
    case 'Pending': {
      const scheduled = conditionWithStatus(conditions, 'PodScheduled', 'False');
      if (scheduled?.reason === 'Unschedulable') {
        const created = parseTime(stringField(obj, '.metadata.creationTimestamp', '')) ?? -Infinity;
        // Go: time.Now().Add(-ScheduleWindow).Before(creationTimestamp)
        if (now - SCHEDULE_WINDOW_MS < created) return inProgress('PodNotScheduled', 'Pod has not been scheduled');
        return failed('PodUnschedulable', 'Pod could not be scheduled');
      }
      return inProgress('PodPending', 'Pod is in the Pending phase');
    }
    case '':
      // The kubelet has not reported the pod yet.
      return inProgress('PodNotObserved', 'Pod phase not available');
    default:
      // kstatus returns an error (status Unknown); waiting is the useful reading of it.
      return inProgress('PodUnknownPhase', `unknown phase ${phase}`);
  }
}
