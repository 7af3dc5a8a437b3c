/**
 * One long-lived simulated cluster behind the Kubernetes REST facade (`startApiServer`, what
 * `rollout-gate serve` runs), driven the way users drive a real one: the gate through its real
 * adapter (client-node over HTTP), people through the real `kubectl`, an autoscaler through the
 * scale subresource. Simulated time runs SPEED times real time; the gate's clock reads the
 * simulation's virtual time, so its windows mean the same simulated seconds as in-process.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RealClock } from '../../src/clock/realClock.js';
import { KubeCluster } from '../../src/cluster/kube/kubeCluster.js';
import { kubeletLogReader } from '../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerHandle } from '../../src/cluster/sim/api/server.js';
import {
  createSimulatedCluster,
  defaultScenario,
  type Scenario,
  type Simulation,
} from '../../src/cluster/sim/index.js';
import type { ImageBehaviour } from '../../src/cluster/sim/kubelet/types.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import { exitCodeFor, type GateResult } from '../../src/gate/result.js';
import { runGate, type GateInput } from '../../src/gate/runGate.js';
import type { Deployment, KubeObject, ReplicaSet } from '../../src/k8s/objects.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import { deployment, documents } from '../gate/support.js';
import { Kubectl } from '../sim/api/harness.js';

/** Virtual seconds per real second (env LIFECYCLE_SPEED). */
export const SPEED = Number(process.env.LIFECYCLE_SPEED ?? 25);

/**
 * The gate's clock over HTTP: `now` is the served simulation's virtual time, sleeps last
 * `ms / SPEED` real milliseconds. `kill()` stops it for good, like the process it stands for:
 * no sleep resolves and no interval fires any more.
 */
export class ServedClock extends RealClock {
  private dead = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly stops = new Set<() => void>();

  constructor(
    private readonly simulation: Simulation,
    private readonly speed = SPEED,
  ) {
    super();
  }
  override now(): number {
    return this.simulation.clock.now();
  }
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (this.dead) return;
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        this.timers.delete(timer);
        signal?.removeEventListener('abort', done);
        if (!this.dead) resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms / this.speed));
      this.timers.add(timer);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
  override every(ms: number, fn: () => void): () => void {
    const stop = super.every(ms / this.speed, () => {
      if (!this.dead) fn();
    });
    this.stops.add(stop);
    return () => {
      this.stops.delete(stop);
      stop();
    };
  }
  /** Stops for good: pending sleeps never resolve, intervals never fire again, no timer is left behind. */
  kill(): void {
    this.dead = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const stop of this.stops) stop();
    this.stops.clear();
  }
}

/**
 * A TCP pass-through in front of the server whose `cut()` is a SIGKILL of everything behind it:
 * every open connection is destroyed and every later one is accepted and never answered.
 */
export class KillSwitch {
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<KillSwitch> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new KillSwitch(server, (server.address() as AddressInfo).port);
    const { connect } = await import('node:net');
    server.on('connection', (client: Socket) => {
      proxy.sockets.add(client);
      client.on('close', () => proxy.sockets.delete(client));
      client.on('error', () => client.destroy());
      if (proxy.cutOff) return; // accepted, never answered
      const upstream = connect(targetPort, '127.0.0.1');
      proxy.sockets.add(upstream);
      upstream.on('close', () => proxy.sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    return proxy;
  }

  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The gate policy of these tests: the defaults' windows shortened, in the defaults' order. */
export const LIFECYCLE_POLICY = {
  ...DEFAULT_POLICY,
  timeoutSeconds: 240,
  stallSeconds: 45,
  unschedulableGraceSeconds: 20,
};

export interface GateOutcome {
  result: GateResult;
  log: MemoryLog;
  exitCode: number;
}

/** The served cluster with its kubectl, and ways to run the gate against it. */
export class ServedCluster {
  readonly kubectl: Kubectl;
  private readonly switches = new Set<KillSwitch>();
  private readonly clients = new Set<KubeCluster>();

  private constructor(
    readonly simulation: Simulation,
    readonly scenario: Scenario,
    readonly server: ApiServerHandle,
    readonly speed: number,
  ) {
    this.kubectl = new Kubectl(server.kubeconfig());
  }

  /** A cluster where `objects` exist and are rolled out, `images` behave as given. */
  static async start(
    objects: KubeObject[],
    images: Record<string, ImageBehaviour> = {},
    speed = SPEED,
  ): Promise<ServedCluster> {
    const scenario = defaultScenario();
    scenario.nodes.count = 4;
    Object.assign(scenario.images, images);
    const { simulation, kubelet } = createSimulatedCluster(scenario, { objects });
    const server = await startApiServer({
      simulation,
      port: 0,
      speed,
      tickMs: 10,
      readLogs: kubeletLogReader(kubelet),
    });
    return new ServedCluster(simulation, scenario, server, speed);
  }

  /** How `image` behaves from now on (the kubelet reads the scenario at each pull and start). */
  plant(image: string, behaviour: ImageBehaviour): void {
    this.scenario.images[image] = behaviour;
  }

  get now(): number {
    return this.simulation.clock.now();
  }

  deployment(name: string): Deployment | undefined {
    return this.simulation.store.get<Deployment>('Deployment', 'default', name);
  }

  replicaSets(name: string): ReplicaSet[] {
    const d = this.deployment(name);
    return d ? this.simulation.store.listOwnedBy<ReplicaSet>('ReplicaSet', d.metadata.uid!) : [];
  }

  image(name: string): string | undefined {
    return this.deployment(name)?.spec.template.spec?.containers[0]?.image;
  }

  /** A gate client over HTTP; through a kill switch when `killable`. */
  async client(killable = false): Promise<{ cluster: KubeCluster; clock: ServedClock; kill: () => void }> {
    const clock = new ServedClock(this.simulation, this.speed);
    let kubeconfig = this.server.kubeconfig();
    let proxy: KillSwitch | undefined;
    if (killable) {
      proxy = await KillSwitch.start(this.server.port);
      this.switches.add(proxy);
      kubeconfig = kubeconfig.replace(`:${this.server.port}`, `:${proxy.port}`);
    }
    const cluster = KubeCluster.fromOptions(
      { kubeconfigContent: kubeconfig },
      { clock, requestTimeoutMs: 30_000 * this.speed, watchIdleTimeoutMs: 120_000 * this.speed },
    );
    // A killable client is never closed: a killed process closes nothing (its proxy is cut instead).
    if (!killable) this.clients.add(cluster);
    return {
      cluster,
      clock,
      kill: () => {
        clock.kill();
        proxy?.cut();
      },
    };
  }

  /** Runs the gate once over HTTP with the lifecycle policy; `input` overrides. */
  async gate(objects: KubeObject[], input: Partial<GateInput> = {}): Promise<GateOutcome> {
    const { cluster } = await this.client();
    const log = new MemoryLog();
    try {
      const result = await runGate(cluster, gateInput(objects, input), log);
      return { result, log, exitCode: exitCode(result) };
    } finally {
      this.clients.delete(cluster);
      await cluster.close();
    }
  }

  /**
   * Starts a gate run and returns at once with its pending outcome and a `kill` that stops it dead
   * (no cleanup, no lease release, no rollback), as SIGKILL would.
   */
  async startKillable(
    objects: KubeObject[],
    input: Partial<GateInput> = {},
  ): Promise<{ outcome: Promise<GateOutcome>; kill: () => void }> {
    const { cluster, kill } = await this.client(true);
    const log = new MemoryLog();
    const outcome = runGate(cluster, gateInput(objects, input), log).then((result) => ({
      result,
      log,
      exitCode: exitCode(result),
    }));
    // A killed run never settles; nobody waits on it.
    outcome.catch(() => undefined);
    return { outcome, kill };
  }

  /** The autoscaler: a merge patch of the scale subresource, manager horizontal-pod-autoscaler (operation Update). */
  async autoscale(name: string, replicas: number): Promise<number> {
    const res = await fetch(
      `${this.server.url}/apis/apps/v1/namespaces/default/deployments/${name}/scale?fieldManager=horizontal-pod-autoscaler`,
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json' },
        body: JSON.stringify({ spec: { replicas } }),
      },
    );
    await res.text();
    return res.status;
  }

  /** A person's image change exactly as `kubectl set image` sends it (strategic merge, manager kubectl-set), without the process start. */
  async setImageQuickly(name: string, container: string, image: string): Promise<number> {
    const res = await fetch(
      `${this.server.url}/apis/apps/v1/namespaces/default/deployments/${name}?fieldManager=kubectl-set`,
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
        body: JSON.stringify({
          spec: {
            template: {
              spec: { '$setElementOrder/containers': [{ name: container }], containers: [{ image, name: container }] },
            },
          },
        }),
      },
    );
    await res.text();
    return res.status;
  }

  /** Waits (polling the in-process store every few real ms) until `cond` holds; false after `realMs`. */
  async until(cond: () => boolean, realMs = 20_000): Promise<boolean> {
    const deadline = Date.now() + realMs;
    while (!cond()) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return true;
  }

  /** kubectl's success rule on the stored Deployment (https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/rollout_status.go). */
  rolledOut(name: string): boolean {
    const d = this.deployment(name);
    const s = d?.status;
    const want = d?.spec.replicas ?? 1;
    return (
      !!d &&
      !!s &&
      (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
      (s.updatedReplicas ?? 0) === want &&
      (s.replicas ?? 0) === want &&
      (s.availableReplicas ?? 0) === want
    );
  }

  /** Lets `seconds` of simulated time pass at once (nobody's sleep is shortened: the ticker keeps running). */
  advance(seconds: number): void {
    this.simulation.advance(seconds * 1000);
  }

  async close(): Promise<void> {
    for (const s of this.switches) await s.close();
    for (const c of this.clients) await c.close().catch(() => undefined);
    this.kubectl.cleanup();
    await this.server.close();
  }
}

function gateInput(objects: KubeObject[], input: Partial<GateInput>): GateInput {
  return {
    documents: documents(objects),
    policy: LIFECYCLE_POLICY,
    rollback: 'on-failure',
    rollbackTimeoutSeconds: 180,
    onNoGoodRevision: 'leave',
    force: false,
    ...input,
  };
}

/** README "As a CLI" exit code of a result. */
export function exitCode(r: GateResult): number {
  return exitCodeFor(r.result);
}

/** A Deployment manifest `name` with one container `name`, labels `app: <name>`, without `replicas` (HPA-managed). */
export function hpaManaged(name: string, image: string, replicas?: number): Deployment {
  const d = deployment(name, image, { maxSurge: 1, maxUnavailable: 0 });
  if (replicas === undefined) delete (d.spec as { replicas?: number }).replicas;
  else d.spec.replicas = replicas;
  return d;
}

/** One line per workload: `name result[ reason]`, and the run's result first. */
export function verdictLine(r: GateResult): string {
  return [
    r.result + (r.reason ? ` ${r.reason}` : ''),
    ...r.workloads.map((w) => `${w.name} ${w.result}${w.reason ? ` ${w.reason}` : ''}`),
  ].join(', ');
}
