/**
 * Issue 10 over HTTP: the CLI's real adapter (client-node, API discovery) and real kubectl against
 * `startApiServer` (what `rollout-gate serve` runs) over the simulated cluster.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeCluster } from '../../src/cluster/kube/kubeCluster.js';
import { kubeletLogReader } from '../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerHandle } from '../../src/cluster/sim/api/server.js';
import { createSimulatedCluster, defaultScenario, type Simulation } from '../../src/cluster/sim/index.js';
import type { CustomResourceDefinition } from '../../src/k8s/crd.js';
import { cli, onlyJson, ROOT } from '../cli/support.js';
import { Kubectl } from '../sim/api/harness.js';

const FOLDER = 'test/fixtures/anykind/k8s';

let simulation: Simulation;
let server: ApiServerHandle;
let dir: string;
let kubeconfig: string;
let kubectl: Kubectl;

beforeAll(async () => {
  const parts = createSimulatedCluster(defaultScenario(), { startMs: Date.now() });
  simulation = parts.simulation;
  // Fast virtual time: the Deployment's pods pull and start within a few real seconds.
  server = await startApiServer({ simulation, port: 0, speed: 20, readLogs: kubeletLogReader(parts.kubelet) });
  dir = mkdtempSync(join(tmpdir(), 'rollout-gate-anykind-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
  kubectl = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  kubectl.cleanup();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rollout-gate run against serve', () => {
  test('an unknown kind: exit 2 with file:line, nothing applied', async () => {
    const bad = join(dir, 'bad');
    mkdirSafe(bad);
    writeFileSync(join(bad, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: before-gadget\n');
    writeFileSync(
      join(bad, 'gadget.yaml'),
      '# a custom resource whose CRD nobody installed\napiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n',
    );
    const run = await cli(['run', '-f', bad, '--kubeconfig', kubeconfig, '-o', 'json'], ROOT);
    expect(run.code).toBe(2);
    const json = onlyJson(run.stdout);
    expect(json.result).toBe('invalid');
    expect(json.errors).toEqual([
      {
        file: `${bad}/gadget.yaml`,
        line: 2,
        message:
          'no matches for kind "Gadget" in version "example.com/v1": the cluster does not serve it ' +
          '(ensure CRDs are installed first, or apply its CustomResourceDefinition in the same run)',
      },
    ]);
    expect(json.applied).toBeUndefined();
    expect(simulation.store.get('ConfigMap', 'default', 'before-gadget')).toBeUndefined();
  });

  test('the typical folder with a CRD and its Widget: every object applied through discovery, exit 0', async () => {
    const run = await cli(['run', '-f', FOLDER, '--kubeconfig', kubeconfig, '-o', 'json'], ROOT);
    const json = onlyJson(run.stdout);
    expect([json.errors, json.result, run.code]).toEqual([[], 'succeeded', 0]);
    const applied = (json.applied as Array<Record<string, unknown>>).map((a) => `${a.kind}/${a.name} ${a.action}`);
    expect(applied.sort()).toEqual(
      [
        'ClusterRole/shop:widget-viewer created',
        'ConfigMap/shop-config created',
        'CronJob/shop-report created',
        'CustomResourceDefinition/widgets.example.com created',
        'Deployment/shop created',
        'HorizontalPodAutoscaler/shop created',
        'Ingress/shop created',
        'PodDisruptionBudget/shop created',
        'Role/shop-reader created',
        'RoleBinding/shop-reader created',
        'Service/shop created',
        'ServiceAccount/shop created',
        'Widget/shop-widget created',
      ].sort(),
    );
    // Every object but the Deployment was waited on through the real adapter, and each was ready.
    const objects = (json.objects as Array<Record<string, unknown>>).map((o) => `${o.kind}/${o.name} ${o.result}`);
    expect(objects.sort()).toEqual(
      applied
        .filter((a) => !a.startsWith('Deployment/'))
        .map((a) => a.replace(' created', ' ready'))
        .sort(),
    );
    const store = simulation.store;
    const widget = store.get('Widget', 'default', 'shop-widget')!;
    expect(widget).toMatchObject({ apiVersion: 'example.com/v1', metadata: { generation: 1 }, spec: { size: 3 } });
    expect((widget.metadata.managedFields as Array<{ manager: string }>)[0]!.manager).toBe('rollout-gate');
    // Cluster-scoped: the stray namespace of the manifest is dropped.
    expect(store.get('ClusterRole', undefined, 'shop:widget-viewer')!.metadata.namespace).toBeUndefined();
    const crd = store.get<CustomResourceDefinition>('CustomResourceDefinition', undefined, 'widgets.example.com')!;
    expect(crd.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['NamesAccepted', 'True', 'NoConflicts'],
      ['Established', 'True', 'InitialNamesAccepted'],
    ]);
  });

  test('a second run changes nothing: every object unchanged', async () => {
    const run = await cli(['run', '-f', FOLDER, '--kubeconfig', kubeconfig, '-o', 'json'], ROOT);
    const json = onlyJson(run.stdout);
    expect([json.result, run.code]).toEqual(['succeeded', 0]);
    const changed = (json.applied as Array<Record<string, unknown>>).filter((a) => a.action !== 'unchanged');
    expect(changed.map((a) => `${a.kind}/${a.name} ${a.action}`)).toEqual([]);
  });
});

describe('KubeCluster.resolve (API discovery, cached per run)', () => {
  test('a group-version nobody serves is undefined; a kind added by a CRD is found when asked again', async () => {
    const cluster = KubeCluster.fromOptions({ kubeconfigContent: server.kubeconfig() });
    try {
      expect(await cluster.resolve('example.org/v1', 'Sprocket')).toBeUndefined();
      expect(await cluster.resolve('networking.k8s.io/v1', 'Ingress')).toEqual({
        plural: 'ingresses',
        namespaced: true,
      });
      expect(await cluster.resolve('networking.k8s.io/v1', 'Nothing')).toBeUndefined();
      expect(await cluster.resolve('rbac.authorization.k8s.io/v1', 'ClusterRole')).toEqual({
        plural: 'clusterroles',
        namespaced: false,
      });
      const before = cluster.requestCounts().GET ?? 0;
      expect(await cluster.resolve('rbac.authorization.k8s.io/v1', 'Role')).toEqual({
        plural: 'roles',
        namespaced: true,
      });
      expect(cluster.requestCounts().GET ?? 0).toBe(before); // cached: no second discovery request
      await cluster.apply(
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'sprockets.example.org' },
          spec: {
            group: 'example.org',
            scope: 'Cluster',
            names: { plural: 'sprockets', kind: 'Sprocket' },
            versions: [
              {
                name: 'v1',
                served: true,
                storage: true,
                schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
              },
            ],
          },
        },
        { fieldManager: 'test', force: false },
      );
      expect(await cluster.resolve('example.org/v1', 'Sprocket')).toEqual({ plural: 'sprockets', namespaced: false });
    } finally {
      await cluster.close();
    }
  });
});

describe('kubectl against serve after the run', () => {
  test('api-resources lists built-in kinds without a controller and the CRD-defined widgets', async () => {
    const out = await kubectl.run('api-resources', '--no-headers');
    expect(out.code).toBe(0);
    const rows = out.stdout.split('\n').map((l) => l.trim().split(/\s+/));
    const row = (name: string) => rows.find((r) => r[0] === name);
    expect(row('ingresses')).toEqual(['ingresses', 'ing', 'networking.k8s.io/v1', 'true', 'Ingress']);
    expect(row('horizontalpodautoscalers')).toEqual([
      'horizontalpodautoscalers',
      'hpa',
      'autoscaling/v2',
      'true',
      'HorizontalPodAutoscaler',
    ]);
    expect(row('widgets')).toEqual(['widgets', 'wg', 'example.com/v1', 'true', 'Widget']);
    expect(row('customresourcedefinitions')).toEqual([
      'customresourcedefinitions',
      'crd,crds',
      'apiextensions.k8s.io/v1',
      'false',
      'CustomResourceDefinition',
    ]);
  });

  test('get widgets, get wg -o jsonpath, apply --server-side and delete a widget, get ingress / pdb / hpa / crd', async () => {
    const widgets = await kubectl.run('get', 'widgets');
    expect(widgets.code).toBe(0);
    // (kubectl's age: 42s, 5m27s, 3h...)
    expect(widgets.stdout).toMatch(/^NAME\s+AGE\nshop-widget\s+(\d+[smhd])+\n$/);
    const yaml = await kubectl.run('get', 'wg', 'shop-widget', '-o', 'jsonpath={.spec.size}');
    expect(yaml).toEqual({ code: 0, stdout: '3', stderr: '' });
    const file = kubectl.file(
      'w2.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w2\nspec:\n  size: 5\n',
    );
    expect(await kubectl.run('apply', '--server-side', '-f', file)).toEqual({
      code: 0,
      stdout: 'widget.example.com/w2 serverside-applied\n',
      stderr: '',
    });
    expect(await kubectl.run('delete', 'widget', 'w2')).toEqual({
      code: 0,
      stdout: 'widget.example.com "w2" deleted\n',
      stderr: '',
    });
    const ingress = await kubectl.run('get', 'ingress');
    expect(ingress.code).toBe(0);
    // No ingress controller runs: no address, as on a cluster without one.
    expect(ingress.stdout).toMatch(
      /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nshop\s+<none>\s+shop\.example\.com\s+80\s+(\d+[smhd])+\n$/,
    );
    const pdb = await kubectl.run('get', 'pdb');
    expect(pdb.stdout).toMatch(
      /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nshop\s+1\s+N\/A\s+1\s+(\d+[smhd])+\n$/,
    );
    const hpa = await kubectl.run('get', 'hpa');
    expect(hpa.stdout).toMatch(
      /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nshop\s+Deployment\/shop\s+cpu: <unknown>\/70%\s+2\s+5\s+2\s+(\d+[smhd])+\n$/,
    );
    const crd = await kubectl.run('get', 'crd');
    expect(crd.stdout).toMatch(/^NAME\s+CREATED AT\n(.*\n)*widgets\.example\.com\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);
  });
});

describe('custom resources are validated against their CRD by serve, as by a real API server', () => {
  // The Widget CRD of the folder (applied by the run above) declares spec.size as an integer.
  test('rollout-gate run of a bad Widget: the CRD is read from the cluster (client-node), exit 2 at file:line, nothing applied', async () => {
    const bad = join(dir, 'bad-widget');
    mkdirSafe(bad);
    writeFileSync(
      join(bad, 'widget.yaml'),
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: bad-widget\nspec:\n  size: big\n  colour: red\n',
    );
    const run = await cli(['run', '-f', bad, '--kubeconfig', kubeconfig, '-o', 'json'], ROOT);
    expect(run.code).toBe(2);
    expect(onlyJson(run.stdout).errors).toEqual([
      {
        file: `${bad}/widget.yaml`,
        line: 6,
        message:
          'The Widget "bad-widget" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
      },
      {
        file: `${bad}/widget.yaml`,
        line: 7,
        message: 'Widget "bad-widget": strict decoding error: unknown field "spec.colour"',
      },
    ]);
    expect(simulation.store.get('Widget', 'default', 'bad-widget')).toBeUndefined();
  });

  test('kubectl apply / apply --server-side / create of a Widget with a string size: the 422 text, nothing stored', async () => {
    const file = kubectl.file(
      'bad-type.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: bad-type\nspec:\n  size: big\n',
    );
    const refused = {
      code: 1,
      stdout: '',
      stderr:
        'The Widget "bad-type" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"\n',
    };
    expect(await kubectl.run('apply', '-f', file)).toEqual(refused);
    expect(await kubectl.run('apply', '--server-side', '-f', file)).toEqual(refused);
    expect(await kubectl.run('create', '-f', file)).toEqual(refused);
    expect(simulation.store.get('Widget', 'default', 'bad-type')).toBeUndefined();
  });

  test('an undeclared field: refused under Strict (apply, create, apply --server-side), pruned with --validate=false', async () => {
    const file = kubectl.file(
      'colour.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: colour\nspec:\n  size: 2\n  colour: red\n',
    );
    const strict = {
      code: 1,
      stdout: '',
      stderr:
        `Error from server (BadRequest): error when creating "${file}": Widget in version "v1" cannot be handled as a Widget: ` +
        'strict decoding error: unknown field "spec.colour"\n',
    };
    expect(await kubectl.run('apply', '-f', file)).toEqual(strict);
    expect(await kubectl.run('create', '-f', file)).toEqual(strict);
    expect(await kubectl.run('apply', '--server-side', '-f', file)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Error from server (Unknown): failed to create typed patch object (default/colour; example.com/v1, Kind=Widget): ' +
        '.spec.colour: field not declared in schema\n',
    });
    expect(await kubectl.run('apply', '--validate=false', '-f', file)).toEqual({
      code: 0,
      stdout: 'widget.example.com/colour created\n',
      stderr: '',
    });
    expect(await kubectl.run('get', 'widget', 'colour', '-o', 'jsonpath={.spec}')).toEqual({
      code: 0,
      stdout: '{"size":2}',
      stderr: '',
    });
    expect((await kubectl.run('delete', 'widget', 'colour')).code).toBe(0);
    // --validate=warn (fieldValidation=Warn): stored without the field, the API server's warning printed.
    expect(await kubectl.run('apply', '--validate=warn', '-f', file)).toEqual({
      code: 0,
      stdout: 'widget.example.com/colour created\n',
      stderr: 'Warning: unknown field "spec.colour"\n',
    });
    expect((await kubectl.run('delete', 'widget', 'colour')).code).toBe(0);
  });
});

function mkdirSafe(path: string): void {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
}
