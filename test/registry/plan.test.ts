/**
 * The plan asks real registries (CNCF distribution 2.8.2 on loopback, images pushed by the test):
 * an image that exists, a missing tag, digests, a private repository with and without credentials
 * (input and docker config), a registry that never answers, the scenario's authority, the switch,
 * and `rollout-gate plan` end to end. Run:
 *   NODE_OPTIONS=--experimental-vm-modules npx jest test/registry
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlan, type PlanRequest } from '../../src/app/runPlan.js';
import { renderPlanComment, renderPlanText } from '../../src/plan/index.js';
import { cli } from '../cli/support.js';
import { silentServer, startRegistry, type RunningRegistry } from './support.js';

const MISSING_DIGEST = `sha256:${'0'.repeat(64)}`;

let dir = '';
let open: RunningRegistry;
let locked: RunningRegistry;
let digest = '';
const savedDockerConfig = process.env.DOCKER_CONFIG;

/** A one-container Deployment of `image` in a file of its own; returns the file name. */
function deployment(name: string, image: string): string {
  const file = `${name}.yaml`;
  writeFileSync(
    join(dir, file),
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: ${name}`,
      'spec:',
      '  replicas: 2',
      '  selector:',
      '    matchLabels:',
      `      app: ${name}`,
      '  template:',
      '    metadata:',
      '      labels:',
      `        app: ${name}`,
      '    spec:',
      '      containers:',
      `        - name: ${name}`,
      `          image: ${image}`,
      '',
    ].join('\n'),
  );
  return file;
}

function request(manifest: string, more: Partial<PlanRequest> = {}): PlanRequest {
  return {
    manifests: [manifest],
    images: [],
    simulate: true,
    timeout: '10m',
    rollback: 'on-failure',
    onNoGoodRevision: 'leave',
    forceConflicts: false,
    checkImages: true,
    cwd: dir,
    ...more,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-gate-plan-registry-'));
  // No docker login of this machine leaks into the answers: an empty docker config unless a test writes one.
  mkdirSync(join(dir, 'docker'));
  process.env.DOCKER_CONFIG = join(dir, 'docker');
  [open, locked] = await Promise.all([
    startRegistry(),
    startRegistry({ users: { dev: 's3cret-pw', pusher: 'x' }, publicRepositories: [] }),
  ]);
  digest = await open.push('shop/web', '1.0');
  await locked.push('private/api', '3');
});

afterAll(async () => {
  if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
  else process.env.DOCKER_CONFIG = savedDockerConfig;
  await Promise.all([open?.stop(), locked?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('the plan asks the registry', () => {
  it('an image that exists by tag: succeeds, with the digest in the JSON', async () => {
    const image = `${open.host}/shop/web:1.0`;
    const { plan } = await runPlan(request(deployment('web', image)));
    expect(plan.workloads[0]!.prediction.result).toBe('succeeds');
    expect(plan.images).toEqual({
      checked: true,
      results: [{ image, registry: open.host, result: 'exists', digest }],
      fromScenario: [],
      notes: [],
    });
    expect(renderPlanText(plan)[2]).toBe('images: asked their registries: 1 exist');
  });

  it('a missing tag: ErrImagePull, with the registry host and its answer', async () => {
    const image = `${open.host}/shop/web:2.0`;
    const { plan } = await runPlan(request(deployment('web', image)));
    expect(plan.verdict).toBe('fails');
    expect(plan.workloads[0]!.prediction).toEqual({
      result: 'fails',
      reason: 'ErrImagePull',
      message:
        `2 of 2 new pods cannot pull image "${image}" (ErrImagePull: not found); the registry says the image does ` +
        `not exist (${open.host}: manifest unknown for ${image})`,
      detectedAfterSeconds: expect.any(Number),
    });
    expect(renderPlanText(plan).slice(2, 4)).toEqual([
      'images: asked their registries: 1 not found',
      `  image ${image} not found: ${open.host} says manifest unknown`,
    ]);
    expect(renderPlanComment(plan)).toContain(`- image ${image} not found: ${open.host} says manifest unknown`);
  });

  it('by digest: the pushed one succeeds, an unknown one fails', async () => {
    const ok = await runPlan(request(deployment('web', `${open.host}/shop/web@${digest}`)));
    expect(ok.plan.workloads[0]!.prediction.result).toBe('succeeds');
    const missing = `${open.host}/shop/web@${MISSING_DIGEST}`;
    const bad = await runPlan(request(deployment('web', missing)));
    expect(bad.plan.workloads[0]!.prediction).toMatchObject({ result: 'fails', reason: 'ErrImagePull' });
    expect(bad.plan.workloads[0]!.prediction.message).toContain(`(${open.host}: manifest unknown for ${missing})`);
  });
});

describe('a private repository behind token auth', () => {
  const image = () => `${locked.host}/private/api:3`;

  it('without credentials: ErrImagePull, unauthorized as the registry said it', async () => {
    const { plan } = await runPlan(request(deployment('api', image())));
    expect(plan.workloads[0]!.prediction).toMatchObject({ result: 'fails', reason: 'ErrImagePull' });
    expect(plan.workloads[0]!.prediction.message).toContain(
      `pull access denied, repository does not exist or may require authorization`,
    );
    expect(plan.workloads[0]!.prediction.message).toContain(
      `(${locked.host}: 401 Unauthorized (insufficient_scope) anonymously from ${locked.host} for ${image()})`,
    );
  });

  it('with the registry-credentials input: succeeds, and the password is nowhere in the plan', async () => {
    const { plan } = await runPlan(
      request(deployment('api', image()), { registryCredentials: `${locked.host}=dev:s3cret-pw` }),
    );
    expect(plan.workloads[0]!.prediction.result).toBe('succeeds');
    expect(plan.images.results).toMatchObject([{ result: 'exists' }]);
    expect(JSON.stringify(plan)).not.toContain('s3cret-pw');
  });

  it('with docker login credentials ($DOCKER_CONFIG/config.json auths): succeeds', async () => {
    const auth = Buffer.from('dev:s3cret-pw').toString('base64');
    writeFileSync(join(dir, 'docker', 'config.json'), JSON.stringify({ auths: { [locked.host]: { auth } } }));
    try {
      const { plan } = await runPlan(request(deployment('api', image())));
      expect(plan.workloads[0]!.prediction.result).toBe('succeeds');
    } finally {
      rmSync(join(dir, 'docker', 'config.json'));
    }
  });

  it('a malformed credentials input is an input error that does not echo the line', async () => {
    const { plan } = await runPlan(request(deployment('api', image()), { registryCredentials: 'dev-s3cret-pw' }));
    expect(plan.verdict).toBe('invalid');
    expect(plan.errors).toEqual([{ message: 'registry-credentials line 1: expected HOST=USERNAME:PASSWORD' }]);
  });
});

describe('a registry that cannot be asked', () => {
  it('never answers: not checked after the timeout, and the rollout is not called a success', async () => {
    const silent = await silentServer();
    try {
      const image = `${silent.host}/shop/web:1`;
      const { plan } = await runPlan(request(deployment('web', image), { imageCheckTimeoutMs: 300 }));
      expect(plan.verdict).toBe('risky');
      expect(plan.workloads[0]!.prediction).toEqual({
        result: 'unknown',
        reason: 'ImagesNotChecked',
        message: `would succeed if its images exist (not checked): image ${image} not checked: no answer from ${silent.host} within 0.3 s`,
      });
      const text = renderPlanText(plan);
      expect(text.slice(0, 4)).toEqual([
        'Rollout plan: images not checked, not every rollout could be predicted',
        'capacity: not known (no cluster, no scenario nodes), so nodes do not limit and no Unschedulable is predicted',
        'images: asked their registries: 1 not checked',
        `  image ${image} not checked: no answer from ${silent.host} within 0.3 s`,
      ]);
      expect(text[4]).toMatch(/; would succeed if its images exist \(not checked\): image .* within 0\.3 s$/);
      expect(renderPlanComment(plan)).toContain('| ❔ images not checked |');
    } finally {
      await silent.close();
    }
  });
});

describe('the scenario and the switch', () => {
  it("an image the scenario file names is the scenario's: no registry is asked", async () => {
    const image = `${open.host}/shop/web:1.0`;
    writeFileSync(join(dir, 'scenario.yaml'), `images:\n  "${image}": { pull: missing }\n`);
    const before = open.requests.length;
    const { plan } = await runPlan(request(deployment('web', image), { scenario: 'scenario.yaml' }));
    expect(open.requests.slice(before)).toEqual([]);
    expect(plan.images).toEqual({ checked: true, results: [], fromScenario: [image], notes: [] });
    expect(plan.workloads[0]!.prediction).toMatchObject({ result: 'fails', reason: 'ErrImagePull' });
    expect(renderPlanText(plan)[2]).toBe('images: no registry asked; 1 as the scenario file says');
  });

  it('check-images false: no registry asked, and the plan says the check is off', async () => {
    const image = `${open.host}/shop/web:9.9`;
    const before = open.requests.length;
    const { plan } = await runPlan(request(deployment('web', image), { checkImages: false }));
    expect(open.requests.slice(before)).toEqual([]);
    expect(plan.workloads[0]!.prediction.result).toBe('succeeds');
    expect(renderPlanText(plan)[2]).toBe('images: not checked against their registries (check-images: false)');
  });
});

describe('rollout-gate plan, end to end', () => {
  it('a manifest naming a missing image on the registry: exit 1 and the verdict line', async () => {
    const image = `${open.host}/shop/web:2.0`;
    const file = deployment('shop', image);
    const run = await cli(['plan', '-f', file], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'Rollout plan: a rollout would fail',
      'capacity: not known (no cluster, no scenario nodes), so nodes do not limit and no Unschedulable is predicted',
      'images: asked their registries: 1 not found',
      `  image ${image} not found: ${open.host} says manifest unknown`,
    ]);
    expect(lines[4]).toBe(
      'deployment/shop: create, 1 step(s), peak 2 pods (+0), min available 0/2, extra unknown (no requests); ' +
        `FAILS: ErrImagePull 2 of 2 new pods cannot pull image "${image}" (ErrImagePull: not found); the registry ` +
        `says the image does not exist (${open.host}: manifest unknown for ${image})`,
    );
  });

  it('--scenario needs no --simulate, and an image it names is not asked', async () => {
    const image = `${open.host}/shop/web:1.0`;
    writeFileSync(join(dir, 'scenario.yaml'), `images:\n  "${image}": { pull: missing }\n`);
    const before = open.requests.length;
    const run = await cli(['plan', '-f', deployment('shop', image), '--scenario', 'scenario.yaml'], dir);
    expect(open.requests.slice(before)).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('images: no registry asked; 1 as the scenario file says\n');
  });

  it('--check-images false: exit 0, the image assumed to exist, and said so', async () => {
    const run = await cli(
      ['plan', '-f', deployment('shop', `${open.host}/shop/web:2.0`), '--check-images', 'false'],
      dir,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('images: not checked against their registries (check-images: false)\n');
  });

  it('-o json: the registry answers in the plan JSON', async () => {
    const image = `${open.host}/shop/web:1.0`;
    const run = await cli(['plan', '-f', deployment('shop', image), '-o', 'json'], dir);
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as { images: unknown };
    expect(plan.images).toEqual({
      checked: true,
      results: [{ image, registry: open.host, result: 'exists', digest }],
      fromScenario: [],
      notes: [],
    });
  });
});
