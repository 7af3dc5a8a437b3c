import type { ClusterClient, ResourceMapping } from '../cluster/port.js';
import { builtinResource, isBuiltinGroup } from '../k8s/builtinResources.js';
import { ApiError } from '../k8s/apiError.js';
import { servedVersionsOf } from '../k8s/crdSchema/index.js';
import { CRD_API_VERSION, CRD_KIND, crdDefines, isCrd, type CustomResourceDefinition } from '../k8s/crd.js';
import { isDNS1123Label, isPathSegmentName } from '../k8s/validation/names.js';
import {
  crdForKind,
  customResourceProblems,
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
 * for built-in kinds). A custom resource whose CustomResourceDefinition is on the cluster (and not
 * in the run, whose CRDs the loader checked it against) is checked against that CRD's schema, read
 * through the port: unknown fields, values and CEL rules, as the API server would refuse them.
 * Returns every problem at once, with its file and line; documents are updated in place.
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
  const definitions = new Map<string, Promise<CustomResourceDefinition | undefined>>();
  for (const doc of documents) {
    const { apiVersion = '', kind = '' } = doc.object;
    const key = `${apiVersion}/${kind}`;
    if (!mappings.has(key)) mappings.set(key, cluster.resolve(apiVersion, kind));
    const mapping = (await mappings.get(key)) ?? definedInRun(crds, apiVersion, kind);
    const err = (message: string): void => void errors.push({ file: doc.file, line: doc.line, message });
    if (!mapping) {
      // A CRD on the cluster that defines the kind in other versions: name the ones it serves.
      const crd = await definedInOtherVersions(cluster, definitions, apiVersion, kind);
      const versions = crd ? customResourceProblems(doc, crd) : [];
      if (versions.length > 0)
        versions.forEach((p) => errors.push({ file: doc.file, line: p.line, message: p.message }));
      else
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
    if (crdForKind(crds, apiVersion, kind)) continue;
    const group = apiVersion.slice(0, apiVersion.indexOf('/'));
    const crdName = `${mapping.plural}.${group}`;
    if (!definitions.has(crdName)) definitions.set(crdName, readCrd(cluster, crdName));
    const crd = await definitions.get(crdName);
    if (crd)
      for (const p of customResourceProblems(doc, crd))
        errors.push({ file: doc.file, line: p.line, message: p.message });
  }
  return errors;
}

/**
 * The CRD on the cluster that defines `kind` in the group of `apiVersion` but does not serve its
 * version, found under the name
 * its resource would have by default (apimachinery's UnsafeGuessKindToResource: `Widget` ->
 * `widgets`, `Policy` -> `policies`, `Class` -> `classes`); undefined for a built-in group, a
 * CRD of another plural, or none.
 */
async function definedInOtherVersions(
  cluster: ClusterClient,
  cache: Map<string, Promise<CustomResourceDefinition | undefined>>,
  apiVersion: string,
  kind: string,
): Promise<CustomResourceDefinition | undefined> {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  if (group === '' || isBuiltinGroup(group) || kind === '') return undefined;
  const name = `${guessPlural(kind)}.${group}`;
  if (!cache.has(name)) cache.set(name, readCrd(cluster, name));
  const crd = await cache.get(name);
  const version = apiVersion.slice(slash + 1);
  return crd?.spec?.names?.kind === kind && !servedVersionsOf(crd).includes(version) ? crd : undefined;
}

function guessPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/**
 * The CustomResourceDefinition named `<plural>.<group>` on the cluster; undefined when the kind is
 * not a CRD's (an aggregated API) or the credentials may not read CRDs (then the API server
 * alone validates the custom resource).
 */
async function readCrd(cluster: ClusterClient, name: string): Promise<CustomResourceDefinition | undefined> {
  try {
    return await cluster.get<CustomResourceDefinition>(CRD_API_VERSION, CRD_KIND, undefined, name);
  } catch (err) {
    if (err instanceof ApiError && (err.code === 403 || err.code === 404)) return undefined;
    throw err;
  }
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
