import { definitions } from './definitions.js';

/**
 * The Kubernetes OpenAPI schemas of the built-in kinds (src/k8s/schema/definitions.ts, generated
 * from the upstream document by scripts/trim-openapi.mjs), and how to find the one of a kind.
 * Only the keywords the Kubernetes documents use are modelled: see
 * https://github.com/kubernetes/kube-openapi/blob/master/pkg/validation/spec/schema.go
 */
export interface Schema {
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  $ref?: string;
  /** OpenAPI v3 wraps a `$ref` with siblings in a one-element allOf. */
  allOf?: Schema[];
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

/** A schema with its definition name, when it came through a `$ref`. */
export interface NamedSchema {
  name?: string;
  schema: Schema;
}

const REF = /^#\/(?:definitions|components\/schemas)\//;

/** Follows `$ref` (and a one-element `allOf` around one), keeping the definition's name. */
export function resolveSchema(schema: Schema, name?: string): NamedSchema {
  let current = schema;
  let currentName = name;
  for (let hops = 0; hops < 16; hops++) {
    const ref = current.$ref ?? (current.allOf?.length === 1 ? current.allOf[0]!.$ref : undefined);
    if (ref === undefined) break;
    currentName = ref.replace(REF, '');
    const target = definitions[currentName] as Schema | undefined;
    if (!target) break;
    current = target;
  }
  return { name: currentName, schema: current };
}

let byKind: Map<string, string> | undefined;

/** `apps/v1 Deployment` -> definition name, from the definitions' x-kubernetes-group-version-kind. */
function kindIndex(): Map<string, string> {
  if (byKind) return byKind;
  byKind = new Map();
  for (const [name, value] of Object.entries(definitions)) {
    for (const gvk of (value as Schema)['x-kubernetes-group-version-kind'] ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      // List kinds and meta types are registered under every group; the first (own) one wins.
      const key = `${apiVersion} ${gvk.kind}`;
      if (!byKind.has(key)) byKind.set(key, name);
    }
  }
  return byKind;
}

/** The schema of a built-in kind, or undefined when the schema data does not know it. */
export function schemaForKind(apiVersion: string, kind: string): NamedSchema | undefined {
  const name = kindIndex().get(`${apiVersion} ${kind}`);
  return name ? { name, schema: definitions[name] as Schema } : undefined;
}
