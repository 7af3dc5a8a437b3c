import type { CustomResourceDefinition } from '../crd.js';
import type { KubeObject } from '../objects.js';
import { forbidden, invalid, required, type FieldError } from '../validation/fieldErrors.js';
import { compileCel } from './celRules.js';
import type { SchemaFieldError } from './validateValue.js';
import { isMapping, type JSONSchemaProps, type PathElement } from './types.js';

/**
 * The API server's validation of a CustomResourceDefinition, the part that refuses definitions
 * users write (apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go,
 * ValidateCustomResourceDefinition, and the structural schema rules of
 * pkg/apiserver/schema/validation.go): names and scope, one storage version, a schema per
 * version, and that schema structural (a type at every level, items for arrays) with CEL rules
 * that compile. Field paths as field.Path prints them (`properties[spec]`), with the raw path of
 * each for finding its line.
 */
export function validateCrd(obj: KubeObject): SchemaFieldError[] {
  const crd = obj as CustomResourceDefinition;
  const out: SchemaFieldError[] = [];
  const add = (path: PathElement[], error: FieldError): void => void out.push({ path, error });
  const spec: NonNullable<CustomResourceDefinition['spec']> = isMapping(crd.spec) ? crd.spec : {};
  if (!spec.group) add(['spec', 'group'], required('spec.group'));
  if (!spec.names?.plural) add(['spec', 'names', 'plural'], required('spec.names.plural'));
  if (!spec.names?.kind) add(['spec', 'names', 'kind'], required('spec.names.kind'));
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    if (spec.scope === undefined) add(['spec', 'scope'], required('spec.scope'));
    else add(['spec', 'scope'], invalid('spec.scope', spec.scope, 'should be either Cluster or Namespaced'));
  }
  const name = crd.metadata.name ?? '';
  if (spec.group && spec.names?.plural && name !== `${spec.names.plural}.${spec.group}`)
    add(['metadata', 'name'], invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  const versions = Array.isArray(spec.versions) ? spec.versions.map((v) => (isMapping(v) ? v : {})) : [];
  if (versions.length === 0) add(['spec', 'versions'], required('spec.versions'));
  else if (versions.filter((v) => v.storage).length !== 1)
    add(
      ['spec', 'versions'],
      invalid(
        'spec.versions',
        versions.map((v) => v.name),
        'must have exactly one version marked as storage version',
      ),
    );
  versions.forEach((v, i) => {
    const at: PathElement[] = ['spec', 'versions', i, 'schema', 'openAPIV3Schema'];
    const field = `spec.versions[${i}].schema.openAPIV3Schema`;
    const schema = v.schema?.openAPIV3Schema;
    if (!isMapping(schema)) add(at, required(field));
    else structural(schema as JSONSchemaProps, 'root', at, field, out);
  });
  return out;
}

type Level = 'root' | 'item' | 'field';
const EMPTY_TYPE: Record<Level, string> = {
  root: 'must not be empty at the root',
  item: 'must not be empty for specified array items',
  field: 'must not be empty for specified object fields',
};

function structural(
  s: JSONSchemaProps,
  level: Level,
  path: PathElement[],
  field: string,
  out: SchemaFieldError[],
): void {
  const add = (sub: PathElement[], error: FieldError): void => void out.push({ path: [...path, ...sub], error });
  if (s.type === 'array' && !s.items) add(['items'], required(`${field}.items`, 'must be specified'));
  if (s.items) structural(s.items, 'item', [...path, 'items'], `${field}.items`, out);
  for (const [key, prop] of Object.entries(s.properties ?? {}))
    structural(prop, 'field', [...path, 'properties', key], `${field}.properties[${key}]`, out);
  if (s.additionalProperties !== undefined && level === 'root')
    add(['additionalProperties'], forbidden(`${field}.additionalProperties`, 'must not be used at the root'));
  if (typeof s.additionalProperties === 'object')
    structural(
      s.additionalProperties,
      'field',
      [...path, 'additionalProperties'],
      `${field}.additionalProperties`,
      out,
    );
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (embedded && s.type !== 'object') {
    add(
      ['type'],
      s.type
        ? invalid(`${field}.type`, s.type, 'must be object if x-kubernetes-embedded-resource is true')
        : required(`${field}.type`, 'must be object if x-kubernetes-embedded-resource is true'),
    );
  } else if (!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) {
    add(['type'], required(`${field}.type`, EMPTY_TYPE[level]));
  }
  if (level === 'root' && s.type && s.type !== 'object')
    add(['type'], invalid(`${field}.type`, s.type, 'must be object at the root'));
  if (s['x-kubernetes-list-type'] === 'map' && !(s['x-kubernetes-list-map-keys'] ?? []).length)
    add(
      ['x-kubernetes-list-map-keys'],
      required(`${field}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'),
    );
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const compiled = compileCel(rule.rule ?? '');
    if (compiled instanceof Error)
      add(
        ['x-kubernetes-validations', i, 'rule'],
        invalid(`${field}.x-kubernetes-validations[${i}].rule`, rule, `compilation failed: ${compiled.message}`),
      );
  });
}
