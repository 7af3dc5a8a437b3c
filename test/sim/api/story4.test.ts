import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { createSimulatedCluster, defaultScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { Deployment } from '../../../src/k8s/objects.js';
import { Kubectl, runAdvancing } from './harness.js';

/**
 * Story 4 with real kubectl: `scale` makes no revision; a nonexistent image
 * stalls the rollout with the old ReplicaSet partly scaled down; `rollout status` ends with the
 * progress deadline error (exit 1) or its own timeout; history shows the bad revision;
 * `undo --to-revision=2` recovers. Speed 0, simulated time advanced by the test.
 */
let sim: Simulation;
let server: ApiServerHandle;
let k: Kubectl;

beforeAll(async () => {
  const scenario = defaultScenario();
  scenario.images['nginx:1.161'] = { pull: 'missing' };
  ({ simulation: sim } = createSimulatedCluster(scenario));
  server = await startApiServer({ simulation: sim, port: 0, speed: 0 });
  k = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  k.cleanup();
  await server.close();
});

const manifest = dump({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 1,
    progressDeadlineSeconds: 120,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.14.2' }] } },
  },
});

const web = () => sim.store.get<Deployment>('Deployment', 'default', 'web')!;
const SUCCESS = 'deployment "web" successfully rolled out';
const last = (text: string) => text.trimEnd().split('\n').pop();

async function rsRows(): Promise<Record<string, string[]>> {
  const out = await k.run('get', 'rs');
  const rows: Record<string, string[]> = {};
  for (const line of out.stdout.trimEnd().split('\n').slice(1)) {
    const [name, ...rest] = line.split(/\s+/);
    const rs = sim.store.get('ReplicaSet', 'default', name!)!;
    rows[rs.metadata.annotations!['deployment.kubernetes.io/revision']!] = rest.slice(0, 3);
  }
  return rows;
}

describe('story 4: scale, a bad image, a stuck rollout, undo to revision 2', () => {
  it('two revisions; scale to 3 creates none', async () => {
    expect((await k.run('create', '-f', k.file('web.yaml', manifest))).stdout).toBe('deployment.apps/web created\n');
    expect(last((await runAdvancing(k, sim, server, ['rollout', 'status', 'deployment/web'])).stdout)).toBe(SUCCESS);
    expect((await k.run('set', 'image', 'deployment/web', 'web=nginx:1.16.1')).stdout).toBe(
      'deployment.apps/web image updated\n',
    );
    expect(last((await runAdvancing(k, sim, server, ['rollout', 'status', 'deployment/web'])).stdout)).toBe(SUCCESS);

    expect(await k.run('scale', 'deployment/web', '--replicas=3')).toEqual({
      code: 0,
      stdout: 'deployment.apps/web scaled\n',
      stderr: '',
    });
    expect(last((await runAdvancing(k, sim, server, ['rollout', 'status', 'deployment/web'])).stdout)).toBe(SUCCESS);
    expect((await k.run('rollout', 'history', 'deployment/web')).stdout).toBe(
      'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n',
    );
    expect(await rsRows()).toEqual({ '1': ['0', '0', '0'], '2': ['3', '3', '3'] });
  });

  it('a nonexistent image stalls: the old ReplicaSet stops part-way, status times out, then the deadline is exceeded', async () => {
    expect((await k.run('set', 'image', 'deployment/web', 'web=nginx:1.161')).stdout).toBe(
      'deployment.apps/web image updated\n',
    );
    sim.advance(30_000);
    // maxSurge 1 + maxUnavailable 1 on 3 replicas: old 3→2, new 0→2, and nothing more while no new pod is ready.
    expect(await rsRows()).toEqual({ '1': ['0', '0', '0'], '2': ['2', '2', '2'], '3': ['2', '2', '0'] });
    const pods = (await k.run('get', 'pods')).stdout;
    expect(pods.match(/\s(ErrImagePull|ImagePullBackOff)\s/g)).toHaveLength(2);
    expect((await k.run('get', 'deployments')).stdout).toMatch(/^web\s+2\/3\s+2\s+2\s/m);

    // No simulated time passes: kubectl's own --timeout ends the wait.
    const timedOut = await k.run('rollout', 'status', 'deployment/web', '--timeout=1s');
    expect(timedOut.code).toBe(1);
    expect(timedOut.stdout).toBe(
      'Waiting for deployment "web" rollout to finish: 2 out of 3 new replicas have been updated...\n',
    );
    expect(timedOut.stderr).toBe('error: timed out waiting for the condition\n');

    // Simulated time passes: the controller marks ProgressDeadlineExceeded after 120 s.
    const stuck = await runAdvancing(k, sim, server, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    expect(stuck.code).toBe(1);
    expect(stuck.stderr).toBe('error: deployment "web" exceeded its progress deadline\n');
    expect(
      stuck.stdout
        .trimEnd()
        .split('\n')
        .every(
          (l) => l === 'Waiting for deployment "web" rollout to finish: 2 out of 3 new replicas have been updated...',
        ),
    ).toBe(true);
    const progressing = web().status?.conditions?.find((c) => c.type === 'Progressing');
    expect(progressing).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: expect.stringMatching(/^ReplicaSet "web-[a-z0-9]+" has timed out progressing\.$/),
    });
  });

  it('history --revision=3 shows the bad image; undo --to-revision=2 recovers', async () => {
    const rev3 = await k.run('rollout', 'history', 'deployment/web', '--revision=3');
    expect(rev3.stdout).toMatch(/^deployment\.apps\/web with revision #3\nPod Template:\n/);
    expect(rev3.stdout).toContain('    Image:\tnginx:1.161\n');
    expect(await k.run('rollout', 'undo', 'deployment/web', '--to-revision=2')).toEqual({
      code: 0,
      stdout: 'deployment.apps/web rolled back\n',
      stderr: '',
    });
    const out = await runAdvancing(k, sim, server, ['rollout', 'status', 'deployment/web']);
    expect(out.code).toBe(0);
    expect(last(out.stdout)).toBe(SUCCESS);
    expect(await rsRows()).toEqual({ '1': ['0', '0', '0'], '3': ['0', '0', '0'], '4': ['3', '3', '3'] });
    expect((await k.run('get', 'pods')).stdout).not.toMatch(/ImagePullBackOff|ErrImagePull/);
  });
});
