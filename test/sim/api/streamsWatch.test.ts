import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSimulatedCluster, defaultScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { kubeletLogReader } from '../../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { KubeObject } from '../../../src/k8s/objects.js';
import { Kubectl, deployment } from './harness.js';
import { spawnKubectl, until } from './streamsHarness.js';

/**
 * `kubectl get pods|deploy|rs -w` with real kubectl: Table watch events whose STATUS is what kubectl
 * prints on a real cluster from the first event (Pending from the create, ContainerCreating from the
 * kubelet's first status, then ErrImagePull, ImagePullBackOff, Running, Error, CrashLoopBackOff,
 * Completed, Terminating). Speed 0: the Table cells (AGE too) are computed when the event is sent, so
 * the test advances simulated time, then waits for the lines.
 */
const START = Date.parse('2026-11-30T12:00:00Z');
let sim: Simulation;
let server: ApiServerHandle;
let k: Kubectl;

beforeAll(async () => {
  const scenario = defaultScenario();
  scenario.images['acme/missing:1'] = { pull: 'missing' };
  scenario.images['acme/crash:1'] = { crash: true };
  scenario.images['acme/job:1'] = { runSeconds: 5 };
  const parts = createSimulatedCluster(scenario, { startMs: START });
  sim = parts.simulation;
  server = await startApiServer({ simulation: sim, port: 0, speed: 0, readLogs: kubeletLogReader(parts.kubelet) });
  k = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  k.cleanup();
  await server.close();
});

function pod(name: string, image: string, restartPolicy = 'Always'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { restartPolicy, containers: [{ name: 'c', image }] },
  };
}

/** Starts watchers and waits until each has its WATCH request open. */
async function watching(...commands: string[][]) {
  const before = server.requestLog.watch ?? 0;
  const watchers = commands.map((args) => spawnKubectl(k, ...args));
  await until(() => (server.requestLog.watch ?? 0) >= before + commands.length, 'the watches');
  return watchers;
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('kubectl get -w', () => {
  it('pods: the STATUS of every event, from Pending on', async () => {
    const [plain, events] = await watching(['get', 'pods', '-w'], ['get', 'pods', '-w', '--output-watch-events']);
    sim.store.create('Pod', pod('bad', 'acme/missing:1'));
    sim.store.create('Pod', pod('crash', 'acme/crash:1'));
    sim.store.create('Pod', pod('job', 'acme/job:1', 'Never'));
    sim.settle();
    sim.advance(8_000);
    sim.store.delete('Pod', 'default', 'job', {});
    sim.advance(1_000);
    const expected = [
      'EVENT      NAME   READY   STATUS    RESTARTS   AGE',
      'ADDED      bad    0/1     Pending   0          0s',
      'ADDED      crash   0/1     Pending   0          0s',
      'ADDED      job     0/1     Pending   0          0s',
      'MODIFIED   bad     0/1     Pending   0          0s',
      'MODIFIED   crash   0/1     Pending   0          0s',
      'MODIFIED   job     0/1     Pending   0          0s',
      'MODIFIED   bad     0/1     ContainerCreating   0          0s',
      'MODIFIED   crash   0/1     ContainerCreating   0          0s',
      'MODIFIED   job     0/1     ContainerCreating   0          0s',
      'MODIFIED   bad     0/1     ErrImagePull        0          2s',
      'MODIFIED   crash   0/1     ContainerCreating   0          2s',
      'MODIFIED   job     0/1     ContainerCreating   0          2s',
      'MODIFIED   bad     0/1     ImagePullBackOff    0          3s',
      'MODIFIED   crash   1/1     Running             0          3s',
      'MODIFIED   job     1/1     Running             0          3s',
      'MODIFIED   crash   0/1     Error               0          4s',
      'MODIFIED   crash   1/1     Running             1 (1s ago)   5s',
      'MODIFIED   crash   0/1     Error               1 (2s ago)   6s',
      'MODIFIED   crash   0/1     CrashLoopBackOff    1 (1s ago)   7s',
      'MODIFIED   job     0/1     Completed           0            8s',
      // A finished pod being deleted keeps its terminal STATUS (printPod: Terminating only for live phases).
      'MODIFIED   job     0/1     Completed           0            8s',
      'DELETED    job     0/1     Completed           0            9s',
    ];
    await until(() => lines(events!.output()).length >= expected.length, 'the pod events');
    await until(() => lines(plain!.output()).length >= expected.length, 'the pod rows');
    expect(lines(events!.output())).toEqual(expected);
    expect(lines(plain!.output())).toEqual(expected.map((l) => l.replace(/^\S+\s+/, '').replace(/^EVENT\s+/, '')));
    plain!.kill();
    events!.kill();
  });

  it('a deleted running pod is Terminating until the kubelet removes it', async () => {
    sim.store.create('Pod', pod('ok', 'nginx:1.27'));
    sim.advance(3_000);
    const [w] = await watching(['get', 'pod', 'ok', '-w']);
    sim.store.delete('Pod', 'default', 'ok', {});
    sim.advance(1_000);
    const expected = [
      'NAME   READY   STATUS    RESTARTS   AGE',
      'ok     1/1     Running   0          3s',
      'ok     1/1     Terminating   0          3s',
      'ok     1/1     Terminating   0          4s',
    ];
    await until(() => lines(w!.output()).length >= expected.length, 'the rows');
    expect(lines(w!.output())).toEqual(expected);
    w!.kill();
  });

  it('deploy and rs', async () => {
    const [deploy, rs] = await watching(['get', 'deploy', '-w'], ['get', 'rs', '-w']);
    sim.store.create('Deployment', deployment('web', 'nginx:1.27', 2));
    sim.settle();
    sim.advance(3_000);
    const deployRows = [
      'NAME   READY   UP-TO-DATE   AVAILABLE   AGE',
      'web    0/2     0            0           0s',
      'web    0/2     0            0           0s',
      'web    0/2     0            0           0s',
      'web    0/2     2            0           0s',
      // nginx:1.27 is cached on the node of the earlier pod: that replica runs after 1s, the other pulls.
      'web    1/2     2            1           1s',
      'web    2/2     2            2           3s',
    ];
    const rsRows = [
      'NAME            DESIRED   CURRENT   READY   AGE',
      'web-b9d467667   2         0         0       0s',
      'web-b9d467667   2         0         0       0s',
      'web-b9d467667   2         2         0       0s',
      'web-b9d467667   2         2         1       1s',
      'web-b9d467667   2         2         2       3s',
    ];
    await until(() => lines(deploy!.output()).length >= deployRows.length, 'the deployment rows');
    await until(() => lines(rs!.output()).length >= rsRows.length, 'the replica set rows');
    expect(lines(deploy!.output())).toEqual(deployRows);
    expect(lines(rs!.output())).toEqual(rsRows);
    deploy!.kill();
    rs!.kill();
  });
});
