export { checkCustomResource, schemaOfVersion, servedVersionsOf, type CustomResourceCheck } from './customResource.js';
export { validateCrd } from './validateCrd.js';
export { fieldOf } from './fieldPath.js';
export type { UnknownField } from './prune.js';
export type { SchemaFieldError } from './validateValue.js';
export type { JSONSchemaProps, ValidationRule, PathElement } from './types.js';
