/**
 * kubectl's rollout status viewers, word for word (https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/rollout_status.go; kubectl
 * `pkg/polymorphichelpers/rollout_status.go`). Messages keep kubectl's trailing newline.
 */
import { Annotations, type Condition, type Deployment, type KubeObject } from '../k8s/objects.js';

/** What a status viewer returns: the line to print, whether the rollout is done, or an error. */
export interface StatusResult {
  message: string;
  done: boolean;
  /** kubectl's error text (printed as `error: <text>`, exit 1). */
  error?: string;
}

/** Options of the Deployment viewer. */
export interface DeploymentStatusOptions {
  /** `--revision`; 0 = any. */
  revision?: number;
  /**
   * Skip step 2.i for a `ProgressDeadlineExceeded` condition for which this returns false. kubectl
   * has no such option; the gate uses it to ignore the stale condition of a failed revision.
   */
  countProgressDeadline?: (condition: Condition) => boolean;
}

/** kubectl's Deployment status viewer (§1.1). */
export function deploymentStatus(deployment: Deployment, options: DeploymentStatusOptions = {}): StatusResult {
  const name = deployment.metadata.name ?? '';
  const wanted = options.revision ?? 0;
  if (wanted > 0) {
    const raw = deployment.metadata.annotations?.[Annotations.revision];
    const have = raw === undefined ? 0 : parseGoInt(raw);
    if (have === undefined) {
      return {
        message: '',
        done: false,
        error: `cannot get the revision of deployment "${name}": ${goParseError(raw!)}`,
      };
    }
    if (have !== wanted) {
      return {
        message: '',
        done: false,
        error: `desired revision (${wanted}) is different from the running revision (${have})`,
      };
    }
  }
  const generation = deployment.metadata.generation ?? 0;
  const status = deployment.status ?? {};
  if (generation <= (status.observedGeneration ?? 0)) {
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    if (
      progressing?.reason === 'ProgressDeadlineExceeded' &&
      (options.countProgressDeadline === undefined || options.countProgressDeadline(progressing))
    ) {
      return { message: '', done: false, error: `deployment "${name}" exceeded its progress deadline` };
    }
    const updated = status.updatedReplicas ?? 0;
    const replicas = status.replicas ?? 0;
    const available = status.availableReplicas ?? 0;
    const specReplicas = deployment.spec.replicas;
    if (specReplicas !== undefined && specReplicas !== null && updated < specReplicas) {
      return {
        message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${specReplicas} new replicas have been updated...\n`,
        done: false,
      };
    }
    if (replicas > updated) {
      return {
        message: `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...\n`,
        done: false,
      };
    }
    if (available < updated) {
      return {
        message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...\n`,
        done: false,
      };
    }
    return { message: `deployment "${name}" successfully rolled out\n`, done: true };
  }
  return { message: 'Waiting for deployment spec update to be observed...\n', done: false };
}

/** The DaemonSet fields the viewer reads. */
export interface DaemonSetLike extends KubeObject {
  spec?: { updateStrategy?: { type?: string } };
  status?: {
    observedGeneration?: number;
    updatedNumberScheduled?: number;
    desiredNumberScheduled?: number;
    numberAvailable?: number;
  };
}

const ROLLING_ONLY = 'rollout status is only available for RollingUpdate strategy type';

/** kubectl's DaemonSet status viewer (§1.2); `--revision` is ignored as kubectl does. */
export function daemonSetStatus(daemonSet: DaemonSetLike): StatusResult {
  const name = daemonSet.metadata.name ?? '';
  if (daemonSet.spec?.updateStrategy?.type !== 'RollingUpdate') {
    return { message: '', done: true, error: ROLLING_ONLY };
  }
  const status = daemonSet.status ?? {};
  if ((daemonSet.metadata.generation ?? 0) <= (status.observedGeneration ?? 0)) {
    const updated = status.updatedNumberScheduled ?? 0;
    const desired = status.desiredNumberScheduled ?? 0;
    const available = status.numberAvailable ?? 0;
    if (updated < desired) {
      return {
        message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...\n`,
        done: false,
      };
    }
    if (available < desired) {
      return {
        message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...\n`,
        done: false,
      };
    }
    return { message: `daemon set "${name}" successfully rolled out\n`, done: true };
  }
  return { message: 'Waiting for daemon set spec update to be observed...\n', done: false };
}

/** The StatefulSet fields the viewer reads. */
export interface StatefulSetLike extends KubeObject {
  spec?: {
    replicas?: number | null;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number | null } | null };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/** kubectl's StatefulSet status viewer (§1.3). */
export function statefulSetStatus(statefulSet: StatefulSetLike): StatusResult {
  const strategy = statefulSet.spec?.updateStrategy;
  if (strategy?.type !== 'RollingUpdate') return { message: '', done: true, error: ROLLING_ONLY };
  const status = statefulSet.status ?? {};
  const observed = status.observedGeneration ?? 0;
  if (observed === 0 || (statefulSet.metadata.generation ?? 0) > observed) {
    return { message: 'Waiting for statefulset spec update to be observed...\n', done: false };
  }
  const replicas = statefulSet.spec?.replicas;
  const ready = status.readyReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  if (replicas !== undefined && replicas !== null && ready < replicas) {
    return { message: `Waiting for ${replicas - ready} pods to be ready...\n`, done: false };
  }
  const rollingUpdate = strategy.rollingUpdate;
  if (rollingUpdate !== undefined && rollingUpdate !== null) {
    const partition = rollingUpdate.partition;
    if (replicas !== undefined && replicas !== null && partition !== undefined && partition !== null) {
      if (updated < replicas - partition) {
        return {
          message: `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...\n`,
          done: false,
        };
      }
    }
    return { message: `partitioned roll out complete: ${updated} new pods have been updated...\n`, done: true };
  }
  if (status.updateRevision !== status.currentRevision) {
    return {
      message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${status.updateRevision ?? ''}...\n`,
      done: false,
    };
  }
  return {
    message: `statefulset rolling update complete ${status.currentReplicas ?? 0} pods at revision ${status.currentRevision ?? ''}...\n`,
    done: true,
  };
}

/** Go's strconv.ParseInt(s, 10, 64) subset: optional sign, decimal digits. */
function parseGoInt(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

function goParseError(text: string): string {
  return `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`;
}
