import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandInputs, globToRegExp } from '../../src/manifest/files.js';
import { readManifests } from '../../src/manifest/load.js';
import { parseYamlDocuments } from '../../src/manifest/yaml.js';

const fixtures = 'test/fixtures/manifests';

function tree(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-manifest-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

describe('expanding inputs', () => {
  const dir = tree({
    'k8s/b.yaml': 'x',
    'k8s/a.yml': 'x',
    'k8s/README.md': 'x',
    'k8s/sub/c.json': 'x',
    'k8s/sub/deeper/d.yaml': 'x',
    'k8s/.hidden/e.yaml': 'x',
    'other/z.yaml': 'x',
    'notes.txt': 'x',
  });
  const files = (patterns: string[]): string[] => expandInputs(patterns, dir).files.map((f) => f.file);

  test('a directory is walked recursively in code-point order, manifest extensions only', () => {
    expect(files(['k8s'])).toEqual([
      'k8s/.hidden/e.yaml',
      'k8s/a.yml',
      'k8s/b.yaml',
      'k8s/sub/c.json',
      'k8s/sub/deeper/d.yaml',
    ]);
    expect(files(['k8s/'])).toEqual(files(['k8s']).map((f) => f));
  });

  test('globs: * stays in a directory, ** crosses them, dotfiles need an explicit dot, braces', () => {
    expect(files(['k8s/*.yaml'])).toEqual(['k8s/b.yaml']);
    expect(files(['k8s/**/*.yaml'])).toEqual(['k8s/b.yaml', 'k8s/sub/deeper/d.yaml']);
    expect(files(['**/*.{yml,json}'])).toEqual(['k8s/a.yml', 'k8s/sub/c.json']);
    expect(files(['k8s/?.y*ml'])).toEqual(['k8s/a.yml', 'k8s/b.yaml']);
    expect(files(['k8s/[ab].*'])).toEqual(['k8s/a.yml', 'k8s/b.yaml']);
    expect(files(['k8s/.hidden/*'])).toEqual(['k8s/.hidden/e.yaml']);
  });

  test('explicit files keep any extension; inputs keep their order; duplicates keep the first position', () => {
    expect(files(['notes.txt', 'other', 'k8s/*.yml', 'other/z.yaml'])).toEqual([
      'notes.txt',
      'other/z.yaml',
      'k8s/a.yml',
    ]);
  });

  test('newline-separated inputs (the action input), blank lines and comments skipped', () => {
    expect(files(['other/z.yaml\n\n# not this\n  k8s/a.yml  '])).toEqual(['other/z.yaml', 'k8s/a.yml']);
  });

  test('missing paths, empty globs and directories without manifests are errors', () => {
    expect(
      expandInputs(
        ['nope.yaml', 'k8s/*.xml', 'k8s/sub/deeper/none/*', 'empty-dir'],
        tree({ 'empty-dir/readme.md': 'x' }),
      ).errors,
    ).toEqual([
      { file: 'nope.yaml', line: 0, message: 'the path "nope.yaml" does not exist' },
      { file: 'k8s/*.xml', line: 0, message: 'no files match the pattern "k8s/*.xml"' },
      { file: 'k8s/sub/deeper/none/*', line: 0, message: 'no files match the pattern "k8s/sub/deeper/none/*"' },
      { file: 'empty-dir', line: 0, message: 'no manifest files (*.yaml, *.yml, *.json) in "empty-dir"' },
    ]);
  });

  test('glob translation', () => {
    expect(globToRegExp('a/**/b.yaml').test('a/b.yaml')).toBe(true);
    expect(globToRegExp('a/**/b.yaml').test('a/x/y/b.yaml')).toBe(true);
    expect(globToRegExp('a/*.yaml').test('a/x/b.yaml')).toBe(false);
    expect(globToRegExp('a/[!b].yaml').test('a/c.yaml')).toBe(true);
    expect(globToRegExp('a/[!b].yaml').test('a/b.yaml')).toBe(false);
  });
});

describe('YAML documents and lines', () => {
  test('multi-document: the line of each object, empty documents skipped, comments and markers counted', () => {
    const text = [
      '# header',
      '---',
      'a: 1',
      '---',
      '',
      '---',
      '# c',
      '',
      'b:',
      '  c: [1, 2]',
      '  d:',
      '    - e: x',
      '...',
      '---',
      'f: 3',
      '',
    ].join('\n');
    const { documents, errors } = parseYamlDocuments(text);
    expect(errors).toEqual([]);
    expect(documents.map((d) => [d.line, d.value])).toEqual([
      [3, { a: 1 }],
      [9, { b: { c: [1, 2], d: [{ e: 'x' }] } }],
      [15, { f: 3 }],
    ]);
    expect(documents[1]!.lineOf(['b', 'd', 0, 'e'])).toBe(12);
    expect(documents[1]!.lineOf(['b', 'c', 1])).toBe(10);
    expect(documents[1]!.lineOf(['nope'])).toBeUndefined();
  });

  test('YAML 1.1 scalars like kubectl (yes/on are booleans, 0755 octal), timestamps stay strings', () => {
    expect(parseYamlDocuments('a: yes\nb: on\nc: 0755\nd: 2024-01-02\ne: "yes"\n').documents[0]!.value).toEqual({
      a: true,
      b: true,
      c: 493,
      d: '2024-01-02',
      e: 'yes',
    });
  });

  test('a syntax error is reported at its line and does not hide the other documents', () => {
    const { documents, errors } = parseYamlDocuments('a: 1\n---\nb: [1\nc: 2\n---\nd: 4\n');
    expect(documents.map((d) => d.value)).toEqual([{ a: 1 }, { d: 4 }]);
    expect(errors).toEqual([
      {
        line: 4,
        message: `invalid YAML: deficient indentation (line 4, column 1): a line is indented less than its block, or a quote or bracket above is not closed`,
      },
    ]);
  });

  test('duplicate keys are errors (kubectl decodes strictly)', () => {
    expect(parseYamlDocuments('a: 1\nb: 2\na: 3\n').errors).toEqual([
      { line: 3, message: 'invalid YAML: key "a" already set in map (first set at line 1)' },
    ]);
  });

  test('every duplicate key of a document is reported, nested ones too; the other documents are still read', () => {
    const parsed = parseYamlDocuments('a: 1\nb:\n  c: 1\n  c: 2\n  d: [1]\na: 3\n---\nx:\n  k: 1\n');
    expect(parsed.errors).toEqual([
      { line: 4, message: 'invalid YAML: key "c" already set in map (first set at line 3)' },
      { line: 6, message: 'invalid YAML: key "a" already set in map (first set at line 1)' },
    ]);
    expect(parsed.documents.map((d) => d.value)).toEqual([{ x: { k: 1 } }]);
    // A key's own line, not the line where its block value starts.
    expect(parsed.documents[0]!.lineOf(['x'])).toBe(8);
    expect(parsed.documents[0]!.lineOf(['x', 'k'])).toBe(9);
  });

  test('alias bombs are refused', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const { documents, errors } = parseYamlDocuments(levels.join('\n'));
    expect(documents).toEqual([]);
    expect(errors).toEqual([
      { line: 1, message: 'document expands to more than 200000 nodes (YAML aliases); refusing to load it' },
    ]);
    const many = `a: &a 1\nb: [${Array(1001).fill('*a').join(',')}]\n`;
    expect(parseYamlDocuments(many).errors[0]!.message).toMatch(/^invalid YAML: aliases exceeded maxAliases \(1000\)/);
  });
});

describe('reading manifests', () => {
  test('documents carry file, line and the line of every container image (init and regular)', () => {
    const { documents, errors } = readManifests(['good/app/web.yaml'], fixtures);
    expect(errors).toEqual([]);
    expect(documents.map((d) => [d.file, d.line, d.object.kind, d.imageLines])).toEqual([
      ['good/app/web.yaml', 2, 'ConfigMap', {}],
      ['good/app/web.yaml', 9, 'Service', {}],
      ['good/app/web.yaml', 19, 'Deployment', { migrate: 37, web: 40, proxy: 44 }],
    ]);
  });

  test('kind: List is expanded into its items with their own lines (JSON too)', () => {
    const { documents } = readManifests(['good/list.json'], fixtures);
    expect(documents.map((d) => [d.line, d.object.kind, d.object.metadata.name])).toEqual([
      [5, 'ServiceAccount', 'web'],
      [10, 'Secret', 'web-token'],
    ]);
  });

  test('empty files and comment-only files are reported', () => {
    expect(readManifests(['bad/empty.yaml', 'bad/comments-only.yaml'], fixtures).errors).toEqual([
      {
        file: 'bad/empty.yaml',
        line: 0,
        message: 'no Kubernetes objects in this file (it is empty or holds only comments)',
      },
      {
        file: 'bad/comments-only.yaml',
        line: 0,
        message: 'no Kubernetes objects in this file (it is empty or holds only comments)',
      },
    ]);
  });

  test('non-UTF-8 files, non-mapping documents and oversized files are reported; a BOM is fine', () => {
    const dir = tree({
      'latin1.yaml': Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]),
      'bom.yaml': Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n'),
      ]),
      'scalar.yaml': 'just text\n---\n- a\n',
      'huge.yaml': Buffer.alloc(8 * 1024 * 1024 + 1, 0x20),
    });
    const { documents, errors } = readManifests(['latin1.yaml', 'bom.yaml', 'scalar.yaml', 'huge.yaml'], dir);
    expect(documents.map((d) => d.object.metadata.name)).toEqual(['x']);
    expect(errors).toEqual([
      { file: 'latin1.yaml', line: 1, message: 'file is not valid UTF-8 text (line 1); save manifests as UTF-8' },
      {
        file: 'scalar.yaml',
        line: 1,
        message: 'expected a Kubernetes object (a YAML mapping), got the string "just text"',
      },
      { file: 'scalar.yaml', line: 3, message: 'expected a Kubernetes object (a YAML mapping), got a list' },
      {
        file: 'huge.yaml',
        line: 0,
        message: 'file is 8388609 bytes, larger than the 8388608-byte limit for manifests',
      },
    ]);
  });
});
