import type { Lease } from '../../../k8s/lease.js';
import type { Deployment, KubeObject, Pod, ReplicaSet } from '../../../k8s/objects.js';
import { validateLease } from '../../../k8s/validation/lease.js';
import { registerBuiltinResources } from './genericKinds.js';
import { KindRegistry, type KindInfo } from './kinds.js';
import { deepEqual } from '../../../k8s/json.js';
import { defaultService } from './serviceDefaults.js';
import { preparePodForCreate } from '../kubelet/podCreate.js';
import { defaultStatefulSet } from '../controllers/statefulset/defaults.js';
import type { StatefulSet } from '../../../k8s/statefulSet.js';
import { validateStatefulSet } from '../../../k8s/validation/statefulSet.js';

/**
 * apps/v1 Deployment defaults (pkg/apis/apps/v1/defaults.go, SetDefaults_Deployment):
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/apps/v1/defaults.go
 */
export function defaultDeployment(obj: KubeObject): void {
  const d = obj as Deployment;
  d.spec ??= { template: {} };
  d.spec.replicas ??= 1;
  d.spec.strategy ??= {};
  d.spec.strategy.type ??= 'RollingUpdate';
  if (d.spec.strategy.type === 'RollingUpdate') {
    d.spec.strategy.rollingUpdate ??= {};
    d.spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    d.spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  d.spec.revisionHistoryLimit ??= 10;
  d.spec.progressDeadlineSeconds ??= 600;
  d.spec.template ??= {};
  defaultPodSpec(d.spec.template.spec);
}

/**
 * apps/v1 DaemonSet defaults (SetDefaults_DaemonSet): RollingUpdate with maxUnavailable 1 and
 * maxSurge 0, revisionHistoryLimit 10; and the template generation the API server keeps in the
 * `deprecated.daemonset.template.generation` annotation (registry/apps/daemonset/strategy.go
 * PrepareForCreate: 1 unless given).
 */
export function defaultDaemonSet(obj: KubeObject): void {
  const ds = obj as KubeObject & {
    spec: {
      updateStrategy?: { type?: string; rollingUpdate?: Record<string, unknown> };
      revisionHistoryLimit?: number;
      template?: { spec?: Pod['spec'] };
    };
  };
  ds.spec ??= {};
  ds.spec.updateStrategy ??= {};
  ds.spec.updateStrategy.type ??= 'RollingUpdate';
  if (ds.spec.updateStrategy.type === 'RollingUpdate') {
    ds.spec.updateStrategy.rollingUpdate ??= {};
    ds.spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    ds.spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  ds.spec.revisionHistoryLimit ??= 10;
  defaultPodSpec(ds.spec.template?.spec);
  const annotations = (ds.metadata.annotations ??= {});
  annotations[DAEMONSET_TEMPLATE_GENERATION] ??= '1';
}

const DAEMONSET_TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

/**
 * DaemonSet PrepareForUpdate: the template generation is the stored one, plus one when the pod
 * template changed (a user cannot set it).
 */
export function prepareDaemonSetUpdate(old: KubeObject, next: KubeObject): void {
  const template = (o: KubeObject) => (o.spec as { template?: unknown } | undefined)?.template;
  const before = Number(old.metadata.annotations?.[DAEMONSET_TEMPLATE_GENERATION] ?? '1');
  const after = deepEqual(template(old), template(next)) ? before : before + 1;
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DAEMONSET_TEMPLATE_GENERATION]: String(after) };
}

export function defaultReplicaSet(obj: KubeObject): void {
  const rs = obj as ReplicaSet;
  rs.spec.replicas ??= 1;
  defaultPodSpec(rs.spec.template?.spec);
}

export function defaultPod(obj: KubeObject): void {
  defaultPodSpec((obj as Pod).spec);
}

/** The pod spec defaults kubectl shows back (pkg/apis/core/v1/defaults.go). */
export function defaultPodSpec(spec: Pod['spec'] | undefined): void {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.dnsPolicy ??= 'ClusterFirst';
  for (const c of spec.containers ?? []) {
    c.imagePullPolicy ??= imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
}

function imageTag(image: string): string {
  if (image.includes('@')) return '';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > lastSlash ? image.slice(colon + 1) : 'latest';
}

// Semantic equality, key order ignored (apiequality.Semantic.DeepEqual in PrepareForUpdate): a field
// removed by an apply and put back by the defaults is no change, wherever it lands in the object.
const specOrAnnotationsChanged = (old: KubeObject, next: KubeObject): boolean =>
  !deepEqual(old.spec, next.spec) || !deepEqual(old.metadata.annotations ?? {}, next.metadata.annotations ?? {});

const specChanged = (old: KubeObject, next: KubeObject): boolean => !deepEqual(old.spec, next.spec);

/** The kinds the simulated cluster serves. `validate` hooks are attached by the simulation. */
export function builtinKinds(extra: Partial<Record<string, Partial<KindInfo>>> = {}): KindRegistry {
  const registry = new KindRegistry();
  const kinds: KindInfo[] = [
    { kind: 'Namespace', apiVersion: 'v1', group: '', plural: 'namespaces', namespaced: false },
    { kind: 'Node', apiVersion: 'v1', group: '', plural: 'nodes', namespaced: false },
    {
      kind: 'Pod',
      apiVersion: 'v1',
      group: '',
      plural: 'pods',
      namespaced: true,
      applyDefaults: defaultPod,
      prepareForCreate: preparePodForCreate,
      gracefulDelete: true,
      statusKeeps: 'status',
    },
    { kind: 'Event', apiVersion: 'v1', group: '', plural: 'events', namespaced: true },
    { kind: 'ConfigMap', apiVersion: 'v1', group: '', plural: 'configmaps', namespaced: true },
    { kind: 'Secret', apiVersion: 'v1', group: '', plural: 'secrets', namespaced: true },
    {
      kind: 'Service',
      apiVersion: 'v1',
      group: '',
      plural: 'services',
      namespaced: true,
      applyDefaults: defaultService,
      statusKeeps: 'status',
    },
    { kind: 'ServiceAccount', apiVersion: 'v1', group: '', plural: 'serviceaccounts', namespaced: true },
    { kind: 'PersistentVolumeClaim', apiVersion: 'v1', group: '', plural: 'persistentvolumeclaims', namespaced: true },
    {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      group: 'apps',
      plural: 'deployments',
      namespaced: true,
      applyDefaults: defaultDeployment,
      bumpsGeneration: specOrAnnotationsChanged,
      statusKeeps: 'status+annotations',
    },
    {
      kind: 'ReplicaSet',
      apiVersion: 'apps/v1',
      group: 'apps',
      plural: 'replicasets',
      namespaced: true,
      applyDefaults: defaultReplicaSet,
      bumpsGeneration: specChanged,
      statusKeeps: 'status',
    },
    {
      kind: 'DaemonSet',
      apiVersion: 'apps/v1',
      group: 'apps',
      plural: 'daemonsets',
      namespaced: true,
      applyDefaults: defaultDaemonSet,
      prepareForUpdate: prepareDaemonSetUpdate,
      bumpsGeneration: specChanged,
      statusKeeps: 'status',
    },
    {
      // registry/apps/statefulset/strategy.go: generation moves with the spec only.
      kind: 'StatefulSet',
      apiVersion: 'apps/v1',
      group: 'apps',
      plural: 'statefulsets',
      namespaced: true,
      applyDefaults: defaultStatefulSet,
      validate: (obj, old) => validateStatefulSet(obj as StatefulSet, old as StatefulSet | undefined),
      bumpsGeneration: specChanged,
      statusKeeps: 'status',
    },
    {
      // The lock of leader election and of the gate's runs; no generation, no status
      // (registry/coordination/lease/strategy.go).
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      group: 'coordination.k8s.io',
      plural: 'leases',
      namespaced: true,
      validate: (obj) => validateLease(obj as Lease),
    },
  ];
  for (const info of kinds) registry.register(info);
  // Every other built-in kind of Kubernetes 1.32, stored generically (genericKinds.ts).
  registerBuiltinResources(registry);
  for (const [kind, hooks] of Object.entries(extra))
    if (registry.has(kind)) registry.register({ ...registry.get(kind), ...hooks });
  return registry;
}
