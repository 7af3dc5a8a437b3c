import type { CustomResourceDefinition } from '../crd.js';
import { clone } from '../meta.js';
import type { KubeObject } from '../objects.js';
import { invalid } from '../validation/fieldErrors.js';
import { validateRules } from './celRules.js';
import { applyDefaults, pruneUnknownFields, type UnknownField } from './prune.js';
import type { JSONSchemaProps } from './types.js';
import { validateValue, type SchemaFieldError } from './validateValue.js';

/**
 * A custom resource as the API server takes it (create, update, apply): decoded against the
 * schema of the CRD version it is written in (pruned, defaulted), then validated
 * (apiextensions-apiserver pkg/registry/customresource/strategy.go, Validate): the schema first,
 * and the CEL rules only when the schema found nothing that makes them meaningless
 * (hasBlockingErr: a missing field, an unsupported value, a wrong type, too long, too many).
 */
export interface CustomResourceCheck {
  /** Fields the schema neither declares nor preserves (pruned from `object`). */
  unknown: UnknownField[];
  /** Field errors, each with the path of its field; empty when valid. */
  errors: SchemaFieldError[];
  /** The object as it would be stored: pruned and defaulted. */
  object: KubeObject;
}

const BLOCKING = new Set([
  'FieldValueNotSupported',
  'FieldValueRequired',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'FieldValueTypeInvalid',
]);

/** The `openAPIV3Schema` of one version of a CRD (undefined when the version has none). */
export function schemaOfVersion(crd: CustomResourceDefinition, version: string): JSONSchemaProps | undefined {
  const v = (crd.spec?.versions ?? []).find((x) => x.name === version);
  return v?.schema?.openAPIV3Schema as JSONSchemaProps | undefined;
}

/** The versions a CRD serves, in its order. */
export function servedVersionsOf(crd: CustomResourceDefinition): string[] {
  return (crd.spec?.versions ?? []).filter((v) => v.served !== false && v.name).map((v) => v.name!);
}

/**
 * Checks `obj` against `schema`; `old` is the stored object on an update (for CEL transition
 * rules). `obj` itself is not changed.
 */
export function checkCustomResource(obj: KubeObject, schema: JSONSchemaProps, old?: KubeObject): CustomResourceCheck {
  const object = clone(obj);
  const unknown = pruneUnknownFields(object as unknown as Record<string, unknown>, schema);
  applyDefaults(object, schema);
  const errors = validateValue(object, schema);
  if (hasRules(schema)) {
    if (errors.some((e) => BLOCKING.has(e.error.type)))
      errors.push({
        path: [],
        error: invalid(
          '<nil>',
          null,
          'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
        ),
      });
    else errors.push(...validateRules(object, schema, old));
  }
  return { unknown, errors, object };
}

function hasRules(schema: JSONSchemaProps | undefined): boolean {
  if (!schema) return false;
  if ((schema['x-kubernetes-validations'] ?? []).length > 0) return true;
  const values = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  return Object.values(schema.properties ?? {}).some(hasRules) || hasRules(schema.items) || hasRules(values);
}
