import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, onlyJson } from './support.js';

const deployment = (replicas: number) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: { name: huge }',
    'spec:',
    `  replicas: ${replicas}`,
    '  selector: { matchLabels: { app: huge } }',
    '  template:',
    '    metadata: { labels: { app: huge } }',
    '    spec: { containers: [{ name: huge, image: nginx:1.27 }] }',
    '',
  ].join('\n');

describe('a Deployment larger than the simulated cluster runs', () => {
  test('is refused up front with file:line (exit 2), instead of simulating for hours', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-limit-'));
    writeFileSync(join(dir, 'huge.yaml'), deployment(2147483647));
    const run = await cli(['run', '--simulate', '-f', 'huge.yaml', '-o', 'json'], dir);
    expect(run.code).toBe(2);
    expect(onlyJson(run.stdout).errors).toEqual([
      {
        file: 'huge.yaml',
        line: 1,
        message:
          'deployment "huge": 2147483647 replicas is more than the simulated cluster runs (at most 20000); scale it down for a dry run',
      },
    ]);
  });

  test('one replica past the limit is refused too (the limit itself is 20000)', async () => {
    const { SIMULATED_MAX_REPLICAS } = await import('../../src/app/connect.js');
    expect(SIMULATED_MAX_REPLICAS).toBe(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-limit-'));
    writeFileSync(join(dir, 'ok.yaml'), deployment(20_001));
    expect((await cli(['run', '--simulate', '-f', 'ok.yaml', '-o', 'json'], dir)).code).toBe(2);
  });

  test('the PR dry run refuses it the same way, instead of simulating for hours', async () => {
    const { runPlan } = await import('../../src/app/runPlan.js');
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-limit-'));
    writeFileSync(join(dir, 'huge.yaml'), deployment(2147483647));
    const { plan } = await runPlan({
      manifests: ['huge.yaml'],
      images: [],
      simulate: true,
      timeout: '10m',
      rollback: 'on-failure',
      onNoGoodRevision: 'leave',
      forceConflicts: false,
      cwd: dir,
    });
    expect(plan.verdict).toBe('invalid');
    expect(plan.errors).toEqual([
      {
        file: 'huge.yaml',
        line: 1,
        message:
          'deployment "huge": 2147483647 replicas is more than the simulated cluster runs (at most 20000); scale it down for a dry run',
      },
    ]);
  });
});
