/**
 * `npm run bench:gate`: how soon a bad deploy is caught and undone.
 *
 * 1. The story "3 replicas, typo'd image" on the simulated cluster: simulated seconds from apply
 *    to failure declared and to rollback complete, for rollout-gate and, on the same scenario,
 *    for the policies of kubectl rollout status, Helm --rollback-on-failure and krane.
 * 2. API requests per simulated minute of rollout, counted at the API server (gate over HTTP).
 * 3. Cold start of each entry path against `node -e ''` and the bundle sizes (bench/coldStart.ts).
 * Only bench/ reads wall time (performance.now) for measuring.
 */
import { KubeCluster } from '../src/cluster/kube/index.js';
import { startApiServer } from '../src/cluster/sim/api/server.js';
import { createSimulatedCluster, parseScenario } from '../src/cluster/sim/index.js';
import type { SimulatedCluster } from '../src/cluster/sim/simulatedCluster.js';
import type { WorkloadRef } from '../src/cluster/port.js';
import { MemoryLog } from '../src/gate/gateLog.js';
import { runGate } from '../src/gate/runGate.js';
import type { Deployment } from '../src/k8s/objects.js';
import { kubectlUndo } from '../src/rollback/undoPatch.js';
import { deploymentStatus } from '../src/rollout/statusViewer.js';
import { DEFAULT_POLICY } from '../src/rollout/policy.js';
import { coldStartReport } from './coldStart.js';
import { PEER_POLICIES, type PeerPolicy } from './policies/peerPolicies.js';

const SCENARIO = 'images:\n  "nginx:1.231": { pull: missing }\n';
const ref: WorkloadRef = { namespace: 'default', name: 'web' };

function deployment(image: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
    },
  };
}

interface Row {
  policy: string;
  failedAt?: number;
  restoredAt?: number;
  why: string;
}

async function gateRow(): Promise<Row> {
  const { cluster } = createSimulatedCluster(parseScenario(SCENARIO), { objects: [deployment('nginx:1.14.2')] });
  const result = await runGate(
    cluster,
    {
      documents: [{ file: 'web.yaml', line: 1, object: deployment('nginx:1.231') }],
      policy: { ...DEFAULT_POLICY },
      rollback: 'on-failure',
      rollbackTimeoutSeconds: 300,
      onNoGoodRevision: 'leave',
      force: false,
    },
    new MemoryLog(),
  );
  const w = result.workloads[0]!;
  return {
    policy: 'rollout-gate (defaults)',
    failedAt: w.detectedAfterSeconds,
    restoredAt: w.durationSeconds,
    why: `${w.reason}`,
  };
}

/** Replays a peer's policy: observe on its schedule until it gives up, then (if it does) undo like kubectl and wait. */
async function peerRow(policy: PeerPolicy): Promise<Row> {
  const { cluster } = createSimulatedCluster(parseScenario(SCENARIO), { objects: [deployment('nginx:1.14.2')] });
  await cluster.watch([ref]);
  const start = cluster.clock.now();
  await cluster.apply(deployment('nginx:1.231'), { fieldManager: 'peer', force: true });
  const seconds = () => (cluster.clock.now() - start) / 1000;
  let why: string | undefined;
  while (seconds() < 3600) {
    why = policy.failed(await cluster.observe(ref), seconds());
    if (why) break;
    await step(cluster, policy.intervalSeconds);
  }
  const failedAt = seconds();
  if (!why || !policy.rollsBack) return { policy: policy.name, failedAt, why: `${why ?? 'never'}; no rollback` };
  const obs = await cluster.observe(ref);
  const undo = kubectlUndo(obs.deployment!, obs.replicaSets);
  if (undo.kind !== 'patch') return { policy: policy.name, failedAt, why: `${why}; undo: ${undo.kind}` };
  // The peer undoes with its own apply of the previous template (its manager owns the fields).
  await cluster.apply(
    { ...deployment('nginx:1.14.2'), spec: { ...deployment('nginx:1.14.2').spec, template: undo.template } },
    { fieldManager: 'peer', force: true },
  );
  while (seconds() < 7200) {
    const d = (await cluster.observe(ref)).deployment!;
    if (d.metadata.generation! <= (d.status?.observedGeneration ?? 0) && deploymentStatus(d).done) break;
    await step(cluster, 0);
  }
  return { policy: policy.name, failedAt, restoredAt: seconds(), why };
}

/** Event-driven peers wake on every change; polling peers every `interval` seconds. */
async function step(cluster: SimulatedCluster, intervalSeconds: number): Promise<void> {
  if (intervalSeconds > 0) await cluster.clock.sleep(intervalSeconds * 1000);
  else await cluster.waitForChange(1000);
}

async function requestsPerMinute(): Promise<{
  counts: Record<string, number>;
  simulatedMinutes: number;
  perMinute: number;
}> {
  // A healthy update with slow pods, so the rollout lasts a while: the gate over HTTP via client-node.
  const slow = 'images:\n  default: { pullSeconds: 5, startSeconds: 5, readySeconds: 20 }\n';
  const { simulation } = createSimulatedCluster(parseScenario(slow), { objects: [deployment('nginx:1.26')] });
  const server = await startApiServer({ simulation, port: 0, speed: 20 });
  const cluster = KubeCluster.fromOptions({ kubeconfigContent: server.kubeconfig() });
  const simStart = simulation.clock.now();
  const before = { ...server.requestLog };
  try {
    await runGate(
      cluster,
      {
        documents: [{ file: 'web.yaml', line: 1, object: deployment('nginx:1.27') }],
        policy: { ...DEFAULT_POLICY },
        rollback: 'on-failure',
        rollbackTimeoutSeconds: 300,
        onNoGoodRevision: 'leave',
        force: false,
      },
      new MemoryLog(),
    );
  } finally {
    await cluster.close();
    await server.close();
  }
  const counts: Record<string, number> = {};
  for (const [verb, n] of Object.entries(server.requestLog))
    if (n - (before[verb] ?? 0) > 0) counts[verb] = n - (before[verb] ?? 0);
  const simulatedMinutes = (simulation.clock.now() - simStart) / 60_000;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return { counts, simulatedMinutes, perMinute: total / simulatedMinutes };
}

const fmt = (n: number | undefined) => (n === undefined ? '—' : `${n.toFixed(1)} s`);

const rows = [await gateRow(), ...(await Promise.all(PEER_POLICIES.map(peerRow)))];
const gate = rows[0]!;
console.log('Story "3 replicas, typo\'d image" (nginx:1.14.2 -> nginx:1.231), simulated seconds since apply:\n');
console.log('| policy | failure declared | back on the good revision | ratio vs rollout-gate (restored) | why |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) {
  const ratio = r.restoredAt !== undefined && gate.restoredAt ? `${(r.restoredAt / gate.restoredAt).toFixed(0)}x` : '—';
  console.log(`| ${r.policy} | ${fmt(r.failedAt)} | ${fmt(r.restoredAt)} | ${r === gate ? '1x' : ratio} | ${r.why} |`);
}
const rpm = await requestsPerMinute();
console.log(
  `\nAPI requests of a gated rollout over HTTP (client-node against serve): ${JSON.stringify(rpm.counts)} in ${rpm.simulatedMinutes.toFixed(2)} simulated minutes = ${rpm.perMinute.toFixed(1)} requests/minute`,
);
console.log('');
for (const line of coldStartReport()) console.log(line);
