import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { Simulation } from '../../../src/cluster/sim/simulation.js';
import { createSimulatedCluster, defaultScenario } from '../../../src/cluster/sim/index.js';
import type { Permissions } from '../../../src/k8s/rbac/authorize.js';
import type { Pod } from '../../../src/k8s/objects.js';
import { decodeObject, encodeObject } from '../../../src/cluster/sim/api/protobuf/envelope.js';
import { Kubectl } from './harness.js';

/**
 * Real kubectl 1.32 against `serve`'s authentication and authorization resources: `auth whoami`,
 * `create token` and the TokenReview of what it issued (valid up to exp on the virtual clock,
 * expired one second past it), SubjectAccessReview and its local form, and impersonation
 * (`auth can-i --as`), as the admin of serve's kubeconfig and as a scenario `permissions` user.
 */

interface Served {
  sim: Simulation;
  server: ApiServerHandle;
  kubectl: Kubectl;
}

async function serve(permissions?: Permissions): Promise<Served> {
  const sim = new Simulation([]);
  sim.store.create('Namespace', { metadata: { name: 'default' } });
  const server = await startApiServer({ simulation: sim, port: 0, speed: 0, ...(permissions ? { permissions } : {}) });
  return { sim, server, kubectl: new Kubectl(server.kubeconfig()) };
}

let admin: Served;
let dev: Served;

const DEV: Permissions = {
  user: 'dev',
  roles: [
    { namespace: 'default', rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] },
    { namespace: 'default', rules: [{ verbs: ['create'], apiGroups: [''], resources: ['serviceaccounts/token'] }] },
  ],
};

beforeAll(async () => {
  admin = await serve();
  dev = await serve(DEV);
});
afterAll(async () => {
  for (const s of [admin, dev]) {
    s.kubectl.cleanup();
    await s.server.close();
  }
});

async function run(s: Served, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return s.kubectl.run(...args);
}

async function ok(s: Served, ...args: string[]): Promise<string> {
  const r = await run(s, ...args);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return r.stdout;
}

function claimsOf(token: string): Record<string, unknown> {
  const parts = token.trim().split('.');
  expect(parts).toHaveLength(3);
  for (const p of parts) expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString())).toEqual({ alg: 'HS256', kid: 'rollout-gate-sim' });
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Record<string, unknown>;
}

async function review(s: Served, token: string, audiences?: string[]): Promise<Record<string, unknown>> {
  const file = s.kubectl.file(
    'review.yaml',
    dump({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: token.trim(), ...(audiences ? { audiences } : {}) },
    }),
  );
  return JSON.parse(await ok(s, 'create', '-f', file, '-o', 'json')).status as Record<string, unknown>;
}

describe('kubectl auth whoami', () => {
  it('names serve kubeconfig admin with its groups', async () => {
    expect(await ok(admin, 'auth', 'whoami')).toBe(
      [
        'ATTRIBUTE   VALUE',
        'Username    rollout-gate-sim',
        'Groups      [system:masters system:authenticated]',
        '',
      ].join('\n'),
    );
    expect(await ok(admin, 'auth', 'whoami', '-o', 'yaml')).toBe(
      [
        'apiVersion: authentication.k8s.io/v1',
        'kind: SelfSubjectReview',
        'metadata:',
        '  creationTimestamp: null',
        'status:',
        '  userInfo:',
        '    groups:',
        '    - system:masters',
        '    - system:authenticated',
        '    username: rollout-gate-sim',
        '',
      ].join('\n'),
    );
  });

  it('names the scenario permissions user, and whom --as impersonates when allowed', async () => {
    expect(await ok(dev, 'auth', 'whoami')).toBe(
      ['ATTRIBUTE   VALUE', 'Username    dev', 'Groups      [system:authenticated]', ''].join('\n'),
    );
    expect(await ok(admin, 'auth', 'whoami', '--as=alice', '--as-group=qa')).toBe(
      ['ATTRIBUTE   VALUE', 'Username    alice', 'Groups      [qa system:authenticated]', ''].join('\n'),
    );
  });
});

describe('kubectl create token and TokenReview', () => {
  it('issues a JWT for a service account from the simulated clock, one hour by default', async () => {
    expect(await ok(admin, 'create', 'serviceaccount', 'robot')).toBe('serviceaccount/robot created\n');
    const uid = admin.sim.store.get('ServiceAccount', 'default', 'robot')!.metadata.uid;
    const now = Math.floor(admin.sim.clock.now() / 1000);
    const claims = claimsOf(await ok(admin, 'create', 'token', 'robot'));
    expect(claims).toEqual({
      aud: ['https://kubernetes.default.svc.cluster.local'],
      exp: now + 3600,
      iat: now,
      iss: 'https://kubernetes.default.svc.cluster.local',
      jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/),
      'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'robot', uid } },
      nbf: now,
      sub: 'system:serviceaccount:default:robot',
    });
  });

  it('takes --duration and --audience; answers expirationTimestamp', async () => {
    const now = Math.floor(admin.sim.clock.now() / 1000);
    const out = await ok(admin, 'create', 'token', 'robot', '--duration', '2h', '--audience', 'vault', '-o', 'json');
    const request = JSON.parse(out) as { spec: unknown; status: { token: string; expirationTimestamp: string } };
    expect(request.spec).toEqual({ audiences: ['vault'], expirationSeconds: 7200, boundObjectRef: null });
    expect(request.status.expirationTimestamp).toBe(new Date((now + 7200) * 1000).toISOString().replace('.000Z', 'Z'));
    expect(claimsOf(request.status.token)).toMatchObject({ aud: ['vault'], exp: now + 7200 });
  });

  it('refuses less than ten minutes and a missing service account as kube-apiserver does', async () => {
    expect(await run(admin, 'create', 'token', 'robot', '--duration', '9m59s')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: failed to create token: TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes\n',
    });
    expect(claimsOf(await ok(admin, 'create', 'token', 'robot', '--duration', '10m'))).toMatchObject({
      sub: 'system:serviceaccount:default:robot',
    });
    expect(await run(admin, 'create', 'token', 'ghost')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: failed to create token: serviceaccounts "ghost" not found\n',
    });
  });

  it('reviews its tokens as the service account until exp, expired one second past it', async () => {
    await ok(admin, 'create', 'serviceaccount', 'reviewer');
    const uid = admin.sim.store.get('ServiceAccount', 'default', 'reviewer')!.metadata.uid;
    const token = await ok(admin, 'create', 'token', 'reviewer', '--duration', '10m');
    const { exp, jti } = claimsOf(token) as { exp: number; jti: string };
    const valid = {
      authenticated: true,
      user: {
        username: 'system:serviceaccount:default:reviewer',
        uid,
        groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jti}`] },
      },
      audiences: ['https://kubernetes.default.svc.cluster.local'],
    };
    expect(await review(admin, token)).toEqual(valid);
    admin.sim.advance(exp * 1000 - admin.sim.clock.now());
    expect(admin.sim.clock.now()).toBe(exp * 1000);
    expect(await review(admin, token)).toEqual(valid);
    admin.sim.advance(1000);
    expect(await review(admin, token)).toEqual({ user: {}, error: 'service account token has expired' });
  });

  it('does not authenticate a forged, foreign or wrong-audience token', async () => {
    const token = (await ok(admin, 'create', 'token', 'robot')).trim();
    const [h, p] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url')}.${token.split('.')[2]}`;
    expect(await review(admin, forged)).toEqual({ user: {} });
    expect(await review(admin, 'not-a-token')).toEqual({ user: {} });
    expect(await review(admin, token, ['vault'])).toEqual({
      user: {},
      error: 'token audiences [] is invalid for the target audiences',
    });
  });
});

describe('SubjectAccessReview, LocalSubjectAccessReview and impersonation', () => {
  it('answers for the spec user with the same RBAC evaluator', async () => {
    const sar = (kind: string, user: string, verb: string, namespace?: string): string =>
      dev.kubectl.file(
        'sar.yaml',
        dump({
          apiVersion: 'authorization.k8s.io/v1',
          kind,
          metadata: namespace ? { namespace } : {},
          spec: { user, resourceAttributes: { verb, resource: 'pods', namespace: 'default' } },
        }),
      );
    // dev may not create SubjectAccessReviews (system:auth-delegator would grant it): 403 as upstream.
    // (--validate=false: kubectl's client-side validation lists CRDs first, which dev may not.)
    expect(await run(dev, 'create', '--validate=false', '-f', sar('SubjectAccessReview', 'dev', 'list'))).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Error from server (Forbidden): error when creating "' +
        dev.kubectl.dir +
        '/sar.yaml": subjectaccessreviews.authorization.k8s.io is forbidden: User "dev" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope\n',
    });
    const admin2 = (kind: string, user: string, verb: string, namespace?: string): Promise<string> =>
      ok(admin, 'create', '-f', sar(kind, user, verb, namespace), '-o', 'jsonpath={.status.allowed}');
    // The admin server binds nobody: alice has only the defaults; system:masters may do anything.
    expect(await admin2('SubjectAccessReview', 'alice', 'list')).toBe('false');
    expect(await admin2('LocalSubjectAccessReview', 'rollout-gate-sim', 'list', 'default')).toBe('true');
  });

  it('kubectl auth can-i --as impersonates when the requester may, and is refused otherwise', async () => {
    expect(await run(admin, 'auth', 'can-i', 'list', 'pods', '--as=alice')).toEqual({
      code: 1,
      stdout: 'no\n',
      stderr: '',
    });
    expect(await run(admin, 'auth', 'can-i', 'list', 'pods')).toEqual({ code: 0, stdout: 'yes\n', stderr: '' });
    expect(await run(dev, 'auth', 'can-i', 'list', 'pods')).toEqual({ code: 0, stdout: 'yes\n', stderr: '' });
    expect(await run(dev, 'auth', 'can-i', 'list', 'pods', '--as=bob')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Error from server (Forbidden): users "bob" is forbidden: User "dev" cannot impersonate resource "users" in API group "" at the cluster scope\n',
    });
  });
});

describe('protobuf bodies, as typed clients send them', () => {
  const PROTOBUF = 'application/vnd.kubernetes.protobuf';
  async function post(
    path: string,
    object: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const r = await fetch(admin.server.url + path, {
      method: 'POST',
      headers: { 'content-type': PROTOBUF, accept: `${PROTOBUF}, application/json` },
      body: encodeObject(object),
    });
    expect(r.headers.get('content-type')).toBe(PROTOBUF);
    return { status: r.status, body: decodeObject(Buffer.from(await r.arrayBuffer())) };
  }

  it('answers TokenRequest, TokenReview, SelfSubjectReview and SubjectAccessReview in protobuf', async () => {
    await ok(admin, 'create', 'serviceaccount', 'typed');
    const requested = await post('/api/v1/namespaces/default/serviceaccounts/typed/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: 'typed', namespace: 'default' },
      spec: { audiences: ['api'], expirationSeconds: 600 },
    });
    expect(requested.status).toBe(201);
    const token = (requested.body.status as { token: string }).token;
    expect(claimsOf(token)).toMatchObject({ sub: 'system:serviceaccount:default:typed', aud: ['api'] });
    const reviewed = await post('/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token },
    });
    expect(reviewed.body.status).toMatchObject({
      authenticated: true,
      user: { username: 'system:serviceaccount:default:typed' },
    });
    const whoami = await post('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(whoami.body.status).toEqual({
      userInfo: { username: 'rollout-gate-sim', groups: ['system:masters', 'system:authenticated'] },
    });
    const sar = await post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: 'system:serviceaccount:default:typed', resourceAttributes: { verb: 'get', resource: 'pods' } },
    });
    expect(sar.body.status).toEqual({ allowed: false });
  });
});

describe('discovery', () => {
  it('lists the authentication resources and serviceaccounts/token', async () => {
    expect(await ok(admin, 'api-resources', '-o', 'wide', '--api-group=authentication.k8s.io')).toBe(
      [
        'NAME                 SHORTNAMES   APIVERSION                 NAMESPACED   KIND                VERBS    CATEGORIES',
        'selfsubjectreviews                authentication.k8s.io/v1   false        SelfSubjectReview   create   ',
        'tokenreviews                      authentication.k8s.io/v1   false        TokenReview         create   ',
        '',
      ].join('\n'),
    );
    const core = JSON.parse(await ok(admin, 'get', '--raw', '/api/v1')) as {
      resources: Array<Record<string, unknown>>;
    };
    expect(core.resources.find((r) => r.name === 'serviceaccounts/token')).toEqual({
      name: 'serviceaccounts/token',
      singularName: '',
      namespaced: true,
      group: 'authentication.k8s.io',
      version: 'v1',
      kind: 'TokenRequest',
      verbs: ['create'],
    });
  });
});

describe('kubectl get cs and pods/binding', () => {
  let cluster: Served;
  beforeAll(async () => {
    const { simulation } = createSimulatedCluster(defaultScenario());
    const server = await startApiServer({ simulation, port: 0, speed: 0 });
    cluster = { sim: simulation, server, kubectl: new Kubectl(server.kubeconfig()) };
  });
  afterAll(async () => {
    cluster.kubectl.cleanup();
    await cluster.server.close();
  });

  it('lists the control plane components Healthy, with the deprecation warning', async () => {
    const warning = 'Warning: v1 ComponentStatus is deprecated in v1.19+\n';
    expect(await run(cluster, 'get', 'cs')).toEqual({
      code: 0,
      stdout: [
        'NAME                 STATUS    MESSAGE   ERROR',
        'scheduler            Healthy   ok        ',
        'controller-manager   Healthy   ok        ',
        'etcd-0               Healthy   ok        ',
        '',
      ].join('\n'),
      stderr: warning,
    });
    expect(await run(cluster, 'get', 'componentstatuses', 'etcd-0', '-o', 'yaml')).toEqual({
      code: 0,
      stdout: [
        'apiVersion: v1',
        'conditions:',
        '- message: ok',
        '  status: "True"',
        '  type: Healthy',
        'kind: ComponentStatus',
        'metadata:',
        '  name: etcd-0',
        '',
      ].join('\n'),
      stderr: warning,
    });
    expect(await run(cluster, 'get', 'cs', 'kubelet')).toEqual({
      code: 1,
      stdout: '',
      stderr: warning + 'Error from server (NotFound): componentstatuses "kubelet" not found\n',
    });
    expect(await run(cluster, 'delete', 'cs', 'etcd-0')).toMatchObject({ code: 1 });
  });

  it('binds a pod of a custom scheduler to the node named, which then runs it', async () => {
    const { sim, kubectl } = cluster;
    const pod = kubectl.file(
      'pod.yaml',
      dump({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'custom' },
        spec: { schedulerName: 'my-scheduler', containers: [{ name: 'c', image: 'nginx:1.27' }] },
      }),
    );
    expect(await ok(cluster, 'create', '-f', pod)).toBe('pod/custom created\n');
    sim.advance(30_000);
    // The default scheduler leaves a pod of another scheduler alone.
    expect(sim.store.get<Pod>('Pod', 'default', 'custom')!.spec!.nodeName).toBeUndefined();
    const binding = (target: Record<string, unknown>, name = 'custom'): string =>
      kubectl.file(
        'binding.yaml',
        dump({ apiVersion: 'v1', kind: 'Binding', metadata: { name, annotations: { by: 'mine' } }, target }),
      );
    // kube-apiserver answers a Binding with a Status (BindingREST.Create), which kubectl names as it can.
    expect(await ok(cluster, 'create', '-f', binding({ kind: 'Node', name: 'node-3' }))).toBe(
      'status/<unknown> created\n',
    );
    const bound = sim.store.get<Pod>('Pod', 'default', 'custom')!;
    expect(bound.spec!.nodeName).toBe('node-3');
    expect(bound.metadata.annotations).toEqual({ by: 'mine' });
    expect(bound.status!.conditions!.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'True' });
    expect(await run(cluster, 'create', '-f', binding({ kind: 'Node', name: 'node-1' }))).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error from server (Conflict): error when creating "${kubectl.dir}/binding.yaml": Operation cannot be fulfilled on pods "custom": pod custom is already assigned to node "node-3"\n`,
    });
    sim.advance(60_000);
    const running = sim.store.get<Pod>('Pod', 'default', 'custom')!;
    expect({ node: running.spec!.nodeName, phase: running.status!.phase }).toEqual({
      node: 'node-3',
      phase: 'Running',
    });
  });

  it('pods/binding checks the name and the target as upstream does', async () => {
    const { sim, server } = cluster;
    sim.store.create('Pod', {
      metadata: { name: 'other', namespace: 'default' },
      spec: { schedulerName: 'my-scheduler', containers: [{ name: 'c', image: 'nginx:1.27' }] },
    });
    const post = async (body: unknown): Promise<{ status: number; message: string }> => {
      const r = await fetch(`${server.url}/api/v1/namespaces/default/pods/other/binding`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: r.status, message: ((await r.json()) as { message: string }).message };
    };
    expect(await post({ metadata: { name: 'custom' }, target: { name: 'node-1' } })).toEqual({
      status: 400,
      message: 'name in URL does not match name in Binding object',
    });
    expect(await post({ metadata: { name: 'other' }, target: { kind: 'Pod', name: 'node-1' } })).toEqual({
      status: 500,
      message: 'Internal error occurred: target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
    });
    expect(await post({ metadata: { name: 'other' }, target: { name: 'node-2' } })).toEqual({
      status: 201,
      message: undefined,
    });
    expect(sim.store.get<Pod>('Pod', 'default', 'other')!.spec!.nodeName).toBe('node-2');
  });
});
