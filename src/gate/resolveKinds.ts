import type { ClusterClient, ResourceMapping } from '../cluster/port.js';
import { builtinResource } from '../k8s/builtinResources.js';
import { crdDefines, isCrd, type CustomResourceDefinition } from '../k8s/crd.js';
import { isDNS1123Label, isPathSegmentName } from '../k8s/validation/names.js';
import {
  duplicateKey,
  duplicateMessage,
  noMatches,
  resolveNamespace,
  type ManifestDocument,
} from '../manifest/index.js';
import type { InputError } from './result.js';

/** Namespace options of the run, as given to the manifest loader. */
export interface ResolveOptions {
  namespace?: string;
  defaultNamespace?: string;
}

/**
 * Before anything is applied: every document's kind must be served by the cluster (API discovery,
 * cached per run by the adapter) or defined by a CustomResourceDefinition of the same run, which
 * the apply step establishes first. Kinds that are not built in learn their scope here: a
 * namespaced one gets the run's namespace, a cluster-scoped one loses any (the loader did the same
 * for built-in kinds). Returns every problem at once, with its file and line; documents are
 * updated in place.
 */
export async function resolveKinds(
  cluster: ClusterClient,
  documents: readonly ManifestDocument[],
  options: ResolveOptions,
): Promise<InputError[]> {
  const errors: InputError[] = [];
  const crds = documents.map((d) => d.object).filter(isCrd);
  const mappings = new Map<string, Promise<ResourceMapping | undefined>>();
  const seen = new Map<string, ManifestDocument>();
  for (const doc of documents) {
    const { apiVersion = '', kind = '' } = doc.object;
    const key = `${apiVersion}/${kind}`;
    if (!mappings.has(key)) mappings.set(key, cluster.resolve(apiVersion, kind));
    const mapping = (await mappings.get(key)) ?? definedInRun(crds, apiVersion, kind);
    const err = (message: string): void => void errors.push({ file: doc.file, line: doc.line, message });
    if (!mapping) {
      err(
        `${noMatches(kind, apiVersion)}: the cluster does not serve it ` +
          '(ensure CRDs are installed first, or apply its CustomResourceDefinition in the same run)',
      );
      continue;
    }
    // Built-in kinds were named, scoped and checked for duplicates by the loader.
    if (builtinResource(apiVersion, kind)) continue;
    resolveNamespace(doc.object, mapping.namespaced, options).forEach(err);
    const name = doc.object.metadata.name ?? '';
    for (const msg of isPathSegmentName(name))
      err(`The ${kind} "${name}" is invalid: metadata.name: Invalid value: ${JSON.stringify(name)}: ${msg}`);
    const ns = doc.object.metadata.namespace;
    if (ns !== undefined)
      for (const msg of isDNS1123Label(ns))
        err(`The ${kind} "${name}" is invalid: metadata.namespace: Invalid value: ${JSON.stringify(ns)}: ${msg}`);
    const first = seen.get(duplicateKey(doc.object));
    if (first) err(duplicateMessage(doc.object, mapping.namespaced, first));
    else seen.set(duplicateKey(doc.object), doc);
  }
  return errors;
}

/** The mapping a CustomResourceDefinition of the run gives `kind` in `apiVersion`, if any. */
export function definedInRun(
  crds: readonly CustomResourceDefinition[],
  apiVersion: string,
  kind: string,
): ResourceMapping | undefined {
  for (const crd of crds) {
    const found = crdDefines(crd, apiVersion, kind);
    if (found) return found;
  }
  return undefined;
}
