import { ApiError } from '../../k8s/apiError.js';
import { BUILTIN_RESOURCES, joinApiVersion } from '../../k8s/builtinResources.js';
import type { ResourceMapping } from '../port.js';
import type { KubeTransport } from './transport.js';

export type ResourceInfo = ResourceMapping;

/**
 * Kinds the gate itself reads and writes all the time (its Leases too); known up front (from the
 * project's one table of built-in resources) so they cost no discovery request. Every other kind
 * comes from discovery.
 */
const WELL_KNOWN_KINDS = ['Pod', 'Event', 'Namespace', 'Node', 'Deployment', 'ReplicaSet', 'Lease'];
const WELL_KNOWN: Record<string, ResourceInfo> = Object.fromEntries(
  BUILTIN_RESOURCES.filter((r) => WELL_KNOWN_KINDS.includes(r.kind)).map((r) => [
    `${joinApiVersion(r.group, r.versions[0]!)}/${r.kind}`,
    { plural: r.plural, namespaced: r.namespaced },
  ]),
);

interface ApiResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/**
 * Maps apiVersion + kind to a REST path; other kinds cost one discovery `GET /apis/<gv>` per
 * group-version (kubectl's RESTMapper does the same, https://github.com/kubernetes/client-go/blob/master/restmapper/discovery.go).
 * The answer is cached for the run; a miss (the group-version is not served, or does not have the
 * kind) is not, so a kind added by a CustomResourceDefinition this run applied is found afterwards.
 */
export class ResourceResolver {
  private readonly discovered = new Map<string, Promise<ApiResourceList>>();

  constructor(
    private readonly transport: KubeTransport,
    private readonly defaultNamespace: string,
  ) {}

  /** The mapping of `kind` in `apiVersion`, or undefined when the server does not serve it. */
  async lookup(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const known = WELL_KNOWN[`${apiVersion}/${kind}`];
    if (known) return known;
    let list = this.discovered.get(apiVersion);
    if (!list) {
      list = this.transport.request<ApiResourceList>({ verb: 'GET', path: groupVersionPath(apiVersion) });
      this.discovered.set(apiVersion, list);
      // A failed discovery must not be cached for the life of the process.
      list.catch(() => this.discovered.delete(apiVersion));
    }
    let resources: ApiResourceList;
    try {
      resources = await list;
    } catch (err) {
      // 404: the group-version is not served at all (no CRD defines it yet).
      if (ApiError.isNotFound(err)) return undefined;
      throw err;
    }
    const found = resources.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!found) {
      this.discovered.delete(apiVersion);
      return undefined;
    }
    return { plural: found.name, namespaced: found.namespaced };
  }

  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const found = await this.lookup(apiVersion, kind);
    if (!found) throw new ApiError(404, 'NotFound', `the server has no resource for kind "${kind}" in ${apiVersion}`);
    return found;
  }

  /** The object's path (`name` given) or its collection's path. */
  async path(apiVersion: string, kind: string, namespace: string | undefined, name?: string): Promise<string> {
    const info = await this.resolve(apiVersion, kind);
    const parts = [groupVersionPath(apiVersion)];
    if (info.namespaced) parts.push('namespaces', encodeURIComponent(namespace || this.defaultNamespace));
    parts.push(info.plural);
    if (name !== undefined) parts.push(encodeURIComponent(name));
    return parts.join('/');
  }

  namespaceOf(namespace: string | undefined): string {
    return namespace || this.defaultNamespace;
  }
}

export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}
