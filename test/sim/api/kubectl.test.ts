import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { dump } from 'js-yaml';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { Deployment, KubeObject } from '../../../src/k8s/objects.js';
import { Kubectl, deployment, startBareServer } from './harness.js';

/**
 * Real kubectl (the gcloud dispatcher on PATH, which picks kubectl 1.32 from /version) against the
 * facade over a Simulation without controllers. Tests run in order and share one Deployment `web`.
 */
let sim: Simulation;
let server: ApiServerHandle;
let kubectl: Kubectl;

beforeAll(async () => {
  ({ sim, server } = await startBareServer({ speed: 0 }));
  kubectl = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  kubectl.cleanup();
  await server.close();
});

const web = () => sim.store.get<Deployment>('Deployment', 'default', 'web')!;

/** A ReplicaSet as the deployment controller would make it for `dep` at `revision` with `image`. */
function replicaSet(dep: Deployment, revision: number, image: string, hash: string): KubeObject {
  const template = {
    metadata: { labels: { app: 'web', 'pod-template-hash': hash } },
    spec: { containers: [{ name: 'c', image }] },
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      labels: { app: 'web', 'pod-template-hash': hash },
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'web',
          uid: dep.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { replicas: 0, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template },
  };
}

describe('kubectl against the facade', () => {
  it('version and get namespaces', async () => {
    const version = await kubectl.run('version');
    expect(version.code).toBe(0);
    expect(version.stdout).toContain('Server Version: v1.32.4');
    const ns = await kubectl.run('get', 'namespaces');
    expect(ns).toEqual({ code: 0, stdout: 'NAME      STATUS   AGE\ndefault   Active   0s\n', stderr: '' });
  });

  it('create -f, get deployments', async () => {
    const file = kubectl.file('web.yaml', dump(deployment('web', 'nginx:1.27', 2)));
    expect(await kubectl.run('create', '-f', file)).toEqual({
      code: 0,
      stdout: 'deployment.apps/web created\n',
      stderr: '',
    });
    const got = await kubectl.run('get', 'deployments');
    expect(got.stdout).toBe(
      'NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    0/2     0            0           0s\n',
    );
    const wide = await kubectl.run('get', 'deploy', '-o', 'wide');
    expect(wide.stdout.split('\n')[0]).toBe(
      'NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES       SELECTOR',
    );
    expect(wide.stdout).toContain('c            nginx:1.27   app=web');
  });

  it('apply -f with default validation (OpenAPI v3) and apply --server-side', async () => {
    const file = kubectl.file('web3.yaml', dump(deployment('web', 'nginx:1.27', 3)));
    const applied = await kubectl.run('apply', '-f', file);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe('deployment.apps/web configured\n');
    expect(web().spec.replicas).toBe(3);
    expect(web().metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('"replicas":3');

    const created = await kubectl.run('apply', '-f', kubectl.file('api.yaml', dump(deployment('api'))));
    expect(created).toEqual({ code: 0, stdout: 'deployment.apps/api created\n', stderr: '' });

    const ssa = await kubectl.run('apply', '--server-side', '-f', file);
    expect(ssa).toEqual({ code: 0, stdout: 'deployment.apps/web serverside-applied\n', stderr: '' });
    const conflict = await kubectl.run(
      'apply',
      '--server-side',
      '-f',
      kubectl.file('web5.yaml', dump(deployment('web', 'nginx:1.27', 5))),
    );
    expect(conflict.code).toBe(1);
    expect(conflict.stderr.split('\n')[0]).toBe(
      'error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    const forced = await kubectl.run(
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      kubectl.file('web5.yaml', dump(deployment('web', 'nginx:1.27', 5))),
    );
    expect(forced.stdout).toBe('deployment.apps/web serverside-applied\n');
    expect(web().spec.replicas).toBe(5);
  });

  it('set image and scale', async () => {
    expect(await kubectl.run('set', 'image', 'deployment/web', 'c=nginx:1.28')).toEqual({
      code: 0,
      stdout: 'deployment.apps/web image updated\n',
      stderr: '',
    });
    expect(web().spec.template.spec?.containers[0]?.image).toBe('nginx:1.28');
    expect(await kubectl.run('scale', 'deployment/web', '--replicas=4')).toEqual({
      code: 0,
      stdout: 'deployment.apps/web scaled\n',
      stderr: '',
    });
    expect(web().spec.replicas).toBe(4);
  });

  it('get rs, rollout history, undo, pause and resume', async () => {
    sim.store.create('ReplicaSet', replicaSet(web(), 1, 'nginx:1.27', '5d9f8c7b6'));
    sim.store.create('ReplicaSet', replicaSet(web(), 2, 'nginx:1.28', '7c6b5d4f9'));
    const rs = await kubectl.run('get', 'rs');
    expect(rs.stdout).toBe(
      'NAME            DESIRED   CURRENT   READY   AGE\nweb-5d9f8c7b6   0         0         0       0s\nweb-7c6b5d4f9   0         0         0       0s\n',
    );

    const history = await kubectl.run('rollout', 'history', 'deployment/web');
    expect(history).toEqual({
      code: 0,
      stdout: 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n',
      stderr: '',
    });

    const undo = await kubectl.run('rollout', 'undo', 'deployment/web');
    expect(undo.code).toBe(0);
    expect(undo.stdout).toBe('deployment.apps/web rolled back\n');
    expect(web().spec.template.spec?.containers[0]?.image).toBe('nginx:1.27');

    expect(await kubectl.run('rollout', 'pause', 'deployment/web')).toEqual({
      code: 0,
      stdout: 'deployment.apps/web paused\n',
      stderr: '',
    });
    expect(web().spec.paused).toBe(true);
    const again = await kubectl.run('rollout', 'pause', 'deployment/web');
    expect(again).toEqual({ code: 1, stdout: '', stderr: 'error: deployments.apps "web" is already paused\n' });
    expect(await kubectl.run('rollout', 'resume', 'deployment/web')).toEqual({
      code: 0,
      stdout: 'deployment.apps/web resumed\n',
      stderr: '',
    });
    expect(web().spec.paused).toBeUndefined();
  });

  it('get pods --show-labels and a NotFound error', async () => {
    sim.store.create('Pod', {
      metadata: { name: 'web-7c6b5d4f9-x2x4z', labels: { app: 'web', 'pod-template-hash': '7c6b5d4f9' } },
      spec: { containers: [{ name: 'c', image: 'nginx:1.231' }] },
      status: {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'c',
            image: 'nginx:1.231',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ImagePullBackOff' } },
          },
        ],
      },
    });
    const pods = await kubectl.run('get', 'pods', '--show-labels');
    expect(pods.stdout).toBe(
      'NAME                  READY   STATUS             RESTARTS   AGE   LABELS\n' +
        'web-7c6b5d4f9-x2x4z   0/1     ImagePullBackOff   0          0s    app=web,pod-template-hash=7c6b5d4f9\n',
    );
    const missing = await kubectl.run('get', 'deployment', 'nope');
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n',
    });
  });

  it('delete', async () => {
    expect(await kubectl.run('delete', 'deployment', 'web')).toEqual({
      code: 0,
      stdout: 'deployment.apps "web" deleted\n',
      stderr: '',
    });
    expect(web()).toBeUndefined();
  });
});

describe('kubectl over TLS with a bearer token', () => {
  it('accepts the right token and refuses a wrong one with 401', async () => {
    const { server: tls } = await startBareServer({ tls: true, token: 'sekret-token', speed: 0 });
    const good = new Kubectl(tls.kubeconfig());
    const bad = new Kubectl(tls.kubeconfig().replace('sekret-token', 'wrong-token'));
    try {
      expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect((await good.run('get', 'ns')).stdout).toBe('NAME      STATUS   AGE\ndefault   Active   0s\n');
      const refused = await bad.run('get', 'ns');
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n').pop()).toBe(
        'error: You must be logged in to the server (the server has asked for the client to provide credentials)',
      );
      expect(tls.requestLog.unauthorized).toBeGreaterThan(0);
    } finally {
      good.cleanup();
      bad.cleanup();
      await tls.close();
    }
  });
});
