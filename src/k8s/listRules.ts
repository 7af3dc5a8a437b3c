/**
 * The slice of the Kubernetes OpenAPI "x-kubernetes-patch-merge-key" / "patchStrategy" markers the
 * simulator needs, keyed by field name (and, for `ports`, by context). Sources: the `patchStrategy`
 * and `patchMergeKey` struct tags of k8s.io/api core/v1 and apps/v1
 * (https://github.com/kubernetes/api/blob/master/core/v1/types.go).
 * Lists not named here are atomic: a patch replaces them whole (tolerations, args, command, …).
 */
export interface ListRule {
  /** Merge list items (maps) by this key. */
  mergeKey?: string;
  /** A list of scalars merged as a set (`patchStrategy:"merge"` on []string, e.g. finalizers). */
  primitiveMerge?: boolean;
}

const BY_NAME: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
};

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * The merge rule of the list reached by `path` (map field names from the object root; list items add
 * nothing), or undefined when the list is atomic.
 */
export function listRule(path: readonly string[]): ListRule | undefined {
  const field = path[path.length - 1];
  if (field === undefined) return undefined;
  if (field === 'finalizers') return { primitiveMerge: true };
  if (field === 'ports') {
    // Container ports merge by containerPort; Service ports by port (core/v1 ServiceSpec.Ports).
    return { mergeKey: CONTAINER_LISTS.has(path[path.length - 2] ?? '') ? 'containerPort' : 'port' };
  }
  const key = BY_NAME[field];
  return key ? { mergeKey: key } : undefined;
}
