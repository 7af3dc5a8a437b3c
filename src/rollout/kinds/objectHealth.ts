import {
  arrayField,
  boolField,
  conditionsOf,
  current,
  failed,
  inProgress,
  intField,
  stringField,
  type Health,
  type JsonObject,
} from './health.js';
import { generationNotSet } from './workloadHealth.js';

/**
 * kstatus's rules for the built-in kinds that are not workloads, from
 * https://github.com/kubernetes-sigs/cli-utils/blob/master/pkg/kstatus/status/core.go
 * (function named on each), plus two stricter rules this product needs, each marked.
 */

/** core.go alwaysReady: Secret, ConfigMap, CronJob. */
export function alwaysReady(): Health {
  return current('Resource is always ready');
}

/** core.go pvcConditions. */
export function persistentVolumeClaimHealth(obj: JsonObject): Health {
  const phase = stringField(obj, '.status.phase', 'unknown');
  if (phase !== 'Bound') return inProgress('NotBound', `PVC is not Bound. phase: ${phase}`);
  return current('PVC is Bound');
}

/**
 * core.go jobConditions, stricter where a deploy needs it: kstatus calls a running Job Current,
 * but a Job in the manifests (a migration) is waited on to completion, as `helm --wait-for-jobs`
 * does, so a running Job is InProgress. Current once Complete; Failed on the Failed condition, or
 * already on FailureTarget (Kubernetes 1.31+ sets it when the Job is bound to fail, before its
 * pods are gone: job_controller.go); a Job suspended on purpose is Current.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/job/utils.go
 */
export function jobHealth(obj: JsonObject): Health {
  const parallelism = intField(obj, '.spec.parallelism', 1);
  const completions = intField(obj, '.spec.completions', parallelism);
  const succeeded = intField(obj, '.status.succeeded', 0);
  const active = intField(obj, '.status.active', 0);
  const failedPods = intField(obj, '.status.failed', 0);
  const suspended = boolField(obj, '.spec.suspend', false);
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Complete' && c.status === 'True')
      return current(`Job Completed. succeeded: ${succeeded}/${completions}`);
    if ((c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True')
      return failed('JobFailed', `Job Failed. failed: ${failedPods}/${completions}`);
    if (c.type === 'Suspended' && c.status === 'True' && suspended) return current('Job is suspended');
  }
  if (stringField(obj, '.status.startTime', '') === '') return inProgress('JobNotStarted', 'Job not started');
  return inProgress('JobRunning', `Job in progress. success:${succeeded}, active: ${active}, failed: ${failedPods}`);
}

/**
 * core.go serviceConditions (a LoadBalancer needs its cluster IP), and, stricter than kstatus,
 * Helm 3's wait rule: a LoadBalancer is not serving until the cloud gave it an ingress address,
 * unless it has external IPs (https://github.com/helm/helm/blob/v3.16.0/pkg/kube/ready.go
 * serviceReady). Argo CD's health check asks the same.
 */
export function serviceHealth(obj: JsonObject): Health {
  const type = stringField(obj, '.spec.type', 'ClusterIP');
  if (type === 'LoadBalancer') {
    if (stringField(obj, '.spec.clusterIP', '') === '')
      return inProgress('NoIPAssigned', 'ClusterIP not set. Service type: LoadBalancer');
    if (
      arrayField(obj, '.spec.externalIPs').length === 0 &&
      arrayField(obj, '.status.loadBalancer.ingress').length === 0
    )
      return inProgress('NoIngressAssigned', 'LoadBalancer ingress not assigned. Service type: LoadBalancer');
  }
  return current('Service is ready');
}

/**
 * core.go pdbConditions says Current once the disruption controller observed the generation.
 * Stricter here: the controller must have written its status (checkGenerationSet, as for
 * DaemonSets) and the pods it protects must be healthy enough that the budget allows what it
 * promises: `currentHealthy >= desiredHealthy`
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/disruption/disruption.go).
 */
export function podDisruptionBudgetHealth(obj: JsonObject): Health {
  const notSet = generationNotSet(obj, 'PodDisruptionBudget');
  if (notSet) return notSet;
  const currentHealthy = intField(obj, '.status.currentHealthy', 0);
  const desiredHealthy = intField(obj, '.status.desiredHealthy', 0);
  if (currentHealthy < desiredHealthy)
    return inProgress('InsufficientPods', `Healthy: ${currentHealthy}/${desiredHealthy}`);
  return current('AllowedDisruptions has been computed.');
}

/**
 * core.go CRDConditions: Established, unless the names are refused (NamesAccepted False) or the
 * API server gave up establishing it (Established False for a reason other than Installing).
 */
export function customResourceDefinitionHealth(obj: JsonObject): Health {
  for (const c of conditionsOf(obj)) {
    if (c.type === 'NamesAccepted' && c.status === 'False') return failed(c.reason, c.message);
    if (c.type === 'Established') {
      if (c.status === 'False' && c.reason !== 'Installing') return failed(c.reason, c.message);
      if (c.status === 'True') return current('CRD is established');
    }
  }
  return inProgress('Installing', 'Install in progress');
}
