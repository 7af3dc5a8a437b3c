/**
 * Issue 10, "permissions known before the first write", on the in-process simulated cluster: a
 * scenario `permissions` block authorizes every request as its user; the preflight lists every
 * missing permission before anything is applied, and the least-privilege Role of
 * examples/rbac/role.yaml is enough for a whole failing deploy and its rollback.
 */
import { describe, expect, test } from '@jest/globals';
import { loadScenario } from '../../src/app/connect.js';
import { createSimulatedCluster } from '../../src/cluster/sim/index.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import { runGate } from '../../src/gate/runGate.js';
import { ApiError } from '../../src/k8s/apiError.js';
import type { Deployment } from '../../src/k8s/objects.js';
import { loadManifests } from '../../src/manifest/index.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import { cli, onlyJson, ROOT } from '../cli/support.js';

const APP = 'examples/rbac/app-v2.yaml';
const MISSING = 'test/fixtures/perms/scenario-missing.yaml';
const ROLE = 'examples/rbac/scenario.yaml';

/** What runDeploy does, with the simulated cluster kept for the test to look into. */
async function gate(scenarioPath: string, manifests = APP) {
  const loaded = loadScenario({ scenario: scenarioPath, cwd: ROOT });
  expect(loaded.errors).toEqual([]);
  const parts = createSimulatedCluster(loaded.scenario, { objects: loaded.objects.map((d) => d.object) });
  const docs = loadManifests({ patterns: [manifests], cwd: ROOT, defaultNamespace: 'default', images: [] });
  expect(docs.errors).toEqual([]);
  const log = new MemoryLog();
  const rvBefore = parts.simulation.store.resourceVersion();
  const result = await runGate(
    parts.cluster,
    {
      documents: docs.documents,
      policy: DEFAULT_POLICY,
      rollback: 'on-failure',
      rollbackTimeoutSeconds: 300,
      onNoGoodRevision: 'leave',
      force: false,
    },
    log,
  );
  return { parts, log, result, rvBefore };
}

const PATCH_LINE = 'kubectl auth can-i patch deployments.apps -n shop   # no: needed to apply deployment "web"';
const WATCH_LINE = 'kubectl auth can-i watch events -n shop   # no: needed to watch the rollout of deployment "web"';

describe('a Role missing two permissions', () => {
  test('--simulate: exit 2, invalid, both kubectl auth can-i lines with the file:line of the Deployment', async () => {
    const run = await cli(['run', '--simulate', '-f', APP, '--scenario', MISSING, '-o', 'json']);
    expect(run.code).toBe(2);
    const json = onlyJson(run.stdout);
    expect(json.result).toBe('invalid');
    expect(json.errors).toEqual([
      { file: APP, line: 22, message: PATCH_LINE },
      { file: APP, line: 22, message: WATCH_LINE },
    ]);
    expect(json.applied).toEqual([]);
  });

  test('the text output says nothing was applied and prints each line to copy', async () => {
    const run = await cli(['run', '--simulate', '-f', APP, '--scenario', MISSING]);
    expect(run.code).toBe(2);
    const out = run.stdout + run.stderr;
    expect(out).toContain('this identity may not do 2 things the run needs; nothing was applied');
    expect(out).toContain(`${APP}:22: ${PATCH_LINE}`);
    expect(out).toContain(`${APP}:22: ${WATCH_LINE}`);
    expect(out).toContain('✖ Result: invalid — 2 input errors, nothing was applied (exit code 2)');
  });

  test('nothing was written: no object, no Lease, the Deployment untouched', async () => {
    const { parts, result, rvBefore } = await gate(MISSING);
    expect(result.result).toBe('invalid');
    expect(result.reason).toBe('Forbidden');
    const store = parts.simulation.store;
    expect(store.resourceVersion()).toBe(rvBefore);
    expect(store.get('ConfigMap', 'shop', 'web-config')).toBeUndefined();
    expect(store.get('Service', 'shop', 'web')).toBeUndefined();
    expect(store.list('Lease', 'shop')).toEqual([]);
    const web = store.get<Deployment>('Deployment', 'shop', 'web')!;
    expect(web.spec.template.spec?.containers[0]?.image).toBe('nginx:1.26');
    // Discovery (3 kinds) and 21 access reviews (permissions/plan.ts): no write reached the cluster.
    expect(parts.cluster.requestCounts()).toEqual({ GET: 3, POST: 21 });
  });

  test("the simulated adapter refuses the same write with the API server's 403", async () => {
    const loaded = loadScenario({ scenario: MISSING, cwd: ROOT });
    const parts = createSimulatedCluster(loaded.scenario, { objects: loaded.objects.map((d) => d.object) });
    const web = parts.simulation.store.get<Deployment>('Deployment', 'shop', 'web')!;
    const err = await parts.cluster
      .apply({ ...web, metadata: { name: 'web', namespace: 'shop' } }, { fieldManager: 'x', force: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'deployments.apps "web" is forbidden: User "system:serviceaccount:shop:deployer" cannot patch resource ' +
        '"deployments" in API group "apps" in the namespace "shop"',
      reason: 'Forbidden',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 403,
    });
  });
});

describe('examples/rbac/role.yaml is enough', () => {
  test('a failing deploy is applied, judged and rolled back fully as shop/deployer, with no permission warning', async () => {
    const { parts, result, log } = await gate(ROLE);
    expect(result.result).toBe('rolled-back');
    expect(result.workloads.map((w) => [w.name, w.result, w.reason, w.rolledBackTo])).toEqual([
      ['web', 'rolled-back', 'ErrImagePull', 3],
    ]);
    expect(log.lines.filter((l) => /permission|forbidden|cannot use the Lease/i.test(l))).toEqual([]);
    const store = parts.simulation.store;
    expect(store.get('ConfigMap', 'shop', 'web-config')).toBeDefined();
    const web = store.get<Deployment>('Deployment', 'shop', 'web')!;
    expect(web.spec.template.spec?.containers[0]?.image).toBe('nginx:1.26');
    // The Lease was taken and given back, and the evidence has the pod's events.
    expect(store.get('Lease', 'shop', 'rollout-gate.web')).toMatchObject({ spec: { holderIdentity: '' } });
    expect(result.workloads[0]!.evidence?.[0]?.events?.length).toBeGreaterThan(0);
  });

  test('the CLI: exit 1, rolled back', async () => {
    const run = await cli(['run', '--simulate', '-f', APP, '--scenario', ROLE, '-o', 'json']);
    expect([run.code, onlyJson(run.stdout).result]).toEqual([1, 'rolled-back']);
  });
});

describe('permissions taken away after the preflight', () => {
  test('the 403 of the write names the verb, the resource and the namespace; what came before is reported', async () => {
    const loaded = loadScenario({ scenario: ROLE, cwd: ROOT });
    const parts = createSimulatedCluster(loaded.scenario, { objects: loaded.objects.map((d) => d.object) });
    const docs = loadManifests({ patterns: [APP], cwd: ROOT, defaultNamespace: 'default', images: [] });
    const roles = loaded.scenario.permissions!.roles;
    // Between the preflight and the apply of the Deployment, someone removes `patch` on deployments.
    const cluster = new Proxy(parts.cluster, {
      get(target, prop, receiver) {
        if (prop === 'apply')
          return (obj: Deployment, options: { fieldManager: string; force: boolean }) => {
            if (obj.kind === 'Deployment')
              for (const rule of roles.flatMap((g) => g.rules))
                if (rule.resources?.includes('deployments')) rule.verbs = rule.verbs.filter((v) => v !== 'patch');
            return target.apply(obj, options);
          };
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const log = new MemoryLog();
    const result = await runGate(
      cluster,
      {
        documents: docs.documents,
        policy: DEFAULT_POLICY,
        rollback: 'on-failure',
        rollbackTimeoutSeconds: 300,
        onNoGoodRevision: 'leave',
        force: false,
      },
      log,
    );
    expect(result.result).toBe('failed');
    expect(result.errors).toEqual([
      {
        file: APP,
        line: 22,
        message:
          'deployments.apps "web" is forbidden: User "system:serviceaccount:shop:deployer" cannot patch resource ' +
          '"deployments" in API group "apps" in the namespace "shop"',
      },
    ]);
    expect(result.applied?.map((a) => `${a.kind}/${a.name} ${a.action}`)).toEqual([
      'ConfigMap/web-config created',
      'Service/web created',
    ]);
  });
});

describe('permissions the run can do without', () => {
  test('no Leases, no pod logs: warnings with the can-i lines, and the run goes on (rolled back)', async () => {
    const loaded = loadScenario({ scenario: ROLE, cwd: ROOT });
    const roles = loaded.scenario.permissions!.roles;
    for (const rule of roles.flatMap((g) => g.rules))
      rule.resources = rule.resources?.filter((r) => r !== 'leases' && r !== 'pods/log');
    const parts = createSimulatedCluster(loaded.scenario, { objects: loaded.objects.map((d) => d.object) });
    const docs = loadManifests({ patterns: [APP], cwd: ROOT, defaultNamespace: 'default', images: [] });
    const log = new MemoryLog();
    const result = await runGate(
      parts.cluster,
      {
        documents: docs.documents,
        policy: DEFAULT_POLICY,
        rollback: 'on-failure',
        rollbackTimeoutSeconds: 300,
        onNoGoodRevision: 'leave',
        force: false,
      },
      log,
    );
    expect(log.lines.filter((l) => l.startsWith('warning: missing permission'))).toEqual([
      "warning: missing permission, failing containers' last log lines are left out of the report: " +
        'kubectl auth can-i get pods --subresource=log -n shop   # no: needed to read the logs of failing pods of deployment "web"',
      'warning: missing permission, the run goes on without the lock against a concurrent run and without recording the last good revision: ' +
        'kubectl auth can-i get leases.coordination.k8s.io -n shop   # no: needed to hold the Lease of deployment "web"',
      'warning: missing permission, the run goes on without the lock against a concurrent run and without recording the last good revision: ' +
        'kubectl auth can-i create leases.coordination.k8s.io -n shop   # no: needed to hold the Lease of deployment "web"',
      'warning: missing permission, the run goes on without the lock against a concurrent run and without recording the last good revision: ' +
        'kubectl auth can-i update leases.coordination.k8s.io -n shop   # no: needed to hold the Lease of deployment "web"',
    ]);
    expect(result.result).toBe('rolled-back');
    // The evidence is still captured (events, container state).
    expect(result.workloads[0]!.evidence?.[0]).toMatchObject({ reason: 'ErrImagePull' });
    expect(parts.simulation.store.list('Lease', 'shop')).toEqual([]);
  });
});
