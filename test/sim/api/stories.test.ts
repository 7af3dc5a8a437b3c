import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { dump } from 'js-yaml';
import { createSimulatedCluster, defaultScenario } from '../../../src/cluster/sim/index.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { Kubectl, deployment } from './harness.js';

/**
 * Story 1 of the user stories (update, typo'd image, undo) replayed with real kubectl while the
 * simulated controllers run, at 20 virtual seconds per real second.
 */

let server: ApiServerHandle | undefined;
let kubectl: Kubectl | undefined;

beforeAll(async () => {
  const scenario = defaultScenario();
  scenario.images['nginx:1.231'] = { pull: 'missing' };
  const { simulation, kubelet } = createSimulatedCluster(scenario);
  server = await startApiServer({
    simulation,
    port: 0,
    speed: 20,
    readLogs: (ns, pod, container, tail) =>
      kubelet.logs(ns, pod, container, tail === undefined ? {} : { tailLines: tail }),
  });
  kubectl = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  kubectl?.cleanup();
  await server?.close();
});

const WAITING =
  /^Waiting for deployment "web" rollout to finish: (\d+ out of \d+ new replicas have been updated|\d+ old replicas are pending termination|\d+ of \d+ updated replicas are available)\.\.\.$/;

function expectRolledOut(result: { code: number; stdout: string }): void {
  expect(result.code).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  expect(lines[lines.length - 1]).toBe('deployment "web" successfully rolled out');
  for (const line of lines.slice(0, -1)) expect(line).toMatch(WAITING);
}

describe('story 1 with kubectl and the running controllers', () => {
  it('rolls out, shows ImagePullBackOff for a typo, and undoes', async () => {
    const k = kubectl!;
    expect((await k.run('create', '-f', k.file('web.yaml', dump(deployment('web', 'nginx:1.14.2', 4))))).stdout).toBe(
      'deployment.apps/web created\n',
    );
    expectRolledOut(await k.run('rollout', 'status', 'deployment/web', '--timeout=60s'));
    expect((await k.run('set', 'image', 'deployment/web', 'c=nginx:1.23.1')).stdout).toBe(
      'deployment.apps/web image updated\n',
    );
    expectRolledOut(await k.run('rollout', 'status', 'deployment/web', '--timeout=60s'));

    expect((await k.run('set', 'image', 'deployment/web', 'c=nginx:1.231')).stdout).toBe(
      'deployment.apps/web image updated\n',
    );
    let pods = '';
    for (let i = 0; i < 40 && !pods.includes('ImagePullBackOff'); i++) {
      pods = (await k.run('get', 'pods')).stdout;
    }
    expect(pods.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(pods).toMatch(/web-[a-z0-9]+-[a-z0-9]{5}\s+0\/1\s+ImagePullBackOff\s+0\s+\d+s/);
    const deployments = (await k.run('get', 'deployments')).stdout;
    expect(deployments).toMatch(/^web\s+[0-3]\/4\s/m);

    expect((await k.run('rollout', 'undo', 'deployment/web')).stdout).toBe('deployment.apps/web rolled back\n');
    expectRolledOut(await k.run('rollout', 'status', 'deployment/web', '--timeout=60s'));
    const history = await k.run('rollout', 'history', 'deployment/web');
    expect(history.stdout.split('\n').slice(0, 2)).toEqual(['deployment.apps/web ', 'REVISION  CHANGE-CAUSE']);
  });
});
