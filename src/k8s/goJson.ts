/**
 * Serialises a pod template the way kubectl's Go `json.Marshal` does, so the undo patch is
 * byte-identical to kubectl's (vector `kubectl.getDeploymentPatch`): struct fields in Go
 * declaration order, `metadata`/`spec` always present, a container's `name` and `resources`
 * always present (they have no `omitempty`). Fields this table does not know keep their order
 * after the known ones; nested structs beyond containers are emitted as given.
 */
import type { PodTemplateSpec } from './objects.js';

const OBJECT_META = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];
const POD_SPEC = [
  'volumes',
  'initContainers',
  'containers',
  'ephemeralContainers',
  'restartPolicy',
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'dnsPolicy',
  'nodeSelector',
  'serviceAccountName',
  'serviceAccount',
  'automountServiceAccountToken',
  'nodeName',
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'shareProcessNamespace',
  'securityContext',
  'imagePullSecrets',
  'hostname',
  'subdomain',
  'affinity',
  'schedulerName',
  'tolerations',
  'hostAliases',
  'priorityClassName',
  'priority',
  'dnsConfig',
  'readinessGates',
  'runtimeClassName',
  'enableServiceLinks',
  'preemptionPolicy',
  'overhead',
  'topologySpreadConstraints',
  'setHostnameAsFQDN',
  'os',
  'hostUsers',
  'schedulingGates',
  'resourceClaims',
  'resources',
];
const CONTAINER = [
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'ports',
  'envFrom',
  'env',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'volumeMounts',
  'volumeDevices',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
];

type Json = Record<string, unknown>;

/** The template as Go would marshal it (a new object; the input is not modified). */
export function goTemplate(template: PodTemplateSpec): Json {
  const spec = (template.spec ?? {}) as unknown as Json;
  return {
    metadata: ordered((template.metadata ?? {}) as Json, OBJECT_META),
    spec: podSpec(spec),
  };
}

function podSpec(spec: Json): Json {
  const out = ordered(spec, POD_SPEC);
  const withContainers: Json = {};
  // `containers` has no omitempty: a nil slice marshals as null.
  for (const key of POD_SPEC.filter((k) => k in out || k === 'containers')) {
    withContainers[key] = key === 'containers' || key === 'initContainers' ? containers(out[key]) : out[key];
  }
  for (const key of Object.keys(out)) if (!(key in withContainers)) withContainers[key] = out[key];
  return withContainers;
}

function containers(value: unknown): unknown {
  if (!Array.isArray(value)) return value ?? null;
  return value.map((c) => {
    const source = c as Json;
    // `name` and `resources` have no omitempty (resources is a struct): always emitted.
    const withRequired = { ...source, name: source['name'] ?? '', resources: source['resources'] ?? {} };
    return ordered(withRequired, CONTAINER, ['resources']);
  });
}

function emptyCollection(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** Known keys in Go order, empty maps/slices dropped (`omitempty`), then unknown keys as given. */
function ordered(source: Json, order: string[], keepEmpty: string[] = []): Json {
  const out: Json = {};
  for (const key of order) {
    if (source[key] !== undefined && (keepEmpty.includes(key) || !emptyCollection(source[key]))) out[key] = source[key];
  }
  for (const key of Object.keys(source)) {
    if (!order.includes(key) && source[key] !== undefined) out[key] = source[key];
  }
  return out;
}
