import { apiGroupOf } from '../k8s/meta.js';
import type { KubeObject } from '../k8s/objects.js';
import type { ManifestDocument } from './types.js';

/**
 * Apply order as data: what others refer to goes first, so no object is applied before what it
 * needs, and nothing that can intercept writes (webhooks, aggregated APIs, admission policies) is
 * live before the objects this run writes after it.
 *
 * Helm's install order is the fact source this table was checked against
 * (https://github.com/helm/helm/blob/main/pkg/release/v1/util/kind_sorter.go `InstallOrder`).
 * Where we differ, the reason says why: PodDisruptionBudgets and HPAs come after the workloads
 * they select (Helm applies PDBs early), custom resources come right after the built-ins and
 * before webhooks (Helm applies unknown kinds last, after the webhooks that validate them, so a
 * run that installs an operator with its webhook and its custom resources trips on the webhook's
 * not-yet-running backend), and kinds are keyed by API group as well as kind (a Knative
 * `serving.knative.dev` Service is a custom resource, not a core Service).
 */
export interface ApplyRank {
  kind: string;
  /** API groups this kind is built in under ('' is the core group); old groups kept for old manifests. */
  groups: readonly string[];
  /** Lower applies first; equal ranks keep their input order. */
  rank: number;
  why: string;
}

/** Where a kind the table does not know goes: custom resources, after every CRD and built-in config. */
export const CUSTOM_RESOURCE_RANK = 50;

const CORE = [''];
const APPS = ['apps', 'extensions'];
const RBAC = ['rbac.authorization.k8s.io'];
const STORAGE = ['storage.k8s.io'];
const ADMISSION = ['admissionregistration.k8s.io'];
const FLOW = ['flowcontrol.apiserver.k8s.io'];
const RESOURCE = ['resource.k8s.io'];

export const APPLY_ORDER: readonly ApplyRank[] = [
  // 0–9: what everything else lives in or is typed by.
  { kind: 'Namespace', groups: CORE, rank: 0, why: 'every namespaced object is refused until its namespace exists' },
  {
    kind: 'CustomResourceDefinition',
    groups: ['apiextensions.k8s.io'],
    rank: 1,
    why: 'its custom resources are refused until the CRD is Established (the gate waits for that in between)',
  },

  // 10–19: cluster-wide config that namespaced objects and pods name.
  {
    kind: 'PriorityClass',
    groups: ['scheduling.k8s.io'],
    rank: 10,
    why: 'admission refuses a pod whose priorityClassName does not exist',
  },
  {
    kind: 'RuntimeClass',
    groups: ['node.k8s.io'],
    rank: 10,
    why: 'admission refuses a pod whose runtimeClassName does not exist',
  },
  { kind: 'StorageClass', groups: STORAGE, rank: 11, why: 'claims provision from the class they name' },
  { kind: 'VolumeAttributesClass', groups: STORAGE, rank: 11, why: 'claims name it; provisioning waits for it' },
  {
    kind: 'CSIDriver',
    groups: STORAGE,
    rank: 11,
    why: 'tells the kubelet how to mount the volumes of pods applied later',
  },
  {
    kind: 'PersistentVolume',
    groups: CORE,
    rank: 12,
    why: 'pre-provisioned volumes exist before the claims that bind to them',
  },
  { kind: 'IngressClass', groups: ['networking.k8s.io'], rank: 13, why: 'Ingresses name their class' },
  { kind: 'DeviceClass', groups: RESOURCE, rank: 13, why: 'resource claims name their device class' },
  {
    kind: 'ClusterTrustBundle',
    groups: ['certificates.k8s.io'],
    rank: 13,
    why: 'pods project trust bundles into volumes',
  },
  { kind: 'ClusterRole', groups: RBAC, rank: 14, why: 'bindings refer to it (binding a missing role grants nothing)' },
  { kind: 'ClusterRoleBinding', groups: RBAC, rank: 15, why: 'grants the roles above before workloads use them' },
  {
    kind: 'PriorityLevelConfiguration',
    groups: FLOW,
    rank: 16,
    why: 'flow schemas name their priority level',
  },
  { kind: 'FlowSchema', groups: FLOW, rank: 17, why: 'refers to a priority level' },

  // 20–29: namespaced config, in the order pods and their admission read it.
  {
    kind: 'ResourceQuota',
    groups: CORE,
    rank: 20,
    why: 'quota admission only counts objects created after it (Helm: right after Namespace)',
  },
  { kind: 'LimitRange', groups: CORE, rank: 20, why: 'defaults and limits apply to pods created after it' },
  {
    kind: 'NetworkPolicy',
    groups: ['networking.k8s.io', 'extensions'],
    rank: 21,
    why: 'pods never run a moment without the isolation meant for them',
  },
  {
    kind: 'ServiceAccount',
    groups: CORE,
    rank: 22,
    why: 'admission refuses a pod whose serviceAccountName does not exist',
  },
  { kind: 'Role', groups: RBAC, rank: 23, why: 'role bindings refer to it' },
  { kind: 'RoleBinding', groups: RBAC, rank: 24, why: 'workloads start with the permissions they are meant to have' },
  {
    kind: 'Secret',
    groups: CORE,
    rank: 25,
    why: 'pods that mount or reference it fail with CreateContainerConfigError',
  },
  {
    kind: 'ConfigMap',
    groups: CORE,
    rank: 25,
    why: 'pods that mount or reference it fail with CreateContainerConfigError',
  },
  {
    kind: 'PersistentVolumeClaim',
    groups: CORE,
    rank: 26,
    why: 'pods that mount it stay Pending until it exists',
  },
  { kind: 'ResourceClaim', groups: RESOURCE, rank: 26, why: 'pods that name it stay Pending until it exists' },
  { kind: 'ResourceClaimTemplate', groups: RESOURCE, rank: 26, why: 'pods that name it stay Pending until it exists' },
  { kind: 'PodTemplate', groups: CORE, rank: 26, why: 'plain data, read by whoever creates pods from it' },
  {
    kind: 'Service',
    groups: CORE,
    rank: 27,
    why: 'pods get the environment variables of Services that exist when they start (Helm: before workloads)',
  },
  { kind: 'Endpoints', groups: CORE, rank: 28, why: 'hand-written endpoints belong to a selector-less Service' },
  { kind: 'EndpointSlice', groups: ['discovery.k8s.io'], rank: 28, why: 'hand-written slices belong to a Service' },
  { kind: 'Lease', groups: ['coordination.k8s.io'], rank: 28, why: 'plain data that nothing applied here waits on' },

  // 30: workloads. None refers to another, so they keep the input order (a migration Job the
  // user lists first is applied first).
  { kind: 'Deployment', groups: APPS, rank: 30, why: 'workload: needs the config above' },
  { kind: 'StatefulSet', groups: APPS, rank: 30, why: 'workload: needs the config above (and its headless Service)' },
  { kind: 'DaemonSet', groups: APPS, rank: 30, why: 'workload: needs the config above' },
  { kind: 'ReplicaSet', groups: APPS, rank: 30, why: 'workload: needs the config above' },
  { kind: 'ReplicationController', groups: CORE, rank: 30, why: 'workload: needs the config above' },
  { kind: 'Job', groups: ['batch'], rank: 30, why: 'workload: needs the config above' },
  { kind: 'CronJob', groups: ['batch'], rank: 30, why: 'workload: its Jobs need the config above' },
  { kind: 'Pod', groups: CORE, rank: 30, why: 'workload: needs the config above' },

  // 40–49: what refers to workloads.
  {
    kind: 'HorizontalPodAutoscaler',
    groups: ['autoscaling'],
    rank: 40,
    why: 'scales its scaleTargetRef; before the target exists it only reports FailedGetScale',
  },
  {
    kind: 'PodDisruptionBudget',
    groups: ['policy'],
    rank: 40,
    why: 'selects the pods of the workloads above; its health is judged against them',
  },
  {
    kind: 'Ingress',
    groups: ['networking.k8s.io', 'extensions'],
    rank: 41,
    why: 'routes to Services whose pods now exist (after IngressClass)',
  },

  // 50: custom resources (CUSTOM_RESOURCE_RANK), after their CRDs and the built-ins they name.

  // 60–69: what intercepts API requests: live before its backend runs, it would fail the writes
  // of this very run (and a webhook's own custom resources).
  {
    kind: 'APIService',
    groups: ['apiregistration.k8s.io'],
    rank: 60,
    why: 'an aggregated API whose backend is not running breaks discovery of its group',
  },
  {
    kind: 'MutatingWebhookConfiguration',
    groups: ADMISSION,
    rank: 61,
    why: 'with failurePolicy Fail it refuses every matching write until its backend runs (mutating before validating, like the API server)',
  },
  {
    kind: 'MutatingAdmissionPolicy',
    groups: ADMISSION,
    rank: 61,
    why: 'mutates the writes it matches; live only after this run wrote its own objects',
  },
  {
    kind: 'MutatingAdmissionPolicyBinding',
    groups: ADMISSION,
    rank: 62,
    why: 'turns the policy on: last of the mutating admission config',
  },
  {
    kind: 'ValidatingWebhookConfiguration',
    groups: ADMISSION,
    rank: 63,
    why: 'with failurePolicy Fail it refuses every matching write until its backend runs',
  },
  {
    kind: 'ValidatingAdmissionPolicy',
    groups: ADMISSION,
    rank: 63,
    why: 'refuses the writes it matches; live only after this run wrote its own objects',
  },
  {
    kind: 'ValidatingAdmissionPolicyBinding',
    groups: ADMISSION,
    rank: 64,
    why: 'turns the policy on: last of all',
  },
];

const byKind = new Map<string, ApplyRank>(APPLY_ORDER.map((entry) => [entry.kind, entry]));

/**
 * The table entry for an object, or undefined for a custom resource. A kind the table knows under
 * another group (`serving.knative.dev` Service) is a custom resource. An object without
 * apiVersion is matched by kind alone (validation refuses it anyway).
 */
export function applyRankOf(object: Pick<KubeObject, 'apiVersion' | 'kind'>): ApplyRank | undefined {
  const entry = byKind.get(object.kind ?? '');
  if (!entry) return undefined;
  if (object.apiVersion === undefined || entry.groups.includes(apiGroupOf(object.apiVersion))) return entry;
  return undefined;
}

/** A new array in apply order; documents of equal rank keep their input order (stable sort). */
export function sortForApply<T extends ManifestDocument>(documents: readonly T[]): T[] {
  const rankOf = (d: T): number => applyRankOf(d.object)?.rank ?? CUSTOM_RESOURCE_RANK;
  return documents
    .map((doc, index) => ({ doc, index }))
    .sort((a, b) => rankOf(a.doc) - rankOf(b.doc) || a.index - b.index)
    .map((e) => e.doc);
}

/** A CRD of the run and the custom resources of the run that cannot be applied before it is Established. */
export interface CrdDependency<T> {
  crd: T;
  resources: T[];
}

/**
 * Which custom resources of the run need which CRD of the run: those whose API group and kind
 * are the CRD's `spec.group` and `spec.names.kind` (the version is the validator's business).
 * The gate applies the CRD, waits for Established and NamesAccepted, then applies these. CRDs
 * that no document needs are left out; so are custom resources whose CRD is not in the run
 * (the cluster must already serve them).
 */
export function crdDependencies<T extends ManifestDocument>(documents: readonly T[]): CrdDependency<T>[] {
  const out: CrdDependency<T>[] = [];
  const byGroupKind = new Map<string, CrdDependency<T>>();
  for (const doc of documents) {
    if (doc.object.kind !== 'CustomResourceDefinition' || apiGroupOf(doc.object.apiVersion) !== 'apiextensions.k8s.io')
      continue;
    const spec = doc.object['spec'] as { group?: unknown; names?: { kind?: unknown } } | undefined;
    if (typeof spec?.group !== 'string' || typeof spec.names?.kind !== 'string') continue;
    const key = `${spec.group}/${spec.names.kind}`;
    // Two documents for one CRD: the later one is what the cluster ends with.
    const entry: CrdDependency<T> = { crd: doc, resources: byGroupKind.get(key)?.resources ?? [] };
    byGroupKind.set(key, entry);
  }
  for (const doc of documents) {
    const entry = byGroupKind.get(`${apiGroupOf(doc.object.apiVersion)}/${doc.object.kind ?? ''}`);
    if (entry && doc.object.apiVersion?.includes('/')) entry.resources.push(doc);
  }
  for (const entry of byGroupKind.values()) if (entry.resources.length > 0) out.push(entry);
  return out;
}
