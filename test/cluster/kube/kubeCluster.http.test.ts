import { afterEach, describe, expect, it } from '@jest/globals';
import { KubeCluster, type KubeClusterOptions } from '../../../src/cluster/kube/kubeCluster.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { DeploymentController } from '../../../src/cluster/sim/controllers/deployment/deploymentController.js';
import { ReplicaSetController } from '../../../src/cluster/sim/controllers/replicaset/replicaSetController.js';
import { Simulation } from '../../../src/cluster/sim/simulation.js';
import { ApiError } from '../../../src/k8s/apiError.js';
import type { Lease } from '../../../src/k8s/lease.js';
import type { Deployment, KubeObject } from '../../../src/k8s/objects.js';
import type { WorkloadObservation, WorkloadRef } from '../../../src/cluster/port.js';
import { startFaultProxy, status } from './faultProxy.js';

const FAST_RETRY: KubeClusterOptions['retryPolicy'] = { initialDelayMs: 20, maxDelayMs: 200, deadlineMs: 10_000 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** The simulator with the Deployment and ReplicaSet controllers (pods stay Pending: no kubelet), behind the REST facade. */
async function startServer(
  options: { tls?: boolean; token?: string } = {},
): Promise<{ sim: Simulation; server: ApiServerHandle }> {
  const sim = new Simulation([(ctx) => new DeploymentController(ctx), (ctx) => new ReplicaSetController(ctx)]);
  sim.store.create('Namespace', { metadata: { name: 'default' } });
  const server = await startApiServer({ simulation: sim, port: 0, bookmarkIntervalMs: 500, ...options });
  cleanups.push(() => server.close());
  return { sim, server };
}

function connect(kubeconfig: string, options: KubeClusterOptions = {}): KubeCluster {
  const cluster = KubeCluster.fromOptions({ kubeconfigContent: kubeconfig }, { retryPolicy: FAST_RETRY, ...options });
  cleanups.push(() => cluster.close());
  return cluster;
}

function deployment(name: string, image = 'nginx:1.27', replicas = 2): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
    },
  };
}

const apply = { fieldManager: 'rollout-gate', force: true };
const web: WorkloadRef = { namespace: 'default', name: 'web' };

/** Waits (through waitForChange) until the observation satisfies `done`. */
async function observeUntil(
  cluster: KubeCluster,
  ref: WorkloadRef,
  done: (o: WorkloadObservation) => boolean,
  maxMs = 10_000,
): Promise<WorkloadObservation> {
  const deadline = cluster.clock.now() + maxMs;
  for (;;) {
    const o = await cluster.observe(ref);
    if (done(o)) return o;
    if (cluster.clock.now() > deadline)
      throw new Error(`condition not met in ${maxMs} ms: ${JSON.stringify(o.replicaSets.map((r) => r.metadata.name))}`);
    await cluster.waitForChange(500);
  }
}

describe('KubeCluster over HTTP against the simulated API server', () => {
  it('applies (create, then update), gets, and counts requests by verb', async () => {
    const { server } = await startServer();
    const cluster = connect(server.kubeconfig());
    expect(cluster.mode).toBe('real');
    expect(cluster.describe()).toBe(`${server.url} (context "rollout-gate-sim")`);

    const created = await cluster.apply(deployment('web'), apply);
    expect(created.metadata.uid).toBeTruthy();
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const updated = (await cluster.apply(deployment('web', 'nginx:1.28'), apply)) as Deployment;
    expect(updated.metadata.uid).toBe(created.metadata.uid);
    expect(updated.spec.template.spec?.containers[0]?.image).toBe('nginx:1.28');
    expect(updated.metadata.generation).toBe(2);

    const got = await cluster.get<Deployment>('apps/v1', 'Deployment', 'default', 'web');
    expect(got?.spec.template.spec?.containers[0]?.image).toBe('nginx:1.28');
    expect(await cluster.get('apps/v1', 'Deployment', 'default', 'missing')).toBeUndefined();
    expect(await cluster.get('v1', 'ConfigMap', 'default', 'missing')).toBeUndefined();

    // ConfigMap's REST mapping comes from discovery (issue 10): one `GET /api/v1`, then cached.
    expect(await cluster.get('v1', 'ConfigMap', 'default', 'missing-too')).toBeUndefined();
    expect(cluster.requestCounts()).toEqual({ PATCH: 2, GET: 5 });
    expect(server.requestLog).toMatchObject({ patch: 2, get: 4, discovery: 1 });
  });

  it('applies a namespaced object without a namespace into the context namespace, and deletes', async () => {
    const { server } = await startServer();
    const cluster = connect(server.kubeconfig());
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } };
    expect((await cluster.apply(cm, apply)).metadata.namespace).toBe('default');
    await cluster.delete('v1', 'ConfigMap', 'default', 'cfg');
    expect(await cluster.get('v1', 'ConfigMap', 'default', 'cfg')).toBeUndefined();
    await expect(cluster.delete('v1', 'ConfigMap', 'default', 'cfg')).rejects.toMatchObject({
      code: 404,
      reason: 'NotFound',
    });
  });

  it('an apply carrying a resourceVersion is conditional: 409 Conflict when stale, not retried', async () => {
    const { server } = await startServer();
    const cluster = connect(server.kubeconfig());
    const d = await cluster.apply(deployment('web'), apply);
    const stale = deployment('web');
    stale.metadata.resourceVersion = String(Number(d.metadata.resourceVersion) - 1);
    stale.spec.replicas = 5;
    const err = await cluster.apply(stale, apply).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(409);
    expect((err as ApiError).message).toBe(
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(cluster.requestCounts().PATCH).toBe(2); // 4xx: not retried

    // The controllers wrote status after the apply returned: the precondition is the version read now.
    const now = await cluster.get<Deployment>('apps/v1', 'Deployment', 'default', 'web');
    const current = deployment('web');
    current.metadata.resourceVersion = now!.metadata.resourceVersion;
    current.spec.replicas = 5;
    const ok = (await cluster.apply(current, apply)) as Deployment;
    expect(ok.spec.replicas).toBe(5);
  });

  it('scales', async () => {
    const { server } = await startServer();
    const cluster = connect(server.kubeconfig());
    await cluster.apply(deployment('web'), apply);
    await cluster.scaleWorkload(web, 4);
    expect((await cluster.get<Deployment>('apps/v1', 'Deployment', 'default', 'web'))?.spec.replicas).toBe(4);
  });

  it('creates and replaces a Lease, the replace conditional on its resourceVersion (409 Conflict when stale)', async () => {
    const { sim, server } = await startServer();
    const cluster = connect(server.kubeconfig());
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'rollout-gate.web', namespace: 'default' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 60 },
    };
    const created = await cluster.create(lease, 'rollout-gate-record');
    expect(created.metadata.resourceVersion).toBeDefined();
    const again = await cluster.create(lease, 'rollout-gate-record').catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    const replaced = await cluster.replace(
      { ...created, spec: { ...created.spec, holderIdentity: 'b' } },
      'rollout-gate-record',
    );
    expect(replaced.spec!.holderIdentity).toBe('b');
    const stale = await cluster
      .replace({ ...created, spec: { ...created.spec, holderIdentity: 'c' } }, 'rollout-gate-record')
      .catch((e: unknown) => e);
    expect(ApiError.isConflict(stale)).toBe(true);
    const stored = sim.store.get<KubeObject>('Lease', 'default', 'rollout-gate.web')!;
    expect(stored.spec).toEqual({ holderIdentity: 'b', leaseDurationSeconds: 60 });
    expect((stored.metadata.managedFields as Array<{ manager: string }>).map((f) => f.manager)).toEqual([
      'rollout-gate-record',
    ]);
  });

  it('returns no log lines for a pod without logs', async () => {
    const { server } = await startServer();
    const cluster = connect(server.kubeconfig());
    expect(await cluster.podLogs('default', 'nope', 'c', 10)).toEqual([]);
  });

  it('watch cache: observe answers without requests and follows a rollout; waitForChange wakes on changes', async () => {
    const { server } = await startServer();
    const cluster = connect(server.kubeconfig());
    await cluster.apply(deployment('web', 'nginx:1.27', 3), apply);
    await cluster.watch([web]);
    const afterWatch = cluster.requestCounts();
    expect(afterWatch).toMatchObject({ PATCH: 1, LIST: 4, WATCH: 4 });

    const first = await observeUntil(cluster, web, (o) => o.replicaSets.length === 1 && o.pods.length === 3);
    expect(first.deployment?.metadata.name).toBe('web');
    expect(first.pods.every((p) => p.metadata.ownerReferences?.[0]?.uid === first.replicaSets[0]!.metadata.uid)).toBe(
      true,
    );
    expect(first.events.some((e) => e.reason === 'ScalingReplicaSet')).toBe(true);
    // Events sorted oldest first.
    const times = first.events.map((e) => Date.parse(e.lastTimestamp ?? e.metadata.creationTimestamp ?? ''));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // An image change: waitForChange resolves on the watch event long before its 20 s limit.
    const started = cluster.clock.now();
    const waiting = cluster.waitForChange(20_000);
    await cluster.apply(deployment('web', 'nginx:1.28', 3), apply);
    await waiting;
    expect(cluster.clock.now() - started).toBeLessThan(5_000);
    const second = await observeUntil(cluster, web, (o) => o.replicaSets.length === 2);
    expect(second.deployment?.spec.template.spec?.containers[0]?.image).toBe('nginx:1.28');
    expect(
      new Set(second.replicaSets.map((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'])),
    ).toEqual(new Set(['1', '2']));

    // Observing made no request; only the second apply did. No watch was re-opened.
    expect(cluster.requestCounts()).toEqual({ ...afterWatch, PATCH: 2 });
    expect(server.requestLog).toMatchObject({ list: 4, watch: 4 });
  });

  it('waitForChange times out on the real clock when nothing watched changes', async () => {
    const { server } = await startServer();
    const cluster = connect(server.kubeconfig());
    await cluster.apply(deployment('web'), apply);
    await cluster.watch([web]);
    await observeUntil(cluster, web, (o) => o.pods.length === 2);
    // Unrelated objects do not wake it.
    await cluster.apply(deployment('other'), apply);
    const started = cluster.clock.now();
    await cluster.waitForChange(400);
    const elapsed = cluster.clock.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('observe of an unwatched Deployment is an error; of a missing one is empty', async () => {
    const { server } = await startServer();
    const cluster = connect(server.kubeconfig());
    await expect(cluster.observe(web)).rejects.toThrow(/not watched/);
    await cluster.watch([web]);
    expect(await cluster.observe(web)).toEqual({ replicaSets: [], pods: [], events: [] });
  });

  it('resumes a watch the server ended from the last resourceVersion, without relisting', async () => {
    const { server } = await startServer();
    const cluster = connect(server.kubeconfig(), { watchTimeoutSeconds: 1 });
    await cluster.apply(deployment('web'), apply);
    await cluster.watch([web]);
    // Each watch ends after 1-1.25 s; wait until every kind has reconnected at least once.
    const deadline = cluster.clock.now() + 10_000;
    while ((cluster.requestCounts().WATCH ?? 0) < 8 && cluster.clock.now() < deadline) await cluster.waitForChange(250);
    expect(cluster.requestCounts().WATCH).toBeGreaterThanOrEqual(8);
    expect(cluster.requestCounts().LIST).toBe(4);
    await cluster.apply(deployment('web', 'nginx:1.28'), apply);
    await observeUntil(cluster, web, (o) => o.replicaSets.length === 2);
    expect(cluster.requestCounts().LIST).toBe(4);
  });

  it('relists when a watch reports 410 Gone, and catches up on what it missed', async () => {
    const { server } = await startServer();
    let gone = 0;
    const proxy = await startFaultProxy(server.url, (req) => {
      if (req.watch && req.url.pathname.endsWith('/replicasets') && gone++ === 0) {
        return { watchEvents: [{ type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 1 (99)') }] };
      }
      return undefined;
    });
    cleanups.push(() => proxy.close());
    const cluster = connect(server.kubeconfig().replace(server.url, proxy.url));
    await cluster.apply(deployment('web'), apply);
    await cluster.watch([web]);
    const rsLists = () =>
      proxy.seen.filter((r) => !r.watch && r.method === 'GET' && r.url.pathname.endsWith('/replicasets'));
    // The relist wakes waitForChange like any other change.
    for (let i = 0; i < 20 && rsLists().length < 2; i++) await cluster.waitForChange(250);
    expect(rsLists()).toHaveLength(2);
    expect((await cluster.observe(web)).replicaSets).toHaveLength(1);
    expect(cluster.requestCounts().LIST).toBe(5);
    // After the relist the RS watch resumes from the relisted resourceVersion and keeps following.
    await cluster.apply(deployment('web', 'nginx:1.28'), apply);
    await observeUntil(cluster, web, (o) => o.replicaSets.length === 2);
  });

  it('retries 503 and 429 (Retry-After) on writes, but not 4xx', async () => {
    const { server } = await startServer();
    let patches = 0;
    const proxy = await startFaultProxy(server.url, (req) => {
      if (req.method !== 'PATCH') return undefined;
      patches++;
      if (patches === 1) return { status: 503, body: status(503, 'ServiceUnavailable', 'etcd is busy') };
      if (patches === 2)
        return { status: 429, body: status(429, 'TooManyRequests', 'slow down'), headers: { 'Retry-After': '0' } };
      if (patches === 4) return { status: 403, body: status(403, 'Forbidden', 'deployments.apps "web" is forbidden') };
      return undefined;
    });
    cleanups.push(() => proxy.close());
    const cluster = connect(server.kubeconfig().replace(server.url, proxy.url));
    await cluster.apply(deployment('web'), apply);
    expect(cluster.requestCounts().PATCH).toBe(3);
    await expect(cluster.scaleWorkload(web, 3)).rejects.toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(cluster.requestCounts().PATCH).toBe(4);
  });

  it('reports a refused connection as a ConnectionError after its retries', async () => {
    const { server } = await startServer();
    const kubeconfig = server.kubeconfig();
    await server.close();
    const cluster = connect(kubeconfig, {
      retryPolicy: { initialDelayMs: 10, maxDelayMs: 20, deadlineMs: 2_000, maxAttempts: 3 },
    });
    const err = await cluster.get('apps/v1', 'Deployment', 'default', 'web').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConnectionError', code: 0 });
    expect(cluster.requestCounts().GET).toBe(3);
  });

  it('gives up on a request that gets no answer with a 504 Timeout, retried like other 5xx', async () => {
    const { server } = await startServer();
    const proxy = await startFaultProxy(server.url, (req) => (req.method === 'GET' ? { hang: true } : undefined));
    cleanups.push(() => proxy.close());
    const cluster = connect(server.kubeconfig().replace(server.url, proxy.url), {
      requestTimeoutMs: 200,
      retryPolicy: { initialDelayMs: 10, maxDelayMs: 20, deadlineMs: 5_000, maxAttempts: 2 },
    });
    const err = await cluster.get('apps/v1', 'Deployment', 'default', 'web').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 504, reason: 'Timeout' });
    expect(cluster.requestCounts().GET).toBe(2);
  });

  it('works over TLS with a bearer token, and a wrong token is a 401 that does not echo it', async () => {
    const { server } = await startServer({ tls: true, token: 'right-token-abc' });
    const cluster = connect(server.kubeconfig());
    await cluster.apply(deployment('web'), apply);
    await cluster.watch([web]);
    await observeUntil(cluster, web, (o) => o.pods.length === 2);

    const wrong = connect(server.kubeconfig().replace('right-token-abc', 'wrong-token-xyz'));
    const err = await wrong.get('apps/v1', 'Deployment', 'default', 'web').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 401, reason: 'Unauthorized' });
    expect(String((err as Error).message)).not.toContain('wrong-token-xyz');
  });
});
