/**
 * The CLI contract of README "As a CLI", run in-process (`runCli` with buffered io) and once as a
 * real process: help and version, usage errors (exit 2, one line), JSON output (exactly one
 * object on stdout, logs on stderr), exit codes, file:line errors.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { MAIN_HELP, RUN_HELP, SERVE_HELP } from '../../src/cli/help.js';
import { cli, onlyJson, ROOT } from './support.js';

const TYPO = [
  'run',
  '--simulate',
  '-f',
  'examples/typo-image/web-v2.yaml',
  '--scenario',
  'examples/typo-image/scenario.yaml',
];
const UPDATE = [
  'run',
  '--simulate',
  '-f',
  'examples/update/web-v2.yaml',
  '--scenario',
  'examples/update/scenario.yaml',
];

describe('help and version', () => {
  test.each([
    [['--help'], MAIN_HELP],
    [['-h'], MAIN_HELP],
    [['run', '--help'], RUN_HELP],
    [['help', 'run'], RUN_HELP],
    [['serve', '--help'], SERVE_HELP],
  ])('%j prints its help on stdout, exit 0', async (argv, text) => {
    expect(await cli(argv)).toEqual({ code: 0, stdout: text, stderr: '' });
  });

  test('the help texts name every flag of README "As a CLI"', () => {
    for (const flag of [
      '-f, --manifests',
      '--namespace',
      '--image',
      '--simulate',
      '--scenario',
      '--kubeconfig',
      '--context',
      '--timeout',
      '--rollback',
      '--output',
    ]) {
      expect(RUN_HELP).toContain(flag);
    }
    for (const flag of ['--scenario', '--port', '--speed', '--kubeconfig-out']) expect(SERVE_HELP).toContain(flag);
    expect(MAIN_HELP).toContain('0 succeeded, 1 failed and rolled back, 2 invalid input (nothing applied)');
  });

  test('--version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: 'rollout-gate 9.8.7\n', stderr: '' });
  });
});

describe('usage errors: exit 2, one line on stderr, nothing on stdout', () => {
  test.each([
    [['run', '-f', 'x.yaml', '--bogus'], 'error: unknown flag "--bogus" for run (see rollout-gate run --help)\n'],
    [['run', '-f', 'x.yaml', '-z'], 'error: unknown flag "-z" for run (see rollout-gate run --help)\n'],
    [['run', '--simulate'], 'error: run needs at least one -f/--manifests <file|dir|glob>\n'],
    [
      ['run', '-f', 'x.yaml', '--rollback', 'always'],
      'error: --rollback must be "on-failure" or "never", got "always"\n',
    ],
    [['run', '-f', 'x.yaml', '--output', 'yaml'], 'error: --output must be "text" or "json", got "yaml"\n'],
    [['run', '-f', 'x.yaml', '--scenario', 's.yaml'], 'error: --scenario only applies with --simulate\n'],
    [['run', '-f'], 'error: flag --manifests needs a value\n'],
    [['deploy'], 'error: unknown command "deploy" (expected run, plan or serve; see rollout-gate --help)\n'],
    [['serve', '--port', 'x'], 'error: --port must be 0-65535, got "x"\n'],
  ])('%j', async (argv, message) => {
    expect(await cli(argv)).toEqual({ code: 2, stdout: '', stderr: message });
  });
});

describe('--output json', () => {
  test('succeeded: exactly one JSON object on stdout with the contract keys first; logs on stderr', async () => {
    const run = await cli([...UPDATE, '--output', 'json']);
    expect(run.code).toBe(0);
    const json = onlyJson(run.stdout);
    expect(Object.keys(json).slice(0, 3)).toEqual(['result', 'workloads', 'errors']);
    expect(json.result).toBe('succeeded');
    expect(json.errors).toEqual([]);
    const [w] = json.workloads as Array<Record<string, unknown>>;
    expect(Object.keys(w!).slice(0, 5)).toEqual(['kind', 'namespace', 'name', 'result', 'revision']);
    expect(w).toMatchObject({
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'succeeded',
      revision: 2,
    });
    expect(w!.rolledBackTo).toBeUndefined();
    expect(typeof w!.message).toBe('string');
    expect(typeof w!.durationSeconds).toBe('number');
    expect(run.stderr).toContain('default/web: deployment "web" successfully rolled out\n');
  });

  test('rolled-back: exit 1, the contract fields of the failed workload', async () => {
    const run = await cli([...TYPO, '-o', 'json']);
    expect(run.code).toBe(1);
    const json = onlyJson(run.stdout);
    expect(json.result).toBe('rolled-back');
    const [w] = json.workloads as Array<Record<string, unknown>>;
    expect(Object.keys(w!).slice(0, 10)).toEqual([
      'kind',
      'namespace',
      'name',
      'result',
      'revision',
      'rolledBackTo',
      'reason',
      'message',
      'durationSeconds',
      'detectedAfterSeconds',
    ]);
    expect(w).toMatchObject({
      name: 'nginx-deployment',
      result: 'rolled-back',
      revision: 2,
      rolledBackTo: 3,
      reason: 'ErrImagePull',
      detectedAfterSeconds: 2,
    });
    // The image line of the manifest is the evidence's location, on stderr.
    expect(run.stderr).toMatch(
      /^examples\/typo-image\/web-v2\.yaml:19: error: deployment "nginx-deployment" failed: ErrImagePull: /m,
    );
  });

  test('the same command twice prints byte-identical JSON', async () => {
    const a = await cli([...TYPO, '-o', 'json']);
    const b = await cli([...TYPO, '-o', 'json']);
    expect(b.stdout).toBe(a.stdout);
  });

  test('invalid: exit 2, every error with file and line, nothing applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-cli-'));
    writeFileSync(
      join(dir, 'web.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        'spec:',
        '  replicas: -1',
        '  selector:',
        '    matchLabels:',
        '      app: web',
        '  template:',
        '    metadata:',
        '      labels:',
        '        app: other',
        '    spec:',
        '      containers:',
        '        - name: web',
        '          image: "web:bad!!"',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n');
    const run = await cli(['run', '--simulate', '-f', 'web.yaml', '-f', 'broken.yaml', '-o', 'json'], dir);
    expect(run.code).toBe(2);
    const json = onlyJson(run.stdout);
    expect(json.result).toBe('invalid');
    expect(json.workloads).toEqual([]);
    expect(json.applied).toBeUndefined();
    const errors = json.errors as Array<{ file: string; line: number; message: string }>;
    expect(errors.map((e) => [e.file, e.line])).toEqual([
      ['web.yaml', 6],
      ['web.yaml', 12],
      ['web.yaml', 17],
      ['broken.yaml', expect.any(Number)],
    ]);
    expect(errors[0]!.message).toBe(
      'The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    expect(errors[2]!.message).toContain('"web:bad!!": invalid reference format');
    expect(errors[3]!.line).toBeGreaterThan(0);
    // Nothing was applied: no apply section, no object line.
    expect(run.stderr).not.toMatch(/Apply|created|configured/);
  });

  test('a refused apply: its location printed once, on stderr and in the text summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-cli-'));
    const web = readFileSync(join(ROOT, 'examples/update/web-v2.yaml'), 'utf8');
    writeFileSync(join(dir, 'web.yaml'), web.replace(/^( {2}name: .*)$/m, '$1\n  namespace: nope'));
    const run = await cli(['run', '--simulate', '-f', 'web.yaml'], dir);
    expect(run.code).toBe(3);
    expect(run.stderr.split('\n').filter((l) => l.includes('error'))).toEqual([
      'web.yaml:1: error: Deployment/web: namespaces "nope" not found',
    ]);
    expect(run.stdout).toContain('\n  web.yaml:1: namespaces "nope" not found\n');
  });
});

describe('text output and exit codes', () => {
  test.each([
    ['update', UPDATE, 0],
    ['typo-image', TYPO, 1],
    ['rollback never', [...TYPO, '--rollback', 'never'], 3],
    [
      'new deployment fails',
      [
        'run',
        '--simulate',
        '-f',
        'examples/new-deployment-fails/fresh.yaml',
        '--scenario',
        'examples/new-deployment-fails/scenario.yaml',
      ],
      3,
    ],
    ['missing manifest file', ['run', '--simulate', '-f', 'examples/nope.yaml'], 2],
  ])('%s -> exit code as expected', async (_name, argv, code) => {
    const run = await cli(argv as string[]);
    expect(run.code).toBe(code);
    expect(run.stdout.length).toBeGreaterThan(0);
  });

  test('a broken manifest is reported with file:line on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-cli-'));
    writeFileSync(
      join(dir, 'app.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\nkind: [oops\n',
    );
    const run = await cli(['run', '--simulate', '-f', 'app.yaml'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr + run.stdout).toMatch(/app\.yaml:\d+/);
  });
});

describe('the real process', () => {
  const cliJs = join(ROOT, 'lib/src/cli.js');
  beforeAll(() => {
    const newest = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
        const p = join(dir, e.name);
        return Math.max(m, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
      }, 0);
    if (!existsSync(cliJs) || statSync(cliJs).mtimeMs < newest(join(ROOT, 'src'))) {
      const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
  }, 120_000);

  test('node bin/rollout-gate.js run --simulate ... -o json: exit 1 and one JSON object on stdout', () => {
    const out = spawnSync('node', ['bin/rollout-gate.js', ...TYPO, '-o', 'json'], { cwd: ROOT, encoding: 'utf8' });
    expect(out.status).toBe(1);
    const json = onlyJson(out.stdout);
    expect(json.result).toBe('rolled-back');
    expect((json.workloads as Array<Record<string, unknown>>)[0]).toMatchObject({
      reason: 'ErrImagePull',
      rolledBackTo: 3,
    });
    expect(out.stderr).toContain(
      'deployment "nginx-deployment" rolled back to nginx:1.14.2, the last good template (revision 1, now revision 3: an undo re-adds it as the newest revision), and healthy again',
    );
  });

  test('node bin/rollout-gate.js --version prints the package version', () => {
    const out = spawnSync('node', ['bin/rollout-gate.js', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(
      `rollout-gate ${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`,
    );
  });
});
