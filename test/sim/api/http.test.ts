import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { KubeObject, Pod } from '../../../src/k8s/objects.js';
import { RealClock } from '../../../src/clock/realClock.js';
import { deployment, startBareServer } from './harness.js';

let sim: Simulation;
let server: ApiServerHandle;

beforeAll(async () => {
  ({ sim, server } = await startBareServer({ bookmarkIntervalMs: 100, speed: 0 }));
});

afterAll(async () => {
  await server.close();
});

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: res.status, json };
}

/** Reads newline-delimited watch events until `count` arrived or the stream ends. */
async function watchEvents(path: string, count: number): Promise<Array<{ type: string; object: any }>> {
  const controller = new AbortController();
  const res = await fetch(server.url + path, { signal: controller.signal });
  const reader = res.body!.getReader();
  const events: Array<{ type: string; object: any }> = [];
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += Buffer.from(value).toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
  }
  controller.abort();
  return events;
}

const status = (code: number, reason: string, message: string, details?: unknown) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  ...(details ? { details } : {}),
  code,
});

describe('discovery', () => {
  it('serves /version with minor 32 and the legacy discovery documents', async () => {
    expect((await call('GET', '/version')).json).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.4' });
    expect((await call('GET', '/api')).json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    // Every built-in group of 1.32 (issue 10), each with its versions, preferred first.
    const groups = (await call('GET', '/apis')).json.groups;
    expect(groups[0]).toEqual({
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    expect(groups.map((g: any) => g.name)).toEqual([
      'apps',
      'authentication.k8s.io',
      'authorization.k8s.io',
      'autoscaling',
      'batch',
      'networking.k8s.io',
      'policy',
      'rbac.authorization.k8s.io',
      'scheduling.k8s.io',
      'storage.k8s.io',
      'node.k8s.io',
      'coordination.k8s.io',
      'discovery.k8s.io',
      'certificates.k8s.io',
      'apiextensions.k8s.io',
      'apiregistration.k8s.io',
      'admissionregistration.k8s.io',
      'flowcontrol.apiserver.k8s.io',
    ]);
    expect(groups.find((g: any) => g.name === 'autoscaling').versions.map((v: any) => v.groupVersion)).toEqual([
      'autoscaling/v2',
      'autoscaling/v1',
    ]);
    const apps = (await call('GET', '/apis/apps/v1')).json;
    expect(apps.resources.find((r: any) => r.name === 'deployments')).toEqual({
      name: 'deployments',
      singularName: 'deployment',
      namespaced: true,
      kind: 'Deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['deploy'],
      categories: ['all'],
    });
    expect(apps.resources.map((r: any) => r.name)).toEqual(
      expect.arrayContaining(['deployments/status', 'deployments/scale', 'replicasets/scale', 'replicasets']),
    );
    const core = (await call('GET', '/api/v1')).json;
    expect(core.resources.find((r: any) => r.name === 'pods').shortNames).toEqual(['po']);
    expect(core.resources.map((r: any) => r.name)).toEqual(
      expect.arrayContaining(['pods/log', 'pods/status', 'configmaps', 'events', 'namespaces']),
    );
  });

  it('serves OpenAPI v3 with GVK and fieldValidation, and v2', async () => {
    const index = (await call('GET', '/openapi/v3')).json;
    const url: string = index.paths['apis/apps/v1'].serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const doc = (await call('GET', url)).json;
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(item.patch.parameters.map((p: any) => p.name)).toContain('fieldValidation');
    expect((await call('GET', '/openapi/v2')).json.swagger).toBe('2.0');
  });
});

describe('CRUD', () => {
  it('creates, reads, lists, updates with conflicts and deletes', async () => {
    const created = await call('POST', `${DEPLOYMENTS}?fieldManager=test`, deployment('crud'));
    expect(created.status).toBe(201);
    expect(created.json.metadata).toMatchObject({ name: 'crud', namespace: 'default', generation: 1 });
    expect(created.json.metadata.managedFields[0]).toMatchObject({ manager: 'test', operation: 'Update' });
    expect((await call('POST', DEPLOYMENTS, deployment('crud'))).json).toEqual(
      status(409, 'AlreadyExists', 'deployments.apps "crud" already exists', {
        name: 'crud',
        group: 'apps',
        kind: 'deployments',
      }),
    );
    const got = await call('GET', `${DEPLOYMENTS}/crud`);
    expect(got.json.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });

    const stale = { ...got.json, metadata: { ...got.json.metadata, resourceVersion: '1' } };
    expect((await call('PUT', `${DEPLOYMENTS}/crud`, stale)).json).toEqual(
      status(
        409,
        'Conflict',
        'Operation cannot be fulfilled on deployments.apps "crud": the object has been modified; please apply your changes to the latest version and try again',
        { name: 'crud', group: 'apps', kind: 'deployments' },
      ),
    );
    const updated = await call('PUT', `${DEPLOYMENTS}/crud`, { ...got.json, spec: { ...got.json.spec, replicas: 5 } });
    expect(updated.status).toBe(200);
    expect(updated.json.metadata.generation).toBe(2);

    const list = await call('GET', `${DEPLOYMENTS}?labelSelector=app%3Dcrud`);
    expect(list.json.kind).toBe('DeploymentList');
    expect(list.json.items.map((d: KubeObject) => d.metadata.name)).toEqual(['crud']);
    expect((await call('GET', `${DEPLOYMENTS}?fieldSelector=metadata.name%3Dnope`)).json.items).toEqual([]);

    const deleted = await call('DELETE', `${DEPLOYMENTS}/crud`);
    expect(deleted.json).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'crud', group: 'apps', kind: 'deployments' },
    });
    expect((await call('GET', `${DEPLOYMENTS}/crud`)).json).toEqual(
      status(404, 'NotFound', 'deployments.apps "crud" not found', {
        name: 'crud',
        group: 'apps',
        kind: 'deployments',
      }),
    );
  });

  it('supports generateName, dryRun=All, pagination and involvedObject field selectors', async () => {
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
    const gen = await call('POST', '/api/v1/namespaces/default/configmaps', {
      kind: 'ConfigMap',
      metadata: { generateName: 'gen-' },
    });
    expect(gen.json.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const dry = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    expect(dry.status).toBe(201);
    expect(sim.store.get('ConfigMap', 'default', 'dry')).toBeUndefined();
    for (const n of ['p1', 'p2', 'p3']) await call('POST', '/api/v1/namespaces/default/configmaps', cm(n));
    const page1 = await call('GET', '/api/v1/namespaces/default/configmaps?limit=2');
    expect(page1.json.items).toHaveLength(2);
    expect(page1.json.metadata.remainingItemCount).toBe(2);
    const page2 = await call(
      'GET',
      `/api/v1/namespaces/default/configmaps?limit=2&continue=${page1.json.metadata.continue}`,
    );
    expect(page2.json.items.map((c: KubeObject) => c.metadata.name)).toEqual(['p2', 'p3']);
    expect(page2.json.metadata.continue).toBeUndefined();

    const dep = sim.store.create('Deployment', deployment('evented'));
    sim.events.record(
      dep,
      'Normal',
      'ScalingReplicaSet',
      'Scaled up replica set evented-abc to 1',
      'deployment-controller',
    );
    const events = await call(
      'GET',
      `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Devented,involvedObject.kind%3DDeployment`,
    );
    expect(events.json.items.map((e: any) => e.reason)).toEqual(['ScalingReplicaSet']);
    expect((await call('GET', '/api/v1/namespaces/default/events?fieldSelector=spec.bogus%3Dx')).json).toEqual(
      status(400, 'BadRequest', 'field label not supported: spec.bogus'),
    );
  });

  it('serves scale and status subresources and deletes pods gracefully', async () => {
    await call('POST', DEPLOYMENTS, deployment('scaled'));
    const scale = await call('GET', `${DEPLOYMENTS}/scaled/scale`);
    expect(scale.json).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 2 },
      status: { replicas: 0, selector: 'app=scaled' },
    });
    const patched = await call(
      'PATCH',
      `${DEPLOYMENTS}/scaled/scale`,
      { spec: { replicas: 4 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.json.spec.replicas).toBe(4);
    const st = await call(
      'PATCH',
      `${DEPLOYMENTS}/scaled/status`,
      { status: { replicas: 4, observedGeneration: 2 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(st.json.status).toEqual({ replicas: 4, observedGeneration: 2 });
    expect(st.json.spec.replicas).toBe(4);

    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    };
    await call('POST', '/api/v1/namespaces/default/pods', pod);
    const del = await call('DELETE', '/api/v1/namespaces/default/pods/p', {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 10,
    });
    expect(del.json.metadata.deletionTimestamp).toBe(
      new Date(Math.floor(sim.clock.now() / 1000) * 1000 + 10_000).toISOString().replace('.000Z', 'Z'),
    );
    expect(del.json.metadata.deletionGracePeriodSeconds).toBe(10);
    const table = await call('GET', '/api/v1/namespaces/default/pods', undefined, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    expect(table.json.rows[0].cells.slice(0, 4)).toEqual(['p', '0/1', 'Terminating', '0']);
    await call('DELETE', '/api/v1/namespaces/default/pods/p?gracePeriodSeconds=0');
    expect(sim.store.get('Pod', 'default', 'p')).toBeUndefined();
  });

  it('serves pod logs from readLogs', async () => {
    const { startBareServer: start } = await import('./harness.js');
    const other = await start({
      readLogs: (ns, pod, container, _tail, previous) => [`${ns}/${pod}/${container}`, `previous=${previous}`],
    });
    try {
      other.sim.store.create('Pod', { metadata: { name: 'lp' }, spec: { containers: [{ name: 'app', image: 'x' }] } });
      // Not yet on a node: LogLocation has no kubelet to ask, the stream is empty.
      const unscheduled = await fetch(`${other.server.url}/api/v1/namespaces/default/pods/lp/log`);
      expect(await unscheduled.text()).toBe('');
      const stored = other.sim.store.get<Pod>('Pod', 'default', 'lp')!;
      other.sim.store.update('Pod', { ...stored, spec: { ...stored.spec, nodeName: 'n1' } });
      const bound = other.sim.store.get<Pod>('Pod', 'default', 'lp')!;
      other.sim.store.update(
        'Pod',
        { ...bound, status: { containerStatuses: [{ name: 'app', state: { running: {} }, restartCount: 0 }] } },
        { subresource: 'status' },
      );
      const res = await fetch(`${other.server.url}/api/v1/namespaces/default/pods/lp/log`);
      expect(await res.text()).toBe('default/lp/app\nprevious=false\n');
      const tail = await fetch(`${other.server.url}/api/v1/namespaces/default/pods/lp/log?tailLines=1`);
      expect(await tail.text()).toBe('previous=false\n');
      const bad = await fetch(`${other.server.url}/api/v1/namespaces/default/pods/lp/log?container=nope`);
      expect(await bad.json()).toEqual(status(400, 'BadRequest', 'container nope is not valid for pod lp'));
    } finally {
      await other.server.close();
    }
  });
});

describe('patch over HTTP', () => {
  it('applies the four patch types and rejects others with 415', async () => {
    await call('POST', DEPLOYMENTS, deployment('pt'));
    const smp = await call(
      'PATCH',
      `${DEPLOYMENTS}/pt?fieldManager=kubectl-set`,
      {
        spec: {
          template: {
            spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ image: 'img:2', name: 'c' }] },
          },
        },
      },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    expect(smp.json.spec.template.spec.containers[0].image).toBe('img:2');
    const jp = await call('PATCH', `${DEPLOYMENTS}/pt`, [{ op: 'replace', path: '/spec/replicas', value: 7 }], {
      'content-type': 'application/json-patch+json',
    });
    expect(jp.json.spec.replicas).toBe(7);
    const failed = await call('PATCH', `${DEPLOYMENTS}/pt`, [{ op: 'test', path: '/spec/replicas', value: 1 }], {
      'content-type': 'application/json-patch+json',
    });
    expect(failed.json).toEqual(status(422, 'Invalid', 'testing value /spec/replicas failed: test failed'));
    const mp = await call(
      'PATCH',
      `${DEPLOYMENTS}/pt`,
      { metadata: { labels: { tier: 'web' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(mp.json.metadata.labels).toEqual({ app: 'pt', tier: 'web' });
    const bad = await call('PATCH', `${DEPLOYMENTS}/pt`, {}, { 'content-type': 'text/plain' });
    expect(bad.json).toEqual(
      status(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
      ),
    );
  });

  it('server-side applies YAML, creating, then conflicting with another manager', async () => {
    const yaml = (replicas: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: ssa}\n  template:\n    metadata:\n      labels: {app: ssa}\n    spec:\n      containers:\n      - name: c\n        image: img:1\n`;
    const ct = { 'content-type': 'application/apply-patch+yaml' };
    const created = await call('PATCH', `${DEPLOYMENTS}/ssa?fieldManager=kubectl-client-side-apply`, yaml(2), ct);
    expect(created.status).toBe(201);
    const again = await call('PATCH', `${DEPLOYMENTS}/ssa?fieldManager=kubectl&force=false`, yaml(3), ct);
    expect(again.json).toEqual({
      ...status(
        409,
        'Conflict',
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      ),
      details: {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-client-side-apply" using apps/v1',
            field: '.spec.replicas',
          },
        ],
      },
    });
    const forced = await call('PATCH', `${DEPLOYMENTS}/ssa?fieldManager=kubectl&force=true`, yaml(3), ct);
    expect(forced.status).toBe(200);
    expect(forced.json.spec.replicas).toBe(3);
    expect((await call('PATCH', `${DEPLOYMENTS}/ssa`, yaml(3), ct)).json).toEqual(
      status(400, 'BadRequest', 'PATCH deployments: fieldManager is required for apply requests'),
    );
  });
});

describe('watch', () => {
  it('streams initial state then changes, resumes from a resourceVersion and sends bookmarks', async () => {
    sim.store.create('ConfigMap', { metadata: { name: 'w1', labels: { watch: 'yes' } } });
    const startRv = sim.store.resourceVersion();
    const pending = watchEvents('/api/v1/namespaces/default/configmaps?watch=true&labelSelector=watch%3Dyes', 3);
    await new RealClock().sleep(50);
    await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'w2', labels: { watch: 'yes' } } });
    await call(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/w2',
      { metadata: { labels: { watch: 'no' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    const events = await pending;
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'w1'],
      ['ADDED', 'w2'],
      ['DELETED', 'w2'],
    ]);

    const resumed = await watchEvents(
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${startRv}&allowWatchBookmarks=true`,
      3,
    );
    expect(resumed.map((e) => [e.type, e.object.metadata.name ?? ''])).toEqual([
      ['ADDED', 'w2'],
      ['MODIFIED', 'w2'],
      ['BOOKMARK', ''],
    ]);
    expect(resumed[2]!.object).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(sim.store.resourceVersion()) },
    });
  });

  it('answers a too-old resourceVersion with an ERROR 410 Expired event', async () => {
    const events = await watchEvents(`${DEPLOYMENTS}?watch=true&resourceVersion=5`, 1);
    expect(events).toEqual([
      { type: 'ERROR', object: status(410, 'Expired', `too old resource version: 5 (${sim.store.resourceVersion()})`) },
    ]);
  });

  it('ends at timeoutSeconds', async () => {
    const res = await fetch(
      `${server.url}${DEPLOYMENTS}?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dnone`,
    );
    expect(await res.text()).toBe('');
  });
});

describe('tables', () => {
  it('prints deployments, replicasets and pods like kubectl', async () => {
    sim.store.create('Deployment', deployment('tab', 'nginx:1.27', 3));
    sim.advance(125_000);
    const accept = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };
    const dep = (await call('GET', `${DEPLOYMENTS}?fieldSelector=metadata.name%3Dtab`, undefined, accept)).json;
    expect(dep.columnDefinitions.map((c: any) => c.name)).toEqual([
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    expect(dep.rows[0].cells).toEqual(['tab', '0/3', 0, 0, '2m5s', 'c', 'nginx:1.27', 'app=tab']);
    expect(dep.rows[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'tab' },
    });
    const full = (await call('GET', `${DEPLOYMENTS}/tab?includeObject=Object`, undefined, accept)).json;
    expect(full.rows[0].object.spec.replicas).toBe(3);

    sim.store.create('Pod', {
      metadata: { name: 'bad' },
      spec: { containers: [{ name: 'c', image: 'nginx:1.231' }] },
      status: {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'c',
            image: 'nginx:1.231',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ImagePullBackOff' } },
          },
        ],
      },
    });
    sim.store.create('Pod', {
      metadata: { name: 'pending' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
      status: { phase: 'Pending' },
    });
    const pods = (await call('GET', '/api/v1/namespaces/default/pods', undefined, accept)).json;
    expect(pods.rows.map((r: any) => r.cells.slice(0, 4))).toEqual([
      ['bad', '0/1', 'ImagePullBackOff', '0'],
      ['pending', '0/1', 'Pending', '0'],
    ]);
    const ns = (await call('GET', '/api/v1/namespaces', undefined, accept)).json;
    expect(ns.rows[0].cells[0]).toBe('default');
  });
});

describe('bad requests', () => {
  it('answers with exact Status objects and stays up', async () => {
    const malformed = (await call('POST', DEPLOYMENTS, '{"metadata": ')).json;
    expect(malformed).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest', status: 'Failure' });
    expect(malformed.message).toMatch(
      /^the object provided is unrecognized \(must be of type Deployment\): json parse error: /,
    );
    expect((await call('GET', '/apis/apps/v1/namespaces/default/widgets')).json).toEqual(
      status(404, 'NotFound', 'the server could not find the requested resource', {}),
    );
    expect((await call('POST', `${DEPLOYMENTS}/x`, deployment('x'))).json).toEqual(
      status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
    );
    const huge = JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } });
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', huge)).json).toEqual(
      status(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'),
    );
    expect((await call('POST', '/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'x' } })).json).toEqual(
      status(404, 'NotFound', 'namespaces "nowhere" not found', { name: 'nowhere', kind: 'namespaces' }),
    );
    expect((await call('GET', '/version')).status).toBe(200);
    expect(server.requestLog.create).toBeGreaterThan(0);
  });
});
