import { BUILTIN_RESOURCES, joinApiVersion, type BuiltinResource } from '../../../k8s/builtinResources.js';
import { deepEqual } from '../../../k8s/json.js';
import type { KubeObject } from '../../../k8s/objects.js';
import type { KindInfo, KindRegistry } from './kinds.js';

/**
 * Generation rule of kinds stored generically (built-in kinds without a simulated controller, and
 * custom resources): any change outside metadata and status bumps it, as the registries' strategies
 * do (`PrepareForUpdate` compares the spec; the custom resource strategy everything but
 * metadata and status: https://github.com/kubernetes/apiextensions-apiserver/blob/master/pkg/registry/customresource/strategy.go).
 */
export function contentChanged(old: KubeObject, next: KubeObject): boolean {
  const content = (o: KubeObject): object => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  // Key order ignored, as apiequality.Semantic.DeepEqual does.
  return !deepEqual(content(old), content(next));
}

/** A generic KindInfo for one row of the built-in resource table. */
export function kindInfoOf(r: BuiltinResource): KindInfo {
  return {
    kind: r.kind,
    apiVersion: joinApiVersion(r.group, r.versions[0]!),
    group: r.group,
    plural: r.plural,
    namespaced: r.namespaced,
    versions: r.versions,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    ...(r.verbs ? { verbs: r.verbs } : {}),
    ...(r.status ? { subresources: ['status'], statusKeeps: 'status' as const } : {}),
    ...(r.generation ? { bumpsGeneration: contentChanged } : {}),
  };
}

/**
 * Serves every built-in kind of the table: kinds registered already (those with simulated
 * controllers and their own hooks) keep their hooks and gain the discovery details; the others are
 * stored generically (uid, resourceVersion, generation, watch, server-side apply, garbage
 * collection through ownerReferences), with no controller behind them.
 */
export function registerBuiltinResources(registry: KindRegistry): void {
  for (const r of BUILTIN_RESOURCES) {
    const generic = kindInfoOf(r);
    if (!registry.has(r.kind)) {
      registry.register(generic);
      continue;
    }
    const own = registry.get(r.kind);
    if (own.group !== r.group) continue;
    registry.register({ ...generic, ...own, subresources: own.subresources ?? generic.subresources ?? [] });
  }
}
