/**
 * A CLI that helps (issue 13), as the real process (`node bin/rollout-gate.js`): no command is a
 * usage error with the usage; mistyped flags and commands get the nearest one; `version` and
 * `help run` work as in kubectl; --image overrides are echoed; `completion bash` registers with
 * bash's `complete` and completes commands, flags and flag values through `compgen`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { MAIN_HELP, RUN_HELP } from '../../src/cli/help.js';
import { nearest } from '../../src/cli/suggest.js';
import { ROOT } from './support.js';
import { ensureBuilt } from '../secrets/support.js';

const BIN = join(ROOT, 'bin/rollout-gate.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function gate(...argv: string[]): { code: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [BIN, ...argv], { cwd: ROOT, encoding: 'utf8' });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

beforeAll(() => ensureBuilt(), 120_000);

describe('usage', () => {
  test('no arguments: the usage on stderr, exit 2', () => {
    expect(gate()).toEqual({ code: 2, stdout: '', stderr: `error: a command is needed\n\n${MAIN_HELP}` });
  });

  test.each([
    [['rn'], 'unknown command "rn", did you mean run? (expected run, plan or serve; see rollout-gate --help)'],
    [['serv'], 'unknown command "serv", did you mean serve? (expected run, plan or serve; see rollout-gate --help)'],
    [
      ['--verison'],
      'unknown command "--verison", did you mean --version? (expected run, plan or serve; see rollout-gate --help)',
    ],
    [['deploy'], 'unknown command "deploy" (expected run, plan or serve; see rollout-gate --help)'],
    [
      ['run', '-f', 'x.yaml', '--imag', 'web=nginx'],
      'unknown flag "--imag" for run, did you mean --image? (see rollout-gate run --help)',
    ],
    [
      ['run', '-f', 'x.yaml', '--simualte'],
      'unknown flag "--simualte" for run, did you mean --simulate? (see rollout-gate run --help)',
    ],
    [
      ['run', '-f', 'x.yaml', '--time-out', '1m'],
      'unknown flag "--time-out" for run, did you mean --timeout? (see rollout-gate run --help)',
    ],
    [['run', '-f', 'x.yaml', '--bogus'], 'unknown flag "--bogus" for run (see rollout-gate run --help)'],
    [['serve', '--prot', '1'], 'unknown flag "--prot" for serve, did you mean --port? (see rollout-gate serve --help)'],
    [['completion'], 'completion needs a shell: bash or zsh'],
    [['completion', 'fish'], 'completion needs a shell: bash or zsh, got "fish"'],
    [['completion', 'bsh'], 'completion needs a shell: bash or zsh, got "bsh", did you mean bash?'],
  ])('%j: one line with the suggestion, exit 2', (argv, message) => {
    expect(gate(...argv)).toEqual({ code: 2, stdout: '', stderr: `error: ${message}\n` });
  });

  test('a suggestion is the nearest word, and only a near one', () => {
    expect(nearest('--imgae', ['--image', '--image-pull-grace'])).toBe('--image');
    expect(nearest('--image-pull', ['--image', '--image-pull-grace'])).toBe('--image-pull-grace');
    expect(nearest('xyz', ['run', 'serve'])).toBeUndefined();
  });
});

describe('as in kubectl', () => {
  test.each([[['version']], [['--version']], [['-v']]])('%j prints the package version', (argv) => {
    expect(gate(...argv)).toEqual({ code: 0, stdout: `rollout-gate ${VERSION}\n`, stderr: '' });
  });

  test.each([[['help', 'run']], [['run', '--help']], [['run', '-h']]])('%j prints the run help', (argv) => {
    expect(gate(...argv)).toEqual({ code: 0, stdout: RUN_HELP, stderr: '' });
  });
});

describe('--image', () => {
  test('each override is echoed before the run', () => {
    const out = gate(
      'run',
      '--simulate',
      '-f',
      'examples/typo-image/web-v2.yaml',
      '--scenario',
      'examples/typo-image/scenario.yaml',
      '--image',
      'nginx=nginx:1.14.2',
    );
    expect(out.stdout.split('\n')[0]).toBe('image override: nginx=nginx:1.14.2');
    expect(out.code).toBe(0);
  });
});

describe('completion', () => {
  /** Sources the script in a fresh bash and completes `words` (the last one being typed). */
  function complete(shell: 'bash', ...words: string[]): { registered: string; candidates: string[] } {
    const script = [
      `source <("${process.execPath}" "${BIN}" completion ${shell})`,
      'complete -p rollout-gate',
      `COMP_WORDS=(rollout-gate ${words.map((w) => `'${w}'`).join(' ')})`,
      'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))',
      '_rollout_gate',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const out = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { cwd: ROOT, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    const [registered, ...candidates] = out.stdout.split('\n').filter((l) => l !== '');
    return { registered: registered!, candidates };
  }

  test('bash: registers with complete, and completes commands, flags and values', () => {
    expect(complete('bash', '').registered).toBe('complete -o default -F _rollout_gate rollout-gate');
    expect(complete('bash', 's').candidates).toEqual(['serve']);
    expect(complete('bash', '').candidates).toEqual([
      'run',
      'plan',
      'serve',
      'completion',
      'help',
      'version',
      '--help',
      '--version',
    ]);
    expect(complete('bash', 'run', '--im').candidates).toEqual(['--image', '--image-pull-grace']);
    expect(complete('bash', 'run', '--rollback', '').candidates).toEqual(['on-failure', 'never']);
    expect(complete('bash', 'plan', '--check').candidates).toEqual(['--check-images']);
    expect(complete('bash', 'plan', '--check-images', '').candidates).toEqual(['true', 'false']);
    expect(complete('bash', 'run', '-o', 'j').candidates).toEqual(['json']);
    expect(complete('bash', 'serve', '--k').candidates).toEqual(['--kubeconfig-out']);
    expect(complete('bash', 'completion', '').candidates).toEqual(['bash', 'zsh']);
    // A file flag completes paths.
    expect(complete('bash', 'run', '-f', 'examples/typo-image/web').candidates).toEqual([
      'examples/typo-image/web-v2.yaml',
    ]);
  });

  test('zsh: the bash function through bashcompinit', () => {
    const out = gate('completion', 'zsh');
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n').slice(0, 3)).toEqual([
      '#compdef rollout-gate',
      '# zsh completion for rollout-gate (source <(rollout-gate completion zsh))',
      'autoload -U +X bashcompinit && bashcompinit',
    ]);
    expect(out.stdout).toContain(gate('completion', 'bash').stdout);
  });
});
