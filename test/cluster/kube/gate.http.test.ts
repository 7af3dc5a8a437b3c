import { afterAll, describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { loadScenario } from '../../../src/app/connect.js';
import { RealClock } from '../../../src/clock/realClock.js';
import { KubeCluster } from '../../../src/cluster/kube/kubeCluster.js';
import { kubeletLogReader } from '../../../src/cluster/sim/api/resources.js';
import { startApiServer } from '../../../src/cluster/sim/api/server.js';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import { MemoryLog } from '../../../src/gate/gateLog.js';
import type { GateResult } from '../../../src/gate/result.js';
import { runGate, type GateInput } from '../../../src/gate/runGate.js';
import type { Lease } from '../../../src/k8s/lease.js';
import { loadManifests } from '../../../src/manifest/index.js';
import { DEFAULT_POLICY } from '../../../src/rollout/policy.js';
import { SimulatedTimeClock } from '../../support/servedGate.js';

/**
 * The gate end to end through its real adapter (client-node over HTTP) against the simulated
 * cluster behind `startApiServer`, compared with the same scenario run in-process on
 * `createSimulatedCluster(...).cluster`.
 *
 * The server's simulated time runs SPEED times real time. The gate's clock reads the served
 * simulation's virtual time and sleeps 1/SPEED as long, so the policy's graces (30 s image pull,
 * crash-loop back-offs, 10 min timeout) mean the same simulated seconds on both sides. What must be equal: the run's outcome,
 * per workload its result, reason, revision, previousRevision, rolledBackTo, and the evidence's
 * reason/image/logs. Durations may differ: over HTTP the gate sees the cluster through a watch
 * whose events arrive a few real milliseconds (times SPEED) late and the server's clock advances
 * in 10 ms ticks, so times are compared within a tolerance.
 */
const SPEED = 20;
const ROOT = resolve(import.meta.dirname, '../../..');

function prepare(example: string, manifest: string) {
  const dir = `examples/${example}`;
  const loaded = loadScenario({ scenario: `${dir}/scenario.yaml`, cwd: ROOT });
  expect(loaded.errors).toEqual([]);
  const manifests = loadManifests({
    patterns: [`${dir}/${manifest}`],
    cwd: ROOT,
    defaultNamespace: 'default',
    images: [],
  });
  expect(manifests.errors).toEqual([]);
  const input: GateInput = {
    documents: manifests.documents,
    policy: { ...DEFAULT_POLICY },
    rollback: 'on-failure',
    rollbackTimeoutSeconds: 300,
    onNoGoodRevision: 'leave',
    force: true,
  };
  const build = () => createSimulatedCluster(loaded.scenario, { objects: loaded.objects.map((d) => d.object) });
  return { input, build };
}

/** What must be identical between the two modes. */
function essentials(result: GateResult) {
  return {
    result: result.result,
    errors: result.errors,
    workloads: result.workloads.map((w) => ({
      name: w.name,
      result: w.result,
      reason: w.reason,
      revision: w.revision,
      previousRevision: w.previousRevision,
      rolledBackTo: w.rolledBackTo,
      evidence: w.evidence?.map((e) => ({
        container: e.container,
        image: e.image,
        reason: e.reason,
        logs: e.logs,
        file: e.file,
        line: e.line,
      })),
    })),
  };
}

interface Run {
  result: GateResult;
  simulatedSeconds: number;
  realSeconds?: number;
  requests?: Record<string, number>;
  serverRequests?: Record<string, number>;
  /** The gate's Leases left on the served cluster: name and holder. */
  leases?: string[];
}

async function inProcess(example: string, manifest: string): Promise<Run> {
  const { input, build } = prepare(example, manifest);
  const { cluster, simulation } = build();
  const start = simulation.clock.now();
  try {
    const result = await runGate(cluster, input, new MemoryLog());
    return { result, simulatedSeconds: (simulation.clock.now() - start) / 1000 };
  } finally {
    await cluster.close();
  }
}

const summaries: string[] = [];
afterAll(() => {
  process.stdout.write(`gate over HTTP at speed ${SPEED}:\n${summaries.join('\n')}\n`);
});

async function overHttp(example: string, manifest: string): Promise<Run> {
  const { input, build } = prepare(example, manifest);
  const { simulation, kubelet } = build();
  const server = await startApiServer({
    simulation,
    port: 0,
    speed: SPEED,
    tickMs: 10,
    readLogs: kubeletLogReader(kubelet),
  });
  const wall = new RealClock();
  const cluster = KubeCluster.fromOptions(
    { kubeconfigContent: server.kubeconfig() },
    {
      clock: new SimulatedTimeClock(simulation, SPEED),
      requestTimeoutMs: 30_000 * SPEED,
      watchIdleTimeoutMs: 120_000 * SPEED,
    },
  );
  const start = simulation.clock.now();
  const realStart = wall.now();
  const before = { ...server.requestLog };
  try {
    const log = new MemoryLog();
    const result = await runGate(cluster, input, log);
    if (process.env.GATE_DEBUG)
      process.stdout.write(
        log.lines.join('\n') +
          '\n' +
          JSON.stringify(
            result.workloads.map((w) => ({ ...w, timeline: undefined })),
            null,
            1,
          ) +
          '\n',
      );
    const serverRequests = Object.fromEntries(
      Object.entries(server.requestLog)
        .map(([k, v]) => [k, v - (before[k] ?? 0)])
        .filter(([, v]) => v !== 0),
    );
    return {
      result,
      leases: simulation.store
        .list<Lease>('Lease')
        .map((l) => `${l.metadata.name} holder=${JSON.stringify(l.spec?.holderIdentity)}`),
      simulatedSeconds: (simulation.clock.now() - start) / 1000,
      realSeconds: (wall.now() - realStart) / 1000,
      requests: cluster.requestCounts(),
      serverRequests,
    };
  } finally {
    await cluster.close();
    await server.close();
  }
}

async function compare(example: string, manifest: string): Promise<{ local: Run; http: Run }> {
  const local = await inProcess(example, manifest);
  const http = await overHttp(example, manifest);
  expect(essentials(http.result)).toEqual(essentials(local.result));
  // Each Deployment's Lease, taken over HTTP, is released (holder empty) at the end.
  expect(http.leases).toEqual(http.result.workloads.map((w) => `rollout-gate.${w.name} holder=""`));
  const total = Object.values(http.requests!).reduce((a, b) => a + b, 0);
  const serverTotal = Object.values(http.serverRequests!).reduce((a, b) => a + b, 0);
  // Every request the adapter sent reached the server (the server also counts nothing else).
  expect(serverTotal).toBe(total);
  const perMinute = total / (http.simulatedSeconds / 60);
  const w = http.result.workloads[0]!;
  const l = local.result.workloads[0]!;
  summaries.push(
    `  ${example}: ${w.result}${w.reason ? ` (${w.reason})` : ''}, revision ${w.revision}${w.rolledBackTo ? `, rolled back to ${w.rolledBackTo}` : ''}; ` +
      `simulated ${http.simulatedSeconds.toFixed(1)} s over HTTP (${http.realSeconds!.toFixed(1)} s real) vs ${local.simulatedSeconds.toFixed(1)} s in-process; ` +
      `duration ${w.durationSeconds} s vs ${l.durationSeconds} s` +
      (w.detectedAfterSeconds !== undefined
        ? `, detected after ${w.detectedAfterSeconds} s vs ${l.detectedAfterSeconds} s`
        : '') +
      `; requests ${JSON.stringify(http.requests)} = ${total}, ${perMinute.toFixed(1)} per simulated minute`,
  );
  // Durations agree within a few simulated seconds (watch latency and the server's tick, times SPEED).
  expect(Math.abs(w.durationSeconds - l.durationSeconds)).toBeLessThanOrEqual(Math.max(5, 0.15 * l.durationSeconds));
  if (l.detectedAfterSeconds !== undefined)
    expect(Math.abs(w.detectedAfterSeconds! - l.detectedAfterSeconds)).toBeLessThanOrEqual(5);
  return { local, http };
}

describe('the gate through KubeCluster over HTTP matches the in-process simulated run', () => {
  it('a successful update', async () => {
    const { http } = await compare('update', 'web-v2.yaml');
    expect(http.result.result).toBe('succeeded');
    expect(http.result.workloads[0]).toMatchObject({ result: 'succeeded', revision: 2, previousRevision: 1 });
    // Reads come from the watch cache: one LIST and one WATCH per kind however often the gate looks.
    expect(http.requests!.LIST).toBeLessThanOrEqual(4);
  }, 60_000);

  it("a typo'd image, detected and rolled back", async () => {
    const { http } = await compare('typo-image', 'web-v2.yaml');
    expect(http.result.result).toBe('rolled-back');
    expect(http.result.workloads[0]).toMatchObject({ result: 'rolled-back', revision: 2, rolledBackTo: 3 });
  }, 60_000);

  it('a crash loop, rolled back', async () => {
    const { http } = await compare('crash-loop', 'web-v2.yaml');
    expect(http.result.result).toBe('rolled-back');
    const w = http.result.workloads[0]!;
    expect(w).toMatchObject({ result: 'rolled-back', revision: 2, rolledBackTo: 3 });
    expect(w.evidence?.[0]?.logs).toEqual(expect.arrayContaining(['panic: DATABASE_URL is not set']));
  }, 60_000);
});
