/**
 * Seeded random scenarios for the reliability proof: a scenario is drawn from a seed (strategy,
 * replicas, surge/unavailable, image behaviour, one or two Deployments), then run by the gate on
 * the simulated cluster with or without faults, and measured (undo patches actually committed,
 * paused Deployments, final templates).
 */
import { SeededRandom } from '../../src/clock/seededRandom.js';
import { createSimulatedCluster, defaultScenario, type SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import type { FaultOptions } from '../../src/cluster/sim/faults/faultInjector.js';
import type { ImageBehaviour } from '../../src/cluster/sim/kubelet/types.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import type { GateResult } from '../../src/gate/result.js';
import { runGate, type GateInput } from '../../src/gate/runGate.js';
import type { Deployment } from '../../src/k8s/objects.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import { deployment, documents } from '../gate/support.js';

export type Behaviour = 'good' | 'missing' | 'crash' | 'never-ready' | 'flaky';
const BEHAVIOURS: Record<Behaviour, ImageBehaviour> = {
  good: {},
  missing: { pull: 'missing' },
  crash: { crash: true },
  'never-ready': { ready: 'never' },
  flaky: { flakyPulls: 1 },
};
const SURGE: Array<[number | string, number | string]> = [
  [1, 0],
  [0, 1],
  ['25%', '25%'],
  [2, 1],
  ['50%', 0],
  [1, '50%'],
];

export interface WorkloadSpec {
  name: string;
  strategy: 'RollingUpdate' | 'Recreate';
  replicas: number;
  surge: [number | string, number | string];
  behaviour: Behaviour;
}

export interface ScenarioSpec {
  seed: number;
  workloads: WorkloadSpec[];
  /** Request failure rate of the faulty run (up to 0.2). */
  apiErrorRate: number;
}

export function drawScenario(seed: number): ScenarioSpec {
  const r = new SeededRandom(seed * 7919 + 17);
  const n = 1 + r.int(2);
  const workloads: WorkloadSpec[] = [];
  for (let i = 0; i < n; i++) {
    workloads.push({
      name: `app${i}`,
      strategy: r.next() < 0.3 ? 'Recreate' : 'RollingUpdate',
      replicas: 1 + r.int(10),
      surge: SURGE[r.int(SURGE.length)]!,
      behaviour: (Object.keys(BEHAVIOURS) as Behaviour[])[r.int(5)]!,
    });
  }
  return { seed, workloads, apiErrorRate: Math.round(r.next() * 20) / 100 };
}

function manifest(w: WorkloadSpec, image: string): Deployment {
  const d = deployment(w.name, image, { replicas: w.replicas, maxSurge: w.surge[0], maxUnavailable: w.surge[1] });
  if (w.strategy === 'Recreate') d.spec.strategy = { type: 'Recreate' };
  return d;
}

export interface Measured {
  result: GateResult;
  log: MemoryLog;
  parts: SimulatedClusterParts;
  /** Undo patches (a /spec/template replace) committed by the store, per Deployment. */
  undos: Record<string, number>;
  paused: string[];
  /** Per Deployment: the image it ends on. */
  images: Record<string, string | undefined>;
  faults: Record<string, number>;
  requests: number;
  simulatedSeconds: number;
}

export const NEW = (name: string) => `${name}:2`;
export const OLD = (name: string) => `${name}:1`;

/** Runs the gate once on a fresh cluster: all Deployments exist at :1, the run applies :2. */
export async function runScenario(
  spec: ScenarioSpec,
  faults: FaultOptions | undefined,
  input: Partial<GateInput> = {},
  beforeRun?: (parts: SimulatedClusterParts) => void,
): Promise<Measured> {
  const scenario = defaultScenario();
  scenario.seed = spec.seed;
  for (const w of spec.workloads) scenario.images[NEW(w.name)] = BEHAVIOURS[w.behaviour];
  scenario.nodes.count = 4;
  if (faults) scenario.faults = faults;
  const parts = createSimulatedCluster(scenario, {
    objects: spec.workloads.map((w) => manifest(w, OLD(w.name))),
  });
  const undos: Record<string, number> = {};
  // The gate's undo is its only conditional apply (a resourceVersion precondition); count the committed ones.
  const apply = parts.cluster.apply.bind(parts.cluster);
  parts.cluster.apply = async (obj, options) => {
    const result = await apply(obj, options);
    if (obj.metadata.resourceVersion) undos[obj.metadata.name!] = (undos[obj.metadata.name!] ?? 0) + 1;
    return result;
  };
  beforeRun?.(parts);
  const log = new MemoryLog();
  const start = parts.simulation.clock.now();
  const result = await runGate(
    parts.cluster,
    {
      documents: documents(spec.workloads.map((w) => manifest(w, NEW(w.name)))),
      rollback: 'on-failure',
      rollbackTimeoutSeconds: 120,
      onNoGoodRevision: 'leave',
      force: false,
      // Shorter windows than the defaults keep 400 runs fast; the verdicts are of the same kinds.
      policy: { ...DEFAULT_POLICY, timeoutSeconds: 120, stallSeconds: 40 },
      ...input,
    },
    log,
  );
  const store = parts.simulation.store;
  const all = spec.workloads.map((w) => store.get<Deployment>('Deployment', 'default', w.name));
  return {
    result,
    log,
    parts,
    undos,
    paused: all.filter((d) => d?.spec.paused).map((d) => d!.metadata.name!),
    images: Object.fromEntries(
      spec.workloads.map((w, i) => [w.name, all[i]?.spec.template.spec?.containers[0]?.image]),
    ),
    faults: parts.cluster.faults.injected() as Record<string, number>,
    requests: Object.values(parts.cluster.requestCounts()).reduce((a, b) => a + b, 0),
    simulatedSeconds: (parts.simulation.clock.now() - start) / 1000,
  };
}

/** What must not change under faults: the run's result and each workload's result and reason. */
export function verdict(r: GateResult): unknown {
  return {
    result: r.result,
    ...(r.reason ? { reason: r.reason } : {}),
    workloads: r.workloads.map((w) => `${w.name} ${w.result}${w.reason ? ` ${w.reason}` : ''}`),
  };
}

/**
 * Two Deployments failing within the same second: the gate stops at the first failure it sees and
 * rolls the other back with it, so whether the other carries its own reason or "rolled back because
 * X failed" depends on where in that second the watch looked (faults shift it by retries). The
 * same verdict otherwise: same run result, same workload results, and the reason only missing on a
 * workload whose own failure the other run detected within 1 s of the first one.
 */
export function siblingRace(a: GateResult, b: GateResult): boolean {
  if (a.result !== b.result || a.workloads.length !== b.workloads.length) return false;
  const first = (r: GateResult) => Math.min(...r.workloads.map((w) => w.detectedAfterSeconds ?? Infinity));
  return a.workloads.every((wa, i) => {
    const wb = b.workloads[i]!;
    if (wa.result !== wb.result) return false;
    if (wa.reason === wb.reason) return true;
    const [withReason, other, without] = wa.reason ? [wa, a, b] : [wb, b, a];
    const other2 = without.workloads[i]!;
    return (
      other2.reason === undefined &&
      withReason.detectedAfterSeconds !== undefined &&
      Math.abs(withReason.detectedAfterSeconds - first(without)) <= 1 &&
      first(other) <= withReason.detectedAfterSeconds
    );
  });
}
