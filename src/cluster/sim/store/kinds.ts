import type { KubeObject } from '../../../k8s/objects.js';
import type { StatusCause } from '../../../k8s/apiError.js';
import type { UnknownField } from '../../../k8s/crdSchema/index.js';

/**
 * What the store needs to know about a kind: where it lives in the API, how it is defaulted
 * and validated, and which writes bump `metadata.generation`.
 */
export interface KindInfo {
  kind: string;
  apiVersion: string;
  /** API group ('' for core). */
  group: string;
  plural: string;
  namespaced: boolean;
  /** Fills API defaults on create (and on update, where the API server does so too). */
  applyDefaults?(obj: KubeObject): void;
  /**
   * Server-maintained fields of an update of the main resource, from the stored object (the
   * registry strategy's PrepareForUpdate), run after the defaults and before validation.
   */
  prepareForUpdate?(old: KubeObject, next: KubeObject): void;
  /**
   * The fields of `obj` its schema does not declare, for kinds whose schema is not a built-in one
   * (custom resources: their CRD's structural schema). Built-in kinds use src/k8s/schema.
   */
  unknownFields?(obj: KubeObject): UnknownField[];
  /** The strategy's PrepareForCreate, run once the uid is assigned (a Job's generated selector holds it). */
  prepareForCreate?(obj: KubeObject): void;
  /** Field errors for a create (old undefined) or an update. Empty when valid. */
  validate?(obj: KubeObject, old: KubeObject | undefined): StatusCause[];
  /**
   * Whether an update of the main resource bumps generation. Deployments bump on spec or
   * annotation changes (registry/apps/deployment/strategy.go), ReplicaSets on spec changes;
   * kinds without a generation return false.
   */
  bumpsGeneration?(old: KubeObject, next: KubeObject): boolean;
  /** Pods are deleted gracefully: delete marks them, the kubelet removes them. */
  gracefulDelete?: boolean;
  /** Writes through `/status` keep everything but status (and, for Deployments, annotations). */
  statusKeeps?: 'status' | 'status+annotations';
  /**
   * Served versions, preferred (storage) first; default: the version of `apiVersion`. Objects are
   * stored in `apiVersion` whatever version they were written in (no conversion between versions).
   */
  versions?: readonly string[];
  /** Discovery details (`kubectl api-resources`): short names, categories, verbs (default: all). */
  shortNames?: readonly string[];
  categories?: readonly string[];
  verbs?: readonly string[];
  /** Subresources served besides the object (`status`, `scale`, `log`). */
  subresources?: readonly string[];
  /**
   * Converts an object between served versions (`version` without the group), for kinds whose
   * versions differ in shape (HorizontalPodAutoscaler autoscaling/v1 and v2); objects are stored in
   * `apiVersion` and converted on the way in and out. Without it, versions share one shape.
   */
  convert?(obj: KubeObject, version: string): KubeObject;
  /** Served for a CustomResourceDefinition of this name (custom resources); removed with it. */
  definedBy?: string;
}

/** The versions a kind is served in, preferred first. */
export function servedVersions(info: KindInfo): readonly string[] {
  return info.versions ?? [info.apiVersion.slice(info.apiVersion.indexOf('/') + 1)];
}

export class KindRegistry {
  private readonly byKind = new Map<string, KindInfo>();
  private readonly byPlural = new Map<string, KindInfo>();

  register(info: KindInfo): void {
    this.byKind.set(info.kind, info);
    this.byPlural.set(`${info.group}/${info.plural}`, info);
  }

  /** Stops serving a kind (its CustomResourceDefinition was deleted). */
  unregister(kind: string): void {
    const info = this.byKind.get(kind);
    if (!info) return;
    this.byKind.delete(kind);
    this.byPlural.delete(`${info.group}/${info.plural}`);
  }

  /** The kind served as `kind` in `apiVersion` (group and a served version must match). */
  lookup(apiVersion: string, kind: string): KindInfo | undefined {
    const info = this.byKind.get(kind);
    if (!info) return undefined;
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    return info.group === group && servedVersions(info).includes(version) ? info : undefined;
  }

  get(kind: string): KindInfo {
    const info = this.byKind.get(kind);
    if (!info) throw new Error(`unknown kind ${kind}`);
    return info;
  }

  has(kind: string): boolean {
    return this.byKind.has(kind);
  }

  byResource(group: string, plural: string): KindInfo | undefined {
    return this.byPlural.get(`${group}/${plural}`);
  }

  all(): KindInfo[] {
    return [...this.byKind.values()];
  }
}

/** `deployments.apps` / `pods`: how API messages name a resource. */
export function qualifiedResource(info: KindInfo): string {
  return info.group ? `${info.plural}.${info.group}` : info.plural;
}
