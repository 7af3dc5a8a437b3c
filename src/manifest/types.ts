import type { KubeObject } from '../k8s/objects.js';

/** One Kubernetes object read from a manifest file, with where it came from. */
export interface ManifestDocument {
  /** The file as the user named it (relative to cwd when given relative; `/` separators). */
  file: string;
  /** 1-based line where the object starts (its first key) in `file`. */
  line: number;
  object: KubeObject;
  /** 1-based line of each container's `image:` (containers and initContainers), by container name. */
  imageLines: Record<string, number>;
  /**
   * The line of any field of the object (keys and indices from its root), when it was read from a
   * file; for the errors found once the cluster is known (a custom resource against its CRD).
   */
  lineOf?(path: ReadonlyArray<string | number>): number | undefined;
}

/**
 * A problem found before anything is applied. `line` is 1-based; it is 0 when the problem concerns
 * a whole input rather than a line in it (a missing path, a glob that matches nothing, an
 * unreadable file); `file` is '' for problems with no file (a bad `--image` override).
 */
export interface ManifestError {
  file: string;
  line: number;
  message: string;
}

/** Inputs of {@link loadManifests}, as the CLI flags / action inputs give them. */
export interface LoadManifestsOptions {
  /** Files, directories (recursive: *.yaml, *.yml, *.json) and globs; an entry may hold several, one per line. */
  patterns: readonly string[];
  /** Directory relative patterns are resolved against. */
  cwd: string;
  /**
   * `--namespace`: applied to namespaced objects without one; an object that names a different
   * namespace is an error (kubectl's rule for an explicit namespace).
   */
  namespace?: string;
  /** Namespace for objects without one when no explicit `namespace` is given. Default `default`. */
  defaultNamespace?: string;
  /** `--image NAME=REF` overrides (container name, image name, or `*`). */
  images?: readonly string[];
}

/** What {@link loadManifests} returns: the documents in apply order, or every problem found. */
export interface LoadManifestsResult {
  documents: ManifestDocument[];
  errors: ManifestError[];
}
