/**
 * Harness of the gate's end-to-end tests: a simulated cluster built from a scenario text, objects
 * built in code, and `runGate` with a {@link MemoryLog}. Everything runs on the virtual clock.
 */
import { createSimulatedCluster, parseScenario, type SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import type { GateResult, WorkloadResult } from '../../src/gate/result.js';
import { runGate, type GateDocument, type GateInput } from '../../src/gate/runGate.js';
import { gateLeaseName, type Lease } from '../../src/k8s/lease.js';
import { clone } from '../../src/k8s/meta.js';
import type { ConfigMap, Deployment, KubeObject, ReplicaSet } from '../../src/k8s/objects.js';
import { DEFAULT_POLICY, type GatePolicy } from '../../src/rollout/policy.js';

export const LAST_GOOD = 'rollout-gate.dev/last-good-revision';
export const LAST_GOOD_TEMPLATE = 'rollout-gate.dev/last-good-template';
export const REVISION = 'deployment.kubernetes.io/revision';

export interface DeploymentOptions {
  replicas?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
  /** envFrom configMapRef names. */
  configMaps?: string[];
  cpu?: string;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
}

/** A Deployment `name` running one container `name` with `image`, labels `app: <name>`. */
export function deployment(name: string, image: string, o: DeploymentOptions = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas: o.replicas ?? 3,
      ...(o.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: o.revisionHistoryLimit } : {}),
      ...(o.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: o.progressDeadlineSeconds } : {}),
      ...(o.paused ? { paused: true } : {}),
      ...(o.maxSurge !== undefined || o.maxUnavailable !== undefined
        ? {
            strategy: {
              type: 'RollingUpdate',
              rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' },
            },
          }
        : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name,
              image,
              ...(o.configMaps ? { envFrom: o.configMaps.map((cm) => ({ configMapRef: { name: cm } })) } : {}),
              ...(o.cpu ? { resources: { requests: { cpu: o.cpu } } } : {}),
            },
          ],
        },
      },
    },
  } as Deployment;
}

export function configMap(name: string, data: Record<string, string> = { key: 'value' }): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data } as ConfigMap;
}

/** A simulated cluster from scenario YAML (without `objects:`) and pre-existing objects, rolled out. */
export function simulate(scenarioYaml: string, objects: KubeObject[] = []): SimulatedClusterParts {
  return createSimulatedCluster(parseScenario(scenarioYaml, 'scenario.yaml'), { objects });
}

/** The documents of one manifest file `k8s/<name>.yaml`, one per object, 20 lines apart. */
export function documents(objects: KubeObject[], file = 'k8s/app.yaml'): GateDocument[] {
  return objects.map((object, i) => ({
    file,
    line: 1 + 20 * i,
    object,
    ...(object.kind === 'Deployment' ? { imageLines: { [object.metadata.name!]: 19 + 20 * i } } : {}),
  }));
}

export interface GateRun {
  result: GateResult;
  log: MemoryLog;
  /** Virtual time of the apply (ms), i.e. when `runGate` was called. */
  start: number;
}

/** Runs the gate on `parts` with the default policy and input, overridden by `input`. */
export async function gate(
  parts: SimulatedClusterParts,
  objects: KubeObject[],
  input: Partial<Omit<GateInput, 'policy'>> & { policy?: Partial<GatePolicy> } = {},
): Promise<GateRun> {
  const log = new MemoryLog();
  const start = parts.cluster.clock.now();
  const result = await runGate(
    parts.cluster,
    {
      documents: documents(objects),
      rollback: 'on-failure',
      rollbackTimeoutSeconds: 300,
      onNoGoodRevision: 'leave',
      force: false,
      ...input,
      policy: { ...DEFAULT_POLICY, ...(input.policy ?? {}) },
    },
    log,
  );
  return { result, log, start };
}

/** The contract fields of one workload result (what README "As a CLI" promises), without extensions. */
export function contract(w: WorkloadResult): Partial<WorkloadResult> {
  const { kind, namespace, name, result, revision, rolledBackTo, reason, detectedAfterSeconds } = w;
  return Object.fromEntries(
    Object.entries({ kind, namespace, name, result, revision, rolledBackTo, reason, detectedAfterSeconds }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}

/** The stored Deployment. */
export function stored(parts: SimulatedClusterParts, name: string): Deployment | undefined {
  return parts.simulation.store.get<Deployment>('Deployment', 'default', name);
}

/** Someone else writes the Deployment directly to the store (kubectl scale / set image / annotate). */
export function edit(parts: SimulatedClusterParts, name: string, change: (d: Deployment) => void): void {
  const d = clone(stored(parts, name)!);
  change(d);
  parts.simulation.store.update('Deployment', d);
}

/** Someone else sets the (first) container's image: kubectl set image, straight to the store. */
export function setImage(parts: SimulatedClusterParts, name: string, image: string): void {
  edit(parts, name, (d) => {
    d.spec.template.spec!.containers[0]!.image = image;
  });
}

/** The gate's Lease of a Deployment (lock and last-good record, src/gate/lock.ts). */
export function leaseOf(parts: SimulatedClusterParts, name: string): Lease | undefined {
  return parts.simulation.store.get<Lease>('Lease', 'default', gateLeaseName(name));
}

/** What matters of the stored Deployment: image, revision, and the last good record (on its Lease). */
export function state(
  parts: SimulatedClusterParts,
  name: string,
): { image?: string; revision?: string; lastGood?: string; replicas?: number } {
  const d = stored(parts, name);
  if (!d) return {};
  const a = d.metadata.annotations ?? {};
  const lastGood = leaseOf(parts, name)?.metadata.annotations?.[LAST_GOOD];
  return {
    image: d.spec.template.spec?.containers[0]?.image,
    revision: a[REVISION],
    ...(lastGood !== undefined ? { lastGood } : {}),
    replicas: d.spec.replicas,
  };
}

/** The ReplicaSets of a Deployment: `revision image spec/ready`, by revision. */
export function replicaSets(parts: SimulatedClusterParts, name: string): string[] {
  const d = stored(parts, name);
  if (!d) return [];
  return parts.simulation.store
    .listOwnedBy<ReplicaSet>('ReplicaSet', d.metadata.uid!)
    .map((rs) => ({
      rev: Number(rs.metadata.annotations?.[REVISION] ?? 0),
      text: `${rs.metadata.annotations?.[REVISION]} ${rs.spec.template.spec?.containers[0]?.image} ${rs.spec.replicas}/${rs.status?.readyReplicas ?? 0}`,
    }))
    .sort((a, b) => a.rev - b.rev)
    .map((r) => r.text);
}

/** The pod-template-hash of the ReplicaSet at `revision`. */
export function hashOf(parts: SimulatedClusterParts, name: string, revision: number): string | undefined {
  const d = stored(parts, name)!;
  const rs = parts.simulation.store
    .listOwnedBy<ReplicaSet>('ReplicaSet', d.metadata.uid!)
    .find((r) => r.metadata.annotations?.[REVISION] === String(revision));
  return rs?.metadata.labels?.['pod-template-hash'];
}

/** Schedules `fn` at `seconds` of virtual time after now (another actor in the cluster). */
export function at(parts: SimulatedClusterParts, seconds: number, label: string, fn: () => void): void {
  parts.simulation.clock.at(parts.simulation.clock.now() + seconds * 1000, label, fn);
}
