import type { KubeObject } from '../../k8s/objects.js';
import { validateDaemonSet, type DaemonSetManifest } from '../../k8s/validation/daemonSet.js';
import { validateDeployment } from '../../k8s/validation/deployment.js';
import type { Deployment, Node } from '../../k8s/objects.js';
import { DaemonSetController } from './controllers/daemonset/daemonSetController.js';
import type { DaemonSet } from './controllers/daemonset/daemonSetUtil.js';
import type { StatefulSet } from '../../k8s/statefulSet.js';
import { DeploymentController } from './controllers/deployment/deploymentController.js';
import { CrdController } from './controllers/crd/crdController.js';
import { GenericStatusController } from './controllers/generic/statusController.js';
import { PodGcController } from './controllers/podgc/podGcController.js';
import { OperatorController } from './controllers/operator/operatorController.js';
import { ReplicaSetController } from './controllers/replicaset/replicaSetController.js';
import { defaultJob, prepareJobForCreate } from './controllers/job/defaults.js';
import { JobController } from './controllers/job/jobController.js';
import { defaultHorizontalPodAutoscaler } from './controllers/hpa/defaults.js';
import { HpaController } from './controllers/hpa/hpaController.js';
import { defaultReplicationController } from './controllers/replicationcontroller/defaults.js';
import { convertHorizontalPodAutoscaler } from './controllers/hpa/convert.js';
import { registerUsage, UsageModel } from './kubelet/usage.js';
import { registerMetricsKinds } from './api/metrics.js';
import { TtlAfterFinishedController } from './controllers/job/ttlAfterFinished.js';
import type { Job } from './controllers/job/types.js';
import { validateJob } from '../../k8s/validation/job.js';
import { StatefulSetController } from './controllers/statefulset/statefulSetController.js';
import { scheduleChaos } from './chaos/chaos.js';
import { Kubelet } from './kubelet/kubelet.js';
import { defaultScenario, imageSpecFor, type Scenario } from './scenario/scenario.js';
import { scenarioNodes } from './scheduler/nodes.js';
import { Scheduler } from './scheduler/scheduler.js';
import { SimulatedCluster } from './simulatedCluster.js';
import { Simulation } from './simulation.js';

export { Simulation } from './simulation.js';
export { SimulatedCluster } from './simulatedCluster.js';
export { FaultInjector, type FaultOptions } from './faults/faultInjector.js';
export { parseScenario, ScenarioError } from './scenario/parseScenario.js';
export { defaultScenario, type Scenario } from './scenario/scenario.js';
export { liveNodes, type LiveCapacity } from './scheduler/liveNodes.js';
export { newNodes } from './scheduler/nodes.js';

export interface SimulatedClusterParts {
  simulation: Simulation;
  kubelet: Kubelet;
  /** The port adapter the gate uses. */
  cluster: SimulatedCluster;
}

export interface CreateOptions {
  /** Objects that exist before the run (the scenario's `objects`), applied and rolled out first. */
  objects?: KubeObject[];
  /** Namespaces to create besides the four every cluster starts with (see {@link initialNamespaces}). */
  namespaces?: string[];
  /** Longest virtual time to wait for the pre-existing objects to roll out (ms). */
  settleMs?: number;
  /** Virtual time at the start (ms since epoch); `serve` starts at wall time so kubectl's ages read right. */
  startMs?: number;
  /** Nodes to create instead of the scenario's (the PR plan's copy of a real cluster's nodes). */
  nodes?: Node[];
}

/**
 * Builds a simulated cluster from a scenario: nodes (with their labels, taints and pools), image
 * behaviours, the control-plane components (Deployment, ReplicaSet, DaemonSet, Job and
 * TTL-after-finished controllers, pod GC, scheduler, kubelet, and the CRD and status helpers) and
 * the pre-existing objects, fully rolled out. Deterministic for a given scenario (its `seed`).
 */
export function createSimulatedCluster(
  scenario: Scenario = defaultScenario(),
  options: CreateOptions = {},
): SimulatedClusterParts {
  let kubelet: Kubelet | undefined;
  const usage = new UsageModel((image) => imageSpecFor(scenario, image));
  const simulation = new Simulation(
    [
      (ctx) => new DeploymentController(ctx),
      (ctx) => new ReplicaSetController(ctx),
      (ctx) => new ReplicaSetController(ctx, { kind: 'ReplicationController' }),
      (ctx) => new DaemonSetController(ctx),
      (ctx) => new PodGcController(ctx),
      (ctx) => new StatefulSetController(ctx),
      (ctx) => new CrdController(ctx),
      (ctx) => new GenericStatusController(ctx),
      (ctx) => new JobController(ctx),
      (ctx) => new TtlAfterFinishedController(ctx),
      (ctx) => new OperatorController(ctx, scenario.operators ?? []),
      (ctx) => new HpaController(ctx, usage),
      (ctx) => new Scheduler(ctx),
      (ctx) => (kubelet = new Kubelet(ctx, { imageBehaviour: (image) => imageSpecFor(scenario, image) })),
    ],
    {
      seed: scenario.seed,
      ...(options.startMs !== undefined ? { startMs: options.startMs } : {}),
      kindHooks: {
        Deployment: { validate: (obj, old) => validateDeployment(obj as Deployment, old as Deployment | undefined) },
        DaemonSet: {
          validate: (obj, old) => validateDaemonSet(obj as DaemonSetManifest, old as DaemonSetManifest | undefined),
        },
        ReplicationController: { applyDefaults: defaultReplicationController },
        HorizontalPodAutoscaler: {
          applyDefaults: defaultHorizontalPodAutoscaler,
          convert: convertHorizontalPodAutoscaler,
        },
        Job: {
          applyDefaults: defaultJob,
          prepareForCreate: prepareJobForCreate,
          validate: (obj, old) => validateJob(obj as Job, old as Job | undefined),
        },
      },
    },
  );
  const store = simulation.store;
  // metrics-server's API (served by `serve` from the usage model registered below).
  registerMetricsKinds(store.kinds);
  const objects = options.objects ?? [];
  // The scenario's objects describe a cluster that already runs them, so their namespaces exist
  // too (Namespace objects among them are created as written). The manifests of a run get no such
  // favour: a namespace they need must exist or be applied first, as on a real cluster.
  const declared = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const namespaces = new Set([...initialNamespaces, ...(options.namespaces ?? [])]);
  for (const obj of objects) if (obj.metadata.namespace) namespaces.add(obj.metadata.namespace);
  for (const name of [...namespaces].sort()) {
    if (declared.has(name) || store.get('Namespace', undefined, name)) continue;
    store.create('Namespace', { metadata: { name } }, { uid: fixedUids[name] });
  }
  for (const node of options.nodes ?? scenarioNodes(scenario.nodes, simulation.clock.now())) store.create('Node', node);
  const namespacesFirst = [...objects].sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
  for (const obj of namespacesFirst) {
    if (!store.kinds.lookup(obj.apiVersion ?? '', obj.kind ?? ''))
      throw new Error(
        `the simulated cluster does not serve ${obj.kind} in ${obj.apiVersion} (scenario object "${obj.metadata.name}")`,
      );
    store.create(obj.kind ?? '', obj);
    // A CRD's kind is served once its controller accepted the names: before the custom resources that follow.
    if (obj.kind === 'CustomResourceDefinition') simulation.settle();
  }
  simulation.settle();
  if (objects.some((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet' || o.kind === 'StatefulSet')) {
    simulation.runUntil(
      () => allRolledOut(simulation) && allStatefulSetsRolledOut(simulation),
      options.settleMs ?? 15 * 60_000,
    );
  }
  registerUsage(simulation, usage);
  // Load curves (`images.<ref>.usage`) count from here, as chaos times do.
  usage.origin = simulation.clock.now();
  // Chaos times count from here: the pre-existing objects are rolled out and the gate applies next.
  if (scenario.faults.chaos?.length) scheduleChaos(simulation, scenario.faults.chaos, simulation.clock.now());
  const k = kubelet!;
  // A container in back-off has no current output yet; like `kubectl logs --previous`, show the
  // last run's, which holds the crash.
  const readLogs = (ns: string, pod: string, container: string, lines: number): string[] => {
    const current = k.logs(ns, pod, container, { tailLines: lines });
    return current.length > 0 ? current : k.logs(ns, pod, container, { tailLines: lines, previous: true });
  };
  const cluster = new SimulatedCluster(simulation, readLogs, scenario.faults, scenario.permissions);
  return { simulation, kubelet: k, cluster };
}

/**
 * The namespaces a new cluster has (kube-apiserver's system namespaces controller creates them:
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controlplane/controller/systemnamespaces/system_namespaces_controller.go).
 */
export const initialNamespaces: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** The system namespaces added after the seeded traces were recorded keep fixed uids (no draw). */
const fixedUids: Record<string, string> = {
  'kube-node-lease': '5a1d3c2e-0b7e-4c1f-8a6d-2f3e4b5c6d01',
  'kube-public': '5a1d3c2e-0b7e-4c1f-8a6d-2f3e4b5c6d02',
};

/**
 * Every StatefulSet observed, all its replicas ready and (RollingUpdate) on one revision: what a
 * cluster that already runs them looks like (kubectl's StatefulSet viewer, without a partition).
 */
function allStatefulSetsRolledOut(simulation: Simulation): boolean {
  return simulation.store.list<StatefulSet>('StatefulSet').every((set) => {
    const s = set.status;
    if (!s || (s.observedGeneration ?? 0) < (set.metadata.generation ?? 0)) return false;
    if ((s.readyReplicas ?? 0) < (set.spec.replicas ?? 1)) return false;
    return set.spec.updateStrategy?.type !== 'RollingUpdate' || s.currentRevision === s.updateRevision;
  });
}

/** kubectl's success rule for every Deployment and every RollingUpdate DaemonSet in the store. */

function allRolledOut(simulation: Simulation): boolean {
  return deploymentsRolledOut(simulation) && daemonSetsRolledOut(simulation);
}

/** kubectl's DaemonSetStatusViewer rule (OnDelete DaemonSets have no rollout to wait for). */
function daemonSetsRolledOut(simulation: Simulation): boolean {
  return simulation.store.list<DaemonSet>('DaemonSet').every((ds) => {
    if (ds.spec.updateStrategy?.type !== 'RollingUpdate') return true;
    const s = ds.status;
    return (
      s !== undefined &&
      (s.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0) &&
      (s.updatedNumberScheduled ?? 0) >= s.desiredNumberScheduled &&
      (s.numberAvailable ?? 0) >= s.desiredNumberScheduled
    );
  });
}

function deploymentsRolledOut(simulation: Simulation): boolean {
  return simulation.store.list<Deployment>('Deployment').every((d) => {
    const s = d.status ?? {};
    const wanted = d.spec.replicas ?? 1;
    return (
      (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
      (s.updatedReplicas ?? 0) >= wanted &&
      (s.replicas ?? 0) <= (s.updatedReplicas ?? 0) &&
      (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0)
    );
  });
}
