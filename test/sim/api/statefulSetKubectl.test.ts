import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { ControllerRevision } from '../../../src/cluster/sim/controllers/history/controllerHistory.js';
import { createSimulatedCluster, parseScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import type { Pod } from '../../../src/k8s/objects.js';
import type { StatefulSet } from '../../../src/k8s/statefulSet.js';
import { Kubectl, runAdvancing } from './harness.js';

/**
 * Real kubectl (1.32, through the gcloud dispatcher) against `serve` running the StatefulSet
 * controller: apply, get (READY/AGE columns, ControllerRevisions), rollout status with kubectl's
 * StatefulSet viewer lines, history (with --revision), undo (with --to-revision) through the
 * revision's strategic merge patch, restart, scale, describe, and a partitioned canary. The server
 * runs at speed 0 and the test advances simulated time, so every asserted line is deterministic.
 * Tests run in order and share one StatefulSet `web`.
 */
let sim: Simulation;
let server: ApiServerHandle;
let k: Kubectl;

beforeAll(async () => {
  const scenario = parseScenario(
    dump({ seed: 11, images: { default: { pullSeconds: 2, startSeconds: 1, readySeconds: 2 } } }),
  );
  ({ simulation: sim } = createSimulatedCluster(scenario));
  server = await startApiServer({ simulation: sim, port: 0, speed: 0 });
  k = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  k.cleanup();
  await server.close();
});

function manifest(name: string, image: string, partition?: number): string {
  return dump({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas: 3,
      selector: { matchLabels: { app: name } },
      ...(partition !== undefined ? { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] },
      },
    },
  });
}

const get = (name: string) => sim.store.get<StatefulSet>('StatefulSet', 'default', name)!;
const image = (name: string) => get(name).spec.template.spec!.containers[0]!.image;
const revisions = () =>
  sim.store
    .list<ControllerRevision>('ControllerRevision', 'default')
    .map((r) => `${r.revision} ${r.metadata.name}`)
    .sort();
const status = (target: string) =>
  runAdvancing(k, sim, server, ['rollout', 'status', target, '--timeout=120s'], { stepMs: 500 });
const lines = (text: string) => [...new Set(text.trimEnd().split('\n'))];

describe('kubectl and a StatefulSet served by the simulator', () => {
  it('apply creates it; rollout status waits for the pods one by one, then the partitioned rule says complete', async () => {
    expect(await k.run('apply', '-f', k.file('web.yaml', manifest('web', 'nginx:1.27')))).toEqual({
      code: 0,
      stdout: 'statefulset.apps/web created\n',
      stderr: '',
    });
    const out = await status('sts/web');
    expect(out.code).toBe(0);
    // Defaulting gives rollingUpdate.partition 0, so kubectl's partitioned branch judges it.
    expect(lines(out.stdout)).toEqual([
      'Waiting for 3 pods to be ready...',
      'Waiting for 2 pods to be ready...',
      'Waiting for 1 pods to be ready...',
      'partitioned roll out complete: 3 new pods have been updated...',
    ]);
  });

  it('get sts and get controllerrevisions print the server-side columns', async () => {
    const sts = await k.run('get', 'sts');
    expect(sts.code).toBe(0);
    expect(sts.stdout).toMatch(/^NAME {3}READY {3}AGE\nweb {4}3\/3 {5}\d+s\n$/);
    const wide = await k.run('get', 'statefulset', 'web', '-o', 'wide');
    expect(wide.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES$/);
    expect(wide.stdout).toMatch(/nginx\s+nginx:1\.27\n$/);
    const [revision] = revisions();
    const name = revision!.split(' ')[1]!;
    const crs = await k.run('get', 'controllerrevisions');
    expect(crs.stdout).toMatch(
      new RegExp(`^NAME\\s+CONTROLLER\\s+REVISION\\s+AGE\\n${name}\\s+statefulset.apps/web\\s+1\\s+\\d+s\\n$`),
    );
    expect(get('web').status?.currentRevision).toBe(name);
  });

  it('set image rolls from web-2 down to web-0; status reports the partitioned progress', async () => {
    expect((await k.run('set', 'image', 'sts/web', 'nginx=nginx:1.28')).stdout).toBe(
      'statefulset.apps/web image updated\n',
    );
    const out = await status('statefulset/web');
    expect(out.code).toBe(0);
    const printed = lines(out.stdout);
    expect(printed).toContain('Waiting for partitioned roll out to finish: 0 out of 3 new pods have been updated...');
    expect(printed).toContain('Waiting for partitioned roll out to finish: 2 out of 3 new pods have been updated...');
    expect(printed[printed.length - 1]).toBe('partitioned roll out complete: 3 new pods have been updated...');
    const pods = sim.store.list<Pod>('Pod', 'default').map((p) => `${p.metadata.name} ${p.spec.containers[0]!.image}`);
    expect(pods).toEqual(['web-0 nginx:1.28', 'web-1 nginx:1.28', 'web-2 nginx:1.28']);
  });

  it('rollout history lists the revisions; --revision=1 prints its pod template', async () => {
    expect(await k.run('rollout', 'history', 'sts/web')).toEqual({
      code: 0,
      stdout: 'statefulset.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n',
      stderr: '',
    });
    const one = await k.run('rollout', 'history', 'sts/web', '--revision=1');
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(
      'statefulset.apps/web with revision #1\n' +
        'Pod Template:\n' +
        '  Labels:\tapp=web\n' +
        '  Containers:\n' +
        '   nginx:\n' +
        '    Image:\tnginx:1.27\n' +
        '    Port:\t80/TCP\n' +
        '    Host Port:\t0/TCP\n' +
        '    Environment:\t<none>\n' +
        '    Mounts:\t<none>\n' +
        '  Volumes:\t<none>\n' +
        '  Node-Selectors:\t<none>\n' +
        '  Tolerations:\t<none>\n\n',
    );
  });

  it('rollout undo patches the template back; the controller renumbers revision 1 to 3 and rolls it out', async () => {
    const before = revisions();
    const undo = await k.run('rollout', 'undo', 'sts/web');
    expect(undo.stdout).toBe('statefulset.apps/web rolled back\n');
    expect(image('web')).toBe('nginx:1.27');
    const out = await status('sts/web');
    expect(lines(out.stdout).pop()).toBe('partitioned roll out complete: 3 new pods have been updated...');
    const [first, second] = before.map((r) => r.split(' ')[1]);
    expect(revisions()).toEqual([`2 ${second}`, `3 ${first}`]);
    expect(get('web').status?.currentRevision).toBe(first);
    expect((await k.run('rollout', 'history', 'sts/web')).stdout).toBe(
      'statefulset.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n',
    );
    // Undoing to the revision it already runs is skipped, as kubectl's statefulsetMatch says.
    expect((await k.run('rollout', 'undo', 'sts/web', '--to-revision=3')).stdout).toBe(
      'statefulset.apps/web skipped rollback (current template already matches revision 3)\n',
    );
    expect((await k.run('rollout', 'undo', 'sts/web', '--to-revision=2')).stdout).toBe(
      'statefulset.apps/web rolled back\n',
    );
    expect(image('web')).toBe('nginx:1.28');
    expect((await k.run('rollout', 'undo', 'sts/web', '--to-revision=9')).stderr).toBe(
      'error: unable to find specified revision 9 in history\n',
    );
    expect(lines((await status('sts/web')).stdout).pop()).toBe(
      'partitioned roll out complete: 3 new pods have been updated...',
    );
  });

  it('rollout restart stamps the template and replaces every pod; scale removes the highest ordinal', async () => {
    expect((await k.run('rollout', 'restart', 'sts/web')).stdout).toBe('statefulset.apps/web restarted\n');
    expect(get('web').spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    expect(lines((await status('sts/web')).stdout).pop()).toBe(
      'partitioned roll out complete: 3 new pods have been updated...',
    );
    expect(revisions()).toHaveLength(3);
    expect(await k.run('scale', 'sts/web', '--replicas=2')).toEqual({
      code: 0,
      stdout: 'statefulset.apps/web scaled\n',
      stderr: '',
    });
    sim.advance(5_000);
    expect(sim.store.list<Pod>('Pod', 'default').map((p) => p.metadata.name)).toEqual(['web-0', 'web-1']);
    expect((await k.run('get', 'sts', 'web')).stdout).toMatch(/\nweb {4}2\/2 {5}\d+/);
  });

  it('describe shows the set, its pods and the controller events', async () => {
    const out = await k.run('describe', 'sts/web');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Name:\s+web\n/);
    expect(out.stdout).toMatch(/\nReplicas:\s+2 desired \| 2 total\n/);
    expect(out.stdout).toMatch(/\nUpdate Strategy:\s+RollingUpdate\n\s+Partition:\s+0\n/);
    // Ages count from the simulation's start (1 Jan 2026 here), so only their presence is asserted.
    expect(out.stdout).toMatch(/\nPods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed\n/);
    expect(out.stdout).toMatch(
      /Normal\s+SuccessfulCreate\s+.+\s+statefulset-controller\s+create Pod web-0 in StatefulSet web successful/,
    );
    expect(out.stdout).toMatch(
      /Normal\s+SuccessfulDelete\s+.+\s+statefulset-controller\s+delete Pod web-2 in StatefulSet web successful/,
    );
  });

  it('a partitioned canary (partition 2) updates web-2 only and kubectl calls it complete', async () => {
    expect((await k.run('apply', '-f', k.file('canary.yaml', manifest('canary', 'nginx:1.27', 2)))).code).toBe(0);
    expect(lines((await status('sts/canary')).stdout).pop()).toBe(
      'partitioned roll out complete: 3 new pods have been updated...',
    );
    expect((await k.run('apply', '-f', k.file('canary2.yaml', manifest('canary', 'nginx:1.28', 2)))).stdout).toBe(
      'statefulset.apps/canary configured\n',
    );
    const out = await status('sts/canary');
    expect(out.code).toBe(0);
    expect(lines(out.stdout)).toEqual([
      'Waiting for partitioned roll out to finish: 0 out of 1 new pods have been updated...',
      'Waiting for 1 pods to be ready...',
      'partitioned roll out complete: 1 new pods have been updated...',
    ]);
    const pods = sim.store
      .list<Pod>('Pod', 'default')
      .filter((p) => p.metadata.name!.startsWith('canary'))
      .map((p) => `${p.metadata.name} ${p.spec.containers[0]!.image}`);
    expect(pods).toEqual(['canary-0 nginx:1.27', 'canary-1 nginx:1.27', 'canary-2 nginx:1.28']);
  });
});
