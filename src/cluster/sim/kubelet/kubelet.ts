import type { Condition, ContainerStatus, Node, Pod, PodStatus } from '../../../k8s/objects.js';
import type { Controller, ControllerContext } from '../controllers/controller.js';
import type { StoreEvent } from '../store/objectStore.js';
import { copyJson, jsonEqual } from '../store/jsonValue.js';
import { timestamp as rfc3339 } from '../store/timestamp.js';
import { missingEnvConfig, missingVolumeSource } from './config.js';
import { fnv1a, parseImageReference, type ImageReference } from './images.js';
import { getPhase, isTerminalPhase, terminalReadyReason } from './phase.js';
import { podQos } from './podCreate.js';
import { ContainerLogs, type LogLine, type LogOptions } from './logs.js';
import { STAGES, type StageContext } from './stages.js';
import { DEFAULT_IMAGE_BEHAVIOUR, type ContainerRun, type ImageBehaviour, type KubeletOptions } from './types.js';

/** Volume mount retries: 500ms doubling to 2m2s (nestedpendingoperations' exponential back-off). */
const MOUNT_BACKOFF_INITIAL_MS = 500;
const MOUNT_BACKOFF_MAX_MS = 122_000;

interface PodRun {
  uid: string;
  node: string;
  containers: ContainerRun[];
  podIP: string;
  hostIP: string;
  startTime: number;
  mountFailures: number;
  mountRetryAt: number;
  mounted: boolean;
  removeAt?: number;
}

/**
 * Every node's kubelet in one component: runs the bound pods of existing nodes through the container
 * lifecycle of stages.ts on virtual-time timers, writes pod status through the status subresource, records
 * the kubelet's events, caches pulled images per node, keeps simulated container logs, and finishes graceful
 * deletion (removes the pod `min(grace, stopSeconds)` after the deletionTimestamp was set; default 1s).
 *
 * Wake-ups are grouped per virtual instant (one clock timer per distinct due time), so 10,000 pods that become
 * ready together cost one settle, not 10,000.
 * Unassigned pods that get a deletionTimestamp are removed at once (the API server deletes unscheduled pods
 * without grace). Init containers are not run: they count as completed.
 */
export class Kubelet implements Controller {
  readonly name = 'kubelet';
  private readonly runs = new Map<string, PodRun>();
  private readonly agenda = new Map<number, Set<string>>();
  private readonly images = new Map<string, Map<string, number>>();
  private readonly nodeIndex = new Map<string, number>();
  private readonly ipCounter = new Map<string, number>();
  /** resourceVersion of each pod's last write by this kubelet, to skip reacting to our own writes. */
  private readonly written = new Map<string, string>();
  private readonly logStore = new ContainerLogs();
  private readonly stopSeconds: number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly options: KubeletOptions = {},
  ) {
    this.stopSeconds = options.stopSeconds ?? 1;
  }

  /** Last lines logged by a container (`kubectl logs [--previous] [--tail N]`); [] when unknown. */
  logs(namespace: string, pod: string, container?: string, options: LogOptions = {}): string[] {
    const run = this.runs.get(`${namespace}/${pod}`);
    if (!run) return [];
    return this.logStore.read(run.uid, container ?? run.containers[0]?.name ?? '', options);
  }

  /** The timed lines of a container's current (or `previous`) run, for `kubectl logs -f/--since/--timestamps`. */
  logLines(namespace: string, pod: string, container: string, previous = false): LogLine[] {
    const run = this.runs.get(`${namespace}/${pod}`);
    return run ? this.logStore.lines(run.uid, container, previous) : [];
  }

  keysFor(event: StoreEvent): string[] {
    if (event.kind === 'ConfigMap' || event.kind === 'Secret')
      return this.configWaiters(event.object.metadata.namespace ?? 'default');
    if (event.kind === 'Node') return event.type === 'ADDED' ? this.podsOn(event.object.metadata.name!) : [];
    if (event.kind !== 'Pod') return [];
    const pod = event.object as Pod;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (event.type === 'DELETED') {
      const run = this.runs.get(key);
      if (run && run.uid === pod.metadata.uid) this.forget(key, run);
      return [];
    }
    if (!pod.spec?.nodeName && !pod.metadata.deletionTimestamp) return [];
    if (this.written.get(key) === pod.metadata.resourceVersion) return [];
    return [key];
  }

  sync(key: string): void {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const pod = this.ctx.store.get<Pod>('Pod', ns, name);
    let run = this.runs.get(key);
    if (!pod) {
      if (run) this.forget(key, run);
      return;
    }
    if (!pod.spec?.nodeName) {
      if (pod.metadata.deletionTimestamp) this.ctx.store.remove('Pod', ns, name);
      return;
    }
    if (run && run.uid !== pod.metadata.uid) {
      this.forget(key, run);
      run = undefined;
    }
    if (nodeLost(this.ctx.store.get<Node>('Node', undefined, pod.spec.nodeName))) return; // kubelet unreachable
    const now = this.ctx.clock.now();
    if (!run) {
      if (!this.ctx.store.get<Node>('Node', undefined, pod.spec.nodeName)) return; // no kubelet on a missing node
      run = this.start(key, pod, now);
    }
    if (pod.metadata.deletionTimestamp) {
      if (run.removeAt === undefined) {
        for (const c of run.containers) {
          if (c.state.running) this.event(pod, run, 'Normal', 'Killing', `Stopping container ${c.name}`);
        }
        const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
        run.removeAt = now + Math.min(grace, this.stopSeconds) * 1000;
      }
      if (now >= run.removeAt) {
        this.ctx.store.remove('Pod', ns, name);
        return;
      }
      this.wake(key, run.removeAt);
      return;
    }
    this.advance(key, pod, run, now);
    this.writeStatus(key, pod, run, now);
    let next: number | undefined = run.mounted ? undefined : run.mountRetryAt;
    for (const c of run.containers) if (c.due !== undefined && (next === undefined || c.due < next)) next = c.due;
    if (next !== undefined) this.wake(key, next);
  }

  private start(key: string, pod: Pod, now: number): PodRun {
    const node = pod.spec.nodeName!;
    if (!this.nodeIndex.has(node)) this.nodeIndex.set(node, this.nodeIndex.size);
    const index = this.nodeIndex.get(node)!;
    const n = (this.ipCounter.get(node) ?? 0) + 1;
    this.ipCounter.set(node, n);
    const nodeObj = this.ctx.store.get<Node>('Node', undefined, node);
    const addresses = (nodeObj?.status?.addresses ?? []) as Array<{ type: string; address: string }>;
    const lookup = this.options.imageBehaviour;
    const run: PodRun = {
      uid: pod.metadata.uid!,
      node,
      podIP: `10.244.${index % 256}.${((n - 1) % 253) + 2}`,
      hostIP: addresses.find((a) => a.type === 'InternalIP')?.address ?? `10.0.0.${(index % 250) + 2}`,
      startTime: now,
      mountFailures: 0,
      mountRetryAt: now,
      mounted: false,
      containers: pod.spec.containers.map((spec) => {
        const image = spec.image ?? '';
        return {
          name: spec.name,
          image,
          pullPolicy: spec.imagePullPolicy ?? 'IfNotPresent',
          ref: parseImageReference(image),
          behaviour: behaviourOf(lookup?.(image) ?? {}),
          stage: 'Creating',
          next: 'Creating',
          due: undefined,
          state: { waiting: { reason: 'ContainerCreating' } },
          lastState: {},
          ready: false,
          started: false,
          everStarted: false,
          restartCount: 0,
          imageID: '',
          containerID: '',
          pullFailures: 0,
          pullRetryAt: 0,
          crashBackoffMs: 0,
          crashBackoffUpdated: 0,
          startedAt: 0,
          finishedAt: 0,
          pullStartedAt: 0,
        };
      }),
    };
    this.runs.set(key, run);
    return run;
  }

  /** Fires every stage transition due by now; volumes must mount before any container starts. */
  private advance(key: string, pod: Pod, run: PodRun, now: number): void {
    if (!run.mounted) {
      if (now < run.mountRetryAt) return;
      const missing = missingVolumeSource(this.ctx.store, pod);
      if (missing) {
        this.event(
          pod,
          run,
          'Warning',
          'FailedMount',
          `MountVolume.SetUp failed for volume "${missing.volume}" : ${missing.message}`,
        );
        run.mountRetryAt = now + Math.min(MOUNT_BACKOFF_INITIAL_MS * 2 ** run.mountFailures++, MOUNT_BACKOFF_MAX_MS);
        return;
      }
      run.mounted = true;
      for (const c of run.containers) c.due = now;
    }
    for (let i = 0; i < run.containers.length; i++) {
      const c = run.containers[i]!;
      // A ConfigMap/Secret change re-checks a config error at once.
      if (c.stage === 'CreateContainerConfigError' && !missingEnvConfig(this.ctx.store, pod, pod.spec.containers[i]!))
        c.due = now;
      let guard = 0;
      while (c.next !== undefined && c.due !== undefined && c.due <= now) {
        if (++guard > 100) throw new Error(`kubelet: container ${c.name} of ${key} loops at stage ${c.stage}`);
        const stage = c.next;
        c.stage = stage;
        const t = STAGES[stage](this.stageContext(pod, run, c, i, now));
        c.next = t?.next;
        c.due = t ? now + t.afterMs : undefined;
      }
    }
  }

  private stageContext(pod: Pod, run: PodRun, c: ContainerRun, index: number, now: number): StageContext {
    const cache = this.imageCache(run.node);
    return {
      c,
      pod,
      now,
      podLabel: `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
      event: (type, reason, message) => this.event(pod, run, type, reason, message),
      log: (line) => this.logStore.append(run.uid, c.name, c.restartCount, now, line),
      imageOnNodeAt: (ref: ImageReference) => cache.get(ref.normalized),
      startPull: (ref, doneAt) => cache.set(ref.normalized, doneAt),
      failPull: (ref) => cache.delete(ref.normalized),
      missingConfig: () => missingEnvConfig(this.ctx.store, pod, pod.spec.containers[index]!),
      containerId: () => `containerd://${containerHex(run.uid, c.name, c.restartCount)}`,
    };
  }

  private writeStatus(key: string, pod: Pod, run: PodRun, now: number): void {
    const status = this.podStatus(pod, run, now);
    if (jsonEqual(status, pod.status ?? {})) return;
    const updated = this.ctx.store.update('Pod', { ...pod, status }, { subresource: 'status' });
    this.written.set(key, updated.metadata.resourceVersion!);
  }

  /** The pod status the kubelet's generateAPIPodStatus would report (conditions in the API server's order). */
  private podStatus(pod: Pod, run: PodRun, now: number): PodStatus {
    const containerStatuses: ContainerStatus[] = run.containers.map((c) => {
      const s: ContainerStatus & Record<string, unknown> = {
        name: c.name,
        state: copyJson(c.state),
        lastState: copyJson(c.lastState),
        ready: c.ready,
        restartCount: c.restartCount,
        image: c.image,
        imageID: c.imageID,
        started: c.started,
      };
      if (c.containerID) s.containerID = c.containerID;
      return s;
    });
    const unready = run.containers.filter((c) => !c.ready).map((c) => c.name);
    const allReady = unready.length === 0;
    const old = pod.status?.conditions ?? [];
    const cond = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
      const prev = old.find((c) => c.type === type);
      const status = ok ? 'True' : 'False';
      const c: Condition = {
        type,
        status,
        lastProbeTime: null,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : rfc3339(now),
      };
      if (!ok && reason) c.reason = reason;
      if (!ok && message) c.message = message;
      return c;
    };
    const notReadyMsg = `containers with unready status: [${unready.join(' ')}]`;
    const scheduled = old.find((c) => c.type === 'PodScheduled');
    const restartPolicy = pod.spec.restartPolicy ?? 'Always';
    // Pods that always restart keep the simulator's historical rule (recorded traces depend on it); the
    // run-to-completion policies follow getPhase, which can end the pod.
    const phase =
      restartPolicy === 'Always'
        ? run.containers.some((c) => c.everStarted)
          ? 'Running'
          : 'Pending'
        : getPhase(restartPolicy, run.containers);
    const terminal = isTerminalPhase(phase);
    const readyReason = terminal ? terminalReadyReason(phase) : 'ContainersNotReady';
    const readyMessage = terminal ? undefined : notReadyMsg;
    const initialized = cond('Initialized', true);
    // GeneratePodInitializedCondition: a pod whose containers all succeeded is Initialized with PodCompleted.
    if (phase === 'Succeeded') initialized.reason = 'PodCompleted';
    const conditions: Condition[] = [
      // The sandbox of a finished pod is torn down (PodReadyToStartContainers False).
      cond('PodReadyToStartContainers', !terminal),
      initialized,
      cond('Ready', allReady && !terminal, readyReason, readyMessage),
      cond('ContainersReady', allReady && !terminal, readyReason, readyMessage),
      scheduled ?? cond('PodScheduled', true),
    ];
    return {
      phase,
      conditions,
      hostIP: run.hostIP,
      hostIPs: [{ ip: run.hostIP }],
      podIP: run.podIP,
      podIPs: [{ ip: run.podIP }],
      startTime: rfc3339(run.startTime),
      containerStatuses,
      // generateAPIPodStatus keeps the QoS class the API server set at creation.
      qosClass: (pod.status as { qosClass?: string } | undefined)?.qosClass ?? podQos(pod),
    } as PodStatus;
  }

  private event(pod: Pod, run: PodRun, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctx.events.record(pod, type, reason, message, 'kubelet', run.node);
  }

  private imageCache(node: string): Map<string, number> {
    let cache = this.images.get(node);
    if (!cache) this.images.set(node, (cache = new Map()));
    return cache;
  }

  /** One clock timer per distinct due time; each wakes every pod due then. */
  private wake(key: string, at: number): void {
    let keys = this.agenda.get(at);
    if (!keys) {
      this.agenda.set(at, (keys = new Set()));
      this.ctx.clock.at(at, 'kubelet', () => {
        const due = this.agenda.get(at);
        this.agenda.delete(at);
        for (const k of due ?? []) this.ctx.enqueue(this.name, k);
      });
    }
    keys.add(key);
  }

  private configWaiters(namespace: string): string[] {
    const keys: string[] = [];
    for (const [key, run] of this.runs) {
      if (!key.startsWith(`${namespace}/`)) continue;
      if (!run.mounted) run.mountRetryAt = this.ctx.clock.now(); // a new ConfigMap/Secret may complete the mounts
      if (!run.mounted || run.containers.some((c) => c.stage === 'CreateContainerConfigError')) keys.push(key);
    }
    return keys;
  }

  private podsOn(node: string): string[] {
    return this.ctx.store
      .list<Pod>('Pod', undefined, { fieldSelector: { 'spec.nodeName': node } })
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
  }

  private forget(key: string, run: PodRun): void {
    this.runs.delete(key);
    this.written.delete(key);
    this.logStore.drop(run.uid);
  }
}

/** The image's behaviour over the defaults; a run-to-completion container exits 0 unless told otherwise. */
function behaviourOf(spec: ImageBehaviour): ContainerRun['behaviour'] {
  const b = { ...DEFAULT_IMAGE_BEHAVIOUR, ...spec };
  if (spec.runSeconds !== undefined && spec.exitCode === undefined && !spec.crash) b.exitCode = 0;
  return b;
}

/** A stable 64-hex container id: the pod uid's hex digits, salted per container and restart. */
function containerHex(uid: string, name: string, restart: number): string {
  const hex = uid.replace(/-/g, '');
  const salt = fnv1a(`${name}/${restart}`).toString(16).padStart(8, '0');
  return (salt + hex + salt + hex).slice(0, 64);
}

/** A node whose kubelet stopped posting status (chaos `loseNode`): its kubelet does nothing. */
function nodeLost(node: Node | undefined): boolean {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown';
}
