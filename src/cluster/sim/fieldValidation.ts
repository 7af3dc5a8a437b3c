import { ApiError } from '../../k8s/apiError.js';
import type { KubeObject } from '../../k8s/objects.js';
import { dropFields, schemaForKind, validateAgainstSchema, type SchemaProblem } from '../../k8s/schema/index.js';
import type { KindInfo } from './store/kinds.js';

/**
 * What the API server does with fields an object's schema does not declare, as the request's
 * `fieldValidation` parameter asks (https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation):
 * Strict refuses the request (400), Warn (the default when the parameter is absent) stores the
 * object without them and answers a `Warning` header per field, Ignore drops them silently.
 * Server-side apply is stricter: its typed conversion refuses undeclared fields whatever the
 * parameter says, as a 500 (kubernetes/kubernetes#122480, #139253).
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** The request's directive; absent or empty means Warn (the default since Kubernetes 1.27). */
export function fieldValidationOf(value: string | null | undefined): FieldValidation {
  if (value === null || value === undefined || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw ApiError.badRequest(
    `fieldValidation: Unsupported value: ${JSON.stringify(value)}: supported values: "", "Ignore", "Strict", "Warn"`,
  );
}

/**
 * The decoding problems of `obj` against its kind's schema: values of the wrong type, unknown
 * fields. A custom resource's schema is its CRD's (`info.unknownFields`); its values of the wrong
 * type are validation errors (422), found when the store validates it.
 */
function decodingProblems(obj: KubeObject, info?: KindInfo): SchemaProblem[] {
  if (info?.unknownFields)
    return info
      .unknownFields(obj)
      .map((u) => ({ kind: 'unknown', path: u.path, field: u.field, message: `unknown field "${u.field}"` }));
  const schema = obj.apiVersion && obj.kind ? schemaForKind(obj.apiVersion, obj.kind) : undefined;
  if (!schema) return [];
  return validateAgainstSchema(obj, schema.schema, schema.name).filter(
    (p) => p.kind === 'unknown' || p.kind === 'type',
  );
}

function unknownFields(obj: KubeObject, info?: KindInfo): SchemaProblem[] {
  return decodingProblems(obj, info).filter((p) => p.kind === 'unknown');
}

/**
 * Create, update and non-apply patches: applies the directive to `obj` in place and returns the
 * warnings to send. `operation` words the Strict error as the API server does: a create or
 * update fails decoding the body, a patch fails decoding the patched object.
 */
export function enforceFieldValidation(
  obj: KubeObject,
  directive: FieldValidation,
  operation: 'decode' | 'patch',
  info?: KindInfo,
): string[] {
  const problems = decodingProblems(obj, info);
  const version = (obj.apiVersion ?? '').split('/').pop();
  const cannotHandle = `${obj.kind} in version ${JSON.stringify(version)} cannot be handled as a ${obj.kind}`;
  // A value of the wrong type fails decoding whatever the directive; the decoder names the first.
  const wrongType = problems.find((p) => p.kind === 'type');
  if (wrongType) throw ApiError.badRequest(`${cannotHandle}: ${wrongType.decodeError ?? wrongType.message}`);
  const unknown = problems.filter((p) => p.kind === 'unknown');
  if (unknown.length === 0) return [];
  const listed = unknown.map((p) => `unknown field "${p.field}"`);
  if (directive === 'Strict') {
    const strict = `strict decoding error: ${listed.join(', ')}`;
    throw ApiError.badRequest(operation === 'decode' ? `${cannotHandle}: ${strict}` : strict);
  }
  dropFields(obj, unknown);
  return directive === 'Warn' ? listed : [];
}

/**
 * Server-side apply: the applied configuration must be typed by the schema
 * (structured-merge-diff's ObjectToTyped), so an undeclared field fails the request.
 */
export function rejectUndeclaredFields(obj: KubeObject, info?: KindInfo): void {
  const unknown = unknownFields(obj, info);
  if (unknown.length === 0) return;
  const [group, version] = (obj.apiVersion ?? '').includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion];
  const where = `${obj.metadata.namespace ? `${obj.metadata.namespace}/` : '/'}${obj.metadata.name ?? ''}; ${group}/${version}, Kind=${obj.kind}`;
  const fields = unknown.map((p) => `.${p.field}: field not declared in schema`).join('\n');
  throw new ApiError(500, 'Unknown', `failed to create typed patch object (${where}): ${fields}`);
}
