import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ManifestError } from './types.js';

/**
 * Expands the user's file/directory/glob inputs into an ordered, de-duplicated list of files.
 * Node 20 has no `fs.glob`, and the glob subset manifests need (`*`, `**`, `?`, `[...]`, `{a,b}`)
 * is small, so it is implemented here rather than pulled in as a dependency.
 */

/** Extensions picked up from directories and globs (explicitly named files may have any name). */
export const manifestExtensions = ['.yaml', '.yml', '.json'] as const;

const globChars = /[*?[\]{}]/;

/** How standard input (`-f -`) is named in problems, as kubectl names it. */
export const STDIN_NAME = 'STDIN';

/** An expanded input file: `file` as it should be reported, `path` absolute for reading (`-`: standard input). */
export interface InputFile {
  file: string;
  path: string;
}

/**
 * Expands patterns in order: a file is itself; a directory is every manifest file below it in
 * lexical order (like `kubectl apply -R`); a glob is its matches in lexical order. A file reached
 * twice is kept at its first position. Entries may contain several newline-separated inputs.
 */
export function expandInputs(
  patterns: readonly string[],
  cwd: string,
): { files: InputFile[]; errors: ManifestError[]; order: string[] } {
  const files: InputFile[] = [];
  const errors: ManifestError[] = [];
  /** Every reported name (files and failed inputs) in input order, for sorting problems. */
  const order: string[] = [];
  const fail = (file: string, message: string): void => {
    errors.push({ file, line: 0, message });
    order.push(file);
  };
  const seen = new Set<string>();
  const add = (file: string, path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    files.push({ file, path });
    order.push(file);
  };
  for (const raw of patterns.flatMap((p) => p.split(/\r?\n/))) {
    const input = raw.trim();
    if (input === '' || input.startsWith('#')) continue;
    if (input === '-') {
      // `-f -`: standard input, read once (`helm template ... | rollout-gate run -f -`).
      add(STDIN_NAME, '-');
      continue;
    }
    const display = input.replace(/\\/g, '/');
    if (globChars.test(input)) {
      const matches = globFiles(display, cwd);
      if (matches.length === 0) fail(display, `no files match the pattern "${display}"`);
      for (const m of matches) add(m.file, m.path);
      continue;
    }
    const abs = resolve(cwd, input);
    const stat = statSync(abs, { throwIfNoEntry: false });
    if (!stat) {
      fail(display, `the path "${display}" does not exist`);
    } else if (stat.isDirectory()) {
      const prefix = display.replace(/\/+$/, '');
      const found = walk(abs, Infinity).filter(hasManifestExtension);
      if (found.length === 0) fail(display, `no manifest files (*.yaml, *.yml, *.json) in "${display}"`);
      for (const rel of found) add(`${prefix}/${rel}`, join(abs, rel));
    } else {
      add(display, abs);
    }
  }
  return { files, errors, order };
}

function hasManifestExtension(path: string): boolean {
  const lower = path.toLowerCase();
  return manifestExtensions.some((ext) => lower.endsWith(ext));
}

/** Matches of a glob, relative to cwd (or absolute when the glob is), filtered to manifest extensions. */
export function globFiles(pattern: string, cwd: string): InputFile[] {
  const segments = pattern.split('/');
  const staticSegments: string[] = [];
  while (segments.length > 1 && !globChars.test(segments[0]!)) staticSegments.push(segments.shift()!);
  const base = staticSegments.join('/');
  const baseAbs = isAbsolute(pattern) ? resolve('/', base) : resolve(cwd, base);
  if (!statSync(baseAbs, { throwIfNoEntry: false })?.isDirectory()) return [];
  const depth = segments.includes('**') ? Infinity : segments.length;
  const re = globToRegExp(segments.join('/'));
  const prefix = base === '' ? '' : `${base.replace(/\/+$/, '')}/`;
  return walk(baseAbs, depth)
    .filter((rel) => re.test(rel) && hasManifestExtension(rel))
    .map((rel) => ({ file: `${prefix}${rel}`, path: join(baseAbs, rel) }));
}

/**
 * Translates a glob into an anchored RegExp over `/`-separated relative paths. `**` as a whole
 * segment matches zero or more directories; `*` and `?` never cross `/` nor match a leading dot.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let braceDepth = 0;
  const atSegmentStart = (): boolean => i === 0 || glob[i - 1] === '/';
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*' && atSegmentStart() && (glob[i + 2] === '/' || i + 2 === glob.length)) {
      re += glob[i + 2] === '/' ? '(?:(?!\\.)[^/]*/)*' : '(?:(?!\\.)[^/]*(?:/(?!\\.)[^/]*)*)?';
      i += glob[i + 2] === '/' ? 3 : 2;
      continue;
    }
    if (c === '*') re += atSegmentStart() ? '(?!\\.)[^/]*' : '[^/]*';
    else if (c === '?') re += atSegmentStart() ? '(?!\\.)[^/]' : '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      braceDepth++;
      re += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      re += ')';
    } else if (c === ',' && braceDepth > 0) re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
    i++;
  }
  return new RegExp(`^${re}$`);
}

/**
 * Files below `dir` as `/`-separated relative paths, entries of each directory in code-point order
 * (deterministic across platforms and locales). Symlinked directories are not followed, so a link
 * loop cannot hang the walk.
 */
function walk(dir: string, depth: number, rel = ''): string[] {
  if (depth <= 0) return [];
  const out: string[] = [];
  const entries = readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...walk(dir, depth - 1, child));
    else if (
      entry.isFile() ||
      (entry.isSymbolicLink() && statSync(join(dir, child), { throwIfNoEntry: false })?.isFile())
    )
      out.push(child);
  }
  return out;
}
