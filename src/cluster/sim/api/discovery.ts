import { ALL_VERBS, BUILTIN_RESOURCES } from '../../../k8s/builtinResources.js';
import { servedVersions, type KindInfo, type KindRegistry } from '../store/kinds.js';
import { COMPONENT_STATUS } from './componentStatus.js';

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

/** Subresources with their own behaviour, by parent plural (other kinds: `status` when they have one). */
export const SUBRESOURCES: Record<string, string[]> = {
  deployments: ['status', 'scale'],
  replicasets: ['status', 'scale'],
  replicationcontrollers: ['status', 'scale'],
  statefulsets: ['status', 'scale'],
  pods: ['status', 'log', 'exec', 'attach', 'portforward', 'binding'],
  serviceaccounts: ['token'],
};

/** The subresources served for a kind. */
export function subresourcesOf(info: KindInfo): readonly string[] {
  return SUBRESOURCES[info.plural] ?? info.subresources ?? [];
}

/**
 * Resources served without being stored: the access reviews `kubectl auth can-i` creates
 * (./authz.ts answers them). They are listed in discovery and OpenAPI like any other; the store
 * never sees them.
 */
const REVIEWS: readonly KindInfo[] = [
  review('SelfSubjectReview', 'selfsubjectreviews', 'authentication.k8s.io'),
  review('TokenReview', 'tokenreviews', 'authentication.k8s.io'),
  review('LocalSubjectAccessReview', 'localsubjectaccessreviews', 'authorization.k8s.io', true),
  review('SelfSubjectAccessReview', 'selfsubjectaccessreviews'),
  review('SelfSubjectRulesReview', 'selfsubjectrulesreviews'),
  review('SubjectAccessReview', 'subjectaccessreviews'),
];
function review(kind: string, plural: string, group = 'authorization.k8s.io', namespaced = false): KindInfo {
  return { kind, plural, group, apiVersion: `${group}/v1`, namespaced, verbs: ['create'] };
}

/** `bindings` (v1 Binding, create only): a pod bound to a node by a POST to its namespace (./binding.ts). */
export const BINDINGS: KindInfo = {
  kind: 'Binding',
  plural: 'bindings',
  group: '',
  apiVersion: 'v1',
  namespaced: true,
  verbs: ['create'],
};

/** Every kind served: the registry's, bindings, componentstatuses and the reviews. */
function allKinds(registry: KindRegistry): KindInfo[] {
  return [BINDINGS, COMPONENT_STATUS, ...registry.all(), ...REVIEWS];
}

/** Kinds served in `group` (and `version`, when given). */
export function kindsOf(registry: KindRegistry, group: string, version?: string): KindInfo[] {
  return allKinds(registry).filter(
    (k) => k.group === group && (version === undefined || servedVersions(k).includes(version)),
  );
}

/**
 * The API groups served, each with its versions (preferred first): the built-in groups in the
 * order of the resource table, then the groups of CustomResourceDefinitions by name.
 */
export function groupVersions(registry: KindRegistry): Array<{ group: string; versions: string[] }> {
  const groups = new Map<string, string[]>();
  const kinds = allKinds(registry);
  const builtins = kinds.filter((k) => !k.definedBy).sort((a, b) => tableRank(a.group) - tableRank(b.group));
  const ordered = [...builtins, ...kinds.filter((k) => k.definedBy).sort(byGroup)];
  for (const info of ordered) {
    const versions = groups.get(info.group) ?? [];
    for (const v of servedVersions(info)) if (!versions.includes(v)) versions.push(v);
    groups.set(info.group, versions);
  }
  return [...groups].map(([group, versions]) => ({ group, versions }));
}

/**
 * A group's place in the resource table (kinds with their own simulator entries, such as Lease,
 * keep it too); the reviews' group comes before autoscaling, as kube-apiserver orders them.
 */
const TABLE_GROUPS = [...new Set(BUILTIN_RESOURCES.map((r) => r.group))].flatMap((g) =>
  g === 'autoscaling' ? ['authentication.k8s.io', 'authorization.k8s.io', g] : [g],
);
function tableRank(group: string): number {
  const i = TABLE_GROUPS.indexOf(group);
  return i < 0 ? TABLE_GROUPS.length : i;
}

function byGroup(a: KindInfo, b: KindInfo): number {
  return a.group < b.group ? -1 : a.group > b.group ? 1 : 0;
}

/** Whether `group`/`version` is served (`version` undefined: any version of the group). */
export function serves(registry: KindRegistry, group: string, version?: string): boolean {
  return kindsOf(registry, group, version).length > 0;
}

/** `GET /api`: APIVersions. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupOf(group: string, versions: string[]): Record<string, unknown> {
  const gvs = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: gvs, preferredVersion: gvs[0] };
}

/** `GET /apis`: APIGroupList (legacy discovery; kubectl accepts it in place of the aggregated form). */
export function apiGroupList(registry: KindRegistry): Record<string, unknown> {
  const groups = groupVersions(registry)
    .filter((g) => g.group !== '')
    .map((g) => groupOf(g.group, g.versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `GET /apis/<group>`: APIGroup. */
export function apiGroup(registry: KindRegistry, group: string): Record<string, unknown> {
  const versions = groupVersions(registry).find((g) => g.group === group)?.versions ?? [];
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupOf(group, versions) };
}

/** `GET /api/v1`, `GET /apis/<group>/<version>`: APIResourceList with verbs, short names, categories and subresources. */
export function apiResourceList(registry: KindRegistry, group: string, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const info of kindsOf(registry, group, version)) {
    resources.push({
      name: info.plural,
      singularName: info.kind.toLowerCase(),
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: info.verbs ?? ALL_VERBS,
      ...(info.shortNames?.length ? { shortNames: info.shortNames } : {}),
      ...(info.categories?.length ? { categories: info.categories } : {}),
    });
    for (const sub of subresourcesOf(info)) resources.push(subresource(info, sub));
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}
function subresource(info: KindInfo, sub: string): Record<string, unknown> {
  const base = { name: `${info.plural}/${sub}`, singularName: '', namespaced: info.namespaced };
  if (sub === 'scale')
    return { ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
  if (sub === 'log') return { ...base, kind: info.kind, verbs: ['get'] };
  if (sub === 'binding') return { ...base, kind: 'Binding', verbs: ['create'] };
  if (sub === 'token')
    return { ...base, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
  // pods/exec, pods/attach, pods/portforward as kube-apiserver lists them (answered ./resources.ts noContainers).
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward') {
    const options = { exec: 'PodExecOptions', attach: 'PodAttachOptions', portforward: 'PodPortForwardOptions' };
    return { ...base, kind: options[sub], verbs: ['create', 'get'] };
  }
  return { ...base, kind: info.kind, verbs: ['get', 'patch', 'update'] };
}
