import type { KubeObject } from '../../../k8s/objects.js';
import type { StatusCause } from '../../../k8s/apiError.js';

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
}

export class KindRegistry {
  private readonly byKind = new Map<string, KindInfo>();
  private readonly byPlural = new Map<string, KindInfo>();

  register(info: KindInfo): void {
    this.byKind.set(info.kind, info);
    this.byPlural.set(`${info.group}/${info.plural}`, info);
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
