import type { KubeObject } from '../../../k8s/objects.js';

/**
 * The API server's cluster IP allocation for a Service (pkg/registry/core/service/ipallocator):
 * every type but ExternalName gets `spec.clusterIP` (and `clusterIPs`) from the service CIDR
 * (10.96.0.0/12 by default) unless it sets one (`None`: headless). Upstream draws the address at
 * random; here it comes from the Service's namespace and name, so a run is replayable without
 * drawing from the simulation's random source (which would move every later uid and name).
 */
export function defaultService(obj: KubeObject): void {
  const spec = (obj.spec ?? {}) as { type?: string; clusterIP?: string; clusterIPs?: string[] };
  if (spec.type === 'ExternalName' || (spec.clusterIP !== undefined && spec.clusterIP !== '')) return;
  let hash = 2166136261;
  for (const ch of `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`) {
    hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  }
  // 10.96.0.0/16 without .0.0 and .0.1 (the network and the kubernetes Service).
  const n = 2 + (hash % (65536 - 2));
  const ip = `10.96.${n >> 8}.${n & 255}`;
  obj.spec = { ...spec, clusterIP: ip, clusterIPs: [ip] };
}
