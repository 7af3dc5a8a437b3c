import { afterEach, describe, expect, it } from '@jest/globals';
import { KubeCluster } from '../../../src/cluster/kube/kubeCluster.js';
import { startApiServer } from '../../../src/cluster/sim/api/server.js';
import { SimulatedCluster } from '../../../src/cluster/sim/simulatedCluster.js';
import { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { ClusterClient, WorkloadObservation, WorkloadRef } from '../../../src/cluster/port.js';
import type { ControllerRevision, Deployment, KubeObject, Pod, StatefulSet } from '../../../src/k8s/objects.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/**
 * A store without controllers: the test writes the StatefulSet's ControllerRevision, pods and an
 * event itself, as the controller would, and checks what each adapter observes.
 */
function seed(sim: Simulation): { set: StatefulSet } {
  const store = sim.store;
  store.create('Namespace', { metadata: { name: 'default' } });
  const set = store.create<StatefulSet>('StatefulSet', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 1,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'db:1' }] } },
    },
  });
  const owner = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid!, controller: true }];
  store.create<ControllerRevision>('ControllerRevision', {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: 'web-abc', namespace: 'default', labels: { app: 'web' }, ownerReferences: owner },
    data: { spec: { template: { $patch: 'replace' } } },
    revision: 1,
  });
  const pod = store.create<Pod>('Pod', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', labels: { app: 'web' }, ownerReferences: owner },
    spec: { containers: [{ name: 'c', image: 'db:1' }] },
  });
  sim.events.record(pod, 'Normal', 'Scheduled', 'Successfully assigned default/web-0 to node-1', 'default-scheduler');
  // A Deployment with the same name is another workload.
  store.create<Deployment>('Deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'other' } },
      template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
    },
  });
  return { set };
}

function summary(o: WorkloadObservation): unknown {
  return {
    deployment: o.deployment?.metadata.name,
    workload: o.workload ? `${o.workload.kind}/${o.workload.metadata.name}` : undefined,
    revisions: o.revisions?.map((r) => r.metadata.name),
    replicaSets: o.replicaSets.length,
    pods: o.pods.map((p) => p.metadata.name),
    events: o.events.map((e) => `${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}`),
  };
}

async function observed(client: ClusterClient): Promise<unknown[]> {
  const sts: WorkloadRef = { namespace: 'default', name: 'web', kind: 'StatefulSet' };
  const deploy: WorkloadRef = { namespace: 'default', name: 'web' };
  const missing: WorkloadRef = { namespace: 'default', name: 'nope', kind: 'DaemonSet' };
  await client.watch([sts, deploy, missing]);
  return [
    summary(await client.observe(sts)),
    summary(await client.observe(deploy)),
    summary(await client.observe(missing)),
  ];
}

const EXPECTED = [
  {
    deployment: undefined,
    workload: 'StatefulSet/web',
    revisions: ['web-abc'],
    replicaSets: 0,
    pods: ['web-0'],
    events: ['Pod/web-0 Scheduled'],
  },
  { deployment: 'web', workload: undefined, revisions: undefined, replicaSets: 0, pods: [], events: [] },
  { deployment: undefined, workload: undefined, revisions: [], replicaSets: 0, pods: [], events: [] },
];

/** The seeded store behind `serve`, and the real adapter connected to it over HTTP. */
async function served(): Promise<{ sim: Simulation; cluster: KubeCluster }> {
  const sim = new Simulation([]);
  seed(sim);
  const server = await startApiServer({ simulation: sim, port: 0, bookmarkIntervalMs: 500 });
  cleanups.push(() => server.close());
  const cluster = KubeCluster.fromOptions({ kubeconfigContent: server.kubeconfig() });
  cleanups.push(() => cluster.close());
  return { sim, cluster };
}

describe('observing StatefulSets and DaemonSets through the port', () => {
  it('the in-process simulated cluster returns the workload, its revisions, pods and their events', async () => {
    const sim = new Simulation([]);
    seed(sim);
    expect(await observed(new SimulatedCluster(sim))).toEqual(EXPECTED);
  });

  it('the real adapter over HTTP returns the same, from its watch cache', async () => {
    const { cluster } = await served();
    expect(await observed(cluster)).toEqual(EXPECTED);
  });

  it('the real adapter wakes on a change to a watched StatefulSet pod', async () => {
    const { sim, cluster } = await served();
    const sts: WorkloadRef = { namespace: 'default', name: 'web', kind: 'StatefulSet' };
    await cluster.watch([sts]);
    await cluster.observe(sts);
    const pod = sim.store.get<Pod>('Pod', 'default', 'web-0')!;
    sim.store.update<KubeObject>('Pod', { ...pod, metadata: { ...pod.metadata, labels: { app: 'web', x: '1' } } });
    for (let i = 0; i < 100; i++) {
      const o = await cluster.observe(sts);
      if (o.pods[0]?.metadata.labels?.x === '1') return;
      await cluster.waitForChange(1_000);
    }
    throw new Error('the change to web-0 was never observed');
  });
});
