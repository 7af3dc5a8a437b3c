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
import { type LoadedDocument, isPlainObject } from './load.js';
import type { ManifestError } from './types.js';

/**
 * Validation of every loaded object before anything is applied. All problems are returned at
 * once, each pointing at a file and line.
 *
 * Any kind is accepted, as by a real cluster: the built-in kinds of Kubernetes 1.32 are known here
 * (src/k8s/builtinResources.ts), so a built-in kind under a version the API server does not serve is
 * refused before any cluster is involved; a kind of another group (a custom resource) is resolved
 * against the cluster's discovery, or against a CustomResourceDefinition of the same run, before
 * anything is applied (src/gate/resolveKinds.ts).
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
  if (options.namespace !== undefined) {
    for (const msg of isDNS1123Label(options.namespace)) {
      errors.push({ file: '', line: 0, message: `invalid namespace "${options.namespace}": ${msg}` });
    }
  }
  for (const doc of documents) {
    const err = (message: string, line = doc.line): void => {
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
    const typeErrors = [...metadataTypeErrors(obj), ...(kind === 'Deployment' ? deploymentTypeErrors(obj) : [])];
    if (typeErrors.length > 0) {
      typeErrors.forEach((m) => err(`The ${kind} "${name}" is invalid: ${m}`));
      continue;
    }

    // A kind of another group: its scope is known once resolved against the cluster (resolveKinds.ts).
    if (!info) continue;
    resolveNamespace(obj, info.namespaced, options).forEach((m) => err(m));
    const first = seen.get(duplicateKey(obj));
    if (first && name !== '') err(duplicateMessage(obj, info.namespaced, first));
    else seen.set(duplicateKey(obj), doc);

    if (kind === 'Deployment') validateDeploymentDocument(doc, err);
    else {
      if (name !== '')
        for (const msg of (nameRules[kind] ?? isPathSegmentName)(name))
          err(`The ${kind} "${name}" is invalid: metadata.name: Invalid value: ${JSON.stringify(name)}: ${msg}`);
      const ns = obj.metadata.namespace;
      if (ns !== undefined)
        for (const msg of isDNS1123Label(ns))
          err(`The ${kind} "${name}" is invalid: metadata.namespace: Invalid value: ${JSON.stringify(ns)}: ${msg}`);
    }
  }
  return errors;
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
 * The API types the gate relies on. kubectl rejects these at decoding (`cannot unmarshal ...`); a
 * classic cause is YAML 1.1 turning an unquoted `yes`/`on`/`true` label value into a boolean.
 */
function metadataTypeErrors(obj: KubeObject): string[] {
  const out: string[] = [];
  const meta = obj.metadata;
  if (meta.namespace !== undefined) expect(out, 'metadata.namespace', meta.namespace, 'string');
  stringMap(out, 'metadata.labels', meta.labels);
  stringMap(out, 'metadata.annotations', meta.annotations);
  return out;
}

function deploymentTypeErrors(obj: KubeObject): string[] {
  const out: string[] = [];
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (spec === undefined || spec === null) return out;
  if (!expect(out, 'spec', spec, 'object')) return out;
  for (const f of ['replicas', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds']) {
    if (spec[f] !== undefined && spec[f] !== null) expect(out, `spec.${f}`, spec[f], 'integer');
  }
  if (spec.paused !== undefined && spec.paused !== null) expect(out, 'spec.paused', spec.paused, 'boolean');
  if (spec.selector !== undefined && spec.selector !== null && expect(out, 'spec.selector', spec.selector, 'object')) {
    const sel = spec.selector as Record<string, unknown>;
    stringMap(out, 'spec.selector.matchLabels', sel.matchLabels);
    if (
      sel.matchExpressions !== undefined &&
      expect(out, 'spec.selector.matchExpressions', sel.matchExpressions, 'array')
    ) {
      (sel.matchExpressions as unknown[]).forEach((r, i) => {
        const p = `spec.selector.matchExpressions[${i}]`;
        if (!expect(out, p, r, 'object')) return;
        const req = r as Record<string, unknown>;
        expect(out, `${p}.key`, req.key, 'string');
        expect(out, `${p}.operator`, req.operator, 'string');
        if (req.values !== undefined && expect(out, `${p}.values`, req.values, 'array')) {
          (req.values as unknown[]).forEach((v, j) => expect(out, `${p}.values[${j}]`, v, 'string'));
        }
      });
    }
  }
  if (spec.strategy !== undefined && spec.strategy !== null && expect(out, 'spec.strategy', spec.strategy, 'object')) {
    const strategy = spec.strategy as Record<string, unknown>;
    if (strategy.type !== undefined) expect(out, 'spec.strategy.type', strategy.type, 'string');
    const ru = strategy.rollingUpdate;
    if (ru !== undefined && ru !== null && expect(out, 'spec.strategy.rollingUpdate', ru, 'object')) {
      for (const f of ['maxUnavailable', 'maxSurge']) {
        const v = (ru as Record<string, unknown>)[f];
        if (v !== undefined && v !== null && typeof v !== 'string')
          expect(out, `spec.strategy.rollingUpdate.${f}`, v, 'integer');
      }
    }
  }
  const template = spec.template;
  if (template === undefined || template === null || !expect(out, 'spec.template', template, 'object')) return out;
  const tmeta = (template as Record<string, unknown>).metadata;
  if (tmeta !== undefined && tmeta !== null && expect(out, 'spec.template.metadata', tmeta, 'object')) {
    stringMap(out, 'spec.template.metadata.labels', (tmeta as Record<string, unknown>).labels);
    stringMap(out, 'spec.template.metadata.annotations', (tmeta as Record<string, unknown>).annotations);
  }
  const podSpec = (template as Record<string, unknown>).spec;
  if (podSpec === undefined || podSpec === null || !expect(out, 'spec.template.spec', podSpec, 'object')) return out;
  for (const list of ['containers', 'initContainers']) {
    const containers = (podSpec as Record<string, unknown>)[list];
    if (containers === undefined || containers === null) continue;
    if (!expect(out, `spec.template.spec.${list}`, containers, 'array')) continue;
    (containers as unknown[]).forEach((c, i) => {
      const p = `spec.template.spec.${list}[${i}]`;
      if (!expect(out, p, c, 'object')) return;
      const container = c as Record<string, unknown>;
      if (container.name !== undefined) expect(out, `${p}.name`, container.name, 'string');
      if (container.image !== undefined) expect(out, `${p}.image`, container.image, 'string');
    });
  }
  const rp = (podSpec as Record<string, unknown>).restartPolicy;
  if (rp !== undefined && rp !== null) expect(out, 'spec.template.spec.restartPolicy', rp, 'string');
  return out;
}

type Expected = 'string' | 'integer' | 'boolean' | 'object' | 'array';

/** Every integer field the gate reads is an int32 in the API (kubectl fails to decode anything larger). */
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function expect(out: string[], path: string, value: unknown, type: Expected): boolean {
  if (
    type === 'integer' &&
    Number.isInteger(value) &&
    ((value as number) < INT32_MIN || (value as number) > INT32_MAX)
  ) {
    out.push(`${path}: expected a 32-bit integer (${INT32_MIN} to ${INT32_MAX}), got ${describeValue(value)}`);
    return false;
  }
  const ok =
    type === 'integer'
      ? Number.isInteger(value)
      : type === 'object'
        ? isPlainObject(value)
        : type === 'array'
          ? Array.isArray(value)
          : typeof value === type;
  if (!ok) {
    const hint =
      type === 'string' && (typeof value === 'boolean' || typeof value === 'number') ? ' (quote it in YAML)' : '';
    const what = {
      string: 'a string',
      integer: 'an integer',
      boolean: 'a boolean',
      object: 'a mapping',
      array: 'a list',
    }[type];
    out.push(`${path}: expected ${what}, got ${describeValue(value)}${hint}`);
  }
  return ok;
}

function stringMap(out: string[], path: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (!expect(out, path, value, 'object')) return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) expect(out, `${path}[${k}]`, v, 'string');
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  if (typeof value === 'number') return `${Number.isInteger(value) ? 'the integer' : 'the number'} ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return typeof value;
}

const imageField = /^spec\.template\.spec\.(containers|initContainers)\[(\d+)\]\.image$/;

/**
 * The apiserver's Deployment validation on the defaulted object, worded as kubectl prints it
 * (`The Deployment "web" is invalid: <field error>`), one error per field error; then the image
 * references the kubelet would reject with InvalidImageName. Image problems point at the image line.
 */
function validateDeploymentDocument(doc: LoadedDocument, err: (message: string, line?: number) => void): void {
  const d = withDeploymentDefaults(doc.object as Deployment);
  const name = d.metadata.name ?? '';
  // Image errors point at the image line, or at the container when the image is missing.
  const lineFor = (field: string): number => {
    const m = imageField.exec(field);
    if (!m) return doc.line;
    const container = ['spec', 'template', 'spec', m[1]!, Number(m[2])];
    return doc.lineOf([...container, 'image']) ?? doc.lineOf(container) ?? doc.line;
  };
  for (const fe of deploymentFieldErrors(d)) {
    err(`The Deployment "${name}" is invalid: ${formatFieldError(fe)}`, lineFor(fe.field));
  }
  for (const list of ['containers', 'initContainers'] as const) {
    (d.spec.template.spec?.[list] ?? []).forEach((c, i) => {
      if (typeof c?.image !== 'string' || c.image === '') return;
      const parsed = parseImageReference(c.image);
      if (parsed.ok) return;
      const line = doc.lineOf(['spec', 'template', 'spec', list, i, 'image']) ?? doc.line;
      err(
        `The Deployment "${name}" has an invalid image in container "${c.name}": ${JSON.stringify(c.image)}: ${parsed.error} ` +
          '(the kubelet would fail the pod with InvalidImageName)',
        line,
      );
    });
  }
}
