/**
 * The PR dry run's orchestration (I/O: manifests, scenario, the images' registries, optionally a
 * read-only real cluster; wall time only for the registries' timeouts). Nothing is written to any cluster: the baseline is loaded into a fresh
 * simulated cluster, the new manifests are rolled out there by the gate (rollback never), and
 * {@link buildPlan} reports what happened.
 *
 * Baseline, in order of preference: the `baseline` manifests (e.g. the base branch's files), else
 * the live workloads of a real cluster when one is named explicitly (kubeconfig or context, not
 * `simulate`; GET/LIST/WATCH only, through the adapter's `observe`), else the scenario's objects.
 *
 * Capacity, said in the plan: with a live baseline, the cluster's own Nodes with what its running
 * pods leave free (two more LISTs); else the scenario's `nodes`; else not known, and then the
 * simulated nodes do not limit, so no Unschedulable verdict is made up.
 *
 * Images, said in the plan: each is asked of its registry (planImages.ts) unless the scenario names
 * it or the check is off; a missing or refused image fails the simulated pull.
 */
import { beyondSimulator, connectReal, loadScenario, type LoadKube } from './connect.js';
import { policyFrom, type RunRequest } from './runRequest.js';
import { loadHealthChecks } from './healthChecks.js';
import type { ClusterClient, WorkloadObservation, WorkloadRef } from '../cluster/port.js';
import { createSimulatedCluster } from '../cluster/sim/index.js';
import { UNKNOWN_CAPACITY } from '../plan/buildPlan.js';
import { readLiveCapacity, scenarioCapacity, type PlannedCapacity } from './planCapacity.js';
import type { GateLog } from '../gate/gateLog.js';
import type { InputError, WorkloadResult } from '../gate/result.js';
import { runGate } from '../gate/runGate.js';
import { parseTime } from '../k8s/meta.js';
import type { KubeObject, Pod } from '../k8s/objects.js';
import { isWorkloadKind, workloadKindOf, type WorkloadKind } from '../k8s/workloadKinds.js';
import { loadManifests, type ManifestDocument } from '../manifest/index.js';
import { resolveKinds } from '../gate/resolveKinds.js';
import { findNewReplicaSet } from '../rollout/revisions.js';
import { buildPlan, podRequests, sumCapacities } from '../plan/buildPlan.js';
import { availableReplicas, type PlannedWorkload } from '../plan/kinds.js';
import { location } from '../report/format.js';
import type { Capacity, Plan, PlanObjectInput, PlanWorkloadInput } from '../plan/types.js';
import { IMAGES_NOT_ASKED } from '../plan/buildPlan.js';
import { RealClock } from '../clock/realClock.js';
import { loadCredentials, registryClient, type ImageChecker } from '../registry/index.js';
import { checkPlanImages } from './planImages.js';

export interface PlanRequest extends RunRequest {
  /** Manifests of the baseline (files, directories, globs), e.g. the base branch checked out elsewhere. */
  baseline?: string[];
  /** Ask each image's registry whether it exists (default false here; the CLI and the action default to true). */
  checkImages?: boolean;
  /** The `registry-credentials` input: lines `HOST=USERNAME:PASSWORD` or a docker config JSON. Never logged. */
  registryCredentials?: string;
  /** The time budget of one image's check, in milliseconds (default 10 s). */
  imageCheckTimeoutMs?: number;
}

export interface PlanRun {
  plan: Plan;
  /** What the simulated gate logged (apply, progress lines), for a collapsed log group. */
  simulationLog: string[];
}

/**
 * Runs the dry run. Input problems come back as a plan with verdict `invalid`. `checker` replaces
 * the registry client (tests); it is used only when `request.checkImages`.
 */
export async function runPlan(request: PlanRequest, loadKube?: LoadKube, checker?: ImageChecker): Promise<PlanRun> {
  const errors: InputError[] = [];
  const { policy, rollbackTimeoutSeconds, failedToleranceSeconds, problems } = policyFrom(request);
  errors.push(...problems.map((p) => ({ message: p.message })));
  // The same health rules as the deploy: the dry run waits on the objects as the real run will.
  const health = request.healthChecks ? loadHealthChecks(request.healthChecks, request.cwd) : { errors: [] };
  errors.push(...health.errors);
  const simulated = loadScenario(request);
  errors.push(...simulated.errors);
  const invalid = (more: InputError[] = []): PlanRun => ({
    plan: {
      verdict: 'invalid',
      workloads: [],
      objects: [],
      errors: [...errors, ...more],
      baselineSource: '',
      capacity: UNKNOWN_CAPACITY,
      images: IMAGES_NOT_ASKED,
    },
    simulationLog: [],
  });

  const manifests = loadManifests({
    patterns: request.manifests,
    cwd: request.cwd,
    namespace: request.namespace,
    images: request.images,
  });
  errors.push(...manifests.errors);
  if (errors.length === 0 && manifests.documents.length === 0)
    errors.push({ message: 'the manifests contain no objects to apply' });
  if (errors.length > 0) return invalid();
  // Every workload the gate rolls out; the other objects come back from the gate's health waits.
  const workloadDocs = manifests.documents.filter((d) => isWorkloadKind(d.object.apiVersion, d.object.kind));
  const refs: WorkloadRef[] = workloadDocs.map((d) => ({
    namespace: d.object.metadata.namespace ?? 'default',
    name: d.object.metadata.name ?? '',
    kind: d.object.kind as WorkloadKind,
  }));

  // The capacity: the scenario's nodes when it names any, else not known (until a live cluster says).
  let capacity: PlannedCapacity = scenarioCapacity(simulated.scenario);
  // The baseline objects.
  let baselineObjects: KubeObject[] = simulated.objects.map((d) => d.object);
  let baselineSource = request.scenario ? `the objects of scenario ${request.scenario}` : 'none (every object is new)';
  if (request.baseline && request.baseline.length > 0) {
    const base = loadManifests({ patterns: request.baseline, cwd: request.cwd, namespace: request.namespace });
    // A file of the PR that does not exist on the base branch is simply new.
    const real = base.errors.filter((e) => !/does not exist|no files match|no manifest files/i.test(e.message));
    if (real.length > 0) return invalid(real);
    baselineObjects = replaceByKey(
      baselineObjects,
      base.documents.map((d) => d.object),
    );
    baselineSource = `the manifests of ${request.baseline.join(', ')}`;
  } else if (!request.simulate && (request.kubeconfigContent || request.kubeconfigPath || request.context)) {
    if (!loadKube) throw new Error('runPlan: a cluster baseline needs the kube adapter (loadKube)');
    const read = await readLiveWorkloads(request, loadKube, policy.timeoutSeconds, refs);
    if ('errors' in read) return invalid(read.errors);
    baselineObjects = replaceByKey(baselineObjects, read.objects);
    baselineSource = `the live workloads of ${read.describe} (read only)`;
    capacity = read.capacity;
  }

  const tooBig = beyondSimulator([
    ...baselineObjects.map((object) => ({ file: request.scenario ?? '', line: 0, object })),
    ...manifests.documents,
  ]);
  if (tooBig.length > 0) return invalid(tooBig);

  // The registries' answers: a missing or refused image fails the simulated pull.
  let imageChecker: ImageChecker | undefined;
  const notes: string[] = [];
  if (request.checkImages) {
    const credentials = loadCredentials(request.registryCredentials);
    if (credentials.errors.length > 0) return invalid(credentials.errors.map((message) => ({ message })));
    notes.push(...credentials.notes);
    imageChecker = checker ?? registryClient(new RealClock(), credentials.store, request.imageCheckTimeoutMs);
  }
  const checked = await checkPlanImages(manifests.documents, simulated.scenario, imageChecker, notes);

  // No namespace is created for the manifests: one that does not exist fails as on a real cluster.
  const { cluster } = createSimulatedCluster(checked.scenario, {
    objects: baselineObjects,
    ...(capacity.nodes ? { nodes: capacity.nodes } : {}),
  });
  const unknown = await resolveKinds(cluster, manifests.documents, { namespace: request.namespace });
  if (unknown.length > 0) return invalid(unknown);
  const recorder = new Recorder(cluster);
  await cluster.watch(refs);
  const before = new Map<string, WorkloadObservation>();
  for (const ref of refs) before.set(key(ref), await cluster.observe(ref));

  const lines: string[] = [];
  const log: GateLog = {
    info: (l) => lines.push(l),
    // As the CLI prints them: the location once, before the level.
    warn: (l, where) => lines.push(`${at(where)}warning: ${l}`),
    error: (l, where) => lines.push(`${at(where)}error: ${l}`),
    group: async (name, fn) => {
      lines.push(`== ${name}`);
      return fn();
    },
  };
  const result = await runGate(
    recorder.client,
    {
      documents: manifests.documents,
      policy,
      rollback: 'never',
      // The plan never rolls back (nothing real to restore); warn only when the user said never.
      rollbackNeverChosen: request.rollback === 'never',
      rollbackTimeoutSeconds,
      onNoGoodRevision: 'leave',
      force: request.forceConflicts,
      failedToleranceSeconds,
      ...(health.checks ? { healthChecks: health.checks } : {}),
    },
    log,
  );
  const appliedAt = recorder.appliedAt ?? cluster.clock.now();

  const workloads: PlanWorkloadInput[] = [];
  for (const [i, doc] of workloadDocs.entries()) {
    const ref = refs[i]!;
    const applyError = result.errors.find((e) => e.file === doc.file && e.line === doc.line)?.message;
    workloads.push({
      ...(await workloadInput(cluster, ref, doc, before.get(key(ref))!, appliedAt, applyError)),
      availability: recorder.availability(ref, appliedAt),
      ...outcomeOf(result.workloads, ref),
    });
  }
  const located = new Map(manifests.documents.map((d) => [objectKey(d.object), d]));
  const objects: PlanObjectInput[] = (result.objects ?? []).map((o) => {
    const doc = located.get(`${o.kind}/${o.namespace ?? 'default'}/${o.name}`);
    return { ...o, ...(doc ? { file: doc.file, line: doc.line } : {}) };
  });
  await cluster.close();
  const plan = buildPlan({
    workloads,
    objects,
    timeoutSeconds: policy.timeoutSeconds,
    baselineSource,
    capacity: capacity.assumption,
    images: checked.images,
  });
  // An apply rejected for an object that is not a workload still fails the plan.
  const others = result.errors.filter((e) => !workloads.some((w) => w.applyError === e.message));
  if (others.length > 0) plan.errors.push(...others);
  if (others.length > 0 && plan.verdict !== 'fails') plan.verdict = 'fails';
  return { plan, simulationLog: lines };
}

/**
 * What the plan reads of one workload: as it was, as the change leaves it (a rejected apply leaves
 * the old object in place: lint and diff what the change asked for), and for a Deployment the
 * controller's scaling events of this rollout.
 */
async function workloadInput(
  cluster: ClusterClient,
  ref: WorkloadRef,
  doc: ManifestDocument,
  was: WorkloadObservation,
  appliedAt: number,
  applyError: string | undefined,
): Promise<Omit<PlanWorkloadInput, 'availability' | 'outcome'>> {
  const now = await cluster.observe(ref);
  const stored = now.deployment ?? now.workload;
  const after = applyError || !stored ? (doc.object as PlannedWorkload) : stored;
  const previous = was.deployment ?? was.workload;
  const seen = new Set(was.events.map((e) => `${e.metadata.name}#${e.count ?? 1}`));
  const scalingEvents = now.events
    .filter((e) => e.reason === 'ScalingReplicaSet' && e.involvedObject.kind === 'Deployment')
    .filter((e) => !seen.has(`${e.metadata.name}#${e.count ?? 1}`))
    .map((e) => ({
      t: Math.max(0, Math.round(((parseTime(e.lastTimestamp ?? e.firstTimestamp) ?? appliedAt) - appliedAt) / 1000)),
      message: e.message ?? '',
    }));
  const newRs = now.deployment ? findNewReplicaSet(now.deployment, now.replicaSets) : undefined;
  return {
    kind: workloadKindOf(ref),
    namespace: ref.namespace,
    name: ref.name,
    file: doc.file,
    line: doc.line,
    imageLines: doc.imageLines,
    ...(previous ? { before: previous } : {}),
    after,
    replicaSetsBefore: was.replicaSets.map((rs) => ({ name: rs.metadata.name ?? '', replicas: rs.spec.replicas ?? 0 })),
    ...(newRs?.metadata.name ? { newReplicaSet: newRs.metadata.name } : {}),
    scalingEvents,
    podsBefore: podLoad(was.pods),
    ...(applyError ? { applyError } : {}),
  };
}

/** The pods that hold room on the nodes (not terminating) and what they request together. */
function podLoad(pods: readonly Pod[]): { pods: number; requests: Capacity } {
  const running = pods.filter(
    (p) => !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''),
  );
  return { pods: running.length, requests: sumCapacities(running.map(podRequests)) };
}

/** The gate's verdict on `ref`, as the plan input's optional `outcome`. */
function outcomeOf(results: readonly WorkloadResult[], ref: WorkloadRef): { outcome?: WorkloadResult } {
  const outcome = results.find((w) => sameWorkload(w, ref));
  return outcome ? { outcome } : {};
}

function sameWorkload(w: { namespace: string; name: string; kind?: WorkloadKind }, ref: WorkloadRef): boolean {
  return w.namespace === ref.namespace && w.name === ref.name && workloadKindOf(w) === workloadKindOf(ref);
}

function key(ref: WorkloadRef): string {
  return `${workloadKindOf(ref)}/${ref.namespace}/${ref.name}`;
}

function objectKey(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name ?? ''}`;
}

function replaceByKey(base: KubeObject[], override: KubeObject[]): KubeObject[] {
  const keys = new Set(override.map(objectKey));
  return [...base.filter((o) => !keys.has(objectKey(o))), ...override];
}

/**
 * Reads the live workloads the manifests name, read only (the adapter's watch and observe do
 * LIST and WATCH, nothing else), as objects to pre-create in the simulated cluster: their spec,
 * labels and annotations; the simulated controllers rebuild their ReplicaSets or pods from the template.
 */
async function readLiveWorkloads(
  request: RunRequest,
  loadKube: LoadKube,
  budgetSeconds: number,
  refs: WorkloadRef[],
): Promise<{ objects: KubeObject[]; describe: string; capacity: PlannedCapacity } | { errors: InputError[] }> {
  const connection = await connectReal(request, loadKube, budgetSeconds);
  if (!('cluster' in connection)) return { errors: connection.errors };
  const cluster: ClusterClient = connection.cluster;
  try {
    await cluster.watch(refs);
    const objects: KubeObject[] = [];
    // Their pods run again in the simulation: counted there, not as the cluster's other load.
    const recreated = new Set<string>();
    for (const ref of refs) {
      const observed = await cluster.observe(ref);
      const w = observed.deployment ?? observed.workload;
      if (!w) continue;
      for (const pod of observed.pods) recreated.add(pod.metadata.uid ?? '');
      const annotations = { ...(w.metadata.annotations ?? {}) };
      delete annotations['deployment.kubernetes.io/revision'];
      delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
      objects.push({
        apiVersion: 'apps/v1',
        kind: workloadKindOf(ref),
        metadata: {
          name: w.metadata.name,
          namespace: w.metadata.namespace,
          ...(w.metadata.labels ? { labels: w.metadata.labels } : {}),
          annotations,
        },
        spec: w.spec,
      } as PlannedWorkload);
    }
    const capacity = await readLiveCapacity(cluster, recreated);
    return { objects, describe: cluster.describe(), capacity };
  } catch (err) {
    return { errors: [{ message: `cannot read the baseline from ${cluster.describe()}: ${(err as Error).message}` }] };
  } finally {
    await cluster.close();
  }
}

/** Wraps the simulated cluster's client: notes when the gate applies, and availability and pods per observation. */
class Recorder {
  appliedAt?: number;
  private readonly samples = new Map<
    string,
    Array<{ at: number; available: number; pods: number; requests: Capacity }>
  >();
  readonly client: ClusterClient;

  constructor(inner: ClusterClient) {
    const note = (at: number) => (this.appliedAt ??= at);
    const record = (ref: WorkloadRef, at: number, obs: WorkloadObservation) => {
      const w = obs.deployment ?? obs.workload;
      if (this.appliedAt === undefined || !w) return;
      const list = this.samples.get(key(ref)) ?? [];
      list.push({ at, available: availableReplicas(workloadKindOf(ref), w), ...podLoad(obs.pods) });
      this.samples.set(key(ref), list);
    };
    this.client = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'apply')
          return (...args: Parameters<ClusterClient['apply']>) => {
            note(target.clock.now());
            return target.apply(...args);
          };
        if (prop === 'observe')
          return async (ref: WorkloadRef) => {
            const obs = await target.observe(ref);
            record(ref, target.clock.now(), obs);
            return obs;
          };
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  availability(ref: WorkloadRef, origin: number): PlanWorkloadInput['availability'] {
    return (this.samples.get(key(ref)) ?? []).map((s) => ({
      t: Math.round((s.at - origin) / 100) / 10,
      available: s.available,
      pods: s.pods,
      requests: s.requests,
    }));
  }
}

/** `file:line: ` before a log line, or nothing. */
function at(where: { file?: string; line?: number } | undefined): string {
  const loc = location(where?.file, where?.line);
  return loc ? `${loc}: ` : '';
}
