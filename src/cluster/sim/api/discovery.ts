import type { KindInfo, KindRegistry } from '../store/kinds.js';

/** The Kubernetes version the facade claims: kubectl's gcloud dispatcher picks `kubectl.1.<minor>` from it. */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:02:27Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** The group-versions served: core v1, apps/v1 and coordination.k8s.io/v1 (Leases). */
export const GROUP_VERSIONS = [
  { group: '', version: 'v1' },
  { group: 'apps', version: 'v1' },
  { group: 'coordination.k8s.io', version: 'v1' },
] as const;

/** The named API groups served (`/apis/<group>`), in discovery order. */
export const NAMED_GROUPS: readonly string[] = GROUP_VERSIONS.map((gv) => gv.group).filter((g) => g !== '');

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Discovery details per resource (short names and categories as a v1.32 API server lists them). */
const RESOURCE_DETAILS: Record<string, { shortNames?: string[]; categories?: string[]; verbs?: string[] }> = {
  namespaces: { shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  nodes: { shortNames: ['no'] },
  pods: { shortNames: ['po'], categories: ['all'] },
  events: { shortNames: ['ev'] },
  configmaps: { shortNames: ['cm'] },
  secrets: {},
  services: {
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  },
  serviceaccounts: { shortNames: ['sa'] },
  persistentvolumeclaims: { shortNames: ['pvc'] },
  deployments: { shortNames: ['deploy'], categories: ['all'] },
  replicasets: { shortNames: ['rs'], categories: ['all'] },
  leases: {},
};

/** Subresources served, by parent plural. */
export const SUBRESOURCES: Record<string, string[]> = {
  deployments: ['status', 'scale'],
  replicasets: ['status', 'scale'],
  pods: ['status', 'log'],
};

export function kindsOf(registry: KindRegistry, group: string): KindInfo[] {
  return registry.all().filter((k) => k.group === group);
}

/** `GET /api`: APIVersions. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** `GET /apis`: APIGroupList (legacy discovery; kubectl accepts it in place of the aggregated form). */
export function apiGroupList(): Record<string, unknown> {
  const groups = NAMED_GROUPS.map((name) => {
    const gv = { groupVersion: `${name}/v1`, version: 'v1' };
    return { name, versions: [gv], preferredVersion: gv };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `GET /apis/<group>`: APIGroup. */
export function apiGroup(group: string): Record<string, unknown> {
  const gv = { groupVersion: `${group}/v1`, version: 'v1' };
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [gv], preferredVersion: gv };
}

/** `GET /api/v1`, `GET /apis/apps/v1`: APIResourceList with verbs, short names, categories and subresources. */
export function apiResourceList(registry: KindRegistry, group: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const info of kindsOf(registry, group)) {
    const details = RESOURCE_DETAILS[info.plural] ?? {};
    resources.push({
      name: info.plural,
      singularName: info.kind.toLowerCase(),
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: details.verbs ?? ALL_VERBS,
      ...(details.shortNames ? { shortNames: details.shortNames } : {}),
      ...(details.categories ? { categories: details.categories } : {}),
    });
    for (const sub of SUBRESOURCES[info.plural] ?? []) {
      resources.push(subresource(info, sub));
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/v1` : 'v1', resources };
}

function subresource(info: KindInfo, sub: string): Record<string, unknown> {
  const base = { name: `${info.plural}/${sub}`, singularName: '', namespaced: info.namespaced };
  if (sub === 'scale')
    return { ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
  if (sub === 'log') return { ...base, kind: info.kind, verbs: ['get'] };
  return { ...base, kind: info.kind, verbs: ['get', 'patch', 'update'] };
}
