import {
  type Event,
  EVENT_ID,
  Schema,
  YAML11_SCHEMA,
  YAMLException,
  constructFromEvents,
  getScalarValue,
  parseEvents,
} from 'js-yaml';

/**
 * Multi-document YAML parsing that remembers where every node is.
 *
 * kubectl reads manifests with sigs.k8s.io/yaml (go-yaml v2, YAML 1.1), so YAML 1.1 scalars apply
 * (`on`/`yes` are booleans, `0755` is octal) — except timestamps, which go-yaml v2 hands to
 * untyped targets as strings. js-yaml's event parser gives source offsets; walking the events
 * yields the line of every node, and the same events are then constructed into values.
 */

/** YAML 1.1 without `!!timestamp`, matching what kubectl decodes manifests into. */
export const kubectlYamlSchema = new Schema(
  YAML11_SCHEMA.tags.filter((t) => t.tagName !== 'tag:yaml.org,2002:timestamp'),
);

/** Limits against hostile input: alias "billion laughs" expansion and deep nesting. */
export const yamlLimits = {
  /** Alias nodes (`*ref`) allowed per document. */
  maxAliases: 1000,
  /** Nodes a document may expand to once aliases are resolved. */
  maxExpandedNodes: 200_000,
  /** Collection nesting depth. */
  maxDepth: 100,
} as const;

/** One YAML document: its value and the 1-based line of each node, by path. */
export interface YamlDocument {
  /** 1-based line of the root node. */
  line: number;
  value: unknown;
  /** Line of the node at `path` (map keys and sequence indices), if it is written in the text. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

/** A YAML problem with its 1-based line. */
export interface YamlError {
  line: number;
  message: string;
}

/**
 * Parses every document of a YAML (or JSON) text. Empty documents are dropped. The text is split at
 * `---` lines first (a `---` at column 0 always starts a document in YAML), so a syntax error in
 * one document is reported without hiding the others.
 */
export function parseYamlDocuments(text: string): { documents: YamlDocument[]; errors: YamlError[] } {
  const documents: YamlDocument[] = [];
  const errors: YamlError[] = [];
  for (const chunk of splitDocuments(text)) {
    const lineOfOffset = lineIndex(chunk.text, chunk.startLine);
    try {
      const events = parseEvents(chunk.text, { maxDepth: yamlLimits.maxDepth });
      const located = locate(events, chunk.text, lineOfOffset);
      // Duplicate keys are reported by `locate` with both lines, and the rest of the document is
      // still checked (json: the last value wins instead of js-yaml throwing at the first).
      const values = constructFromEvents(events, {
        source: chunk.text,
        schema: kubectlYamlSchema,
        maxAliases: yamlLimits.maxAliases,
        json: true,
      });
      values.forEach((value, i) => {
        const where = located[i];
        if (value === null || value === undefined || !where) return;
        if (expandedSize(value, yamlLimits.maxExpandedNodes) > yamlLimits.maxExpandedNodes) {
          errors.push({
            line: where.line,
            message: `document expands to more than ${yamlLimits.maxExpandedNodes} nodes (YAML aliases); refusing to load it`,
          });
          return;
        }
        // A document with a key set twice is ambiguous (kubectl refuses it whole): report every
        // duplicate and do not judge its values.
        if (where.duplicates.length > 0) {
          for (const d of where.duplicates) errors.push(duplicateKeyError(d));
          return;
        }
        documents.push({
          line: where.line,
          value,
          lineOf: (path) => where.keyLines.get(JSON.stringify(path)) ?? where.lines.get(JSON.stringify(path)),
        });
      });
    } catch (err) {
      errors.push(yamlError(err, chunk.startLine));
    }
  }
  return { documents, errors };
}

/** A key set twice in one mapping: go-yaml's words (what kubectl prints), with where it was set first. */
function duplicateKeyError(d: DuplicateKey): YamlError {
  return {
    line: d.line,
    message: `invalid YAML: key ${JSON.stringify(d.key)} already set in map (first set at line ${d.firstLine})`,
  };
}

/** js-yaml reasons whose usual cause is not obvious from the words. */
const hints: Record<string, string> = {
  'deficient indentation': ': a line is indented less than its block, or a quote or bracket above is not closed',
};

function yamlError(err: unknown, startLine: number): YamlError {
  if (err instanceof YAMLException) {
    const line = err.mark ? startLine + err.mark.line + 1 : startLine + 1;
    const where = err.mark ? ` (line ${line}, column ${err.mark.column + 1})` : '';
    return { line, message: `invalid YAML: ${err.reason}${where}${hints[err.reason] ?? ''}` };
  }
  return { line: startLine + 1, message: `invalid YAML: ${err instanceof Error ? err.message : String(err)}` };
}

/** Splits at document-start markers; directive lines (`%YAML`) right before a marker go with it. */
function splitDocuments(text: string): Array<{ startLine: number; text: string }> {
  const lines = text.split('\n');
  const starts = [0];
  lines.forEach((line, i) => {
    if (i > 0 && /^---(?:[ \t\r]|$)/.test(line)) {
      let start = i;
      while (start - 1 > starts[starts.length - 1]! && lines[start - 1]!.startsWith('%')) start--;
      starts.push(start);
    }
  });
  return starts.map((start, k) => ({
    startLine: start,
    text: lines.slice(start, starts[k + 1] ?? lines.length).join('\n'),
  }));
}

/** Offset -> 1-based file line, for a chunk that starts at 0-based `startLine`. */
function lineIndex(text: string, startLine: number): (offset: number) => number {
  const newlines: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) newlines.push(i);
  return (offset) => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return startLine + lo + 1;
  };
}

type Frame =
  | {
      kind: 'map';
      path: Array<string | number> | null;
      expectKey: boolean;
      key: string | null;
      /** Line of each key seen so far, to report a duplicate with both lines. */
      seen: Map<string, number>;
    }
  | { kind: 'seq'; path: Array<string | number> | null; index: number }
  | { kind: 'doc' };

interface DuplicateKey {
  key: string;
  line: number;
  firstLine: number;
}

interface Located {
  line: number;
  /** Line of each node, by path. */
  lines: Map<string, number>;
  /** Line of each mapping key, by the path of its value (`replica:` whose value starts lines below). */
  keyLines: Map<string, number>;
  duplicates: DuplicateKey[];
}

/** Walks the event stream, recording the line of every node reachable by a plain-key path. */
function locate(events: Event[], source: string, lineOf: (offset: number) => number): Located[] {
  const docs: Located[] = [];
  const stack: Frame[] = [];
  let current: Located | undefined;
  for (const ev of events) {
    if (ev.type === EVENT_ID.DOCUMENT) {
      current = { line: 0, lines: new Map(), keyLines: new Map(), duplicates: [] };
      docs.push(current);
      stack.push({ kind: 'doc' });
      continue;
    }
    if (ev.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    const top = stack[stack.length - 1];
    let path: Array<string | number> | null;
    if (!top || top.kind === 'doc') path = [];
    else if (top.kind === 'seq') path = top.path ? [...top.path, top.index++] : null;
    else if (top.expectKey) {
      // A key: remember it for the value that follows; a collection key makes the value unaddressable.
      top.expectKey = false;
      top.key = ev.type === EVENT_ID.SCALAR ? getScalarValue(source, ev) : null;
      if (top.key !== null && current && ev.type === EVENT_ID.SCALAR) {
        const keyLine = lineOf(ev.valueStart >= 0 ? ev.valueStart : ev.tagStart >= 0 ? ev.tagStart : ev.anchorStart);
        const first = top.seen.get(top.key);
        if (first !== undefined) current.duplicates.push({ key: top.key, line: keyLine, firstLine: first });
        else top.seen.set(top.key, keyLine);
        if (top.path) current.keyLines.set(JSON.stringify([...top.path, top.key]), keyLine);
      }
      if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE)
        stack.push({ kind: 'seq', path: null, index: 0 });
      continue;
    } else {
      top.expectKey = true;
      path = top.path && top.key !== null ? [...top.path, top.key] : null;
    }
    const offset =
      ev.type === EVENT_ID.SCALAR
        ? ev.valueStart >= 0
          ? ev.valueStart
          : ev.tagStart >= 0
            ? ev.tagStart
            : ev.anchorStart
        : ev.type === EVENT_ID.ALIAS
          ? ev.anchorStart
          : ev.start;
    if (path && current && offset >= 0) {
      const line = lineOf(offset);
      current.lines.set(JSON.stringify(path), line);
      if (path.length === 0) current.line = line;
    }
    if (ev.type === EVENT_ID.MAPPING) stack.push({ kind: 'map', path, expectKey: true, key: null, seen: new Map() });
    else if (ev.type === EVENT_ID.SEQUENCE) stack.push({ kind: 'seq', path, index: 0 });
  }
  return docs;
}

/** Node count once aliases are expanded, stopping early past `limit`; shared subtrees are memoised. */
function expandedSize(value: unknown, limit: number): number {
  const memo = new Map<object, number>();
  const active = new Set<object>();
  const size = (v: unknown): number => {
    if (v === null || typeof v !== 'object') return 1;
    const known = memo.get(v);
    if (known !== undefined) return known;
    if (active.has(v)) return limit + 1; // a recursive alias expands forever
    active.add(v);
    let total = 1;
    const children = Array.isArray(v) ? v : v instanceof Map ? [...v.values()] : Object.values(v);
    for (const child of children) {
      total += size(child);
      if (total > limit) break;
    }
    active.delete(v);
    memo.set(v, total);
    return total;
  };
  return size(value);
}
