/**
 * The REST mapping of every built-in resource a Kubernetes 1.32 API server serves, as data: the one
 * kind -> plural table of the project. The simulator serves these kinds (generic storage for those
 * without a simulated controller), the real adapter uses it for the few kinds the gate itself reads
 * (everything else comes from the cluster's discovery), and the manifest loader knows from it which
 * built-in kinds are namespaced before any cluster is involved.
 *
 * Source: `kubectl api-resources -o wide` of a v1.32 cluster, and the storage registries under
 * https://github.com/kubernetes/kubernetes/tree/release-1.32/pkg/registry (short names and
 * categories come from each `ShortNames()` / `Categories()`). Beta-only and alpha APIs are left out.
 * `events.k8s.io/v1` Event is left out too: it is the same objects as core/v1 Event under another group.
 */
export interface BuiltinResource {
  kind: string;
  /** API group; '' for core. */
  group: string;
  /** Served versions, preferred (storage) first. */
  versions: readonly string[];
  plural: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  /** Discovery verbs, when not the full set {@link ALL_VERBS}. */
  verbs?: readonly string[];
  /** The resource has a `/status` subresource. */
  status?: boolean;
  /**
   * The API server sets and bumps `metadata.generation` on spec changes (the strategy's
   * PrepareForUpdate; kinds without a spec, such as ConfigMap or Role, have no generation).
   */
  generation?: boolean;
}

export const ALL_VERBS: readonly string[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

const core = (kind: string, plural: string, namespaced: boolean, more: Partial<BuiltinResource> = {}) =>
  ({ kind, group: '', versions: ['v1'], plural, namespaced, ...more }) satisfies BuiltinResource;
const grouped = (
  group: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  more: Partial<BuiltinResource> = {},
): BuiltinResource => ({ kind, group, versions: ['v1'], plural, namespaced, ...more });

const ALL = ['all'];
const API_EXTENSIONS = ['api-extensions'];

export const BUILTIN_RESOURCES: readonly BuiltinResource[] = [
  core('ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  core('Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  core('Event', 'events', true, { shortNames: ['ev'] }),
  core('LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  core('Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    status: true,
  }),
  core('Node', 'nodes', false, { shortNames: ['no'], status: true }),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', true, { shortNames: ['pvc'], status: true }),
  core('PersistentVolume', 'persistentvolumes', false, { shortNames: ['pv'], status: true }),
  core('Pod', 'pods', true, { shortNames: ['po'], categories: ALL, status: true }),
  core('PodTemplate', 'podtemplates', true),
  core('ReplicationController', 'replicationcontrollers', true, {
    shortNames: ['rc'],
    categories: ALL,
    status: true,
    generation: true,
  }),
  core('ResourceQuota', 'resourcequotas', true, { shortNames: ['quota'], status: true }),
  core('Secret', 'secrets', true),
  core('ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  core('Service', 'services', true, { shortNames: ['svc'], categories: ALL, status: true }),

  grouped('apps', 'ControllerRevision', 'controllerrevisions', true),
  grouped('apps', 'DaemonSet', 'daemonsets', true, {
    shortNames: ['ds'],
    categories: ALL,
    status: true,
    generation: true,
  }),
  grouped('apps', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ALL,
    status: true,
    generation: true,
  }),
  grouped('apps', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    categories: ALL,
    status: true,
    generation: true,
  }),
  grouped('apps', 'StatefulSet', 'statefulsets', true, {
    shortNames: ['sts'],
    categories: ALL,
    status: true,
    generation: true,
  }),

  // autoscaling/v2 is the storage version; v1 is still served (same objects, fewer fields).
  {
    kind: 'HorizontalPodAutoscaler',
    group: 'autoscaling',
    versions: ['v2', 'v1'],
    plural: 'horizontalpodautoscalers',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ALL,
    status: true,
    generation: true,
  },
  grouped('batch', 'CronJob', 'cronjobs', true, {
    shortNames: ['cj'],
    categories: ALL,
    status: true,
    generation: true,
  }),
  grouped('batch', 'Job', 'jobs', true, { categories: ALL, status: true, generation: true }),

  grouped('networking.k8s.io', 'IngressClass', 'ingressclasses', false, { generation: true }),
  grouped('networking.k8s.io', 'Ingress', 'ingresses', true, { shortNames: ['ing'], status: true, generation: true }),
  grouped('networking.k8s.io', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'], generation: true }),
  grouped('policy', 'PodDisruptionBudget', 'poddisruptionbudgets', true, {
    shortNames: ['pdb'],
    status: true,
    generation: true,
  }),

  grouped('rbac.authorization.k8s.io', 'ClusterRoleBinding', 'clusterrolebindings', false),
  grouped('rbac.authorization.k8s.io', 'ClusterRole', 'clusterroles', false),
  grouped('rbac.authorization.k8s.io', 'RoleBinding', 'rolebindings', true),
  grouped('rbac.authorization.k8s.io', 'Role', 'roles', true),

  grouped('scheduling.k8s.io', 'PriorityClass', 'priorityclasses', false, { shortNames: ['pc'] }),
  grouped('storage.k8s.io', 'CSIDriver', 'csidrivers', false),
  grouped('storage.k8s.io', 'CSINode', 'csinodes', false),
  grouped('storage.k8s.io', 'CSIStorageCapacity', 'csistoragecapacities', true),
  grouped('storage.k8s.io', 'StorageClass', 'storageclasses', false, { shortNames: ['sc'] }),
  grouped('storage.k8s.io', 'VolumeAttachment', 'volumeattachments', false, { status: true }),
  grouped('node.k8s.io', 'RuntimeClass', 'runtimeclasses', false),
  grouped('coordination.k8s.io', 'Lease', 'leases', true),
  grouped('discovery.k8s.io', 'EndpointSlice', 'endpointslices', true),
  grouped('certificates.k8s.io', 'CertificateSigningRequest', 'certificatesigningrequests', false, {
    shortNames: ['csr'],
    status: true,
  }),

  grouped('apiextensions.k8s.io', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
    shortNames: ['crd', 'crds'],
    categories: API_EXTENSIONS,
    status: true,
    generation: true,
  }),
  grouped('apiregistration.k8s.io', 'APIService', 'apiservices', false, { categories: API_EXTENSIONS, status: true }),
  grouped('admissionregistration.k8s.io', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false, {
    categories: API_EXTENSIONS,
    generation: true,
  }),
  grouped('admissionregistration.k8s.io', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false, {
    categories: API_EXTENSIONS,
    generation: true,
  }),
  grouped('admissionregistration.k8s.io', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false, {
    categories: API_EXTENSIONS,
    status: true,
    generation: true,
  }),
  grouped(
    'admissionregistration.k8s.io',
    'ValidatingAdmissionPolicyBinding',
    'validatingadmissionpolicybindings',
    false,
    {
      categories: API_EXTENSIONS,
      generation: true,
    },
  ),
  grouped('flowcontrol.apiserver.k8s.io', 'FlowSchema', 'flowschemas', false, { status: true, generation: true }),
  grouped('flowcontrol.apiserver.k8s.io', 'PriorityLevelConfiguration', 'prioritylevelconfigurations', false, {
    status: true,
    generation: true,
  }),
];

/** `apps/v1` -> { group: 'apps', version: 'v1' }; `v1` -> core. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `group/version`, or just `version` for core. */
export function joinApiVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

const byGroupKind = new Map(BUILTIN_RESOURCES.map((r) => [`${r.group}/${r.kind}`, r]));

/** The built-in resource served for `apiVersion` + `kind`, if any (the version must be a served one). */
export function builtinResource(apiVersion: string, kind: string): BuiltinResource | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  const found = byGroupKind.get(`${group}/${kind}`);
  return found && found.versions.includes(version) ? found : undefined;
}

/** Whether `group` is served by the API server itself (not by a CustomResourceDefinition). */
export function isBuiltinGroup(group: string): boolean {
  return BUILTIN_RESOURCES.some((r) => r.group === group);
}

/** Built-in resources of the same kind name in any group/version (for "use apiVersion: ..." hints). */
export function builtinKindNamed(kind: string): BuiltinResource[] {
  return BUILTIN_RESOURCES.filter((r) => r.kind === kind);
}
