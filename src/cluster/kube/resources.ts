import { ApiError } from '../../k8s/apiError.js';
import type { KubeTransport } from './transport.js';

export interface ResourceInfo {
  /** URL segment, e.g. `deployments`. */
  plural: string;
  namespaced: boolean;
}

/** Kinds rollout-gate touches all the time; known up front so they cost no discovery request. */
const WELL_KNOWN: Record<string, ResourceInfo> = {
  'v1/Pod': { plural: 'pods', namespaced: true },
  'v1/Event': { plural: 'events', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'v1/Node': { plural: 'nodes', namespaced: false },
  'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
  'apps/v1/ReplicaSet': { plural: 'replicasets', namespaced: true },
  'apps/v1/StatefulSet': { plural: 'statefulsets', namespaced: true },
  'apps/v1/DaemonSet': { plural: 'daemonsets', namespaced: true },
  'coordination.k8s.io/v1/Lease': { plural: 'leases', namespaced: true },
};

interface ApiResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/** Maps apiVersion + kind to a REST path; other kinds cost one discovery `GET /apis/<gv>` per group-version. */
export class ResourceResolver {
  private readonly discovered = new Map<string, Promise<ApiResourceList>>();

  constructor(
    private readonly transport: KubeTransport,
    private readonly defaultNamespace: string,
  ) {}

  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const known = WELL_KNOWN[`${apiVersion}/${kind}`];
    if (known) return known;
    let list = this.discovered.get(apiVersion);
    if (!list) {
      list = this.transport.request<ApiResourceList>({ verb: 'GET', path: groupVersionPath(apiVersion) });
      this.discovered.set(apiVersion, list);
      // A failed discovery must not be cached for the life of the process.
      list.catch(() => this.discovered.delete(apiVersion));
    }
    const found = (await list).resources?.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!found) throw new ApiError(404, 'NotFound', `the server has no resource for kind "${kind}" in ${apiVersion}`);
    return { plural: found.name, namespaced: found.namespaced };
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
