/**
 * One ownership model through the real adapter (client-node over HTTP) against `serve`'s facade,
 * with real kubectl for the person's edits: the same cases as test/gate/ownership.test.ts, but
 * with managedFields written by the facade as a real API server keys them (manager from the
 * request's fieldManager, else the User-Agent; operation Apply or Update).
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { RealClock } from '../../../src/clock/realClock.js';
import { KubeCluster } from '../../../src/cluster/kube/kubeCluster.js';
import { kubeletLogReader } from '../../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { createSimulatedCluster, defaultScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { MemoryLog } from '../../../src/gate/gateLog.js';
import { exitCodeFor, type GateResult } from '../../../src/gate/result.js';
import { runGate } from '../../../src/gate/runGate.js';
import type { Deployment } from '../../../src/k8s/objects.js';
import { DEFAULT_POLICY } from '../../../src/rollout/policy.js';
import { deployment, documents } from '../../gate/support.js';
import { Kubectl } from '../../sim/api/harness.js';

const SPEED = 20;
const IMAGE = '.spec.template.spec.containers[name="web"].image';

/** The gate's clock over HTTP: the served simulation's virtual time; sleeps 1/SPEED as long. */
class SimulatedTimeClock extends RealClock {
  constructor(private readonly simulation: Simulation) {
    super();
  }
  override now(): number {
    return this.simulation.clock.now();
  }
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return super.sleep(ms / SPEED, signal);
  }
  override every(ms: number, fn: () => void): () => void {
    return super.every(ms / SPEED, fn);
  }
}

interface Served {
  simulation: Simulation;
  server: ApiServerHandle;
  kubectl: Kubectl;
  connect(): KubeCluster;
  gate(
    manifest: Deployment[],
    options?: { force?: boolean; lock?: boolean },
  ): Promise<{ result: GateResult; log: MemoryLog }>;
  web(): Deployment;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function serve(objects: Deployment[] = []): Promise<Served> {
  const scenario = defaultScenario();
  scenario.images['web:bad'] = { pull: 'missing' };
  const { simulation, kubelet } = createSimulatedCluster(scenario, { objects });
  const server = await startApiServer({
    simulation,
    port: 0,
    speed: SPEED,
    tickMs: 10,
    readLogs: kubeletLogReader(kubelet),
  });
  const kubectl = new Kubectl(server.kubeconfig());
  cleanups.push(
    () => server.close(),
    () => kubectl.cleanup(),
  );
  const connect = () => {
    const cluster = KubeCluster.fromOptions(
      { kubeconfigContent: server.kubeconfig() },
      {
        clock: new SimulatedTimeClock(simulation),
        requestTimeoutMs: 30_000 * SPEED,
        watchIdleTimeoutMs: 120_000 * SPEED,
      },
    );
    cleanups.push(() => cluster.close());
    return cluster;
  };
  return {
    simulation,
    server,
    kubectl,
    connect,
    async gate(manifest, options = {}) {
      const cluster = connect();
      const log = new MemoryLog();
      try {
        const result = await runGate(
          cluster,
          {
            documents: documents(manifest),
            policy: { ...DEFAULT_POLICY },
            rollback: 'on-failure',
            rollbackTimeoutSeconds: 300,
            onNoGoodRevision: 'leave',
            force: options.force ?? false,
            lock: options.lock ?? true,
          },
          log,
        );
        return { result, log };
      } finally {
        await cluster.close();
      }
    },
    web: () => simulation.store.get<Deployment>('Deployment', 'default', 'web')!,
  };
}

/** Waits (real time) until the served Deployment is fully rolled out on its current template. */
async function rolledOut(s: Served): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const d = s.web();
    const st = d.status ?? {};
    if (
      (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
      st.updatedReplicas === d.spec.replicas &&
      st.replicas === d.spec.replicas &&
      st.availableReplicas === d.spec.replicas
    )
      return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the Deployment did not roll out');
}

function driftLines(log: MemoryLog): string[] {
  return log.lines.filter((l) => l.includes('drift:'));
}

function autoscaled(image: string): Deployment {
  const d = deployment('web', image);
  delete (d.spec as { replicas?: number }).replicas;
  return d;
}

describe('over HTTP against serve', () => {
  test('deploy good, deploy a missing image (rolled back), deploy a third good image: no conflict', async () => {
    const s = await serve();
    const codes: number[] = [];
    for (const image of ['web:1', 'web:bad', 'web:3']) {
      const { result } = await s.gate([deployment('web', image)]);
      expect(result.errors).toEqual([]);
      codes.push(exitCodeFor(result.result));
    }
    expect(codes).toEqual([0, 1, 0]);
    expect(s.web().spec.template.spec!.containers[0]!.image).toBe('web:3');
  }, 60_000);

  test('after real `kubectl set image`: succeeded, drift names kubectl-set', async () => {
    const s = await serve([deployment('web', 'web:1')]);
    expect((await s.gate([deployment('web', 'web:1')])).result.result).toBe('succeeded');
    const set = await s.kubectl.run('set', 'image', 'deployment/web', 'web=web:2');
    expect(set.stdout.trim()).toBe('deployment.apps/web image updated');
    await rolledOut(s);
    const { result, log } = await s.gate([deployment('web', 'web:3')]);
    expect(result.result).toBe('succeeded');
    expect(driftLines(log)).toEqual([
      `warning: drift: deployment/web: ${IMAGE} was set to web:2 by "kubectl-set" (Update); the manifests set web:3`,
    ]);
  }, 60_000);

  test('after real `kubectl rollout undo`: succeeded, drift names kubectl', async () => {
    // Without the annotation lease: kubectl's undo copies a ReplicaSet's stale copy of it back
    // (issue 9 item 5, the lease's own fix), which is not what this case is about.
    const s = await serve([deployment('web', 'web:1')]);
    expect((await s.gate([deployment('web', 'web:2')], { lock: false })).result.result).toBe('succeeded');
    const undo = await s.kubectl.run('rollout', 'undo', 'deployment/web');
    expect(undo.stdout.trim()).toBe('deployment.apps/web rolled back');
    await rolledOut(s);
    const { result, log } = await s.gate([deployment('web', 'web:3')], { lock: false });
    expect(result.result).toBe('succeeded');
    // kubectl's undo sends no fieldManager: the API server names the manager after the User-Agent.
    expect(driftLines(log)).toEqual([
      `warning: drift: deployment/web: ${IMAGE} was set to web:1 by "kubectl" (Update); the manifests set web:3`,
    ]);
  }, 60_000);

  test('a field applied by argocd-controller: exit 3, nothing applied; with force-conflicts taken over', async () => {
    const s = await serve([deployment('web', 'web:1')]);
    const argo = s.connect();
    await argo.apply(deployment('web', 'web:1'), { fieldManager: 'argocd-controller', force: false });
    await rolledOut(s);
    const before = s.web().metadata.resourceVersion;
    const refused = await s.gate([deployment('web', 'web:2')], { lock: false });
    expect(exitCodeFor(refused.result.result)).toBe(3);
    expect(refused.result.errors).toEqual([
      {
        file: 'k8s/app.yaml',
        line: 1,
        message:
          'nothing was applied: a field is owned by another applier ("argocd-controller"):\n' +
          `deployment/web: ${IMAGE} is applied by "argocd-controller" (Apply) as web:1; the manifests set web:2\n` +
          'Let that tool deploy these fields, or take them over with --force-conflicts (action input force-conflicts: true).',
      },
    ]);
    expect(s.web().metadata.resourceVersion).toBe(before);

    const forced = await s.gate([deployment('web', 'web:2')], { force: true });
    expect(forced.result.result).toBe('succeeded');
    expect(forced.result.drift).toMatchObject([{ field: IMAGE, manager: 'argocd-controller', operation: 'Apply' }]);
    expect(s.web().spec.template.spec!.containers[0]!.image).toBe('web:2');
  }, 60_000);

  test('replicas scaled to 7 through the scale subresource stay 7 after a deploy and a rollback', async () => {
    const s = await serve();
    // An earlier run applied replicas: 3.
    expect((await s.gate([deployment('web', 'web:1', { replicas: 3 })])).result.result).toBe('succeeded');
    const scale = await s.kubectl.run('scale', 'deployment/web', '--replicas=7');
    expect(scale.stdout.trim()).toBe('deployment.apps/web scaled');
    await rolledOut(s);
    const good = await s.gate([autoscaled('web:2')]);
    expect(good.result.result).toBe('succeeded');
    expect(s.web().spec.replicas).toBe(7);
    const bad = await s.gate([autoscaled('web:bad')]);
    expect(bad.result.result).toBe('rolled-back');
    expect(s.web().spec.replicas).toBe(7);
    expect(s.web().spec.template.spec!.containers[0]!.image).toBe('web:2');
  }, 90_000);

  test('an earlier run applied replicas: 3; a manifest without them keeps 3, not the default 1', async () => {
    const s = await serve();
    expect((await s.gate([deployment('web', 'web:1', { replicas: 3 })])).result.result).toBe('succeeded');
    expect((await s.gate([autoscaled('web:2')])).result.result).toBe('succeeded');
    expect(s.web().spec.replicas).toBe(3);
  }, 60_000);
});
