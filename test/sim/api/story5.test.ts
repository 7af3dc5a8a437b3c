import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { createSimulatedCluster, defaultScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { kubeletLogReader } from '../../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { Pod } from '../../../src/k8s/objects.js';
import { Kubectl, deployment, runAdvancing } from './harness.js';

/**
 * Story 5 with real kubectl: the nginx lifecycle up to `describe deployment`
 * (strategy line, conditions, ScalingReplicaSet events), and `kubectl logs` of a crash-looping
 * container, current and `--previous`. Speed 0, simulated time advanced by the test.
 */
let sim: Simulation;
let server: ApiServerHandle;
let k: Kubectl;

beforeAll(async () => {
  const scenario = defaultScenario();
  scenario.images['ghcr.io/acme/web:2'] = { crash: true, logs: ['starting web 2', 'panic: DATABASE_URL is not set'] };
  const parts = createSimulatedCluster(scenario);
  sim = parts.simulation;
  server = await startApiServer({ simulation: sim, port: 0, speed: 0, readLogs: kubeletLogReader(parts.kubelet) });
  k = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  k.cleanup();
  await server.close();
});

const nginx = dump({
  ...deployment('nginx-deployment', 'nginx:1.14.2', 3),
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
    },
  },
});

describe('story 5: the nginx lifecycle and describe deployment', () => {
  it('create, get rs / pods --show-labels, set image, rollout status, describe', async () => {
    expect((await k.run('create', '-f', k.file('nginx.yaml', nginx))).stdout).toBe(
      'deployment.apps/nginx-deployment created\n',
    );
    const first = await runAdvancing(k, sim, server, ['rollout', 'status', 'deployment/nginx-deployment']);
    expect(first.stdout.trimEnd().split('\n').pop()).toBe('deployment "nginx-deployment" successfully rolled out');
    const pods = (await k.run('get', 'pods', '--show-labels')).stdout.trimEnd().split('\n');
    expect(pods[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS$/);
    expect(pods.slice(1)).toHaveLength(3);
    for (const row of pods.slice(1))
      expect(row).toMatch(
        /^nginx-deployment-([a-z0-9]{8,10})-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+\s+app=nginx,pod-template-hash=\1$/,
      );

    expect((await k.run('set', 'image', 'deployment/nginx-deployment', 'nginx=nginx:1.23.1')).stdout).toBe(
      'deployment.apps/nginx-deployment image updated\n',
    );
    const second = await runAdvancing(k, sim, server, ['rollout', 'status', 'deployment/nginx-deployment']);
    expect(second.code).toBe(0);
    const lines = second.stdout.trimEnd().split('\n');
    expect(lines.pop()).toBe('deployment "nginx-deployment" successfully rolled out');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^Waiting for deployment "nginx-deployment" rollout to finish: /);

    const rs = (await k.run('get', 'rs')).stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((r) => r.split(/\s+/).slice(1, 4).join(' '));
    expect(rs.sort()).toEqual(['0 0 0', '3 3 3']);

    const described = await k.run('describe', 'deployment', 'nginx-deployment');
    expect(described.code).toBe(0);
    const out = described.stdout;
    expect(out).toMatch(/^Name:\s+nginx-deployment\nNamespace:\s+default\n/);
    expect(out).toContain('\nReplicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable\n');
    expect(out).toContain('\nStrategyType:           RollingUpdate\n');
    expect(out).toContain('\nRollingUpdateStrategy:  25% max unavailable, 25% max surge\n');
    expect(out).toContain('    Image:         nginx:1.23.1\n');
    expect(out).toContain(
      '\nConditions:\n  Type           Status  Reason\n  ----           ------  ------\n  Available      True    MinimumReplicasAvailable\n  Progressing    True    NewReplicaSetAvailable\n',
    );
    const [oldRs, newRs] = ['1', '2'].map(
      (rev) =>
        sim.store.list('ReplicaSet').find((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'] === rev)!
          .metadata.name!,
    );
    expect(out).toContain(
      `\nOldReplicaSets:  ${oldRs} (0/0 replicas created)\nNewReplicaSet:   ${newRs} (3/3 replicas created)\n`,
    );
    // The events come from a LIST with involvedObject field selectors (name, namespace, kind, uid).
    const events = out
      .slice(out.indexOf('\nEvents:\n'))
      .split('\n')
      .slice(4)
      .filter((l) => l !== '');
    expect(events.map((l) => l.replace(/^\s+Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+/, ''))).toEqual(
      [
        `Scaled up replica set ${oldRs} to 3`,
        `Scaled up replica set ${newRs} to 1`,
        `Scaled down replica set ${oldRs} to 2 from 3`,
        `Scaled up replica set ${newRs} to 2 from 1`,
        `Scaled down replica set ${oldRs} to 1 from 2`,
        `Scaled up replica set ${newRs} to 3 from 2`,
        `Scaled down replica set ${oldRs} to 0 from 1`,
      ],
    );
  });

  it('logs of a crash-looping container, current and --previous', async () => {
    expect(
      (await k.run('create', '-f', k.file('web.yaml', dump(deployment('web', 'ghcr.io/acme/web:2', 1))))).code,
    ).toBe(0);
    sim.advance(90_000);
    const pod = sim.store.list<Pod>('Pod').find((p) => p.metadata.labels?.app === 'web')!;
    const name = pod.metadata.name!;
    const restarts = pod.status!.containerStatuses![0]!.restartCount;
    expect(restarts).toBeGreaterThanOrEqual(2);
    expect((await k.run('get', 'pod', name)).stdout).toMatch(
      new RegExp(`^${name}\\s+0/1\\s+CrashLoopBackOff\\s+${restarts} \\(\\d+s ago\\)\\s`, 'm'),
    );
    const crash = ['starting web 2', 'panic: DATABASE_URL is not set'];
    const current = await k.run('logs', name);
    expect(current.code).toBe(0);
    expect(current.stdout.split('\n').slice(0, 2)).toEqual(crash);
    const previous = await k.run('logs', name, '--previous');
    expect(previous.code).toBe(0);
    expect(previous.stdout.split('\n').slice(0, 2)).toEqual(crash);
    expect((await k.run('logs', name, '--tail=1', '--previous')).stdout.split('\n')).toHaveLength(2);

    const healthy = sim.store.list<Pod>('Pod').find((p) => p.metadata.labels?.app === 'nginx')!.metadata.name!;
    const none = await k.run('logs', healthy, '--previous');
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      `Error from server (BadRequest): previous terminated container "nginx" in pod "${healthy}" not found\n`,
    );
  });
});
