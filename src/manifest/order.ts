import type { ManifestDocument } from './types.js';

/**
 * Apply order: what others depend on goes first, like Helm's install order
 * (https://github.com/helm/helm/blob/main/pkg/release/v1/util/kind_sorter.go): Namespaces, then the
 * identities, secrets, config and storage pods mount, then Services, then workloads. Pods of a
 * Deployment applied before its ConfigMap would fail with CreateContainerConfigError.
 */
const rank: Record<string, number> = {
  Namespace: 0,
  // Before its custom resources (rank 4): the apply step waits until it is Established.
  CustomResourceDefinition: 0,
  ServiceAccount: 1,
  Secret: 1,
  ConfigMap: 1,
  PersistentVolumeClaim: 1,
  Service: 2,
  Deployment: 3,
};

/** A new array in apply order; documents of equal rank keep their input order (stable sort). */
export function sortForApply<T extends ManifestDocument>(documents: readonly T[]): T[] {
  const rankOf = (d: T): number => rank[d.object.kind ?? ''] ?? 4;
  return documents
    .map((doc, index) => ({ doc, index }))
    .sort((a, b) => rankOf(a.doc) - rankOf(b.doc) || a.index - b.index)
    .map((e) => e.doc);
}
