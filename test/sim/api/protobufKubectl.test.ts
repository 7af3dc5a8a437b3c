import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import { defaultScenario } from '../../../src/cluster/sim/scenario/scenario.js';
import { decodeObject, encodeObject } from '../../../src/cluster/sim/api/protobuf/envelope.js';
import { Kubectl } from './harness.js';

/**
 * Real kubectl 1.32 (typed clients: `create <kind>`, `autoscale`) against serve. kubectl sends
 * these bodies as `application/vnd.kubernetes.protobuf` and asks for protobuf back; a proxy in
 * front of serve keeps every body kubectl wrote, which are client-go's own bytes: re-encoding the
 * JSON they decode to must give them back byte for byte.
 */
interface Recorded {
  method: string;
  path: string;
  contentType: string;
  accept: string;
  body: Buffer;
  responseType: string;
}

let sim: Simulation;
let server: ApiServerHandle;
let proxy: Server;
let kubectl: Kubectl;
const recorded: Recorded[] = [];

beforeAll(async () => {
  // The cluster `rollout-gate serve` runs (its API hooks: defaults, validation, HPA conversion).
  sim = createSimulatedCluster(defaultScenario()).simulation;
  server = await startApiServer({ simulation: sim, port: 0, speed: 0 });
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = request(`${server.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        recorded.push({
          method: req.method ?? '',
          path: req.url ?? '',
          contentType: req.headers['content-type'] ?? '',
          accept: req.headers.accept ?? '',
          body,
          responseType: answer.headers['content-type'] ?? '',
        });
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  kubectl = new Kubectl(server.kubeconfig().replace(server.url, proxyUrl));
});

afterAll(async () => {
  kubectl.cleanup();
  await new Promise((resolve) => proxy.close(resolve));
  await server.close();
});

/** The last POST kubectl made to `path`. */
function posted(path: string): Recorded {
  const found = recorded.filter((r) => r.method === 'POST' && r.path.split('?')[0] === path);
  expect(found.length).toBeGreaterThan(0);
  return found.at(-1)!;
}

const CREATES: Array<[args: string[], stdout: string, path: string, kind: string, name: string, namespace?: string]> = [
  [
    ['create', 'deployment', 'web', '--image=nginx:1.14.2', '--replicas=3'],
    'deployment.apps/web created\n',
    '/apis/apps/v1/namespaces/default/deployments',
    'Deployment',
    'web',
  ],
  [['create', 'namespace', 'team'], 'namespace/team created\n', '/api/v1/namespaces', 'Namespace', 'team'],
  [
    ['create', 'configmap', 'settings', '--from-literal=zone=eu', '--from-literal=color=blue', '--from-literal=a=1'],
    'configmap/settings created\n',
    '/api/v1/namespaces/default/configmaps',
    'ConfigMap',
    'settings',
  ],
  [
    ['create', 'secret', 'generic', 'db', '--from-literal=password=s3cr3t', '--from-literal=user=admin'],
    'secret/db created\n',
    '/api/v1/namespaces/default/secrets',
    'Secret',
    'db',
  ],
  [
    ['create', 'job', 'once', '--image=busybox:1.36', '--', 'echo', 'hello'],
    'job.batch/once created\n',
    '/apis/batch/v1/namespaces/default/jobs',
    'Job',
    'once',
  ],
  [
    ['create', 'service', 'clusterip', 'web', '--tcp=80:8080'],
    'service/web created\n',
    '/api/v1/namespaces/default/services',
    'Service',
    'web',
  ],
  [
    ['create', 'serviceaccount', 'builder'],
    'serviceaccount/builder created\n',
    '/api/v1/namespaces/default/serviceaccounts',
    'ServiceAccount',
    'builder',
  ],
  [
    ['create', 'role', 'reader', '--verb=get,list', '--resource=pods,deployments.apps'],
    'role.rbac.authorization.k8s.io/reader created\n',
    '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles',
    'Role',
    'reader',
  ],
  [
    ['create', 'rolebinding', 'reader', '--role=reader', '--serviceaccount=default:builder', '--user=ann'],
    'rolebinding.rbac.authorization.k8s.io/reader created\n',
    '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
    'RoleBinding',
    'reader',
  ],
  [
    ['create', 'quota', 'small', '--hard=cpu=2,memory=1Gi,pods=10'],
    'resourcequota/small created\n',
    '/api/v1/namespaces/default/resourcequotas',
    'ResourceQuota',
    'small',
  ],
  [
    ['create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=50%'],
    'poddisruptionbudget.policy/web created\n',
    '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
    'PodDisruptionBudget',
    'web',
  ],
  [
    ['create', 'priorityclass', 'high', '--value=1000', '--description=urgent'],
    'priorityclass.scheduling.k8s.io/high created\n',
    '/apis/scheduling.k8s.io/v1/priorityclasses',
    'PriorityClass',
    'high',
  ],
  [
    ['create', 'cronjob', 'nightly', '--image=busybox:1.36', '--schedule=0 3 * * *', '--', 'date'],
    'cronjob.batch/nightly created\n',
    '/apis/batch/v1/namespaces/default/cronjobs',
    'CronJob',
    'nightly',
  ],
  [
    ['create', 'ingress', 'web', '--rule=example.com/*=web:80'],
    'ingress.networking.k8s.io/web created\n',
    '/apis/networking.k8s.io/v1/namespaces/default/ingresses',
    'Ingress',
    'web',
  ],
  [
    ['create', 'job', 'from-nightly', '--from=cronjob/nightly'],
    'job.batch/from-nightly created\n',
    '/apis/batch/v1/namespaces/default/jobs',
    'Job',
    'from-nightly',
  ],
  [
    ['create', 'clusterrole', 'node-reader', '--verb=get,watch', '--resource=nodes'],
    'clusterrole.rbac.authorization.k8s.io/node-reader created\n',
    '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    'ClusterRole',
    'node-reader',
  ],
  [
    ['create', 'clusterrolebinding', 'node-reader', '--clusterrole=node-reader', '--group=ops'],
    'clusterrolebinding.rbac.authorization.k8s.io/node-reader created\n',
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    'ClusterRoleBinding',
    'node-reader',
  ],
  [
    [
      'create',
      'secret',
      'docker-registry',
      'registry',
      '--docker-server=r.example',
      '--docker-username=u',
      '--docker-password=p',
    ],
    'secret/registry created\n',
    '/api/v1/namespaces/default/secrets',
    'Secret',
    'registry',
  ],
  [
    ['create', 'service', 'nodeport', 'edge', '--tcp=80:8080', '--node-port=30080'],
    'service/edge created\n',
    '/api/v1/namespaces/default/services',
    'Service',
    'edge',
  ],
];

describe('kubectl create with protobuf bodies', () => {
  it.each(CREATES)('kubectl %j', async (args, stdout, path, kind, name) => {
    const result = await kubectl.run(...args);
    expect(result).toEqual({ code: 0, stdout, stderr: '' });
    const request = posted(path);
    expect(request.contentType).toBe('application/vnd.kubernetes.protobuf');
    expect(request.accept).toBe('application/vnd.kubernetes.protobuf,application/json');
    expect(request.responseType).toBe('application/vnd.kubernetes.protobuf');
    // client-go's bytes, exactly what the codec writes for the JSON they decode to.
    const sent = decodeObject(request.body);
    expect(encodeObject(sent)!.toString('hex')).toBe(request.body.toString('hex'));
    expectStored(kind, name, sent);
  });

  it('kubectl autoscale: the HorizontalPodAutoscaler kubectl sent is stored', async () => {
    const result = await kubectl.run('autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80');
    expect(result.code).toBe(0);
    const request = posted('/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers');
    expect(request.contentType).toBe('application/vnd.kubernetes.protobuf');
    const sent = decodeObject(request.body);
    expect(encodeObject(sent)!.toString('hex')).toBe(request.body.toString('hex'));
    expect(sent).toEqual({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', creationTimestamp: null },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 80,
      },
      status: { currentReplicas: 0, desiredReplicas: 0 },
    });
    // Stored as autoscaling/v2 (the storage version): the v1 CPU target became a Resource metric.
    expect(sim.store.get('HorizontalPodAutoscaler', 'default', 'web')).toMatchObject({
      apiVersion: 'autoscaling/v2',
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        ],
      },
    });
  });

  // The answer is the v1 conversion of the stored v2 object, encoded as v1: kubectl's typed v1
  // client reads its name (answered as v2 it printed `<unknown>`).
  it('kubectl autoscale prints the name of the HorizontalPodAutoscaler', async () => {
    await kubectl.run('delete', 'hpa', 'web');
    const result = await kubectl.run('autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80');
    expect(result).toEqual({ code: 0, stdout: 'horizontalpodautoscaler.autoscaling/web autoscaled\n', stderr: '' });
  });
});

/**
 * The stored object is what kubectl sent, plus what the API server adds (uid, managedFields,
 * defaults ...); `status` is the server's (reset on create, as the registry strategies do).
 */
function expectStored(kind: string, name: string, sent: Record<string, unknown>): void {
  const namespaced = !['Namespace', 'PriorityClass', 'ClusterRole', 'ClusterRoleBinding'].includes(kind);
  const stored = sim.store.get(kind, namespaced ? 'default' : undefined, name)!;
  expect(stored).toBeDefined();
  const { metadata, status: _status, ...rest } = sent as { metadata: Record<string, unknown>; status?: unknown };
  const { creationTimestamp, ...meta } = metadata;
  expect(creationTimestamp).toBeNull();
  expect(stored).toMatchObject({ ...rest, metadata: meta });
}
