/**
 * Issue 10 over HTTP: `serve` with a scenario `permissions` block authorizes every request as its
 * user; real kubectl gets kube-apiserver's answers (`auth can-i`, the 403 text), and the gate through
 * its real adapter (client-node, SelfSubjectAccessReviews) gets the preflight list.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { serve } from '../../src/cli/serve.js';
import { loadScenario } from '../../src/app/connect.js';
import { kubeletLogReader } from '../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerHandle } from '../../src/cluster/sim/api/server.js';
import { createSimulatedCluster, type SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import { loadManifests } from '../../src/manifest/index.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import { ROOT } from '../cli/support.js';
import { Kubectl } from '../sim/api/harness.js';
import { gateOverHttp } from '../support/servedGate.js';

const APP = 'examples/rbac/app-v2.yaml';
const USER = 'system:serviceaccount:shop:deployer';

function cluster(scenario: string): {
  parts: SimulatedClusterParts;
  permissions: ReturnType<typeof loadScenario>['scenario']['permissions'];
} {
  const loaded = loadScenario({ scenario, cwd: ROOT });
  expect(loaded.errors).toEqual([]);
  const parts = createSimulatedCluster(loaded.scenario, {
    objects: loaded.objects.map((d) => d.object),
    startMs: Date.now(),
  });
  return { parts, permissions: loaded.scenario.permissions };
}

describe('kubectl against serve with examples/rbac/role.yaml', () => {
  let server: ApiServerHandle;
  let kubectl: Kubectl;
  beforeAll(async () => {
    const { parts, permissions } = cluster('examples/rbac/scenario.yaml');
    server = await startApiServer({
      simulation: parts.simulation,
      port: 0,
      speed: 20,
      readLogs: kubeletLogReader(parts.kubelet),
      ...(permissions ? { permissions } : {}),
    });
    kubectl = new Kubectl(server.kubeconfig());
  });
  afterAll(async () => {
    kubectl.cleanup();
    await server.close();
  });

  test('kubectl auth can-i: yes for what the Role grants, no for the rest', async () => {
    const ask = async (...args: string[]) => {
      const r = await kubectl.run('auth', 'can-i', ...args);
      return [r.stdout.trim() + r.stderr, r.code];
    };
    expect(await ask('patch', 'deployments', '-n', 'shop')).toEqual(['yes', 0]);
    expect(await ask('get', 'pods', '--subresource=log', '-n', 'shop')).toEqual(['yes', 0]);
    expect(await ask('get', 'pods', '-n', 'shop')).toEqual(['no', 1]);
    expect(await ask('delete', 'deployments', '-n', 'shop')).toEqual(['no', 1]);
    expect(await ask('patch', 'deployments', '-n', 'default')).toEqual(['no', 1]);
    // Cluster-scoped: asked at the cluster scope, where a Role grants nothing.
    expect(await ask('get', 'customresourcedefinitions', '--all-namespaces')).toEqual(['no', 1]);
    // SelfSubjectRulesReview: what the identity may do in shop.
    const list = await kubectl.run('auth', 'can-i', '--list', '-n', 'shop');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^leases\.coordination\.k8s\.io +\[\] +\[\] +\[get create update\]$/m);
    expect(list.stdout).toMatch(/^pods\/log +\[\] +\[\] +\[get\]$/m);
  });

  test("a forbidden request prints kube-apiserver's 403 text", async () => {
    const del = await kubectl.run('delete', 'deployment', 'web', '-n', 'shop');
    expect(del.code).toBe(1);
    expect(del.stderr.trim()).toBe(
      `Error from server (Forbidden): deployments.apps "web" is forbidden: User "${USER}" cannot delete resource "deployments" in API group "apps" in the namespace "shop"`,
    );
    const file = kubectl.file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: other\n');
    const apply = await kubectl.run('apply', '--server-side', '-f', file);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(
      `configmaps "x" is forbidden: User "${USER}" cannot patch resource "configmaps" in API group "" in the namespace "other"`,
    );
    // The Role may get and apply secrets, never list them.
    const list = await kubectl.run('get', 'secrets', '-n', 'shop');
    expect(list.stderr.trim()).toBe(
      `Error from server (Forbidden): secrets is forbidden: User "${USER}" cannot list resource "secrets" in API group "" in the namespace "shop"`,
    );
  });

  test('discovery stays allowed: kubectl api-resources and version answer', async () => {
    const resources = await kubectl.run('api-resources', '--api-group=apps', '-o', 'name');
    expect(resources.code).toBe(0);
    expect(resources.stdout).toContain('deployments.apps');
    expect((await kubectl.run('version', '-o', 'json')).code).toBe(0);
  });
});

const INPUT = {
  policy: DEFAULT_POLICY,
  rollback: 'on-failure' as const,
  rollbackTimeoutSeconds: 300,
  onNoGoodRevision: 'leave' as const,
  force: false,
};

describe('the gate over HTTP as shop/deployer with examples/rbac/role.yaml', () => {
  test('every request of a failing deploy and its rollback is allowed: rolled back, no permission warning', async () => {
    const { parts, permissions } = cluster('examples/rbac/scenario.yaml');
    const docs = loadManifests({ patterns: [APP], cwd: ROOT, defaultNamespace: 'default', images: [] });
    const { result, log } = await gateOverHttp(parts, { documents: docs.documents, ...INPUT }, 20, {
      permissions: permissions!,
    });
    expect(log.lines.filter((l) => /permission|forbidden|cannot use the Lease/i.test(l))).toEqual([]);
    expect(result.workloads.map((w) => [w.name, w.result, w.reason])).toEqual([['web', 'rolled-back', 'ErrImagePull']]);
    expect(result.workloads[0]!.evidence?.[0]?.events?.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('the gate over HTTP with a Role missing two permissions', () => {
  test('the preflight lists both, nothing is applied', async () => {
    const { parts, permissions } = cluster('test/fixtures/perms/scenario-missing.yaml');
    const docs = loadManifests({ patterns: [APP], cwd: ROOT, defaultNamespace: 'default', images: [] });
    const rv = parts.simulation.store.resourceVersion();
    const { result } = await gateOverHttp(
      parts,
      {
        documents: docs.documents,
        policy: DEFAULT_POLICY,
        rollback: 'on-failure',
        rollbackTimeoutSeconds: 300,
        onNoGoodRevision: 'leave',
        force: false,
      },
      20,
      { permissions: permissions! },
    );
    expect([result.result, result.reason]).toEqual(['invalid', 'Forbidden']);
    expect(result.errors).toEqual([
      {
        file: APP,
        line: 22,
        message: 'kubectl auth can-i patch deployments.apps -n shop   # no: needed to apply deployment "web"',
      },
      {
        file: APP,
        line: 22,
        message: 'kubectl auth can-i watch events -n shop   # no: needed to watch the rollout of deployment "web"',
      },
    ]);
    expect(parts.simulation.store.get('ConfigMap', 'shop', 'web-config')).toBeUndefined();
    expect(parts.simulation.store.list('Lease', 'shop')).toEqual([]);
    // (The served clock ticks: controllers may have written status since; no object of the run exists.)
    expect(parts.simulation.store.resourceVersion()).toBeGreaterThanOrEqual(rv);
  }, 60_000);
});

describe('rollout-gate serve --scenario with permissions', () => {
  test('says whose requests it authorizes, and kubectl gets its answers', async () => {
    const out: string[] = [];
    let release!: () => void;
    const stopped = new Promise<void>((r) => (release = r));
    const done = serve(
      { command: 'serve', port: 0, speed: 20, tls: false, scenario: 'examples/rbac/scenario.yaml' },
      { stdout: (t) => out.push(t), stderr: (t) => out.push(t), isTTY: false, cwd: ROOT, version: 'test' },
      stopped,
    );
    // Waits on the banner, not on a fixed time.
    while (!out.join('').includes('Press Ctrl-C')) await new Promise((r) => setTimeout(r, 10));
    const text = out.join('');
    expect(text).toContain(`every request is authorized as ${USER} (scenario permissions)\n`);
    const kubeconfig = /^kubeconfig written to (.+)$/m.exec(text)![1]!;
    const kubectl = new Kubectl(readFileSync(kubeconfig, 'utf8'));
    try {
      const yes = await kubectl.run('auth', 'can-i', 'watch', 'events', '-n', 'shop');
      const no = await kubectl.run('auth', 'can-i', 'create', 'namespaces', '--all-namespaces');
      expect([yes.stdout, no.stdout]).toEqual(['yes\n', 'no\n']);
    } finally {
      kubectl.cleanup();
      release();
      expect(await done).toBe(0);
    }
  }, 60_000);
});
