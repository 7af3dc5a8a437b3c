import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { createSimulatedCluster, defaultScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { Deployment } from '../../../src/k8s/objects.js';
import { Kubectl, runAdvancing } from './harness.js';

/**
 * Story 2 with real kubectl: maxSurge 1 / maxUnavailable 1, re-applied with a new
 * image and a new port and args; pause, changes while paused, undo refused, resume; history with
 * change causes; `history --revision=2`; `undo --to-revision=2`. The server runs at speed 0 and
 * the test advances simulated time, so every asserted line is deterministic.
 */
let sim: Simulation;
let server: ApiServerHandle;
let k: Kubectl;

beforeAll(async () => {
  ({ simulation: sim } = createSimulatedCluster(defaultScenario()));
  server = await startApiServer({ simulation: sim, port: 0, speed: 0 });
  k = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  k.cleanup();
  await server.close();
});

function manifest(image: string, port: number, args?: string[]): string {
  return dump({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image, ...(args ? { args } : {}), ports: [{ containerPort: port }] }] },
      },
    },
  });
}

const web = () => sim.store.get<Deployment>('Deployment', 'default', 'web')!;
const status = (...extra: string[]) =>
  runAdvancing(k, sim, server, ['rollout', 'status', 'deployment/web', '--timeout=60s', ...extra]);
const waiting = (what: string) => `Waiting for deployment "web" rollout to finish: ${what}...`;
const SUCCESS = 'deployment "web" successfully rolled out';

/** `get rs` rows as [name, desired, current, ready], newest revision last. */
async function replicaSets(): Promise<string[][]> {
  const out = await k.run('get', 'rs', '--sort-by=.metadata.annotations.deployment\\.kubernetes\\.io/revision');
  expect(out.code).toBe(0);
  const [header, ...rows] = out.stdout.trimEnd().split('\n');
  expect(header).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/);
  return rows.map((r) => r.split(/\s+/).slice(0, 4));
}

describe('story 2: explicit surge and unavailability, pause/resume, history, undo to a revision', () => {
  it('apply, annotate the change cause, roll out', async () => {
    expect(await k.run('apply', '-f', k.file('v1.yaml', manifest('nginx:1.14.2', 80)))).toEqual({
      code: 0,
      stdout: 'deployment.apps/web created\n',
      stderr: '',
    });
    expect((await k.run('annotate', 'deployment/web', 'kubernetes.io/change-cause=initial nginx:1.14.2')).stdout).toBe(
      'deployment.apps/web annotated\n',
    );
    const out = await status();
    expect(out.code).toBe(0);
    expect(out.stdout.trimEnd().split('\n').pop()).toBe(SUCCESS);
  });

  it('re-applied with a new image, port and args: "of 3 updated replicas are available" lines, then success', async () => {
    const applied = await k.run('apply', '-f', k.file('v2.yaml', manifest('nginx:1.16.1', 8080, ['--listen', '8080'])));
    expect(applied).toEqual({ code: 0, stdout: 'deployment.apps/web configured\n', stderr: '' });
    expect(
      (await k.run('annotate', 'deployment/web', 'kubernetes.io/change-cause=nginx 1.16.1 on 8080', '--overwrite'))
        .code,
    ).toBe(0);
    const container = web().spec.template.spec!.containers[0]!;
    expect(container).toMatchObject({
      image: 'nginx:1.16.1',
      args: ['--listen', '8080'],
      ports: [{ containerPort: 8080 }],
    });

    const out = await status();
    expect(out.code).toBe(0);
    // One line per watch event; deterministic because the test advances simulated time.
    expect(out.stdout.trimEnd().split('\n')).toEqual([
      waiting('2 out of 3 new replicas have been updated'),
      waiting('2 out of 3 new replicas have been updated'),
      waiting('2 out of 3 new replicas have been updated'),
      waiting('2 of 3 updated replicas are available'),
      SUCCESS,
    ]);

    const rs = await replicaSets();
    expect(rs.map((r) => r.slice(1))).toEqual([
      ['0', '0', '0'],
      ['3', '3', '3'],
    ]);
  });

  it('history lists both revisions with their change causes', async () => {
    expect(await k.run('rollout', 'history', 'deployment/web')).toEqual({
      code: 0,
      stdout:
        'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         initial nginx:1.14.2\n2         nginx 1.16.1 on 8080\n\n',
      stderr: '',
    });
  });

  it('pause: set image and set resources create no revision; undo is refused; resume rolls out once', async () => {
    expect(await k.run('rollout', 'pause', 'deployment/web')).toEqual({
      code: 0,
      stdout: 'deployment.apps/web paused\n',
      stderr: '',
    });
    expect((await k.run('set', 'image', 'deployment/web', 'web=nginx:1.17.0')).stdout).toBe(
      'deployment.apps/web image updated\n',
    );
    expect((await k.run('set', 'resources', 'deployment/web', '-c=web', '--limits=cpu=200m,memory=512Mi')).stdout).toBe(
      'deployment.apps/web resource requirements updated\n',
    );
    sim.advance(60_000);
    expect(await replicaSets()).toHaveLength(2);
    const history = await k.run('rollout', 'history', 'deployment/web');
    expect(history.stdout).toBe(
      'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         initial nginx:1.14.2\n2         nginx 1.16.1 on 8080\n\n',
    );
    const paused = await status('--watch=false');
    expect(paused.stdout).toBe(`${waiting('0 out of 3 new replicas have been updated')}\n`);

    const undo = await k.run('rollout', 'undo', 'deployment/web');
    expect(undo.code).toBe(1);
    expect(undo.stderr.trimEnd().split('\n').pop()).toBe(
      "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    );

    expect(await k.run('rollout', 'resume', 'deployment/web')).toEqual({
      code: 0,
      stdout: 'deployment.apps/web resumed\n',
      stderr: '',
    });
    const out = await status();
    expect(out.stdout.trimEnd().split('\n').pop()).toBe(SUCCESS);
    const rs = await replicaSets();
    expect(rs.map((r) => r.slice(1))).toEqual([
      ['0', '0', '0'],
      ['0', '0', '0'],
      ['3', '3', '3'],
    ]);
    const template = web().spec.template.spec!.containers[0]!;
    expect(template.image).toBe('nginx:1.17.0');
    expect(template.resources?.limits).toEqual({ cpu: '200m', memory: '512Mi' });
    const after = await k.run('rollout', 'history', 'deployment/web');
    // One revision for both changes; the Deployment's change-cause annotation is still revision 2's.
    expect(after.stdout).toBe(
      'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         initial nginx:1.14.2\n2         nginx 1.16.1 on 8080\n3         nginx 1.16.1 on 8080\n\n',
    );
  });

  it('history --revision=2 prints the pod template', async () => {
    const out = await k.run('rollout', 'history', 'deployment/web', '--revision=2');
    expect(out.code).toBe(0);
    const hash = sim.store
      .list('ReplicaSet')
      .find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2')!.metadata.labels![
      'pod-template-hash'
    ];
    expect(out.stdout).toBe(
      'deployment.apps/web with revision #2\n' +
        'Pod Template:\n' +
        `  Labels:\tapp=web\n\tpod-template-hash=${hash}\n` +
        '  Annotations:\tkubernetes.io/change-cause: nginx 1.16.1 on 8080\n' +
        '  Containers:\n' +
        '   web:\n' +
        '    Image:\tnginx:1.16.1\n' +
        '    Port:\t8080/TCP\n' +
        '    Host Port:\t0/TCP\n' +
        '    Args:\n' +
        '      --listen\n' +
        '      8080\n' +
        '    Environment:\t<none>\n' +
        '    Mounts:\t<none>\n' +
        '  Volumes:\t<none>\n' +
        '  Node-Selectors:\t<none>\n' +
        '  Tolerations:\t<none>\n\n',
    );
  });

  it('undo --to-revision=2 restores it as revision 4', async () => {
    expect(await k.run('rollout', 'undo', 'deployment/web', '--to-revision=2')).toMatchObject({
      code: 0,
      stdout: 'deployment.apps/web rolled back\n',
    });
    const out = await status();
    expect(out.stdout.trimEnd().split('\n').pop()).toBe(SUCCESS);
    expect(web().spec.template.spec!.containers[0]).toMatchObject({
      image: 'nginx:1.16.1',
      ports: [{ containerPort: 8080 }],
    });
    expect(web().metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('4');
    const history = await k.run('rollout', 'history', 'deployment/web');
    expect(history.stdout).toBe(
      'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         initial nginx:1.14.2\n3         nginx 1.16.1 on 8080\n4         nginx 1.16.1 on 8080\n\n',
    );
  });
});
