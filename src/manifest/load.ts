import { readFileSync, statSync } from 'node:fs';
import type { KubeObject } from '../k8s/objects.js';
import { expandInputs } from './files.js';
import type { ManifestDocument, ManifestError } from './types.js';
import { parseYamlDocuments } from './yaml.js';

/**
 * Reading manifests: inputs -> files -> UTF-8 text -> YAML documents -> Kubernetes objects with
 * their lines. Nothing here judges the objects beyond "is it a mapping"; see validate.ts.
 */

/** Largest manifest file read (the apiserver rejects request bodies over 3 MiB anyway). */
export const maxManifestFileBytes = 8 * 1024 * 1024;

/** A loaded object before validation; `lineOf` finds the line of any field of the object. */
export interface LoadedDocument extends ManifestDocument {
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

/** Reads and parses every input, returning the objects found and every problem met on the way. */
export function readManifests(
  patterns: readonly string[],
  cwd: string,
): { documents: LoadedDocument[]; errors: ManifestError[]; files: string[] } {
  const { files, errors, order } = expandInputs(patterns, cwd);
  const documents: LoadedDocument[] = [];
  for (const { file, path } of files) {
    const text = readText(file, path, errors);
    if (text === undefined) continue;
    const parsed = parseYamlDocuments(text);
    for (const e of parsed.errors) errors.push({ file, line: e.line, message: e.message });
    // An input that yields nothing is almost always a mistake (wrong file, truncated write); say so.
    if (parsed.documents.length === 0 && parsed.errors.length === 0) {
      errors.push({
        file,
        line: 0,
        message: 'no Kubernetes objects in this file (it is empty or holds only comments)',
      });
    }
    for (const doc of parsed.documents) {
      if (!isPlainObject(doc.value)) {
        errors.push({
          file,
          line: doc.line,
          message: `expected a Kubernetes object (a YAML mapping), got ${describe(doc.value)}`,
        });
        continue;
      }
      const value = doc.value;
      // `kind: List` (and typed lists such as DeploymentList) are unwrapped into their items, as kubectl does.
      if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
        value.items.forEach((item, i) => {
          const line = doc.lineOf(['items', i]) ?? doc.line;
          if (!isPlainObject(item)) {
            errors.push({
              file,
              line,
              message: `${value.kind} item ${i}: expected a Kubernetes object, got ${describe(item)}`,
            });
            return;
          }
          documents.push(makeDocument(file, line, item, (p) => doc.lineOf(['items', i, ...p])));
        });
        continue;
      }
      documents.push(makeDocument(file, doc.line, value, doc.lineOf));
    }
  }
  return { documents, errors, files: order };
}

function readText(file: string, path: string, errors: ManifestError[]): string | undefined {
  try {
    // Standard input has no size up front: read it (fd 0), then apply the same limit.
    const stdin = path === '-' ? readFileSync(0) : undefined;
    const size = stdin?.length ?? statSync(path).size;
    if (size > maxManifestFileBytes) {
      errors.push({
        file,
        line: 0,
        message: `file is ${size} bytes, larger than the ${maxManifestFileBytes}-byte limit for manifests`,
      });
      return undefined;
    }
    const bytes = stdin ?? readFileSync(path);
    try {
      // fatal: reject invalid UTF-8 instead of silently replacing bytes; a leading BOM is dropped.
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      const line = firstInvalidUtf8Line(bytes);
      errors.push({ file, line, message: `file is not valid UTF-8 text (line ${line}); save manifests as UTF-8` });
      return undefined;
    }
  } catch (err) {
    errors.push({ file, line: 0, message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return undefined;
  }
}

/** 1-based line of the first line that is not valid UTF-8 (a multi-byte sequence never contains `\n`). */
function firstInvalidUtf8Line(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let line = 1; ; line++) {
    const end = bytes.indexOf(0x0a, start);
    try {
      decoder.decode(bytes.subarray(start, end < 0 ? bytes.length : end));
    } catch {
      return line;
    }
    if (end < 0) return line;
    start = end + 1;
  }
}

function makeDocument(
  file: string,
  line: number,
  value: Record<string, unknown>,
  lineOf: (path: ReadonlyArray<string | number>) => number | undefined,
): LoadedDocument {
  // A missing or non-mapping metadata is reported by validation; keep the object shape usable meanwhile.
  const object = value as KubeObject;
  return { file, line, object, imageLines: imageLinesOf(object, lineOf), lineOf };
}

/** Lines of `spec.template.spec.{containers,initContainers}[i].image`, keyed by container name. */
export function imageLinesOf(
  object: KubeObject,
  lineOf: (path: ReadonlyArray<string | number>) => number | undefined,
): Record<string, number> {
  const out: Record<string, number> = {};
  const podSpec = (object.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec;
  for (const list of ['containers', 'initContainers'] as const) {
    const containers = podSpec?.[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c, i) => {
      const name = isPlainObject(c) ? c.name : undefined;
      const line = lineOf(['spec', 'template', 'spec', list, i, 'image']);
      if (typeof name === 'string' && line !== undefined && !(name in out)) out[name] = line;
    });
  }
  return out;
}

/** A YAML/JSON mapping (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
