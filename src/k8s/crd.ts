import type { KubeObject } from './objects.js';

/**
 * The parts of apiextensions.k8s.io/v1 CustomResourceDefinition rollout-gate reads
 * (https://github.com/kubernetes/apiextensions-apiserver/blob/master/pkg/apis/apiextensions/v1/types.go).
 */
export interface CustomResourceDefinition extends KubeObject {
  spec?: {
    group?: string;
    scope?: 'Namespaced' | 'Cluster' | string;
    names?: CrdNames;
    versions?: Array<{
      name?: string;
      served?: boolean;
      storage?: boolean;
      subresources?: { status?: Record<string, unknown>; scale?: Record<string, unknown> };
      schema?: { openAPIV3Schema?: Record<string, unknown> };
    }>;
  };
  status?: {
    conditions?: CrdCondition[];
    acceptedNames?: CrdNames;
    storedVersions?: string[];
  };
}

export interface CrdNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CrdCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export const CRD_API_VERSION = 'apiextensions.k8s.io/v1';
export const CRD_KIND = 'CustomResourceDefinition';

export function isCrd(obj: KubeObject): obj is CustomResourceDefinition {
  return obj.kind === CRD_KIND && obj.apiVersion === CRD_API_VERSION;
}

/**
 * Whether this CRD defines `kind` in `apiVersion` (its group, a served version). Returns the
 * scope when it does.
 */
export function crdDefines(
  crd: CustomResourceDefinition,
  apiVersion: string,
  kind: string,
): { namespaced: boolean; plural: string } | undefined {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return undefined;
  const spec = crd.spec ?? {};
  if (spec.group !== apiVersion.slice(0, slash) || spec.names?.kind !== kind) return undefined;
  const version = apiVersion.slice(slash + 1);
  if (!(spec.versions ?? []).some((v) => v.name === version && v.served !== false)) return undefined;
  return { namespaced: spec.scope !== 'Cluster', plural: spec.names.plural ?? '' };
}

export function crdCondition(crd: CustomResourceDefinition, type: string): CrdCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}
