import { readManifests } from './load.js';
import { sortForApply } from './order.js';
import { applyImageOverrides, parseImageOverrides } from './overrides.js';
import type { LoadManifestsOptions, LoadManifestsResult, ManifestDocument, ManifestError } from './types.js';
import { validateDocuments } from './validate.js';

export type { LoadManifestsOptions, LoadManifestsResult, ManifestDocument, ManifestError } from './types.js';
export { type ImageOverride, parseImageOverrides, applyImageOverrides } from './overrides.js';
export { sortForApply } from './order.js';
export { resolveNamespace, duplicateKey, duplicateMessage, noMatches } from './validate.js';
export { customResourceProblems, crdForKind, crdProblems, lineOfPath } from './customResources.js';

/**
 * Loads, overrides, validates and orders manifests, with no cluster involved. Apply nothing unless
 * `errors` is empty: then `documents` are in apply order with namespaces resolved and image
 * overrides applied. Errors come sorted by input order, then line; problems that belong to no file
 * (image overrides, the namespace option) come first.
 */
export function loadManifests(options: LoadManifestsOptions): LoadManifestsResult {
  const read = readManifests(options.patterns, options.cwd);
  const parsedOverrides = parseImageOverrides(options.images ?? []);
  const errors: ManifestError[] = [...parsedOverrides.errors, ...read.errors];
  if (parsedOverrides.errors.length === 0)
    errors.push(...applyImageOverrides(read.documents, parsedOverrides.overrides));
  errors.push(
    ...validateDocuments(read.documents, { namespace: options.namespace, defaultNamespace: options.defaultNamespace }),
  );

  const fileRank = new Map<string, number>();
  read.files.forEach((f, i) => fileRank.set(f, i));
  const rankOf = (e: ManifestError): number => (e.file === '' ? -1 : (fileRank.get(e.file) ?? Number.MAX_SAFE_INTEGER));
  const sortedErrors = errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rankOf(a.e) - rankOf(b.e) || a.e.line - b.e.line || a.i - b.i)
    .map(({ e }) => e);

  const documents: ManifestDocument[] = sortForApply(read.documents).map(
    ({ file, line, object, imageLines, lineOf }) => ({
      file,
      line,
      object,
      imageLines,
      lineOf,
    }),
  );
  return { documents, errors: sortedErrors };
}
