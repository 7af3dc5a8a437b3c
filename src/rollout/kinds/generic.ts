import { apiGroupOf } from '../../k8s/meta.js';
import type { KubeObject } from '../../k8s/objects.js';
import type { HealthChecks } from './celHealth.js';
import {
  conditionsOf,
  current,
  failed,
  hasIntField,
  inProgress,
  intField,
  stringField,
  type Health,
  type JsonObject,
} from './health.js';
import {
  alwaysReady,
  customResourceDefinitionHealth,
  jobHealth,
  persistentVolumeClaimHealth,
  podDisruptionBudgetHealth,
  serviceHealth,
} from './objectHealth.js';
import { daemonSetHealth, deploymentHealth, podHealth, replicaSetHealth, statefulSetHealth } from './workloadHealth.js';

/**
 * kstatus for any object: the health the gate waits on for everything it applies that has no
 * rollout judge of its own. Pure: `now` only feeds the Pod scheduling window.
 * https://github.com/kubernetes-sigs/cli-utils/blob/master/pkg/kstatus/status/status.go Compute
 */

type KindRule = (obj: JsonObject, now: number) => Health;

/** core.go legacyTypes, keyed `group/kind` (core group: just the kind). */
const BUILT_IN_RULES: Record<string, KindRule> = {
  Service: serviceHealth,
  Pod: podHealth,
  Secret: alwaysReady,
  ConfigMap: alwaysReady,
  PersistentVolumeClaim: persistentVolumeClaimHealth,
  'apps/StatefulSet': statefulSetHealth,
  'apps/DaemonSet': daemonSetHealth,
  'extensions/DaemonSet': daemonSetHealth,
  'apps/Deployment': deploymentHealth,
  'extensions/Deployment': deploymentHealth,
  'apps/ReplicaSet': replicaSetHealth,
  'extensions/ReplicaSet': replicaSetHealth,
  'policy/PodDisruptionBudget': podDisruptionBudgetHealth,
  'batch/CronJob': alwaysReady,
  'batch/Job': jobHealth,
  'apiextensions.k8s.io/CustomResourceDefinition': customResourceDefinitionHealth,
};

/** core.go GetLegacyConditionsFn. */
function builtInRule(obj: KubeObject): KindRule | undefined {
  const group = apiGroupOf(obj.apiVersion);
  return BUILT_IN_RULES[group ? `${group}/${obj.kind ?? ''}` : (obj.kind ?? '')];
}

/**
 * generic.go checkGeneration: a controller that has not observed the latest spec has not acted
 * on it. Objects without `status.observedGeneration` skip this (most config kinds have none).
 */
export function generationNotObserved(obj: JsonObject, kind: string): Health | undefined {
  if (!hasIntField(obj, '.metadata.generation') || !hasIntField(obj, '.status.observedGeneration')) return undefined;
  const generation = intField(obj, '.metadata.generation', 0);
  const observed = intField(obj, '.status.observedGeneration', 0);
  if (observed === generation) return undefined;
  return inProgress(
    'LatestGenerationNotObserved',
    `${kind} generation is ${generation}, but latest observed generation is ${observed}`,
  );
}

/** generic.go: scheduled for deletion. */
export function terminating(obj: JsonObject): Health | undefined {
  return stringField(obj, '.metadata.deletionTimestamp', '') !== ''
    ? { status: 'Terminating', reason: '', message: 'Resource scheduled for deletion' }
    : undefined;
}

/**
 * generic.go checkGenericProperties: deletion, generation, then the Reconciling / Stalled
 * conditions any controller may set (they decide alone when present and True).
 */
function genericProperties(obj: JsonObject, kind: string): Health | undefined {
  const gone = terminating(obj) ?? generationNotObserved(obj, kind);
  if (gone) return gone;
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Reconciling' && c.status === 'True') return inProgress(c.reason, c.message);
    if (c.type === 'Stalled' && c.status === 'True') return failed(c.reason, c.message);
  }
  return undefined;
}

/** status.go checkReadyCondition: not kstatus's convention, but the most common one. */
function readyCondition(obj: JsonObject): Health | undefined {
  for (const c of conditionsOf(obj)) {
    if (c.type !== 'Ready') continue;
    if (c.status === 'True') return current('Resource is Ready');
    if (c.status === 'False' || c.status === 'Unknown') return inProgress(c.reason, c.message);
  }
  return undefined;
}

/**
 * The health of one object as kstatus computes it (status.go Compute), unless `checks` holds a
 * custom rule for its kind: then, as in Flux, deletion and generation are checked first and the
 * rule's expressions decide the rest.
 */
export function computeHealth(object: KubeObject, now: number, checks?: HealthChecks): Health {
  const obj = object as JsonObject;
  const kind = object.kind ?? '';
  const custom = checks?.forObject(object);
  if (custom) return terminating(obj) ?? generationNotObserved(obj, kind) ?? custom.evaluate(obj);
  const generic = genericProperties(obj, kind);
  if (generic) return generic;
  const rule = builtInRule(object);
  if (rule) return rule(obj, now);
  // A custom resource: a Ready condition decides, else it is Current as soon as it exists.
  return readyCondition(obj) ?? current('Resource is current');
}
