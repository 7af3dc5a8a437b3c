import type { Deployment, KubeObject } from '../k8s/objects.js';
import { deploymentFieldErrors, withDeploymentDefaults } from '../k8s/validation/deployment.js';
import { formatFieldError } from '../k8s/validation/fieldErrors.js';
import { parseImageReference } from '../k8s/validation/imageReference.js';
import {
  BUILTIN_RESOURCES,
  builtinKindNamed,
  builtinResource,
  isBuiltinGroup,
  joinApiVersion,
  splitApiVersion,
} from '../k8s/builtinResources.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isPathSegmentName } from '../k8s/validation/names.js';
import { describeValue, schemaForKind, validateAgainstSchema } from '../k8s/schema/index.js';
import { crdForKind, crdProblems, customResourceProblems, lineOfPath } from './customResources.js';
import { type LoadedDocument, isPlainObject } from './load.js';
import { isCrd } from '../k8s/crd.js';
import { readWaitControls, WaitAnnotations } from '../rollout/kinds/index.js';
import type { ManifestError } from './types.js';

/**
 * Validation of every loaded object before anything is applied. All problems are returned at
 * once, each pointing at the file and line of the offending field. Types, unknown fields,
 * required fields and enums come from the kind's Kubernetes OpenAPI schema (src/k8s/schema/);
 * the Deployment rules a schema cannot express (selector vs labels, surge vs unavailable, image
 * references...) from src/k8s/validation/.
 *
 * Any kind is accepted, as by a real cluster: the built-in kinds of Kubernetes 1.32 are known here
 * (src/k8s/builtinResources.ts), so a built-in kind under a version the API server does not serve is
 * refused before any cluster is involved; a kind of another group (a custom resource) is resolved
 * against the cluster's discovery, or against a CustomResourceDefinition of the same run, before
 * anything is applied (src/gate/resolveKinds.ts); a custom resource whose CRD is in the same run is
 * checked against that CRD's schema here (src/manifest/customResources.ts), and the CRD itself
 * against what the API server would refuse.
 */

/**
 * metadata.name rules of the kinds that have a stricter one than ValidatePathSegmentName
 * (pkg/apis/core/validation: ValidateNamespaceName, ValidateServiceName, and the DNS-1123
 * subdomain of most kinds). Kinds not listed here (RBAC kinds, custom resources...) accept any
 * path segment name, such as `system:aggregate-to-edit`.
 */
const nameRules: Record<string, (n: string) => string[]> = {
  Namespace: isDNS1123Label,
  Service: isDNS1035Label,
  ServiceAccount: isDNS1123Subdomain,
  Secret: isDNS1123Subdomain,
  ConfigMap: isDNS1123Subdomain,
  PersistentVolumeClaim: isDNS1123Subdomain,
  Deployment: isDNS1123Subdomain,
};

/** The Kubernetes API groups that were removed (no longer served by any 1.32 API server). */
const removedGroups = new Set(['extensions']);

/** Namespace options, as in {@link LoadManifestsOptions}. */
export interface NamespaceOptions {
  namespace?: string;
  defaultNamespace?: string;
}

/**
 * Validates the documents and resolves their namespaces in place (namespaced objects without one
 * get `namespace`, else `defaultNamespace`, else `default`; cluster-scoped objects lose a stray
 * one, which the apiserver ignores anyway).
 */
export function validateDocuments(
  documents: readonly LoadedDocument[],
  options: NamespaceOptions = {},
): ManifestError[] {
  const errors: ManifestError[] = [];
  const seen = new Map<string, LoadedDocument>();
  const crds = documents.map((d) => d.object).filter(isCrd);
  if (options.namespace !== undefined) {
    for (const msg of isDNS1123Label(options.namespace)) {
      errors.push({ file: '', line: 0, message: `invalid namespace "${options.namespace}": ${msg}` });
    }
  }
  for (const doc of documents) {
    // One message once per document: the schema and the Deployment rules can say the same thing.
    const said = new Set<string>();
    const err = (message: string, line = doc.line): void => {
      if (said.has(message)) return;
      said.add(message);
      errors.push({ file: doc.file, line, message });
    };
    const obj = doc.object;
    const structural = checkEnvelope(obj);
    structural.forEach((m) => err(m));
    if (structural.length > 0) continue;
    const kind = obj.kind!;
    const name = obj.metadata.name ?? '';
    const info = builtinResource(obj.apiVersion!, kind);
    const { group } = splitApiVersion(obj.apiVersion!);
    if (!info && (isBuiltinGroup(group) || removedGroups.has(group))) {
      err(noMatches(kind, obj.apiVersion!));
      continue;
    }
    // The kind's OpenAPI schema, as the API server's strict decoding and validation apply it.
    const schema = schemaForKind(obj.apiVersion!, kind);
    const problems = schema ? validateAgainstSchema(obj, schema.schema, schema.name) : [];
    for (const p of problems) {
      const message =
        p.kind === 'unknown'
          ? `${kind} "${name}": strict decoding error: ${p.message}`
          : `The ${kind} "${name}" is invalid: ${p.message}`;
      err(message, lineOfPath(doc, p.path));
    }
    // A value of the wrong type cannot be decoded: the API server stops there, and so do the rules below.
    if (problems.some((p) => p.kind === 'type')) continue;

    // The gate's own annotations (waitFor.ts): a value it does not understand is never ignored.
    for (const message of readWaitControls(obj).errors) {
      const key = message.includes(WaitAnnotations.failedTolerance)
        ? WaitAnnotations.failedTolerance
        : WaitAnnotations.wait;
      err(`${kind} "${name}": ${message}`, lineOfPath(doc, ['metadata', 'annotations', key]));
    }
    // A kind of another group: its scope is known once resolved against the cluster (resolveKinds.ts);
    // a custom resource whose CRD is in this run is checked against that CRD's schema now.
    if (!info) {
      const crd = crdForKind(crds, obj.apiVersion!, kind);
      if (crd) customResourceProblems(doc, crd).forEach((p) => err(p.message, p.line));
      continue;
    }
    if (isCrd(obj)) crdProblems(doc).forEach((p) => err(p.message, p.line));
    resolveNamespace(obj, info.namespaced, options).forEach((m) => err(m));
    const first = seen.get(duplicateKey(obj));
    if (first && name !== '') err(duplicateMessage(obj, info.namespaced, first));
    else seen.set(duplicateKey(obj), doc);

    if (kind === 'Deployment') validateDeploymentDocument(doc, err);
    else {
      if (name !== '')
        for (const msg of (nameRules[kind] ?? isPathSegmentName)(name))
          err(
            `The ${kind} "${name}" is invalid: metadata.name: Invalid value: ${JSON.stringify(name)}: ${msg}`,
            lineOfPath(doc, ['metadata', 'name']),
          );
      const ns = obj.metadata.namespace;
      if (ns !== undefined)
        for (const msg of isDNS1123Label(ns))
          err(
            `The ${kind} "${name}" is invalid: metadata.namespace: Invalid value: ${JSON.stringify(ns)}: ${msg}`,
            lineOfPath(doc, ['metadata', 'namespace']),
          );
    }
  }
  return errors;
}

/**
 * `spec.template.spec.containers[0].name` -> the path of keys and indices; `metadata.labels[app]`
 * -> `labels`, `app` (field.Path prints map keys in brackets, list indices as numbers).
 */
function parseFieldPath(field: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(/^\d+$/.test(m[2]!) ? Number(m[2]) : m[2]!);
  }
  return out;
}

/**
 * Namespace of one object whose scope is known: kubectl's rule for an explicit --namespace, then
 * defaulting; a cluster-scoped object loses a stray namespace (the API server ignores it anyway).
 * Returns the problems (a namespace that contradicts --namespace).
 */
export function resolveNamespace(obj: KubeObject, namespaced: boolean, options: NamespaceOptions): string[] {
  if (!namespaced) {
    delete obj.metadata.namespace;
    return [];
  }
  const own = obj.metadata.namespace;
  obj.metadata.namespace = own ?? options.namespace ?? options.defaultNamespace ?? 'default';
  if (options.namespace !== undefined && own !== undefined && own !== options.namespace) {
    return [
      `the namespace from the provided object "${own}" does not match the namespace "${options.namespace}". ` +
        `You must pass '--namespace=${own}' to perform this operation.`,
    ];
  }
  return [];
}

/** The identity of an object for the duplicate check (group, kind, namespace, name). */
export function duplicateKey(obj: KubeObject): string {
  const { group } = splitApiVersion(obj.apiVersion ?? '');
  return `${group}/${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export function duplicateMessage(obj: KubeObject, namespaced: boolean, first: { file: string; line: number }): string {
  const where = namespaced ? ` in namespace "${obj.metadata.namespace}"` : '';
  return `duplicate ${obj.kind} "${obj.metadata.name}"${where}: also defined at ${first.file}:${first.line}`;
}

/**
 * The API server's answer to a kind/version it does not serve, with a hint when the kind exists
 * under another version (a removed beta) or in another case.
 */
export function noMatches(kind: string, apiVersion: string): string {
  const base = `no matches for kind "${kind}" in version "${apiVersion}"`;
  const same = builtinKindNamed(kind);
  if (same.length > 0) return `${base}: use apiVersion: ${joinApiVersion(same[0]!.group, same[0]!.versions[0]!)}`;
  const folded = BUILTIN_RESOURCES.find((r) => r.kind.toLowerCase() === kind.toLowerCase());
  if (folded) return `${base}: kinds are case-sensitive, use kind: ${folded.kind}`;
  return base;
}

/** apiVersion, kind and metadata.name must be there before anything else can be said. */
function checkEnvelope(obj: KubeObject): string[] {
  const out: string[] = [];
  const scalar = (field: 'apiVersion' | 'kind'): void => {
    const value: unknown = obj[field];
    if (value === undefined || value === null || value === '') out.push(`${field} not set`);
    else if (typeof value !== 'string') out.push(`${field}: expected a string, got ${describeValue(value)}`);
  };
  scalar('apiVersion');
  scalar('kind');
  if (obj.metadata === undefined || obj.metadata === null) out.push('metadata not set');
  else if (!isPlainObject(obj.metadata)) out.push(`metadata: expected a mapping, got ${describeValue(obj.metadata)}`);
  else if (typeof obj.metadata.name !== 'string' || obj.metadata.name === '') {
    out.push(
      obj.metadata.name === undefined || obj.metadata.name === ''
        ? 'metadata.name not set'
        : `metadata.name: expected a string, got ${describeValue(obj.metadata.name)}`,
    );
  }
  return out;
}

/**
 * The apiserver's Deployment validation on the defaulted object, worded as kubectl prints it
 * (`The Deployment "web" is invalid: <field error>`), one error per field error, each at the line
 * of its field (or of the nearest enclosing one when the field is missing); then the image
 * references the kubelet would reject with InvalidImageName.
 */
function validateDeploymentDocument(doc: LoadedDocument, err: (message: string, line?: number) => void): void {
  const d = withDeploymentDefaults(doc.object as Deployment);
  const name = d.metadata.name ?? '';
  for (const fe of deploymentFieldErrors(d)) {
    err(`The Deployment "${name}" is invalid: ${formatFieldError(fe)}`, lineOfPath(doc, parseFieldPath(fe.field)));
  }
  for (const list of ['containers', 'initContainers'] as const) {
    (d.spec.template.spec?.[list] ?? []).forEach((c, i) => {
      if (typeof c?.image !== 'string' || c.image === '') return;
      const parsed = parseImageReference(c.image);
      if (parsed.ok) return;
      const line = lineOfPath(doc, ['spec', 'template', 'spec', list, i, 'image']);
      err(
        `The Deployment "${name}" has an invalid image in container "${c.name}": ${JSON.stringify(c.image)}: ${parsed.error} ` +
          '(the kubelet would fail the pod with InvalidImageName)',
        line,
      );
    });
  }
}
