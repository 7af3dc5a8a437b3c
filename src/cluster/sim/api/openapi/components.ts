import { definitions as upstream } from '../../../../k8s/schema/definitions.js';
import { METRICS_DEFINITIONS } from './metricsDefinitions.js';
import type { CustomResourceDefinition } from '../../../../k8s/crd.js';
import { schemaOfVersion } from '../../../../k8s/crdSchema/customResource.js';
import type { KindInfo } from '../../store/kinds.js';

/** The generated descriptions module (src/k8s/schema/descriptions.ts): definition -> '' or field -> text. */
export type Descriptions = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Which document a schema goes into: refs point under `#/definitions/` (v2) or `#/components/schemas/` (v3). */
export type Flavour = 'v2' | 'v3';

type Json = Record<string, unknown>;
type Gvk = { group: string; version: string; kind: string };

const V2_REF = '#/definitions/';

/** The upstream definitions, and those an aggregated API (metrics-server's metrics.k8s.io) adds. */
const definitions: Readonly<Record<string, unknown>> = { ...upstream, ...METRICS_DEFINITIONS };
const PREFIX: Record<Flavour, string> = { v2: V2_REF, v3: '#/components/schemas/' };
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/** Types every group-version document carries besides its kinds (the API server's do too). */
export const COMMON_DEFINITIONS = [`${META}Status`, `${META}DeleteOptions`, `${META}Patch`, `${META}WatchEvent`];

export function refTo(name: string, flavour: Flavour): Json {
  return { $ref: PREFIX[flavour] + name };
}

/**
 * A field that refers to another type and has its own description: OpenAPI v3 ignores the
 * siblings of `$ref`, so the API server's v3 documents wrap the reference in a one-element allOf
 * (kube-openapi pkg/builder3); v2 keeps them side by side, as swagger.json does.
 */
function describedRef(ref: string, description: string, flavour: Flavour): Json {
  return flavour === 'v3' ? { allOf: [{ $ref: ref }], description } : { $ref: ref, description };
}

/** Rewrites every `$ref` for the flavour (the stored definitions use the v2 form). */
function rewriteRefs(value: unknown, flavour: Flavour): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, flavour));
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    out[key] =
      key === '$ref' && typeof v === 'string' && v.startsWith(V2_REF)
        ? PREFIX[flavour] + v.slice(V2_REF.length)
        : rewriteRefs(v, flavour);
  }
  return out;
}

/** An upstream definition as the API server publishes it: its descriptions restored, refs for the flavour. */
export function builtinSchema(name: string, descriptions: Descriptions, flavour: Flavour): Json {
  const schema = rewriteRefs(definitions[name], flavour) as Json;
  const described = descriptions[name] ?? {};
  const properties = schema.properties as Record<string, Json> | undefined;
  if (properties) {
    for (const [field, text] of Object.entries(described)) {
      const prop = properties[field];
      if (field === '' || !prop) continue;
      properties[field] =
        typeof prop.$ref === 'string' ? describedRef(prop.$ref, text, flavour) : { description: text, ...prop };
    }
  }
  return described[''] === undefined ? schema : { description: described[''], ...schema };
}

/** The definition names `roots` refer to, transitively (roots included), in a stable order. */
export function closure(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name) || definitions[name] === undefined) continue;
    seen.add(name);
    collectRefs(definitions[name], pending);
  }
  return [...seen].sort();
}

function collectRefs(value: unknown, into: string[]): void {
  if (Array.isArray(value)) for (const v of value) collectRefs(v, into);
  else if (value !== null && typeof value === 'object')
    for (const [key, v] of Object.entries(value as Json)) {
      if (key === '$ref' && typeof v === 'string') into.push(v.replace(V2_REF, ''));
      else collectRefs(v, into);
    }
}

/**
 * The component name of a custom resource: the group reversed, then version and kind
 * (`stable.example.com` v1 CronTab -> `com.example.stable.v1.CronTab`), as the API server names
 * them (apiextensions-apiserver pkg/controller/openapi/builder/builder.go, and
 * k8s.io/kube-openapi/pkg/util.ToRESTFriendlyName).
 */
export function customResourceName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/**
 * A custom resource's schema and its list's, as the API server builds them from the CRD
 * (builder.go: buildKubeNative and the list schema): the version's openAPIV3Schema with
 * apiVersion, kind and metadata (a reference to ObjectMeta) added, and the kind's GVK.
 */
export function customResourceSchemas(
  crd: CustomResourceDefinition,
  info: KindInfo,
  version: string,
  descriptions: Descriptions,
  flavour: Flavour,
): Record<string, Json> {
  const { group, kind, plural } = info;
  const listKind = crd.spec?.names?.listKind ?? `${kind}List`;
  const name = customResourceName(group, version, kind);
  const typeMeta = descriptions['io.k8s.api.core.v1.ConfigMap'] ?? {};
  const listMeta = descriptions['io.k8s.api.core.v1.ConfigMapList'] ?? {};
  const given = (schemaOfVersion(crd, version) ?? { type: 'object' }) as Json;
  const own = (flavour === 'v2' ? v2Compatible(given) : given) as Json;
  const stringField = (text: string | undefined) => ({ ...(text ? { description: text } : {}), type: 'string' });
  const resource: Json = {
    ...own,
    properties: {
      ...((own.properties ?? {}) as Json),
      apiVersion: stringField(typeMeta.apiVersion),
      kind: stringField(typeMeta.kind),
      metadata: describedRef(PREFIX[flavour] + `${META}ObjectMeta`, typeMeta.metadata ?? '', flavour),
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [{ group, kind, version }],
  };
  const list: Json = {
    description: `${listKind} is a list of ${kind}`,
    properties: {
      apiVersion: stringField(listMeta.apiVersion),
      items: {
        description: `List of ${plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        items: refTo(name, flavour),
        type: 'array',
      },
      kind: stringField(listMeta.kind),
      metadata: describedRef(
        PREFIX[flavour] + `${META}ListMeta`,
        'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
        flavour,
      ),
    },
    required: ['items'],
    type: 'object',
    'x-kubernetes-group-version-kind': [{ group, kind: listKind, version }],
  };
  return { [name]: resource, [customResourceName(group, version, listKind)]: list };
}

/**
 * OpenAPI v2 has no nullable, anyOf, oneOf or not: the API server drops them from the v2 form of
 * a CRD schema (apiextensions-apiserver pkg/controller/openapi/v2/conversion.go).
 */
function v2Compatible(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(v2Compatible);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    if (key === 'nullable' || key === 'anyOf' || key === 'oneOf' || key === 'not') continue;
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(v as Json).map(([k, p]) => [k, v2Compatible(p)]))
        : v2Compatible(v);
  }
  return out;
}

/** The GVKs a schema declares. */
export function gvksOf(schema: unknown): Gvk[] {
  return ((schema as Json | undefined)?.['x-kubernetes-group-version-kind'] as Gvk[] | undefined) ?? [];
}
