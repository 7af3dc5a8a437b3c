/**
 * The plan's capacity (issue 12): with a live baseline it predicts on the real cluster's nodes
 * minus what their running pods request (`serve` over a simulated cluster stands for the live
 * cluster, read through the real adapter); with the scenario's nodes it says so; with neither it
 * invents no Unschedulable verdict.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../src/cluster/sim/api/server.js';
import { createSimulatedCluster, defaultScenario, liveNodes } from '../../src/cluster/sim/index.js';
import { newNode } from '../../src/cluster/sim/scheduler/nodes.js';
import type { Deployment, Node, Pod } from '../../src/k8s/objects.js';
import type { Permissions } from '../../src/k8s/rbac/authorize.js';
import { runPlan, type PlanRequest } from '../../src/app/runPlan.js';
import { renderPlanComment, renderPlanText } from '../../src/plan/index.js';

const loadKube = () => import('../../src/cluster/kube/index.js');

function worker(
  image: string,
  replicas: number,
  cpu: string,
  spec: Record<string, unknown> = {},
  name = 'worker',
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      // Production settings: never below the desired count, so the surge must find room.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name,
              image,
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
              resources: { requests: { cpu, memory: '256Mi' } },
            },
          ],
          ...spec,
        },
      },
    },
  };
}

function manifestFile(d: Deployment): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-capacity-'));
  writeFileSync(join(dir, 'worker.yaml'), JSON.stringify(d));
  return { dir, file: 'worker.yaml' };
}

function request(over: Partial<PlanRequest>): PlanRequest {
  return {
    manifests: [],
    images: [],
    simulate: false,
    timeout: '10m',
    rollback: 'on-failure',
    onNoGoodRevision: 'leave',
    forceConflicts: false,
    cwd: '/',
    ...over,
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A "live" cluster: `nodes` nodes of 8 CPU / 32Gi running worker:1 (12 × 1.5 CPU) and other load. */
async function liveCluster(nodes: number, otherPods: number, permissions?: Permissions): Promise<string> {
  const scenario = defaultScenario();
  scenario.nodes = { count: nodes, capacity: { cpu: '8', memory: '32Gi', pods: 110 } };
  const objects = [worker('registry.example/worker:1', 12, '1500m')];
  if (otherPods > 0) objects.push(worker('registry.example/other:1', otherPods, '1', {}, 'other'));
  const { simulation, kubelet } = createSimulatedCluster(scenario, { objects });
  const server = await startApiServer({
    simulation,
    port: 0,
    speed: 1,
    readLogs: (ns, pod, c, lines) => kubelet.logs(ns, pod, c, { tailLines: lines }),
    ...(permissions ? { permissions } : {}),
  });
  closers.push(() => server.close());
  return server.kubeconfig();
}

describe('the plan with a live baseline', () => {
  it('predicts success when the live nodes fit the surge (the default 3 × 4 CPU would not)', async () => {
    // 5 × 8 CPU = 40; worker:1 holds 18 and the surge needs 3 × 1.5 more. Counting the live
    // worker pods as well as their simulated copies (36 + 4.5) would not fit.
    const kubeconfigContent = await liveCluster(5, 0);
    const { dir, file } = manifestFile(worker('registry.example/worker:2', 12, '1500m'));
    const { plan } = await runPlan(request({ manifests: [file], cwd: dir, kubeconfigContent }), loadKube);
    expect(plan.errors).toEqual([]);
    expect(plan.capacity).toEqual({
      source: 'live',
      description: '5 nodes of the live cluster, free cpu 40, memory 160Gi',
    });
    const w = plan.workloads[0]!;
    expect(w.change).toBe('update');
    expect(w.prediction.result).toBe('succeeds');
    expect(w.surgeReached).toBe(3);
    expect(plan.verdict).toBe('ok');
    expect(renderPlanComment(plan)).toContain(
      "on rollout-gate's simulated cluster; capacity: 5 nodes of the live cluster, free cpu 40, memory 160Gi; baseline: the live workloads of",
    );
  });

  it("predicts Unschedulable when the live nodes' free capacity cannot hold the surge", async () => {
    // 3 × 8 CPU = 24; other load 4 × 1 CPU and worker:1 18 CPU leave 2 CPU in pieces under 1.5.
    const kubeconfigContent = await liveCluster(3, 4);
    const { dir, file } = manifestFile(worker('registry.example/worker:2', 12, '1500m'));
    const { plan } = await runPlan(request({ manifests: [file], cwd: dir, kubeconfigContent }), loadKube);
    expect(plan.errors).toEqual([]);
    // The other Deployment's 4 CPU and 1Gi are taken; worker's own pods are re-created in the simulation.
    expect(plan.capacity).toEqual({
      source: 'live',
      description: '3 nodes of the live cluster, free cpu 20, memory 95Gi',
    });
    const w = plan.workloads[0]!;
    expect(w.prediction).toMatchObject({ result: 'fails', reason: 'Unschedulable' });
    expect(w.prediction.message).toContain('0/3 nodes are available: 3 Insufficient cpu.');
    expect(plan.verdict).toBe('fails');
  });

  it('says capacity is not known when the identity may not list nodes, and invents no Unschedulable', async () => {
    // A namespace reader: the Deployments are readable, the cluster's Nodes are not (403).
    const reader: Permissions = {
      user: 'ci-reader',
      roles: [
        { namespace: 'default', rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: ['*'], resources: ['*'] }] },
      ],
    };
    const kubeconfigContent = await liveCluster(3, 4, reader);
    const { dir, file } = manifestFile(worker('registry.example/worker:2', 12, '1500m'));
    const { plan } = await runPlan(request({ manifests: [file], cwd: dir, kubeconfigContent }), loadKube);
    expect(plan.errors).toEqual([]);
    expect(plan.capacity.source).toBe('unknown');
    expect(plan.capacity.description).toMatch(
      /^not known \(cannot list the nodes and pods of .*: nodes is forbidden: User "ci-reader" cannot list resource "nodes" in API group "" at the cluster scope\), so nodes do not limit and no Unschedulable is predicted$/,
    );
    expect(plan.workloads[0]!.change).toBe('update');
    expect(plan.workloads[0]!.prediction.result).toBe('succeeds');
  });
});

describe('the plan without a cluster', () => {
  it('invents no Unschedulable verdict when no scenario names nodes', async () => {
    // 12 × 1.5 CPU do not fit the default 3 × 4 CPU scenario nodes: nothing is known either way.
    const { dir, file } = manifestFile(worker('registry.example/worker:2', 12, '1500m'));
    const { plan } = await runPlan(request({ manifests: [file], cwd: dir, simulate: true }));
    expect(plan.capacity.source).toBe('unknown');
    expect(plan.workloads[0]!.prediction.result).toBe('succeeds');
    expect(plan.verdict).toBe('ok');
    expect(renderPlanText(plan)[1]).toBe(
      'capacity: not known (no cluster, no scenario nodes), so nodes do not limit and no Unschedulable is predicted',
    );
  });

  it('says "capacity not known" when the pods could not be placed on made-up nodes', async () => {
    const pinned = worker('registry.example/worker:2', 2, '100m', { nodeSelector: { pool: 'gpu' } });
    const { dir, file } = manifestFile(pinned);
    const { plan } = await runPlan(request({ manifests: [file], cwd: dir, simulate: true }));
    const w = plan.workloads[0]!;
    expect(w.prediction.result).toBe('unknown');
    expect(w.prediction.reason).toBe('CapacityNotKnown');
    expect(w.prediction.message).toMatch(
      /^capacity not known: without a cluster or scenario nodes the simulated pods could not be placed \(.*didn't match Pod's node affinity\/selector/,
    );
    expect(plan.verdict).toBe('risky');
    const md = renderPlanComment(plan);
    expect(md).toContain('## ❔ Rollout plan: capacity not known, not every rollout could be predicted');
    expect(md).toContain('| ❔ capacity not known |');
  });

  it("predicts Unschedulable on the nodes a scenario names, and says they are the scenario's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-capacity-'));
    writeFileSync(join(dir, 'scenario.yaml'), 'nodes: { count: 3, capacity: { cpu: "4", memory: 8Gi } }\n');
    writeFileSync(join(dir, 'worker.yaml'), JSON.stringify(worker('registry.example/worker:2', 12, '1500m')));
    const { plan } = await runPlan(
      request({ manifests: ['worker.yaml'], scenario: 'scenario.yaml', cwd: dir, simulate: true }),
    );
    expect(plan.capacity).toEqual({ source: 'scenario', description: '3 nodes × 4 CPU / 8Gi of the scenario' });
    expect(plan.workloads[0]!.prediction).toMatchObject({ result: 'fails', reason: 'Unschedulable' });
  });
});

describe('liveNodes', () => {
  const pod = (node: string, phase: string, spec: Record<string, unknown>): Pod =>
    ({
      metadata: { name: `p-${phase}`, namespace: 'default' },
      spec: { nodeName: node, ...spec },
      status: { phase },
    }) as Pod;
  const c = (cpu: string, memory: string, extra: Record<string, unknown> = {}) => ({
    name: 'c',
    image: 'x',
    resources: { requests: { cpu, memory } },
    ...extra,
  });

  it('subtracts the non-terminated pods as the scheduler counts them and keeps labels, taints and cordons', () => {
    const a = newNode('b-node', { cpu: '4', memory: '8Gi', pods: 10 }, 0, {
      taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }],
    });
    a.metadata.labels = { 'kubernetes.io/hostname': 'b-node', 'kubernetes.io/os': 'windows', pool: 'gpu' };
    const cordoned: Node = { ...newNode('a-node', { cpu: '2', memory: '4Gi' }), spec: { unschedulable: true } };
    const live = liveNodes(
      [a, cordoned],
      [
        // Containers 1 CPU + 1Gi; the init container's 2 CPU is the larger: 2 CPU, 1Gi.
        pod('b-node', 'Running', { containers: [c('1', '1Gi')], initContainers: [c('2', '512Mi')] }),
        // A sidecar (restartable init container) adds to the containers: 750m, 384Mi.
        pod('b-node', 'Pending', {
          containers: [c('500m', '256Mi')],
          initContainers: [c('250m', '128Mi', { restartPolicy: 'Always' })],
        }),
        // A RuntimeClass's overhead counts too: 100m, 64Mi more.
        pod('b-node', 'Running', { containers: [], overhead: { cpu: '100m', memory: '64Mi' } }),
        // Finished pods hold nothing.
        pod('b-node', 'Succeeded', { containers: [c('1', '1Gi')] }),
        pod('b-node', 'Failed', { containers: [c('1', '1Gi')] }),
      ],
    );
    expect(live.nodes.map((n) => n.metadata.name)).toEqual(['a-node', 'b-node']);
    const b = live.nodes[1]!;
    expect(b.status?.allocatable).toEqual({
      cpu: '1150m',
      memory: String(8 * 1024 ** 3 - 1472 * 1024 ** 2),
      pods: '7',
    });
    expect(b.metadata.labels).toMatchObject({ 'kubernetes.io/os': 'windows', pool: 'gpu' });
    expect(b.spec).toEqual({ taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] });
    expect(live.nodes[0]!.spec?.unschedulable).toBe(true);
    // Cordoned nodes offer nothing.
    expect(live).toMatchObject({ cordoned: 1, freeCpuMilli: 1150, freeMemoryBytes: 8 * 1024 ** 3 - 1472 * 1024 ** 2 });
  });
});
