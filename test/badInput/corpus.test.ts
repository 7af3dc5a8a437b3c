/**
 * The bad-input corpus (issue 6): every case in test/fixtures/bad/expected.json runs through the CLI
 * in-process (`runCli`), once with `--output json` and once with text output, and must end with
 * exit code 2, exactly the expected errors (file, line, message), no stack trace, and nothing
 * applied. Cases marked `generated` are built in a temporary copy of the corpus (a 9 MiB file, a
 * mode-000 file, an empty directory, 50 000 documents) rather than committed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { maxManifestFileBytes } from '../../src/manifest/load.js';
import { formatInputError } from '../../src/report/text.js';
import { cli, onlyJson, ROOT } from '../cli/support.js';
import { ensureBuilt } from '../secrets/support.js';

interface ExpectedError {
  file?: string;
  line?: number;
  message: string;
}

interface Case {
  why: string;
  /** `-f` inputs; default: the case's own path. */
  manifests?: string[];
  args?: string[];
  /** Run without --simulate (kubeconfig cases). */
  real?: boolean;
  /** Built by this test in the temporary copy of the corpus. */
  generated?: boolean;
  /** A usage error: exit 2, this one line on stderr, nothing on stdout. */
  usage?: string;
  errors?: ExpectedError[];
}

const CORPUS = join(ROOT, 'test/fixtures/bad');
const table = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')) as Record<string, Case>;
const entries = Object.entries(table);
const STACK = /\n\s+at /;
/** The capabilities that let root read a mode-000 file. */
const DAC_CAPS = 'dac_override,-dac_read_search';
const asRoot = process.getuid?.() === 0;

let dir: string;

/** The generated inputs, written into the copy of the corpus. */
function generate(root: string): void {
  mkdirSync(join(root, 'generated/empty-dir'), { recursive: true });
  // A valid-looking manifest padded past the size limit with a long comment.
  const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\n';
  writeFileSync(join(root, 'generated/huge.yaml'), head + `# ${'x'.repeat(9 * 1024 * 1024 - head.length - 3)}\n`);
  const doc = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n`;
  const docs = Array.from({ length: 50_000 }, (_, i) => doc(i));
  docs[docs.length - 1] = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n';
  writeFileSync(join(root, 'generated/many-documents.yaml'), docs.join('---\n'));
  writeFileSync(join(root, 'generated/unreadable.yaml'), doc(0));
  chmodSync(join(root, 'generated/unreadable.yaml'), 0o000);
}

function argvOf(id: string, c: Case, output: 'json' | 'text'): string[] {
  return [
    'run',
    ...(c.real ? [] : ['--simulate']),
    ...(c.manifests ?? [id]).flatMap((m) => ['-f', m]),
    ...(c.args ?? []),
    ...(output === 'json' ? ['-o', 'json'] : []),
  ];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-gate-bad-'));
  cpSync(CORPUS, dir, { recursive: true });
  generate(dir);
});

afterAll(() => {
  chmodSync(join(dir, 'generated/unreadable.yaml'), 0o600);
  rmSync(dir, { recursive: true, force: true });
});

describe('the corpus', () => {
  test('has at least 100 cases, and every fixture file belongs to a case', () => {
    console.log(`bad-input corpus: ${entries.length} cases`);
    expect(entries.length).toBeGreaterThanOrEqual(100);
    const files = (readdirSync(CORPUS, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((e) => e.isFile())
      .map((e) => relative(CORPUS, join(e.parentPath, e.name)))
      .filter((f) => f !== 'expected.json');
    const referenced = (f: string): boolean =>
      entries.some(
        ([id, c]) =>
          f === id ||
          f.startsWith(`${id}/`) ||
          (c.manifests ?? []).includes(f) ||
          (c.args ?? []).some((a) => a === f || f.startsWith(`${a}/`)),
      );
    expect(files.filter((f) => !referenced(f))).toEqual([]);
    // Every case says what it breaks and what must come out of it.
    for (const [id, c] of entries) {
      expect([id, typeof c.why, c.usage !== undefined || (c.errors?.length ?? 0) > 0]).toEqual([id, 'string', true]);
    }
  });

  test('the generated huge file is over the limit', () => {
    expect(readFileSync(join(dir, 'generated/huge.yaml')).length).toBeGreaterThan(maxManifestFileBytes);
  });
});

describe.each(entries)('%s', (id, c) => {
  test(`${c.why}: --output json gives exit 2 and exactly the expected errors, nothing applied`, async () => {
    if (id === 'generated/unreadable.yaml' && asRoot) return; // shown by the unprivileged process below
    const run = await cli(argvOf(id, c, 'json'), dir);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).not.toMatch(STACK);
    if (c.usage !== undefined) {
      expect(run).toEqual({ code: 2, stdout: '', stderr: `error: ${c.usage}\n` });
      return;
    }
    const json = onlyJson(run.stdout);
    expect(json).toMatchObject({ result: 'invalid', workloads: [] });
    expect(json.applied).toBeUndefined();
    expect(json.errors).toEqual(c.errors);
    // Logs go to stderr in JSON mode: nothing may say it reached the cluster.
    expect(run.stderr).not.toMatch(/── Apply|object\(s\) for|created|configured/);
  });

  test(`${c.why}: text output gives exit 2, every error as file:line: message, nothing applied`, async () => {
    if (id === 'generated/unreadable.yaml' && asRoot) return;
    const run = await cli(argvOf(id, c, 'text'), dir);
    const all = run.stdout + run.stderr;
    expect(run.code).toBe(2);
    expect(all).not.toMatch(STACK);
    expect(all).not.toMatch(/── Apply|object\(s\) for|created|configured/);
    if (c.usage !== undefined) {
      expect(run).toEqual({ code: 2, stdout: '', stderr: `error: ${c.usage}\n` });
      return;
    }
    // A multi-line message (the scenario's list of problems) is printed with its lines indented.
    for (const e of c.errors!) for (const line of formatInputError(e).split('\n')) expect(all).toContain(line);
    expect(run.stdout).toMatch(/Result: invalid — \d+ input errors?, nothing was applied \(exit code 2\)\n$/);
  });
});

describe('an unreadable file', () => {
  const c = table['generated/unreadable.yaml']!;
  test('mode 000: "cannot read file: EACCES" (as root without the capability to bypass file modes)', () => {
    if (!asRoot) return; // the in-process cases above already ran it as this (unprivileged) user
    // Root reads any file whatever its mode, through CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH. Drop
    // those two (setpriv, util-linux) rather than switching to another user: uid "nobody" cannot
    // reach a checkout inside a private directory (mkdtemp's 0700), root without them still can,
    // because root owns the checkout.
    ensureBuilt();
    const out = spawnSync(
      'setpriv',
      [
        `--inh-caps=-${DAC_CAPS}`,
        `--bounding-set=-${DAC_CAPS}`,
        process.execPath,
        join(ROOT, 'bin/rollout-gate.js'),
        ...argvOf('generated/unreadable.yaml', c, 'json'),
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(out.error).toBeUndefined();
    expect(out.status).toBe(2);
    expect(out.stderr).not.toMatch(STACK);
    const json = onlyJson(out.stdout);
    expect(json.errors).toEqual(c.errors);
    // And as root the same file is readable: the case could not be shown in-process.
    expect(readFileSync(join(dir, 'generated/unreadable.yaml'), 'utf8')).toContain('kind: ConfigMap');
  });
});
