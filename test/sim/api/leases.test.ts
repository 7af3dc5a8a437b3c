/**
 * coordination.k8s.io/v1 Leases through the REST facade (`serve`) as a real API server serves them:
 * discovery, get/list/watch/create/update/patch/delete, optimistic concurrency, the decoding and
 * validation errors of pkg/apis/coordination/validation, and `kubectl get leases` columns.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import { Kubectl, startBareServer } from './harness.js';

let sim: Simulation;
let server: ApiServerHandle;

beforeAll(async () => {
  ({ sim, server } = await startBareServer({ speed: 0 }));
});

afterAll(async () => {
  await server.close();
});

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/default/leases';

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'content-type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as any };
}

const lease = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name },
  spec,
});

describe('Leases over HTTP', () => {
  it('are in discovery: the group, its version, the namespaced resource with every verb', async () => {
    const groups = await call('GET', '/apis');
    expect(groups.json.groups.map((g: { name: string }) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'coordination.k8s.io']),
    );
    const group = await call('GET', '/apis/coordination.k8s.io');
    expect(group.json.preferredVersion).toEqual({ groupVersion: 'coordination.k8s.io/v1', version: 'v1' });
    const resources = await call('GET', '/apis/coordination.k8s.io/v1');
    expect(resources.json).toMatchObject({ groupVersion: 'coordination.k8s.io/v1' });
    expect(resources.json.resources).toEqual([
      {
        name: 'leases',
        singularName: 'lease',
        namespaced: true,
        kind: 'Lease',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      },
    ]);
  });

  it('create, get, list, conditional update (409 when stale), merge patch, watch and delete', async () => {
    const created = await call(
      'POST',
      `${LEASES}?fieldManager=test`,
      lease('a', { holderIdentity: 'one', leaseDurationSeconds: 60, renewTime: '2026-01-01T00:00:00.000000Z' }),
    );
    expect(created.status).toBe(201);
    expect(created.json.metadata).toMatchObject({ name: 'a', namespace: 'default' });
    expect(created.json.metadata.generation).toBeUndefined();
    const rv = created.json.metadata.resourceVersion as string;

    expect((await call('GET', `${LEASES}/a`)).json.spec.holderIdentity).toBe('one');
    expect((await call('GET', LEASES)).json).toMatchObject({ kind: 'LeaseList', items: [{ metadata: { name: 'a' } }] });

    const again = await call('POST', LEASES, lease('a', {}));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({
      reason: 'AlreadyExists',
      message: 'leases.coordination.k8s.io "a" already exists',
    });

    const updated = await call('PUT', `${LEASES}/a`, {
      ...created.json,
      spec: { ...created.json.spec, holderIdentity: 'two' },
    });
    expect(updated.status).toBe(200);
    const stale = await call('PUT', `${LEASES}/a`, {
      ...created.json,
      metadata: { ...created.json.metadata, resourceVersion: rv },
      spec: { ...created.json.spec, holderIdentity: 'three' },
    });
    expect(stale.status).toBe(409);
    expect(stale.json.message).toBe(
      'Operation cannot be fulfilled on leases.coordination.k8s.io "a": the object has been modified; please apply your changes to the latest version and try again',
    );

    const patched = await call(
      'PATCH',
      `${LEASES}/a`,
      { spec: { holderIdentity: '' } },
      'application/merge-patch+json',
    );
    expect(patched.json.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 60 });

    const res = await fetch(`${server.url}${LEASES}?watch=true&resourceVersion=${rv}`);
    const reader = res.body!.getReader();
    let text = '';
    while (text.split('\n').length < 3) text += Buffer.from((await reader.read()).value!).toString('utf8');
    await reader.cancel();
    expect(
      text
        .trim()
        .split('\n')
        .slice(0, 2)
        .map((l) => JSON.parse(l).object.spec.holderIdentity),
    ).toEqual(['two', '']);

    expect((await call('DELETE', `${LEASES}/a`)).status).toBe(200);
    expect((await call('GET', `${LEASES}/a`)).status).toBe(404);
  });

  it('refuses what the API server refuses: wrong JSON types (400) and out-of-range fields (422)', async () => {
    const typed = await call('POST', LEASES, lease('b', { leaseDurationSeconds: '60' }));
    expect(typed.status).toBe(400);
    expect(typed.json.message).toBe(
      'Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32',
    );
    const ranged = await call('POST', LEASES, lease('b', { leaseDurationSeconds: 0, leaseTransitions: -1 }));
    expect(ranged.status).toBe(422);
    expect(ranged.json.message).toBe(
      'Lease.coordination.k8s.io "b" is invalid: [spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0, spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0]',
    );
    const named = await call('POST', LEASES, lease('B_', {}));
    expect(named.status).toBe(422);
    expect(named.json.message).toContain('metadata.name: Invalid value: "B_": a lowercase RFC 1123 subdomain');
    expect(sim.store.list('Lease')).toEqual([]);
  });
});

describe('kubectl get leases', () => {
  it('prints NAME, HOLDER (empty once released) and AGE', async () => {
    const kubectl = new Kubectl(server.kubeconfig());
    try {
      sim.store.create('Lease', lease('rollout-gate.web', { holderIdentity: 'ci-run-7', leaseDurationSeconds: 60 }));
      sim.store.create('Lease', lease('rollout-gate.api', { holderIdentity: '', leaseDurationSeconds: 1 }));
      sim.advance(90_000);
      const got = await kubectl.run('get', 'leases');
      expect(got.stderr).toBe('');
      expect(got.stdout.split('\n').map((l) => l.trimEnd())).toEqual([
        'NAME               HOLDER     AGE',
        'rollout-gate.api              90s',
        'rollout-gate.web   ci-run-7   90s',
        '',
      ]);
    } finally {
      kubectl.cleanup();
    }
  });
});
