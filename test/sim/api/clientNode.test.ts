import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { AppsV1Api, ApiException, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import type { ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import { deployment, startBareServer } from './harness.js';

let sim: Simulation;
let server: ApiServerHandle;
let apps: AppsV1Api;
let kc: KubeConfig;

beforeAll(async () => {
  ({ sim, server } = await startBareServer({ speed: 0 }));
  kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  apps = kc.makeApiClient(AppsV1Api);
});

afterAll(async () => {
  await server.close();
});

describe('@kubernetes/client-node against the facade', () => {
  it('server-side applies, reads, patches and gets a 404 ApiException', async () => {
    const applied = await apps.patchNamespacedDeployment(
      { name: 'cn', namespace: 'default', body: deployment('cn'), fieldManager: 'rollout-gate', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(applied.spec?.replicas).toBe(2);
    const read = await apps.readNamespacedDeployment({ name: 'cn', namespace: 'default' });
    expect(read.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const patched = await apps.patchNamespacedDeployment({
      name: 'cn',
      namespace: 'default',
      body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    });
    expect(patched.spec?.replicas).toBe(3);
    const error = await apps
      .readNamespacedDeployment({ name: 'missing', namespace: 'default' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect(JSON.parse((error as ApiException<string>).body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
    });
  });

  it('lists with a label selector, and patches by strategic merge and JSON merge', async () => {
    const list = await apps.listNamespacedDeployment({ namespace: 'default', labelSelector: 'app=cn' });
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['cn']);
    expect(list.metadata?.resourceVersion).toBe(String(sim.store.resourceVersion()));
    const withPort = {
      spec: {
        template: { spec: { containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
      },
    };
    await apps.patchNamespacedDeployment(
      { name: 'cn', namespace: 'default', body: withPort },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    // Strategic merge: the container list merges by name, so the port stays.
    const smp = await apps.patchNamespacedDeployment(
      {
        name: 'cn',
        namespace: 'default',
        body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(smp.spec?.template.spec?.containers.map((c) => [c.image, c.ports?.map((p) => p.containerPort)])).toEqual([
      ['nginx:1.28', [80]],
    ]);
    // JSON merge: the list is replaced whole, so the port goes.
    const merged = await apps.patchNamespacedDeployment(
      {
        name: 'cn',
        namespace: 'default',
        body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.29' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.spec?.template.spec?.containers.map((c) => [c.image, c.ports])).toEqual([['nginx:1.29', undefined]]);
    const read = await apps.readNamespacedDeployment({ name: 'cn', namespace: 'default' });
    expect(read.spec?.template.spec?.containers[0]?.image).toBe('nginx:1.29');
  });

  it('watches with a field selector', async () => {
    const seen: string[] = [];
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const abort = await new Watch(kc).watch(
      '/apis/apps/v1/namespaces/default/deployments',
      { fieldSelector: 'metadata.name=cn' },
      (phase, obj: { spec?: { replicas?: number } }) => {
        seen.push(`${phase} ${obj.spec?.replicas}`);
        if (seen.length === 2) resolve();
      },
      () => undefined,
    );
    const current = sim.store.get('Deployment', 'default', 'cn')!;
    sim.store.update('Deployment', { ...current, spec: { ...(current.spec as object), replicas: 5 } });
    await done;
    abort.abort();
    expect(seen).toEqual(['ADDED 3', 'MODIFIED 5']);
  });
});
