/**
 * Seeded random scenarios for the reliability proof: a scenario is drawn from a seed (strategy,
 * replicas, surge/unavailable, planted behaviour, one or two Deployments), then run by the gate
 * on the simulated cluster with or without faults, and measured (undo patches actually committed,
 * paused Deployments, final templates). {@link plantedVerdict} is the oracle: what the run must
 * answer, derived from the planted behaviours alone (never from another run of the gate).
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

/**
 * What a scenario plants on a Deployment's new revision. `unschedulable` asks for more CPU than any
 * node has; `config-error` takes its environment from a ConfigMap that does not exist
 * (CreateContainerConfigError; drawn by the autoscaler property, test/gate, not by the seeds here);
 * `untouched` applies the template already in the cluster (nothing to roll out).
 */
export type Behaviour =
  'good' | 'missing' | 'crash' | 'never-ready' | 'unschedulable' | 'config-error' | 'flaky' | 'untouched';
export const BEHAVIOURS: Record<Behaviour, ImageBehaviour> = {
  good: {},
  missing: { pull: 'missing' },
  crash: { crash: true },
  'never-ready': { ready: 'never' },
  unschedulable: {},
  'config-error': {},
  flaky: { flakyPulls: 1 },
  untouched: {},
};
/** Drawn with these weights: every failure kind and the untouched sibling show up in 200 seeds. */
const DRAWN: Behaviour[] = ['good', 'good', 'missing', 'crash', 'never-ready', 'unschedulable', 'flaky', 'untouched'];
/** More CPU than a simulated node has (4): Pending, `FailedScheduling`. */
export const TOO_MUCH_CPU = '64';
/** The ConfigMap a `config-error` template names, never created. */
export const MISSING_CONFIG_MAP = 'missing-config';
export const SURGE: Array<[number | string, number | string]> = [
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
      behaviour: DRAWN[r.int(DRAWN.length)]!,
    });
  }
  return { seed, workloads, apiErrorRate: Math.round(r.next() * 20) / 100 };
}

function manifest(w: WorkloadSpec, image: string): Deployment {
  const d = deployment(w.name, image, {
    replicas: w.replicas,
    maxSurge: w.surge[0],
    maxUnavailable: w.surge[1],
    ...(image === NEW(w.name) && w.behaviour === 'unschedulable' ? { cpu: TOO_MUCH_CPU } : {}),
    ...(image === NEW(w.name) && w.behaviour === 'config-error' ? { configMaps: [MISSING_CONFIG_MAP] } : {}),
  });
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
      documents: documents(
        spec.workloads.map((w) => manifest(w, w.behaviour === 'untouched' ? OLD(w.name) : NEW(w.name))),
      ),
      rollback: 'on-failure',
      rollbackTimeoutSeconds: 120,
      onNoGoodRevision: 'leave',
      force: false,
      // Shorter windows than the defaults keep 400 runs fast; in the defaults' order (unschedulable
      // grace < stall window < timeout), so the verdicts are of the same kinds.
      policy: { ...DEFAULT_POLICY, timeoutSeconds: 120, stallSeconds: 40, unschedulableGraceSeconds: 20 },
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

/** The failure reasons a planted behaviour may be reported with (README "What the gate judges"). */
export const PLANTED_REASONS: Partial<Record<Behaviour, string[]>> = {
  missing: ['ErrImagePull', 'ImagePullBackOff'],
  crash: ['CrashLoopBackOff'],
  'never-ready': ['Stalled', 'ProgressDeadlineExceeded', 'Timeout'],
  unschedulable: ['Unschedulable'],
  'config-error': ['CreateContainerConfigError'],
};

/** What the oracle expects of one Deployment. */
export interface ExpectedWorkload {
  name: string;
  result: 'succeeded' | 'rolled-back' | 'unchanged';
  /** The image the Deployment must end on. */
  image: string;
  /** Its own failure reason must be one of these; undefined: it must carry no failure reason. */
  reasons?: string[];
}

export interface Expected {
  result: 'succeeded' | 'rolled-back';
  workloads: ExpectedWorkload[];
}

/**
 * The oracle: the verdict a scenario's planted behaviours imply, as a pure function of the spec.
 * Any planted failure (missing image, crash, never ready, unschedulable) fails the run, which then
 * rolls every Deployment it changed back to its last good template (`:1`), the failing ones and
 * their siblings alike; a run without one succeeds and every changed Deployment ends on `:2`
 * (a flaky pull is not a failure). An untouched Deployment is `unchanged` and stays on `:1` either way.
 */
export function plantedVerdict(spec: ScenarioSpec): Expected {
  const fails = spec.workloads.some((w) => PLANTED_REASONS[w.behaviour] !== undefined);
  return {
    result: fails ? 'rolled-back' : 'succeeded',
    workloads: spec.workloads.map((w): ExpectedWorkload => {
      if (w.behaviour === 'untouched') return { name: w.name, result: 'unchanged', image: OLD(w.name) };
      if (!fails) return { name: w.name, result: 'succeeded', image: NEW(w.name) };
      const reasons = PLANTED_REASONS[w.behaviour];
      return { name: w.name, result: 'rolled-back', image: OLD(w.name), ...(reasons ? { reasons } : {}) };
    }),
  };
}

/**
 * Every way a measured run differs from the oracle, one readable line each (empty: it agrees).
 * A failing Deployment may carry no reason of its own when a sibling failed first (the gate stops
 * at the first failure), but at least one of them must carry its own.
 */
export function oracleMismatches(spec: ScenarioSpec, run: Pick<Measured, 'result' | 'images'>): string[] {
  const expected = plantedVerdict(spec);
  const out: string[] = [];
  const got = run.result;
  if (got.result !== expected.result)
    out.push(`run ${got.result}${got.reason ? ` ${got.reason}` : ''}, planted ${expected.result}`);
  for (const e of expected.workloads) {
    const w = got.workloads.find((x) => x.name === e.name);
    const behaviour = spec.workloads.find((x) => x.name === e.name)!.behaviour;
    const at = `${e.name} (${behaviour})`;
    if (!w) {
      out.push(`${at}: no result, planted ${e.result}`);
      continue;
    }
    if (w.result !== e.result) out.push(`${at}: ${w.result}${w.reason ? ` ${w.reason}` : ''}, planted ${e.result}`);
    if (run.images[e.name] !== e.image) out.push(`${at}: ends on ${run.images[e.name]}, planted ${e.image}`);
    if (w.reason !== undefined && !(e.reasons ?? []).includes(w.reason))
      out.push(`${at}: reason ${w.reason}, planted ${e.reasons ? e.reasons.join('|') : 'none of its own'}`);
  }
  const failing = expected.workloads.filter((e) => e.reasons);
  if (failing.length > 0 && !failing.some((e) => got.workloads.find((x) => x.name === e.name)?.reason !== undefined))
    out.push(`no failing Deployment carries its planted reason (${failing.map((e) => e.name).join(', ')})`);
  return out;
}
