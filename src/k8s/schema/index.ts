export { schemaForKind, resolveSchema, type Schema, type NamedSchema } from './schemas.js';
export {
  validateAgainstSchema,
  dropFields,
  describeValue,
  type SchemaProblem,
  type SchemaProblemKind,
} from './validateSchema.js';
export { kubernetesRelease } from './definitions.js';
