/**
 * The GitHub workflows (issue 13), checked here because they only run on GitHub (no actionlint in
 * Debian or on npm here): parsed as YAML, CI runs exactly the README's test command on Node 20 and
 * 24 and fails on a stale dist/; every `run:` script passes `bash -n`; the release job's tag script
 * really moves the major tag, run against a scratch git repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { load } from 'js-yaml';
import { ROOT } from '../cli/support.js';

interface Step {
  uses?: string;
  run?: string;
  name?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  if?: string;
  strategy?: { matrix?: { node?: number[] } };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (file: string) => load(readFileSync(join(ROOT, '.github/workflows', file), 'utf8')) as Workflow;
const ci = workflow('ci.yml');
const release = workflow('release.yml');
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** `npm ci && npm test`, as the README's first lines give it. */
function readmeTestCommand(): string {
  const line = readFileSync(join(ROOT, 'README.md'), 'utf8')
    .split('\n')
    .find((l) => / npm test\b/.test(l) && l.startsWith('npm ci'));
  return line!.split('#')[0]!.trim();
}

describe('ci.yml', () => {
  test('runs the README test command on Node 20 and 24, on pushes to main and pull requests', () => {
    expect(readmeTestCommand()).toBe('npm ci && npm test');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.permissions).toEqual({ contents: 'read' });
    const job = ci.jobs.test!;
    expect(job.strategy?.matrix?.node).toEqual([20, 24]);
    expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(
      '${{ matrix.node }}',
    );
    expect(job.steps.map((s) => s.run).filter(Boolean)).toEqual([readmeTestCommand()]);
  });

  test('rebuilds dist/ and fails when it differs from the commit', () => {
    const runs = ci.jobs.dist!.steps.flatMap((s) => (s.run ? [s.run] : []));
    expect(runs.slice(0, 2)).toEqual(['npm ci', 'npm run bundle']);
    expect(runs[2]).toContain('git status --porcelain -- dist');
    expect(runs[2]).toContain('exit 1');
  });
});

describe('every workflow', () => {
  test.each([
    ['ci.yml', ci],
    ['release.yml', release],
  ])('%s: pinned actions, a runner per job, and run scripts bash accepts', (_file, wf) => {
    for (const job of Object.values(wf.jobs)) {
      expect(job['runs-on']).toBe('ubuntu-latest');
      for (const step of job.steps) {
        expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true);
        if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
        if (step.run) {
          const check = spawnSync('bash', ['-n'], { input: step.run, encoding: 'utf8' });
          expect([step.run, check.status, check.stderr]).toEqual([step.run, 0, '']);
        }
      }
    }
  });
});

describe('release.yml', () => {
  const job = release.jobs['major-tag']!;
  const moveTag = job.steps.find((s) => s.name === 'Move the major tag to this release')!;

  test('on a published release, not a pre-release, with permission to push tags', () => {
    expect(release.on).toEqual({ release: { types: ['published'] } });
    expect(release.permissions).toEqual({ contents: 'write' });
    expect(job.if).toBe('${{ !github.event.release.prerelease }}');
    expect(moveTag.env).toEqual({ TAG: '${{ github.event.release.tag_name }}' });
  });

  test('its script moves vMAJOR to each release and refuses a tag that is not vX.Y.Z', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-release-'));
    scratch.push(dir);
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();
    git(dir, 'init', '-q', '--bare', 'origin.git');
    git(dir, 'clone', '-q', 'origin.git', 'work');
    const work = join(dir, 'work');
    const commit = (msg: string) => {
      git(work, 'commit', '-q', '--allow-empty', '-m', msg);
      return git(work, 'rev-parse', 'HEAD');
    };
    const publish = (tag: string, sha: string) => {
      git(work, 'tag', tag, sha);
      git(work, 'push', '-q', 'origin', `refs/tags/${tag}`);
      return spawnSync('bash', ['-e', '-c', moveTag.run!], {
        cwd: work,
        env: { ...process.env, TAG: tag, GITHUB_SHA: sha, GIT_AUTHOR_NAME: 't', GIT_COMMITTER_NAME: 't' },
        encoding: 'utf8',
      });
    };
    const first = commit('one');
    expect(publish('v1.0.0', first).status).toBe(0);
    expect(git(dir + '/origin.git', 'rev-parse', 'v1^{commit}')).toBe(first);
    const second = commit('two');
    expect(publish('v1.1.0', second).stdout.trim().split('\n').at(-1)).toBe(`v1 -> v1.1.0 (${second})`);
    expect(git(dir + '/origin.git', 'rev-parse', 'v1^{commit}')).toBe(second);
    const bad = publish('1.2', second);
    expect([bad.status, bad.stdout]).toEqual([1, '::error::release tag "1.2" is not vMAJOR.MINOR.PATCH\n']);
  });
});
