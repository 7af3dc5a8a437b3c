import type { Deployment, KubeObject } from '../k8s/objects.js';
import { deploymentFieldErrors, withDeploymentDefaults } from '../k8s/validation/deployment.js';
import { formatFieldError } from '../k8s/validation/fieldErrors.js';
import { parseImageReference } from '../k8s/validation/imageReference.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../k8s/validation/names.js';
import { describeValue, schemaForKind, validateAgainstSchema } from '../k8s/schema/index.js';
import { type LoadedDocument, isPlainObject } from './load.js';
import type { ManifestError } from './types.js';

/**
 * Validation of every loaded object before anything is applied. All problems are returned at
 * once, each pointing at the file and line of the offending field. Types, unknown fields,
 * required fields and enums come from the kind's Kubernetes OpenAPI schema (src/k8s/schema/);
 * the Deployment rules a schema cannot express (selector vs labels, surge vs unavailable, image
 * references...) from src/k8s/validation/.
 *
 * Supported kinds: rollout-gate applies only the kinds below. There is deliberately no generic
 * passthrough for other kinds (Ingress, HPA, custom resources...): the simulated cluster serves
 * only these, so a `--simulate` dry run and a real run would diverge, and the gate can judge the
 * rollout of Deployments only. Unsupported objects are reported, never silently skipped.
 */
export const supportedKinds: ReadonlyArray<{
  kind: string;
  apiVersion: string;
  namespaced: boolean;
  nameRule: (n: string) => string[];
}> = [
  { kind: 'Namespace', apiVersion: 'v1', namespaced: false, nameRule: isDNS1123Label },
  { kind: 'ServiceAccount', apiVersion: 'v1', namespaced: true, nameRule: isDNS1123Subdomain },
  { kind: 'Secret', apiVersion: 'v1', namespaced: true, nameRule: isDNS1123Subdomain },
  { kind: 'ConfigMap', apiVersion: 'v1', namespaced: true, nameRule: isDNS1123Subdomain },
  { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespaced: true, nameRule: isDNS1123Subdomain },
  { kind: 'Service', apiVersion: 'v1', namespaced: true, nameRule: isDNS1035Label },
  { kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true, nameRule: isDNS1123Subdomain },
];

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
  const fallbackNamespace = options.namespace ?? options.defaultNamespace ?? 'default';
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
    const info = supportedKinds.find((k) => k.kind === kind);
    if (!info) {
      const names = supportedKinds.map((k) => `${k.kind} (${k.apiVersion})`).join(', ');
      err(`${kind} "${name}" (${obj.apiVersion}) is not supported: rollout-gate applies only ${names}`);
      continue;
    }
    if (obj.apiVersion !== info.apiVersion) {
      err(`no matches for kind "${kind}" in version "${obj.apiVersion}": use apiVersion: ${info.apiVersion}`);
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

    // Namespace: kubectl's rule for an explicit --namespace, then defaulting.
    if (info.namespaced) {
      const own = obj.metadata.namespace;
      if (options.namespace !== undefined && own !== undefined && own !== options.namespace) {
        err(
          `the namespace from the provided object "${own}" does not match the namespace "${options.namespace}". ` +
            `You must pass '--namespace=${own}' to perform this operation.`,
        );
      }
      obj.metadata.namespace = own ?? fallbackNamespace;
    } else {
      delete obj.metadata.namespace;
    }

    const key = `${kind}/${obj.metadata.namespace ?? ''}/${name}`;
    const first = seen.get(key);
    if (first && name !== '') {
      const where = info.namespaced ? ` in namespace "${obj.metadata.namespace}"` : '';
      err(`duplicate ${kind} "${name}"${where}: also defined at ${first.file}:${first.line}`);
    } else {
      seen.set(key, doc);
    }

    if (kind === 'Deployment') validateDeploymentDocument(doc, err);
    else {
      if (name !== '')
        for (const msg of info.nameRule(name))
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

/** The line of a field, else of the nearest enclosing field written in the file (a missing field's parent). */
function lineOfPath(doc: LoadedDocument, path: ReadonlyArray<string | number>): number {
  for (let n = path.length; n > 0; n--) {
    const line = doc.lineOf(path.slice(0, n));
    if (line !== undefined) return line;
  }
  return doc.line;
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
