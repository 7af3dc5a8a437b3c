import type { CustomResourceDefinition } from '../k8s/crd.js';
import { checkCustomResource, schemaOfVersion, servedVersionsOf, validateCrd } from '../k8s/crdSchema/index.js';
import type { KubeObject } from '../k8s/objects.js';
import { schemaForKind, validateAgainstSchema } from '../k8s/schema/index.js';
import { formatFieldError } from '../k8s/validation/fieldErrors.js';
import type { ManifestDocument } from './types.js';

/**
 * What the API server would refuse in a custom resource, found before anything is applied: the
 * version must be one its CustomResourceDefinition serves, the fields must be declared by that
 * version's schema (fieldValidation=Strict, as kubectl asks), and the values must pass the schema
 * and its CEL rules (src/k8s/crdSchema/). Worded as kubectl prints the API server's answer, each at
 * the line of its field. The CRD comes from the same run (src/manifest/validate.ts) or from the
 * cluster (src/gate/resolveKinds.ts).
 */
export interface LinedProblem {
  line: number;
  message: string;
}

type Path = ReadonlyArray<string | number>;
const NOT_CHECKED = '<nil>';

/** The line of a field, else of the nearest enclosing field written in the file (a missing field's parent). */
export function lineOfPath(doc: Pick<ManifestDocument, 'line' | 'lineOf'>, path: Path): number {
  for (let n = path.length; n > 0; n--) {
    const line = doc.lineOf?.(path.slice(0, n));
    if (line !== undefined) return line;
  }
  return doc.line;
}

/** The CRD among `crds` that defines this group and kind (whatever versions it serves). */
export function crdForKind(
  crds: readonly CustomResourceDefinition[],
  apiVersion: string,
  kind: string,
): CustomResourceDefinition | undefined {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return undefined;
  const group = apiVersion.slice(0, slash);
  return crds.find((c) => c.spec?.group === group && c.spec?.names?.kind === kind);
}

/** Every problem of a custom resource against its CRD. */
export function customResourceProblems(
  doc: Pick<ManifestDocument, 'line' | 'lineOf' | 'object'>,
  crd: CustomResourceDefinition,
): LinedProblem[] {
  const obj: KubeObject = doc.object;
  const kind = obj.kind ?? '';
  const name = obj.metadata.name ?? '';
  const apiVersion = obj.apiVersion ?? '';
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  // A CRD the API server would refuse defines nothing (its own problems are reported on it).
  if (!usable(crd)) return [];
  const served = servedVersionsOf(crd);
  if (!served.includes(version)) {
    const versions = served.length === 1 ? `version ${served[0]}` : `versions ${served.join(', ')}`;
    return [
      {
        line: lineOfPath(doc, ['apiVersion']),
        message:
          `no matches for kind "${kind}" in version "${apiVersion}": ` +
          `the CustomResourceDefinition "${crd.metadata.name ?? ''}" serves ${served.length ? versions : 'no version'}`,
      },
    ];
  }
  const schema = schemaOfVersion(crd, version);
  if (!schema) return [];
  const check = checkCustomResource(obj, schema);
  return [
    ...check.unknown.map((u) => ({
      line: lineOfPath(doc, u.path),
      message: `${kind} "${name}": strict decoding error: unknown field "${u.field}"`,
    })),
    // The API server's `<nil>: ... some validation rules were not checked` names no field and no
    // problem of its own: the problems it stands behind are listed.
    ...check.errors
      .filter((e) => e.error.field !== NOT_CHECKED)
      .map((e) => ({
        line: lineOfPath(doc, e.path),
        message: `The ${kind} "${name}" is invalid: ${formatFieldError(e.error)}`,
      })),
  ].sort((a, b) => a.line - b.line);
}

/** What the API server would refuse in a CustomResourceDefinition itself. */
export function crdProblems(doc: Pick<ManifestDocument, 'line' | 'lineOf' | 'object'>): LinedProblem[] {
  const name = doc.object.metadata.name ?? '';
  return validateCrd(doc.object).map((e) => ({
    line: lineOfPath(doc, e.path),
    message: `The CustomResourceDefinition "${name}" is invalid: ${formatFieldError(e.error)}`,
  }));
}

/** Whether the API server would accept this CRD: the types of its fields, then its own rules. */
function usable(crd: CustomResourceDefinition): boolean {
  const own = schemaForKind(crd.apiVersion ?? '', crd.kind ?? '');
  if (own && validateAgainstSchema(crd, own.schema, own.name).some((p) => p.kind === 'type')) return false;
  return validateCrd(crd).length === 0;
}
