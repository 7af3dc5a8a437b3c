/**
 * The PR dry run: the pure pieces (template diff, lint, steps, capacity) and whole plans of the
 * stories in examples/, rendered as the sticky comment and compared with test/plan/golden/
 * (UPDATE_GOLDEN=1 regenerates them; review the diff).
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Deployment } from '../../src/k8s/objects.js';
import {
  PLAN_MARKER,
  buildPlan,
  diffLines,
  formatCapacity,
  lintWorkload,
  mutableImage,
  podRequests,
  renderPlanComment,
  renderPlanText,
  rolloutSteps,
  templateDiff,
} from '../../src/plan/index.js';
import { runPlan, type PlanRequest } from '../../src/app/runPlan.js';

import { goldenFiles } from '../support/golden.js';
const root = fileURLToPath(new URL('../..', import.meta.url));
const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const BLOB_URL = 'https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567';

const expectGolden = goldenFiles(GOLDEN_DIR);

function request(over: Partial<PlanRequest>): PlanRequest {
  return {
    manifests: [],
    images: [],
    simulate: true,
    timeout: '10m',
    rollback: 'on-failure',
    onNoGoodRevision: 'leave',
    forceConflicts: false,
    cwd: root,
    ...over,
  };
}

function deployment(over: Partial<Deployment['spec']> = {}, container: Record<string, unknown> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              readinessProbe: { httpGet: { path: '/', port: 80 } },
              resources: { requests: { cpu: '250m', memory: '128Mi' } },
              ...container,
            },
          ],
        },
      },
      ...over,
    },
  } as Deployment;
}

describe('template diff', () => {
  it('is empty for equal templates, ignoring the hash label and server defaults', () => {
    const a = deployment().spec.template;
    const b = JSON.parse(JSON.stringify(a)) as typeof a;
    b.metadata!.labels!['pod-template-hash'] = 'abc123';
    Object.assign(b.spec!.containers[0]!, { terminationMessagePath: '/dev/termination-log' });
    Object.assign(b.spec!, { dnsPolicy: 'ClusterFirst', restartPolicy: 'Always' });
    expect(templateDiff(a, b)).toEqual([]);
  });

  it('shows image, env and resources changes with context', () => {
    const a = deployment().spec.template;
    const b = deployment({}, { image: 'nginx:1.28', env: [{ name: 'MODE', value: 'fast' }] }).spec.template;
    const diff = templateDiff(a, b);
    expect(diff).toContain('-    - image: nginx:1.27');
    expect(diff).toContain('+      image: nginx:1.28');
    expect(diff).toContain('+    - env:');
    expect(diff).toContain('+          value: fast');
  });

  it('diffLines is a minimal edit script', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual([' a', '-b', '+x', ' c']);
  });
});

describe('lint', () => {
  const rules = (d: Deployment, before?: Deployment, timeout = 600) =>
    lintWorkload('Deployment', d, before, timeout).map((f) => f.rule);

  it('is quiet for a careful Deployment', () => {
    expect(rules(deployment({ progressDeadlineSeconds: 300 }))).toEqual([]);
  });

  it('finds every risky setting', () => {
    const risky = deployment(
      {
        revisionHistoryLimit: 0,
        progressDeadlineSeconds: 1200,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%' } },
        selector: { matchLabels: { app: 'web', tier: 'front' } },
      },
      { image: 'nginx', readinessProbe: undefined, resources: { requests: { cpu: '1' } } },
    );
    expect(rules(risky, deployment())).toEqual([
      'no-readiness-probe',
      'mutable-image-tag',
      'missing-requests',
      'max-unavailable-all',
      'revision-history-zero',
      'progress-deadline-over-timeout',
      'selector-changed',
    ]);
  });

  it('points at the container image line when known', () => {
    const f = lintWorkload('Deployment', deployment({}, { image: 'nginx:latest' }), undefined, 600, {
      file: 'k8s/web.yaml',
      line: 1,
      imageLines: { web: 17 },
    });
    expect(f).toEqual([expect.objectContaining({ rule: 'mutable-image-tag', file: 'k8s/web.yaml', line: 17 })]);
  });

  it('knows mutable image references', () => {
    expect(mutableImage('nginx')).toBe(true);
    expect(mutableImage('nginx:latest')).toBe(true);
    expect(mutableImage('localhost:5000/app')).toBe(true);
    expect(mutableImage('localhost:5000/app:1.2')).toBe(false);
    expect(mutableImage('nginx@sha256:abc')).toBe(false);
  });

  it('flags Recreate and maxUnavailable equal to replicas', () => {
    expect(rules(deployment({ strategy: { type: 'Recreate' } }))).toEqual(['recreate-strategy']);
    expect(rules(deployment({ strategy: { rollingUpdate: { maxUnavailable: 3 } } }))).toEqual(['max-unavailable-all']);
  });
});

describe('steps and capacity', () => {
  it('replays the controller events of 3 replicas at 25%/25% (up 1, down 2, up 2, down 1, up 3, down 0)', () => {
    const messages = [
      'Scaled up replica set web-new to 1',
      'Scaled down replica set web-old to 2 from 3',
      'Scaled up replica set web-new to 2 from 1',
      'Scaled down replica set web-old to 1 from 2',
      'Scaled up replica set web-new to 3 from 2',
      'Scaled down replica set web-old to 0 from 1',
    ];
    const steps = rolloutSteps(
      [{ name: 'web-old', replicas: 3 }],
      'web-new',
      messages.map((message, i) => ({ t: i * 5, message })),
    );
    expect(steps.map((s) => [s.oldReplicas, s.newReplicas])).toEqual([
      [3, 1],
      [2, 1],
      [2, 2],
      [1, 2],
      [1, 3],
      [0, 3],
    ]);
    expect(steps[1]).toMatchObject({ direction: 'down', replicaSet: 'old', to: 2 });
  });

  it('sums container requests, unknown when one is missing', () => {
    expect(podRequests(deployment().spec.template)).toEqual({ cpuMilli: 250, memoryBytes: 128 * 1024 ** 2 });
    expect(podRequests(deployment({}, { resources: {} }).spec.template)).toEqual({});
    expect(formatCapacity({ cpuMilli: 250, memoryBytes: 128 * 1024 ** 2 })).toBe('250m CPU, 128Mi');
    expect(formatCapacity({})).toBe('unknown (no requests)');
  });

  it('computes peak pods, surge, minimum availability and extra capacity', () => {
    const plan = buildPlan({
      timeoutSeconds: 600,
      baselineSource: 'test',
      workloads: [
        {
          kind: 'Deployment',
          namespace: 'default',
          name: 'web',
          before: deployment(),
          after: deployment({}, { image: 'nginx:1.28' }),
          replicaSetsBefore: [{ name: 'web-old', replicas: 3 }],
          newReplicaSet: 'web-new',
          scalingEvents: [
            { t: 0, message: 'Scaled up replica set web-new to 1' },
            { t: 0, message: 'Scaled down replica set web-old to 2 from 3' },
            { t: 4, message: 'Scaled up replica set web-new to 2 from 1' },
          ],
          availability: [
            { t: 0, available: 3 },
            { t: 1, available: 2 },
            { t: 5, available: 3 },
          ],
          outcome: {
            kind: 'Deployment',
            namespace: 'default',
            name: 'web',
            result: 'succeeded',
            message: 'ok',
            durationSeconds: 12,
          },
        },
      ],
    });
    const w = plan.workloads[0]!;
    expect(plan.verdict).toBe('ok');
    expect(w).toMatchObject({ change: 'update', peakPods: 4, surgeReached: 1, minAvailable: 2, unavailableReached: 1 });
    expect(w.extraCapacity).toEqual({ cpuMilli: 250, memoryBytes: 128 * 1024 ** 2 });
    expect(w.prediction).toEqual({ result: 'succeeds', message: 'ok' });
  });
});

const stories: Array<[string, string[], string]> = [
  ['update', ['examples/update/web-v2.yaml'], 'examples/update/scenario.yaml'],
  ['typo-image', ['examples/typo-image/web-v2.yaml'], 'examples/typo-image/scenario.yaml'],
  ['unschedulable', ['examples/unschedulable/worker-v2.yaml'], 'examples/unschedulable/scenario.yaml'],
  ['surge-unavailable', ['examples/surge-unavailable/api-v2.yaml'], 'examples/surge-unavailable/scenario.yaml'],
  ['crash-loop', ['examples/crash-loop/web-v2.yaml'], 'examples/crash-loop/scenario.yaml'],
  ['multi', ['examples/multi/release.yaml'], 'examples/multi/scenario.yaml'],
];

describe.each(stories)('plan of story %s', (name, manifests, scenario) => {
  it('renders the golden comment and text, deterministically', async () => {
    const a = await runPlan(request({ manifests, scenario }));
    const b = await runPlan(request({ manifests, scenario }));
    const md = renderPlanComment(a.plan, { blobUrl: BLOB_URL });
    expect(md.startsWith(`${PLAN_MARKER}\n`)).toBe(true);
    expect(renderPlanComment(b.plan, { blobUrl: BLOB_URL })).toBe(md);
    expectGolden(`${name}.md`, md);
    expectGolden(`${name}.txt`, `${renderPlanText(a.plan).join('\n')}\n`);
  });
});

describe('runPlan', () => {
  it('predicts the failures of the stories and the success of an update', async () => {
    const typo = (await runPlan(request({ manifests: stories[1]![1], scenario: stories[1]![2] }))).plan;
    expect(typo.verdict).toBe('fails');
    expect(typo.workloads[0]!.prediction).toMatchObject({ result: 'fails', reason: 'ErrImagePull' });
    const unsched = (await runPlan(request({ manifests: stories[2]![1], scenario: stories[2]![2] }))).plan;
    expect(unsched.workloads[0]!.prediction).toMatchObject({ result: 'fails', reason: 'Unschedulable' });
    expect(unsched.workloads[0]!.extraCapacity.cpuMilli).toBe(3000);
    const update = (await runPlan(request({ manifests: stories[0]![1], scenario: stories[0]![2] }))).plan;
    expect(update.workloads[0]!.prediction.result).toBe('succeeds');
    expect(update.workloads[0]!.steps.length).toBeGreaterThanOrEqual(4);
    expect(update.workloads[0]!.surgeReached).toBe(1);
  });

  it('takes the baseline from manifests (the base branch), not the scenario', async () => {
    const run = await runPlan(
      request({ manifests: ['examples/update/web-v2.yaml'], baseline: ['examples/update/current.yaml'] }),
    );
    expect(run.plan.baselineSource).toBe('the manifests of examples/update/current.yaml');
    expect(run.plan.workloads[0]!.change).toBe('update');
    expect(run.plan.workloads[0]!.templateDiff).toContain('+    - image: nginx:1.27');
    const fresh = await runPlan(request({ manifests: ['examples/update/web-v2.yaml'] }));
    expect(fresh.plan.workloads[0]!.change).toBe('create');
  });

  it('treats a baseline file that does not exist yet as new', async () => {
    const run = await runPlan(
      request({ manifests: ['examples/update/web-v2.yaml'], baseline: ['base/does-not-exist.yaml'] }),
    );
    expect(run.plan.verdict).not.toBe('invalid');
    expect(run.plan.workloads[0]!.change).toBe('create');
  });

  it('predicts a rejected selector change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-plan-'));
    const yaml = readFileSync(join(root, 'examples/update/web-v2.yaml'), 'utf8')
      .replace(/matchLabels:\n {6}app: web/, 'matchLabels:\n      app: web\n      tier: front')
      .replace(/labels:\n {8}app: web/, 'labels:\n        app: web\n        tier: front');
    writeFileSync(join(dir, 'web.yaml'), yaml);
    const run = await runPlan(
      request({ manifests: [join(dir, 'web.yaml')], baseline: ['examples/update/current.yaml'] }),
    );
    const w = run.plan.workloads[0]!;
    expect(w.lint.map((f) => f.rule)).toContain('selector-changed');
    expect(w.prediction).toMatchObject({ result: 'fails', reason: 'ApplyRejected' });
    expect(run.plan.verdict).toBe('fails');
  });

  it('reports input errors as an invalid plan', async () => {
    const run = await runPlan(request({ manifests: ['nope/missing.yaml'] }));
    expect(run.plan.verdict).toBe('invalid');
    expect(run.plan.errors.length).toBeGreaterThan(0);
    expect(renderPlanComment(run.plan)).toContain('### Input errors');
    // The location once, before the level (as the CLI prints it).
    expect(renderPlanText(run.plan)).toEqual([
      'Rollout plan: invalid input',
      'capacity: not known (no cluster, no scenario nodes), so nodes do not limit and no Unschedulable is predicted',
      '  nope/missing.yaml: error: the path "nope/missing.yaml" does not exist',
    ]);
  });
  it('warns that rollback is disabled only when the user set rollback never', async () => {
    const typo = { manifests: ['examples/typo-image/web-v2.yaml'], scenario: 'examples/typo-image/scenario.yaml' };
    const warning = 'warning: rollback is disabled (--rollback never): the failed revision stays in place';
    const unset = await runPlan(request(typo));
    expect(unset.plan.workloads[0]!.prediction.result).toBe('fails');
    expect(unset.simulationLog).not.toContain(warning);
    const never = await runPlan(request({ ...typo, rollback: 'never' }));
    expect(never.simulationLog).toContain(warning);
  });
});
