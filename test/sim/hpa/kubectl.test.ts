/**
 * Autoscaling, metrics and ReplicationControllers with real kubectl 1.32 against `serve`: the server
 * runs at speed 0 and the test advances simulated time, so every line is deterministic. Pods of
 * `web:1` request 200m CPU and use 150m (75%) and 100Mi.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { dump } from 'js-yaml';
import { createSimulatedCluster, parseScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { Deployment } from '../../../src/k8s/objects.js';
import { Kubectl } from '../api/harness.js';
import { hpa, web } from './support.js';

let sim: Simulation;
let server: ApiServerHandle;
let k: Kubectl;

beforeAll(async () => {
  const scenario = parseScenario(dump({ images: { 'web:1': { usage: { cpu: '150m', memory: '100Mi' } } } }));
  sim = createSimulatedCluster(scenario, { objects: [web('web:1', 2)] }).simulation;
  server = await startApiServer({ simulation: sim, port: 0, speed: 0 });
  k = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  k.cleanup();
  await server.close();
});

const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });

describe('HorizontalPodAutoscaler', () => {
  test('kubectl apply, then get hpa before and after the first syncs; the HPA scales web to 3', async () => {
    const manifest = k.file('hpa.yaml', dump(hpa({ kind: 'Deployment', name: 'web' }, { min: 2, max: 5 })));
    expect(await k.run('apply', '-f', manifest)).toEqual(ok('horizontalpodautoscaler.autoscaling/web created\n'));
    expect(await k.run('get', 'hpa')).toEqual(
      ok(
        'NAME   REFERENCE        TARGETS              MINPODS   MAXPODS   REPLICAS   AGE\n' +
          'web    Deployment/web   cpu: <unknown>/50%   2         5         0          0s\n',
      ),
    );
    sim.advance(15_000);
    // The first sync: the pods became ready less than one metric window ago.
    expect((await k.run('get', 'hpa')).stdout.split('\n')[1]).toBe(
      'web    Deployment/web   cpu: <unknown>/50%   2         5         2          15s',
    );
    sim.advance(15_000);
    expect(await k.run('get', 'hpa')).toEqual(
      ok(
        'NAME   REFERENCE        TARGETS        MINPODS   MAXPODS   REPLICAS   AGE\n' +
          'web    Deployment/web   cpu: 75%/50%   2         5         2          30s\n',
      ),
    );
    // ceil(2 × 75 / 50) = 3.
    expect(sim.store.mustGet<Deployment>('Deployment', 'default', 'web').spec.replicas).toBe(3);
    const described = (await k.run('describe', 'hpa', 'web')).stdout;
    expect(described).toContain('  resource cpu on pods  (as a percentage of request):  75% (150m) / 50%\n');
    expect(described).toContain('Deployment pods:                                       2 current / 3 desired\n');
    expect(described).toMatch(
      /Normal {3}SuccessfulRescale {13}\S+ +horizontal-pod-autoscaler {2}New size: 3; reason: cpu resource utilization \(percentage of request\) above target\n/,
    );
  });

  test('autoscaling/v1 is served as a conversion of v2 (targetCPUUtilizationPercentage, conditions annotation)', async () => {
    const res = await fetch(`${server.url}/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web`);
    const v1 = (await res.json()) as {
      apiVersion: string;
      metadata: { annotations: Record<string, string> };
      spec: unknown;
      status: unknown;
    };
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 50,
    });
    expect(v1.status).toMatchObject({ currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 75 });
    const conditions = JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/conditions']!) as Array<{
      type: string;
      reason: string;
    }>;
    expect(conditions.map((c) => `${c.type} ${c.reason}`)).toEqual([
      'AbleToScale SucceededRescale',
      'ScalingActive ValidMetricFound',
      'ScalingLimited DesiredWithinRange',
    ]);
    // A v1 watch streams v1 objects too (converted per event, as the API server's watch does).
    const controller = new AbortController();
    const watch = await fetch(
      `${server.url}/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers?watch=1&fieldSelector=metadata.name%3Dweb`,
      { signal: controller.signal },
    );
    const reader = watch.body!.getReader();
    let text = '';
    while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const first = JSON.parse(text.slice(0, text.indexOf('\n'))) as { type: string; object: typeof v1 };
    expect([first.type, first.object.apiVersion, first.object.spec]).toEqual(['ADDED', 'autoscaling/v1', v1.spec]);
    // A v1 manifest is stored as v2 and listed with its target.
    const v1Manifest = dump({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'other' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        maxReplicas: 4,
        targetCPUUtilizationPercentage: 60,
      },
    });
    expect(await k.run('apply', '-f', k.file('v1.yaml', v1Manifest))).toEqual(
      ok('horizontalpodautoscaler.autoscaling/other created\n'),
    );
    expect((await k.run('get', 'hpa', 'other', '--no-headers')).stdout).toBe(
      'other   Deployment/web   cpu: <unknown>/60%   1     4     0     0s\n',
    );
    expect(await k.run('delete', 'hpa', 'other')).toEqual(ok('horizontalpodautoscaler.autoscaling "other" deleted\n'));
  });
});

describe('kubectl top (metrics.k8s.io)', () => {
  test('top pods, top pod --containers and top nodes print the scraped usage', async () => {
    // The third pod started after the last scrape: metrics-server has no sample of it yet.
    expect(await k.run('top', 'pods')).toEqual(
      ok(
        'NAME                  CPU(cores)   MEMORY(bytes)   \n' +
          'web-65c48ffd5-n8rwp   150m         100Mi           \n' +
          'web-65c48ffd5-nbrsx   150m         100Mi           \n',
      ),
    );
    sim.advance(15_000);
    expect((await k.run('top', 'pod', '--containers')).stdout).toBe(
      'POD                   NAME   CPU(cores)   MEMORY(bytes)   \n' +
        'web-65c48ffd5-fn5wj   web    150m         100Mi           \n' +
        'web-65c48ffd5-n8rwp   web    150m         100Mi           \n' +
        'web-65c48ffd5-nbrsx   web    150m         100Mi           \n',
    );
    expect((await k.run('top', 'nodes')).stdout).toBe(
      'NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   \n' +
        'node-1   150m         3%       100Mi           1%          \n' +
        'node-2   150m         3%       100Mi           1%          \n' +
        'node-3   150m         3%       100Mi           1%          \n',
    );
    const missing = await k.run('top', 'pod', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error from server (NotFound): pods.metrics.k8s.io "default/nope" not found\n');
  });
});

describe('ReplicationController', () => {
  test('apply, get rc, scale rc; rollout has nothing for it (kubectl says so)', async () => {
    const rc = dump({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy' },
      spec: {
        replicas: 2,
        selector: { app: 'legacy' },
        template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'web:1' }] } },
      },
    });
    expect(await k.run('apply', '-f', k.file('rc.yaml', rc))).toEqual(ok('replicationcontroller/legacy created\n'));
    sim.advance(5_000);
    expect((await k.run('get', 'rc')).stdout).toBe(
      'NAME     DESIRED   CURRENT   READY   AGE\nlegacy   2         2         2       5s\n',
    );
    expect(await k.run('scale', 'rc', 'legacy', '--replicas=3')).toEqual(ok('replicationcontroller/legacy scaled\n'));
    sim.advance(5_000);
    expect((await k.run('get', 'rc', 'legacy', '-o', 'wide')).stdout).toBe(
      'NAME     DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES   SELECTOR\n' +
        'legacy   3         3         3       10s   c            web:1    app=legacy\n',
    );
    expect(await k.run('rollout', 'status', 'rc/legacy')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: no status viewer has been implemented for ReplicationController\n',
    });
    expect(await k.run('rollout', 'undo', 'rc/legacy')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: no rollbacker has been implemented for "ReplicationController"\n',
    });
  });
});
