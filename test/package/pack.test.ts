/**
 * The npm package (issue 13): `npm pack` holds the CLI, its bundle, the examples, the licence and
 * nothing else; installed from the tarball into an empty folder with --offline (the package has no
 * runtime dependencies: the CLI is bundled), `npx rollout-gate` answers --version and --help and
 * runs the demo from the package's own examples.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MAIN_HELP } from '../../src/cli/help.js';
import { ROOT } from '../cli/support.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies?: Record<string, string>;
};
let dir: string;
let files: string[];

async function npx(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['--offline', '--no-install', 'rollout-gate', ...args], {
      cwd: join(dir, 'app'),
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-gate-pack-'));
  // prepack bundles the CLI into lib/cli/ (scripts/bundle.mjs --cli); prepare (tsc) is not needed.
  await run('node', ['scripts/bundle.mjs', '--cli'], { cwd: ROOT });
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = info!.files.map((f) => f.path).sort();
  const app = join(dir, 'app');
  await run('mkdir', [app]);
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, info!.filename)], { cwd: app });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack', () => {
  test('holds the CLI, its bundle, the examples and the licence, and nothing else', () => {
    const outside = files.filter(
      (f) => !/^(bin\/rollout-gate\.js|lib\/cli\/.+|examples\/.+|package\.json|README\.md|LICENSE)$/.test(f),
    );
    expect(outside).toEqual([]);
    for (const needed of [
      'bin/rollout-gate.js',
      'lib/cli/cli.js',
      'lib/cli/package.json',
      'lib/cli/licenses.txt',
      'LICENSE',
      'examples/typo-image/web-v2.yaml',
    ])
      expect(files).toContain(needed);
    // Bundled: an install needs nothing from the registry.
    expect(pkg.dependencies).toBeUndefined();
  });
});

describe('installed from the tarball', () => {
  test('npx rollout-gate --version', async () => {
    expect(await npx('--version')).toEqual({ code: 0, stdout: `rollout-gate ${pkg.version}\n`, stderr: '' });
  }, 60_000);

  test('npx rollout-gate --help', async () => {
    expect(await npx('--help')).toEqual({ code: 0, stdout: MAIN_HELP, stderr: '' });
  }, 60_000);

  test('the demo, from the package examples: the typo is caught and rolled back (exit 1)', async () => {
    const ex = 'node_modules/rollout-gate/examples/typo-image';
    const out = await npx('run', '--simulate', '-f', `${ex}/web-v2.yaml`, '--scenario', `${ex}/scenario.yaml`);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(
      '↩ Result: rolled-back — deployment/nginx-deployment failed; 1 deployment rolled back to its last good revision (exit code 1)',
    );
    expect(out.stderr).toContain('cannot pull image "nginx:1.231"');
  }, 60_000);
});
