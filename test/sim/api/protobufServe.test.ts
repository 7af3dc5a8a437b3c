import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { decodeObject, encodeObject } from '../../../src/cluster/sim/api/protobuf/envelope.js';
import { encodeMessage } from '../../../src/cluster/sim/api/protobuf/codec.js';
import type { Deployment } from '../../../src/k8s/objects.js';
import { deployment, startBareServer } from './harness.js';

/** serve's content negotiation: protobuf in and out for typed clients, JSON otherwise. */
const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

let sim: Simulation;
let server: ApiServerHandle;

beforeAll(async () => {
  ({ sim, server } = await startBareServer({ speed: 0 }));
});

afterAll(async () => {
  await server.close();
});

async function call(
  path: string,
  init: { method?: string; accept?: string; contentType?: string; body?: Buffer | string } = {},
): Promise<{ status: number; type: string; body: Buffer }> {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.accept ? { accept: init.accept } : {}),
      ...(init.contentType ? { 'content-type': init.contentType } : {}),
    },
    body: init.body,
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: Buffer.from(await res.arrayBuffer()),
  };
}

describe('serve in protobuf', () => {
  it('creates from a protobuf body and answers in protobuf what it answers in JSON', async () => {
    const created = await call(DEPLOYMENTS, {
      method: 'POST',
      accept: `${PROTOBUF},application/json`,
      contentType: PROTOBUF,
      body: encodeObject(deployment('api')),
    });
    expect([created.status, created.type]).toEqual([201, PROTOBUF]);
    const stored = sim.store.get('Deployment', 'default', 'api')!;
    const asJson = await call(`${DEPLOYMENTS}/api`, { accept: 'application/json' });
    expect(asJson.type).toBe('application/json');
    expect(JSON.parse(asJson.body.toString())).toEqual(stored);
    // The protobuf answer is the same object, as encoding/json prints it after a protobuf trip.
    const canonical = decodeObject(encodeObject(stored as unknown as Record<string, unknown>)!);
    expect(decodeObject(created.body)).toEqual(canonical);
    const read = await call(`${DEPLOYMENTS}/api`, { accept: `${PROTOBUF},application/json` });
    expect([read.status, read.type]).toEqual([200, PROTOBUF]);
    expect(decodeObject(read.body)).toEqual(canonical);
  });

  it('lists as a DeploymentList', async () => {
    const list = await call(DEPLOYMENTS, { accept: PROTOBUF });
    expect([list.status, list.type]).toEqual([200, PROTOBUF]);
    const decoded = decodeObject(list.body) as {
      kind: string;
      apiVersion: string;
      items: Array<{ metadata: { name: string } }>;
    };
    expect([decoded.apiVersion, decoded.kind, decoded.items.map((d) => d.metadata.name)]).toEqual([
      'apps/v1',
      'DeploymentList',
      ['api'],
    ]);
  });

  it('updates from a protobuf body (PUT)', async () => {
    const read = decodeObject((await call(`${DEPLOYMENTS}/api`, { accept: PROTOBUF })).body) as {
      spec: { replicas: number };
    };
    read.spec.replicas = 5;
    const updated = await call(`${DEPLOYMENTS}/api`, {
      method: 'PUT',
      accept: PROTOBUF,
      contentType: PROTOBUF,
      body: encodeObject(read),
    });
    expect(updated.status).toBe(200);
    expect((decodeObject(updated.body) as typeof read).spec.replicas).toBe(5);
    expect(sim.store.get<Deployment>('Deployment', 'default', 'api')!.spec.replicas).toBe(5);
  });

  it("deletes with protobuf DeleteOptions (a typed client's Delete), preconditions and all", async () => {
    sim.store.create('ConfigMap', { metadata: { name: 'gone', namespace: 'default' } });
    const options = (uid: string) =>
      encodeObject({
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        preconditions: { uid },
        propagationPolicy: 'Background',
      });
    const path = '/api/v1/namespaces/default/configmaps/gone';
    const conflict = await call(path, {
      method: 'DELETE',
      accept: PROTOBUF,
      contentType: PROTOBUF,
      body: options('other'),
    });
    expect(conflict.status).toBe(409);
    expect((decodeObject(conflict.body) as { reason: string }).reason).toBe('Conflict');
    const uid = sim.store.get('ConfigMap', 'default', 'gone')!.metadata.uid!;
    const deleted = await call(path, { method: 'DELETE', accept: PROTOBUF, contentType: PROTOBUF, body: options(uid) });
    expect(deleted.status).toBe(200);
    expect(sim.store.get('ConfigMap', 'default', 'gone')).toBeUndefined();
  });

  it('answers errors as a protobuf Status', async () => {
    const missing = await call(`${DEPLOYMENTS}/nope`, { accept: `${PROTOBUF},application/json` });
    expect([missing.status, missing.type]).toEqual([404, PROTOBUF]);
    expect(decodeObject(missing.body)).toEqual({
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });

  it('stays JSON by default, for JSON first, and for Tables', async () => {
    for (const accept of [undefined, 'application/json', `application/json,${PROTOBUF}`, '*/*'])
      expect((await call(`${DEPLOYMENTS}/api`, { accept })).type).toBe('application/json');
    const table = await call(DEPLOYMENTS, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect([table.type, (JSON.parse(table.body.toString()) as { kind: string }).kind]).toEqual([
      'application/json',
      'Table',
    ]);
  });

  it('refuses a malformed body (400), a kind without a protobuf form (415), a protobuf patch (415)', async () => {
    const garbage = await call(DEPLOYMENTS, {
      method: 'POST',
      contentType: PROTOBUF,
      body: Buffer.from('{"kind":"Deployment"}'),
    });
    expect(garbage.status).toBe(400);
    expect((JSON.parse(garbage.body.toString()) as { message: string }).message).toBe(
      'the protobuf body could not be decoded: provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
    const custom = await call(DEPLOYMENTS, {
      method: 'POST',
      contentType: PROTOBUF,
      body: Buffer.concat([
        Buffer.from('k8s\0', 'latin1'),
        encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { apiVersion: 'example.com/v1', kind: 'Widget' }),
      ]),
    });
    expect(custom.status).toBe(415);
    const patch = await call(`${DEPLOYMENTS}/api`, {
      method: 'PATCH',
      contentType: PROTOBUF,
      body: encodeObject(deployment('api')),
    });
    expect(patch.status).toBe(415);
    expect((JSON.parse(patch.body.toString()) as { message: string }).message).toMatch(
      /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, /,
    );
  });
});
