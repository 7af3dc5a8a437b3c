import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { createSimulatedCluster, defaultScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { servedVersions } from '../../../src/cluster/sim/store/kinds.js';
import type { Deployment } from '../../../src/k8s/objects.js';
import { Kubectl } from './harness.js';

/**
 * Real kubectl 1.32 against `serve`'s OpenAPI documents: explain (built-in kinds, with the
 * upstream descriptions, and a custom resource with its CRD's schema), field validation, edit,
 * and the documents themselves (every $ref resolves, every served kind has its GVK once).
 * Tests run in order: the CRD is created by the first one that needs it.
 */
let sim: Simulation;
let server: ApiServerHandle;
let kubectl: Kubectl;

beforeAll(async () => {
  ({ simulation: sim } = createSimulatedCluster(defaultScenario()));
  server = await startApiServer({ simulation: sim, port: 0, speed: 0 });
  kubectl = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  kubectl.cleanup();
  await server.close();
});

const CRONTAB_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'], categories: ['all'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            description: 'CronTab runs a command on a schedule.',
            type: 'object',
            properties: {
              spec: {
                description: 'The schedule and what to run.',
                type: 'object',
                required: ['cronSpec'],
                properties: {
                  cronSpec: { description: 'A cron expression.', type: 'string' },
                  image: { type: 'string' },
                  replicas: { type: 'integer' },
                },
              },
            },
          },
        },
      },
    ],
  },
};

async function ok(...args: string[]): Promise<string> {
  const run = await kubectl.run(...args);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return run.stdout;
}

async function get(path: string): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(server.url + path, { redirect: 'manual' });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

describe('kubectl explain', () => {
  it('explains a field of a built-in kind with the upstream descriptions', async () => {
    expect(await ok('explain', 'deployment.spec.strategy')).toBe(
      [
        'GROUP:      apps',
        'KIND:       Deployment',
        'VERSION:    v1',
        '',
        'FIELD: strategy <DeploymentStrategy>',
        '',
        '',
        'DESCRIPTION:',
        '    The deployment strategy to use to replace existing pods with new ones.',
        '    DeploymentStrategy describes how to replace existing pods with new ones.',
        '    ',
        'FIELDS:',
        '  rollingUpdate\t<RollingUpdateDeployment>',
        '    Rolling update config params. Present only if DeploymentStrategyType =',
        '    RollingUpdate.',
        '',
        '  type\t<string>',
        '    Type of deployment. Can be "Recreate" or "RollingUpdate". Default is',
        '    RollingUpdate.',
        '',
        '',
        '',
      ].join('\n'),
    );
  });

  it('explains the metrics.k8s.io kinds kubectl top reads (metrics-server publishes them on a cluster)', async () => {
    const out = await ok('explain', 'pods', '--api-version=metrics.k8s.io/v1beta1');
    expect(out.split('\n').slice(0, 4)).toEqual([
      'GROUP:      metrics.k8s.io',
      'KIND:       PodMetrics',
      'VERSION:    v1beta1',
      '',
    ]);
    expect(out).toContain('PodMetrics sets resource usage metrics of a pod.');
    expect(out).toMatch(/containers\t<\[\]ContainerMetrics> -required-/);
  });

  it('explains from the protobuf /openapi/v2 with --output=plaintext-openapiv2', async () => {
    expect(await ok('explain', 'deployment.spec.strategy', '--output=plaintext-openapiv2')).toBe(
      [
        'KIND:     Deployment',
        'VERSION:  apps/v1',
        '',
        'RESOURCE: strategy <Object>',
        '',
        'DESCRIPTION:',
        '     The deployment strategy to use to replace existing pods with new ones.',
        '',
        '     DeploymentStrategy describes how to replace existing pods with new ones.',
        '',
        'FIELDS:',
        '   rollingUpdate\t<Object>',
        '     Rolling update config params. Present only if DeploymentStrategyType =',
        '     RollingUpdate.',
        '',
        '   type\t<string>',
        '     Type of deployment. Can be "Recreate" or "RollingUpdate". Default is',
        '     RollingUpdate.',
        '',
        '',
      ].join('\n'),
    );
  });

  it('walks a whole kind with --recursive', async () => {
    const out = await ok('explain', 'pods', '--recursive');
    expect(out.split('\n').slice(0, 14)).toEqual([
      'KIND:       Pod',
      'VERSION:    v1',
      '',
      'DESCRIPTION:',
      '    Pod is a collection of containers that can run on a host. This resource is',
      '    created by clients and scheduled onto hosts.',
      '    ',
      'FIELDS:',
      '  apiVersion\t<string>',
      '  kind\t<string>',
      '  metadata\t<ObjectMeta>',
      '    annotations\t<map[string]string>',
      '    creationTimestamp\t<string>',
      '    deletionGracePeriodSeconds\t<integer>',
    ]);
    expect(out).toContain('\n    containers\t<[]Container> -required-\n      args\t<[]string>\n');
    expect(out).toContain('\n  status\t<PodStatus>\n    allocatedResources\t<map[string]string>\n');
  });

  it('explains a custom resource with the schema of its CRD', async () => {
    const crd = kubectl.file('crd.yaml', dump(CRONTAB_CRD));
    expect(await ok('apply', '-f', crd)).toBe(
      'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n',
    );
    expect(await ok('explain', 'crontabs')).toBe(
      [
        'GROUP:      stable.example.com',
        'KIND:       CronTab',
        'VERSION:    v1',
        '',
        'DESCRIPTION:',
        '    CronTab runs a command on a schedule.',
        '    ',
        'FIELDS:',
        '  apiVersion\t<string>',
        '    APIVersion defines the versioned schema of this representation of an object.',
        '    Servers should convert recognized schemas to the latest internal value, and',
        '    may reject unrecognized values. More info:',
        '    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
        '',
        '  kind\t<string>',
        '    Kind is a string value representing the REST resource this object',
        '    represents. Servers may infer this from the endpoint the client submits',
        '    requests to. Cannot be updated. In CamelCase. More info:',
        '    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
        '',
        '  metadata\t<ObjectMeta>',
        "    Standard object's metadata. More info:",
        '    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
        '',
        '  spec\t<Object>',
        '    The schedule and what to run.',
        '',
        '',
        '',
      ].join('\n'),
    );
    expect(await ok('explain', 'ct.spec', '--recursive')).toBe(
      [
        'GROUP:      stable.example.com',
        'KIND:       CronTab',
        'VERSION:    v1',
        '',
        'FIELD: spec <Object>',
        '',
        '',
        'DESCRIPTION:',
        '    The schedule and what to run.',
        '    ',
        'FIELDS:',
        '  cronSpec\t<string> -required-',
        '  image\t<string>',
        '  replicas\t<integer>',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('validation and edits through the schemas', () => {
  it('refuses a typo with --validate=strict as a cluster does (the documents offer fieldValidation)', async () => {
    const typo = kubectl.file(
      'typo.yaml',
      dump({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicaz: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'c', image: 'nginx:1.27', portz: [] }] },
          },
        },
      }),
    );
    const run = await kubectl.run('apply', '--validate=strict', '-f', typo);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `Error from server (BadRequest): error when creating "${typo}": Deployment in version "v1" cannot be ` +
        'handled as a Deployment: strict decoding error: unknown field "spec.replicaz", unknown field ' +
        '"spec.template.spec.containers[0].portz"\n',
    });
    const custom = kubectl.file(
      'nightly.yaml',
      dump({
        apiVersion: 'stable.example.com/v1',
        kind: 'CronTab',
        metadata: { name: 'nightly' },
        spec: { cronSpec: '0 0 * * *', imagez: 'x' },
      }),
    );
    expect(await kubectl.run('apply', '--validate=strict', '-f', custom)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `Error from server (BadRequest): error when creating "${custom}": CronTab in version "v1" cannot be ` +
        'handled as a CronTab: strict decoding error: unknown field "spec.imagez"\n',
    });
  });

  it('kubectl edit patches through the published schema', async () => {
    const file = kubectl.file(
      'web.yaml',
      dump({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
          },
        },
      }),
    );
    expect(await ok('apply', '-f', file)).toBe('deployment.apps/web created\n');
    const editor = kubectl.file('editor.sh', '#!/bin/sh\nsed -i "s/image: nginx:1.27/image: nginx:1.28/" "$1"\n');
    process.env.KUBE_EDITOR = `sh ${editor}`;
    try {
      expect(await ok('edit', 'deployment/web')).toBe('deployment.apps/web edited\n');
    } finally {
      delete process.env.KUBE_EDITOR;
    }
    const web = sim.store.get<Deployment>('Deployment', 'default', 'web')!;
    expect(web.spec.template.spec!.containers.map((c) => c.image)).toEqual(['nginx:1.28']);
  });
});

describe('kubectl api-resources and get all', () => {
  it('lists every served resource as a cluster does', async () => {
    const lines = (await ok('api-resources')).split('\n');
    expect(lines[0]).toBe(
      'NAME                                SHORTNAMES   APIVERSION                        NAMESPACED   KIND',
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'configmaps                          cm           v1                                true         ConfigMap',
        'namespaces                          ns           v1                                false        Namespace',
        'customresourcedefinitions           crd,crds     apiextensions.k8s.io/v1           false        CustomResourceDefinition',
        'deployments                         deploy       apps/v1                           true         Deployment',
        'selfsubjectaccessreviews                         authorization.k8s.io/v1           false        SelfSubjectAccessReview',
        'horizontalpodautoscalers            hpa          autoscaling/v2                    true         HorizontalPodAutoscaler',
        'crontabs                            ct           stable.example.com/v1             true         CronTab',
        'volumeattachments                                storage.k8s.io/v1                 false        VolumeAttachment',
      ]),
    );
    // 49 built-in resources, bindings, componentstatuses, the six reviews (authentication.k8s.io's
    // two, authorization.k8s.io's four), metrics.k8s.io's nodes and pods (as with metrics-server)
    // and the CRD's crontabs (a v1.32 kind cluster lists 58 built-ins: events.k8s.io is not served).
    expect(lines).toEqual(
      expect.arrayContaining([
        'nodes                                            metrics.k8s.io/v1beta1            false        NodeMetrics',
        'pods                                             metrics.k8s.io/v1beta1            true         PodMetrics',
      ]),
    );
    expect(lines.filter((l) => l !== '').length - 1).toBe(60);
  });

  it('filters by group, scope and verbs, and shows verbs and categories wide', async () => {
    expect(await ok('api-resources', '-o', 'wide', '--api-group=apps')).toBe(
      [
        'NAME                  SHORTNAMES   APIVERSION   NAMESPACED   KIND                 VERBS                                                        CATEGORIES',
        'controllerrevisions                apps/v1      true         ControllerRevision   create,delete,deletecollection,get,list,patch,update,watch   ',
        'daemonsets            ds           apps/v1      true         DaemonSet            create,delete,deletecollection,get,list,patch,update,watch   all',
        'deployments           deploy       apps/v1      true         Deployment           create,delete,deletecollection,get,list,patch,update,watch   all',
        'replicasets           rs           apps/v1      true         ReplicaSet           create,delete,deletecollection,get,list,patch,update,watch   all',
        'statefulsets          sts          apps/v1      true         StatefulSet          create,delete,deletecollection,get,list,patch,update,watch   all',
        '',
      ].join('\n'),
    );
    expect(await ok('api-resources', '--namespaced=false', '--api-group=')).toBe(
      [
        'NAME                SHORTNAMES   APIVERSION   NAMESPACED   KIND',
        'componentstatuses   cs           v1           false        ComponentStatus',
        'namespaces          ns           v1           false        Namespace',
        'nodes               no           v1           false        Node',
        'persistentvolumes   pv           v1           false        PersistentVolume',
        '',
      ].join('\n'),
    );
    expect(await ok('api-resources', '-o', 'wide', '--api-group=authorization.k8s.io')).toBe(
      [
        'NAME                        SHORTNAMES   APIVERSION                NAMESPACED   KIND                       VERBS    CATEGORIES',
        'localsubjectaccessreviews                authorization.k8s.io/v1   true         LocalSubjectAccessReview   create   ',
        'selfsubjectaccessreviews                 authorization.k8s.io/v1   false        SelfSubjectAccessReview    create   ',
        'selfsubjectrulesreviews                  authorization.k8s.io/v1   false        SelfSubjectRulesReview     create   ',
        'subjectaccessreviews                     authorization.k8s.io/v1   false        SubjectAccessReview        create   ',
        '',
      ].join('\n'),
    );
  });

  it('get all lists the kinds in the category all, custom resources included', async () => {
    const nightly = kubectl.file(
      'nightly-ok.yaml',
      dump({
        apiVersion: 'stable.example.com/v1',
        kind: 'CronTab',
        metadata: { name: 'nightly' },
        spec: { cronSpec: '0 0 * * *' },
      }),
    );
    expect(await ok('apply', '-f', nightly)).toBe('crontab.stable.example.com/nightly created\n');
    const names = (await ok('get', 'all', '-o', 'name')).split('\n').filter((l) => l !== '');
    const rs = sim.store.list('ReplicaSet', 'default').map((r) => `replicaset.apps/${r.metadata.name}`);
    const pods = sim.store.list('Pod', 'default').map((p) => `pod/${p.metadata.name}`);
    // At speed 0 the edit's rollout is under way: two ReplicaSets, old and new pods.
    expect(rs).toHaveLength(2);
    expect(names).toEqual([...pods.sort(), 'deployment.apps/web', ...rs.sort(), 'crontab.stable.example.com/nightly']);
  });
});

describe('the documents', () => {
  type Json = Record<string, unknown>;
  type Gvk = { group: string; version: string; kind: string };

  /** Every `$ref` in `doc`, with the JSON path where it is. */
  function refs(value: unknown, at = '', out: Array<[string, string]> = []): Array<[string, string]> {
    if (Array.isArray(value)) value.forEach((v, i) => refs(v, `${at}[${i}]`, out));
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value as Json)) {
        if (k === '$ref' && typeof v === 'string') out.push([at, v]);
        else refs(v, `${at}.${k}`, out);
      }
    return out;
  }

  /** The served kinds of `group`/`version` (custom ones included), with the number of schemas declaring each GVK. */
  function gvkCounts(schemas: Record<string, Json>, group: string, version: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const info of sim.store.kinds.all())
      if (info.group === group && servedVersions(info).includes(version)) counts[info.kind] = 0;
    for (const schema of Object.values(schemas))
      for (const gvk of (schema['x-kubernetes-group-version-kind'] as Gvk[] | undefined) ?? [])
        if (gvk.group === group && gvk.version === version && gvk.kind in counts) counts[gvk.kind]!++;
    return counts;
  }

  it('v3: every group-version document resolves its refs and declares each served kind once', async () => {
    const index = await get('/openapi/v3');
    expect(index.status).toBe(200);
    const paths = (JSON.parse(index.body) as { paths: Record<string, { serverRelativeURL: string }> }).paths;
    expect(Object.keys(paths)).toContain('apis/stable.example.com/v1');
    expect(Object.keys(paths).slice(0, 3)).toEqual(['api/v1', 'apis/apps/v1', 'apis/authentication.k8s.io/v1']);
    for (const [gv, { serverRelativeURL }] of Object.entries(paths)) {
      const reply = await get(serverRelativeURL);
      expect({ gv, status: reply.status }).toEqual({ gv, status: 200 });
      expect(reply.headers.get('cache-control')).toBe('public, immutable');
      const doc = JSON.parse(reply.body) as {
        openapi: string;
        paths: Json;
        components: { schemas: Record<string, Json> };
      };
      expect(doc.openapi).toBe('3.0.0');
      const schemas = doc.components.schemas;
      const dangling = refs(doc).filter(([, ref]) => !(ref.replace('#/components/schemas/', '') in schemas));
      expect({ gv, dangling }).toEqual({ gv, dangling: [] });
      const [group, version] = gv.startsWith('api/') ? ['', gv.slice(4)] : gv.slice(5).split('/');
      const counts = gvkCounts(schemas, group!, version!);
      expect({ gv, counts }).toEqual({ gv, counts: Object.fromEntries(Object.keys(counts).map((k) => [k, 1])) });
    }
  });

  it('v3: a stale hash is redirected to the current document', async () => {
    const stale = await get('/openapi/v3/apis/apps/v1?hash=0123');
    expect(stale.status).toBe(301);
    const current = (
      JSON.parse((await get('/openapi/v3')).body) as { paths: Record<string, { serverRelativeURL: string }> }
    ).paths['apis/apps/v1']!.serverRelativeURL;
    expect(stale.headers.get('location')).toBe(current);
  });

  it('v3: the patch of a kind takes fieldValidation, with the kind and action', async () => {
    const doc = JSON.parse((await get('/openapi/v3/apis/apps/v1')).body) as { paths: Record<string, Json> };
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch as Json;
    expect(patch['x-kubernetes-action']).toBe('patch');
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect((patch.parameters as Json[]).map((p) => p.name)).toEqual([
      'dryRun',
      'fieldManager',
      'fieldValidation',
      'force',
    ]);
    const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!.get as Json;
    expect(scale['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
  });

  it('v2: JSON or protobuf as the Accept header prefers, 406 for anything else', async () => {
    const proto = await fetch(server.url + '/openapi/v2', {
      headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
    });
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    // gnostic Document: field 1 (swagger, length-delimited) = "2.0", then field 2 (info).
    expect([...Buffer.from(await proto.arrayBuffer()).subarray(0, 6)]).toEqual([0x0a, 3, 0x32, 0x2e, 0x30, 0x12]);
    const json = await fetch(server.url + '/openapi/v2', { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).toBe('application/json');
    const xml = await fetch(server.url + '/openapi/v2', { headers: { accept: 'application/xml' } });
    expect(xml.status).toBe(406);
  });

  it('v2: one swagger document with every served kind once, all refs resolved', async () => {
    const reply = await get('/openapi/v2');
    expect(reply.status).toBe(200);
    const doc = JSON.parse(reply.body) as { swagger: string; paths: Json; definitions: Record<string, Json> };
    expect(doc.swagger).toBe('2.0');
    const dangling = refs(doc).filter(([, ref]) => !(ref.replace('#/definitions/', '') in doc.definitions));
    expect(dangling).toEqual([]);
    for (const info of sim.store.kinds.all())
      for (const version of servedVersions(info)) {
        const counts = gvkCounts(doc.definitions, info.group, version);
        expect({ kind: info.kind, version, count: counts[info.kind] }).toEqual({ kind: info.kind, version, count: 1 });
      }
    expect(doc.definitions['com.example.stable.v1.CronTab']).toMatchObject({
      description: 'CronTab runs a command on a schedule.',
      'x-kubernetes-group-version-kind': [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }],
    });
    expect(doc.definitions['io.k8s.api.apps.v1.DeploymentSpec']!.properties).toMatchObject({
      strategy: {
        $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentStrategy',
        description: 'The deployment strategy to use to replace existing pods with new ones.',
      },
    });
  });
});

describe('the descriptions module', () => {
  it('is imported by serve only, dynamically, so the action and the CLI start without parsing it', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
    const importers = (readdirSync(join(root, 'src'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ file: `src/${f}`, text: readFileSync(join(root, 'src', f), 'utf8') }))
      .filter(({ text }) => /schema\/descriptions\.js/.test(text));
    expect(importers.map((i) => i.file)).toEqual(['src/cluster/sim/api/openapi.ts']);
    expect(importers[0]!.text).toContain("import('../../../k8s/schema/descriptions.js')");
    expect(importers[0]!.text).not.toMatch(/from '[^']*schema\/descriptions\.js'/);
  });
});
