import { afterAll, describe, expect, it } from '@jest/globals';
import { KubeCluster } from '../../../src/cluster/kube/kubeCluster.js';
import { startApiServer } from '../../../src/cluster/sim/api/server.js';
import { createSimulatedCluster, defaultScenario } from '../../../src/cluster/sim/index.js';
import type { Deployment } from '../../../src/k8s/objects.js';
import type { WorkloadObservation, WorkloadRef } from '../../../src/cluster/port.js';

/** kubectl rollout status's success rule. */
function complete(o: WorkloadObservation): boolean {
  const d = o.deployment;
  const s = d?.status;
  if (!d || !s) return false;
  const replicas = d.spec.replicas ?? 1;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === replicas &&
    (s.replicas ?? 0) === (s.updatedReplicas ?? 0) &&
    (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0)
  );
}

function deployment(image: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
    },
  };
}

describe('a full rollout through the real adapter', () => {
  const scenario = defaultScenario();
  scenario.images['nginx:missing'] = { pull: 'missing' };
  const { simulation: sim, kubelet } = createSimulatedCluster(scenario);
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  it('follows apply → rolled out → image update → rolled out with LIST+WATCH once per kind', async () => {
    const server = await startApiServer({
      simulation: sim,
      port: 0,
      speed: 4,
      readLogs: (ns, pod, c, lines) => kubelet.logs(ns, pod, c, { tailLines: lines }),
    });
    cleanups.push(() => server.close());
    const cluster = KubeCluster.fromOptions({ kubeconfigContent: server.kubeconfig() });
    cleanups.push(() => cluster.close());
    const ref: WorkloadRef = { namespace: 'default', name: 'web' };
    const fieldManager = { fieldManager: 'rollout-gate', force: true };

    const started = cluster.clock.now();
    await cluster.apply(deployment('nginx:1.27'), fieldManager);
    await cluster.watch([ref]);
    let observations = 0;
    const waitComplete = async (image: string): Promise<WorkloadObservation> => {
      for (;;) {
        const o = await cluster.observe(ref);
        observations++;
        if (complete(o) && o.deployment?.spec.template.spec?.containers[0]?.image === image) return o;
        if (cluster.clock.now() - started > 45_000)
          throw new Error(`no rollout: ${JSON.stringify(o.deployment?.status)}`);
        await cluster.waitForChange(2_000);
      }
    };
    const first = await waitComplete('nginx:1.27');
    expect(first.pods.filter((p) => p.status?.phase === 'Running')).toHaveLength(3);

    await cluster.apply(deployment('nginx:1.28'), fieldManager);
    const second = await waitComplete('nginx:1.28');
    expect(second.replicaSets).toHaveLength(2);
    const newRs = second.replicaSets.find(
      (rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2',
    )!;
    expect(
      second.pods.filter(
        (p) => p.metadata.ownerReferences?.[0]?.uid === newRs.metadata.uid && p.status?.phase === 'Running',
      ),
    ).toHaveLength(3);
    // The ScalingReplicaSet sequence of a 3-replica 25%/25% rolling update, from the cache.
    const scaling = second.events.filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    expect(scaling.length).toBeGreaterThanOrEqual(4);

    const running = second.pods.find((p) => p.status?.phase === 'Running')!;
    const logs = await cluster.podLogs('default', running.metadata.name!, 'c', 5);
    expect(Array.isArray(logs)).toBe(true);

    const elapsedS = (cluster.clock.now() - started) / 1000;
    const counts = cluster.requestCounts();
    // Two applies, one log read, and one LIST + one WATCH per kind (Deployment, ReplicaSet, Pod, Event),
    // however many times the gate observed in between.
    expect(counts).toEqual({ PATCH: 2, LIST: 4, WATCH: 4, GET: 1 });
    expect(server.requestLog).toMatchObject({ patch: 2, list: 4, watch: 4, get: 1 });
    expect(observations).toBeGreaterThan(5);
    process.stdout.write(
      `rollout through the real adapter: ${elapsedS.toFixed(1)} s real, ${observations} observations, requests ${JSON.stringify(counts)}\n`,
    );
  });

  it('sees a failing rollout (image pull back-off) in pods and events, from the cache', async () => {
    const server = await startApiServer({ simulation: sim, port: 0, speed: 4 });
    cleanups.push(() => server.close());
    const cluster = KubeCluster.fromOptions({ kubeconfigContent: server.kubeconfig() });
    cleanups.push(() => cluster.close());
    const ref: WorkloadRef = { namespace: 'default', name: 'web' };
    await cluster.watch([ref]);
    await cluster.apply(deployment('nginx:missing'), { fieldManager: 'rollout-gate', force: true });
    const deadline = cluster.clock.now() + 30_000;
    let o = await cluster.observe(ref);
    const pulling = (x: WorkloadObservation) =>
      x.pods.some((p) =>
        /ErrImagePull|ImagePullBackOff/.test(p.status?.containerStatuses?.[0]?.state.waiting?.reason ?? ''),
      ) && x.events.some((e) => e.reason === 'Failed' && e.involvedObject.kind === 'Pod');
    while (!pulling(o) && cluster.clock.now() < deadline) {
      await cluster.waitForChange(2_000);
      o = await cluster.observe(ref);
    }
    expect(pulling(o)).toBe(true);
    expect(cluster.requestCounts()).toEqual({ LIST: 4, WATCH: 4, PATCH: 1 });
  });
});
