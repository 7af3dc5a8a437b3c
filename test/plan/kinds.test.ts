/**
 * The PR plan covers every kind the deploy covers: a StatefulSet or DaemonSet is predicted by the
 * same simulated gate as a Deployment, and a Job (or any waited-on object) that would fail fails the
 * plan. Before this, the plan of a typo'd StatefulSet said "every rollout would succeed" over
 * "0 deployments". The verdicts asserted are the ones the example stories plant.
 */
import { describe, expect, it } from '@jest/globals';
import { runPlan } from '../../src/app/runPlan.js';
import { storyRequest } from '../examples/stories.js';
import { buildPlan } from '../../src/plan/buildPlan.js';
import { renderPlanText } from '../../src/plan/render.js';
import type { StatefulSet } from '../../src/k8s/objects.js';

describe('the plan of every workload kind', () => {
  it("a StatefulSet's typo'd image: ErrImagePull after 3 s, not a green plan", async () => {
    const { plan } = await runPlan(storyRequest('statefulset-typo', 'web-v2.yaml'));
    expect(plan.verdict).toBe('fails');
    expect(plan.workloads).toHaveLength(1);
    const w = plan.workloads[0]!;
    expect([w.kind, w.name, w.change, w.replicasBefore, w.replicas]).toEqual(['StatefulSet', 'web', 'update', 3, 3]);
    expect(w.prediction).toMatchObject({ result: 'fails', reason: 'ErrImagePull', detectedAfterSeconds: 3 });
    expect(w.strategy).toBe('RollingUpdate (OrderedReady, partition 0, 1 max unavailable)');
    expect(w.templateDiff.filter((l) => /^[-+]/.test(l))).toEqual([
      '-    - image: registry.k8s.io/nginx-slim:0.24',
      '+    - image: registry.k8s.io/nginx-slim:0.244',
    ]);
    // One pod replaced in place at a time: never more pods than replicas.
    expect([w.peakPods, w.surgeReached]).toEqual([3, 0]);
    expect(renderPlanText(plan)[0]).toBe('Rollout plan: a rollout would fail');
  });

  it('a StatefulSet canary (partition 2): succeeds', async () => {
    const { plan } = await runPlan(storyRequest('statefulset-canary', 'web-v2.yaml'));
    expect(plan.workloads.map((w) => [w.kind, w.prediction.result])).toEqual([['StatefulSet', 'succeeds']]);
    expect(plan.workloads[0]!.strategy).toBe('RollingUpdate (OrderedReady, partition 2, 1 max unavailable)');
    expect(plan.verdict).not.toBe('fails');
  });

  it('a crashing DaemonSet on 4 nodes: CrashLoopBackOff after 8 s, one pod per node', async () => {
    const { plan } = await runPlan(storyRequest('daemonset-crash', 'agent-v2.yaml'));
    expect(plan.verdict).toBe('fails');
    const w = plan.workloads[0]!;
    expect([w.kind, w.name, w.replicas]).toEqual(['DaemonSet', 'node-agent', 4]);
    expect(w.prediction).toMatchObject({ result: 'fails', reason: 'CrashLoopBackOff', detectedAfterSeconds: 8 });
    expect(w.strategy).toBe('RollingUpdate (1 max unavailable, 0 max surge)');
  });

  it('a migration Job that exits 1: the plan fails on the object, with where it is', async () => {
    const { plan } = await runPlan(storyRequest('migration-job-fails', 'migrate.yaml'));
    expect(plan.verdict).toBe('fails');
    expect(plan.workloads).toEqual([]);
    expect(plan.objects).toHaveLength(1);
    const o = plan.objects[0]!;
    expect([o.kind, o.name, o.file, o.line]).toEqual([
      'Job',
      'migrate-db',
      'examples/migration-job-fails/migrate.yaml',
      1,
    ]);
    expect(o.prediction).toMatchObject({ result: 'fails', reason: 'JobFailed', afterSeconds: 45.9 });
    expect(o.prediction.message).toContain('exited with code 1');
    expect(renderPlanText(plan).at(-1)).toMatch(/^job\/migrate-db: FAILS: JobFailed Job "migrate-db"/);
  });
});

describe('buildPlan of a StatefulSet (pure)', () => {
  const sts = (image: string, replicas = 2): StatefulSet => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'db' } },
      serviceName: 'db',
      updateStrategy: { type: 'OnDelete' },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'db', image, resources: { requests: { cpu: '500m', memory: '1Gi' } } }] },
      },
    },
  });

  it('peak pods and extra capacity come from the pods observed, not from ReplicaSets', () => {
    const plan = buildPlan({
      timeoutSeconds: 600,
      baselineSource: 'test',
      workloads: [
        {
          kind: 'StatefulSet',
          namespace: 'default',
          name: 'db',
          before: sts('postgres:16.1'),
          after: sts('postgres:16.2', 3),
          replicaSetsBefore: [],
          scalingEvents: [],
          podsBefore: { pods: 2, requests: { cpuMilli: 1000, memoryBytes: 2 * 1024 ** 3 } },
          availability: [
            { t: 0, available: 2, pods: 2, requests: { cpuMilli: 1000, memoryBytes: 2 * 1024 ** 3 } },
            { t: 5, available: 2, pods: 3, requests: { cpuMilli: 1500, memoryBytes: 3 * 1024 ** 3 } },
            { t: 9, available: 1, pods: 2, requests: { cpuMilli: 1000, memoryBytes: 2 * 1024 ** 3 } },
          ],
        },
      ],
    });
    const w = plan.workloads[0]!;
    expect([w.change, w.replicasBefore, w.replicas, w.peakPods, w.surgeReached, w.minAvailable]).toEqual([
      'update',
      2,
      3,
      3,
      0,
      1,
    ]);
    expect(w.extraCapacity).toEqual({ cpuMilli: 500, memoryBytes: 1024 ** 3 });
    expect(w.strategy).toBe('OnDelete (OrderedReady)');
    expect(w.steps).toEqual([]);
    // The lint speaks of the StatefulSet and its ControllerRevisions, never of a Deployment.
    expect(w.lint.map((f) => f.message)).toEqual([
      'statefulset "db": container "db" has no readinessProbe, so a pod counts as ready as soon as it starts and a broken version can replace every pod',
    ]);
  });
});
