import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { DaemonSet } from '../../../src/cluster/sim/controllers/daemonset/daemonSetUtil.js';
import { parseScenario } from '../../../src/cluster/sim/scenario/parseScenario.js';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import { Kubectl, runAdvancing } from './harness.js';

/**
 * A DaemonSet through `serve` with real kubectl (1.32) while the simulated controllers run at speed 0
 * (the test advances virtual time): get, rollout status / history / undo / restart, describe.
 * Tests run in order and share the DaemonSet `agent` on 3 nodes (node-3 labelled disk=ssd).
 */
let sim: Simulation;
let server: ApiServerHandle;
let kubectl: Kubectl;

beforeAll(async () => {
  const scenario = parseScenario('nodes: { count: 2, pools: [{ name: ssd, count: 1, labels: { disk: ssd } }] }');
  ({ simulation: sim } = createSimulatedCluster(scenario));
  server = await startApiServer({ simulation: sim, port: 0, speed: 0 });
  kubectl = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  kubectl.cleanup();
  await server.close();
});

const manifest = (image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', labels: { app: 'agent' } },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image }], ...extra } },
  },
});

const status = (args: string[] = []) =>
  runAdvancing(kubectl, sim, server, ['rollout', 'status', 'ds/agent', '--timeout=120s', ...args]);

/** kubectl prints a line per watch event; consecutive repeats are collapsed for the assertion. */
function distinctLines(stdout: string): string[] {
  return stdout
    .trimEnd()
    .split('\n')
    .filter((line, i, all) => i === 0 || line !== all[i - 1]);
}

const image = () =>
  sim.store.mustGet<DaemonSet>('DaemonSet', 'default', 'agent').spec.template.spec!.containers[0]!.image;

const ROLLING = [
  'Waiting for daemon set "agent" rollout to finish: 0 out of 3 new pods have been updated...',
  'Waiting for daemon set "agent" rollout to finish: 1 out of 3 new pods have been updated...',
  'Waiting for daemon set "agent" rollout to finish: 2 out of 3 new pods have been updated...',
  'Waiting for daemon set "agent" rollout to finish: 2 of 3 updated pods are available...',
  'daemon set "agent" successfully rolled out',
];

describe('a DaemonSet through serve with real kubectl', () => {
  it('apply, rollout status, get ds (and -o wide), get controllerrevisions', async () => {
    expect(await kubectl.run('apply', '-f', kubectl.file('ds.yaml', dump(manifest('agent:1'))))).toEqual({
      code: 0,
      stdout: 'daemonset.apps/agent created\n',
      stderr: '',
    });
    const rolled = await status();
    expect(rolled.code).toBe(0);
    expect(distinctLines(rolled.stdout)).toEqual([
      'Waiting for daemon set "agent" rollout to finish: 0 of 3 updated pods are available...',
      'daemon set "agent" successfully rolled out',
    ]);
    const got = await kubectl.run('get', 'ds');
    expect(got.stdout).toMatch(
      /^NAME {4}DESIRED {3}CURRENT {3}READY {3}UP-TO-DATE {3}AVAILABLE {3}NODE SELECTOR {3}AGE\nagent {3}3 {9}3 {9}3 {7}3 {12}3 {11}<none> {10}\d+s\n$/,
    );
    const wide = (await kubectl.run('get', 'ds', '-o', 'wide')).stdout.split('\n');
    expect(wide[0]).toMatch(/ AGE {3}CONTAINERS {3}IMAGES {4}SELECTOR$/);
    expect(wide[1]).toMatch(/ agent {8}agent:1 {3}app=agent$/);
    const revisions = await kubectl.run('get', 'controllerrevisions');
    expect(revisions.stdout).toMatch(
      /^NAME {15}CONTROLLER {13}REVISION {3}AGE\nagent-[a-z0-9]{10} {3}daemonset.apps\/agent {3}1 {10}\d+s\n$/,
    );
  });

  it("set image: rollout status prints kubectl's DaemonSet lines one node at a time", async () => {
    expect((await kubectl.run('set', 'image', 'ds/agent', 'agent=agent:2')).stdout).toBe(
      'daemonset.apps/agent image updated\n',
    );
    const rolled = await status();
    expect(rolled.code).toBe(0);
    expect(distinctLines(rolled.stdout)).toEqual(ROLLING);
  });

  it('rollout history, and one revision with --revision', async () => {
    expect(await kubectl.run('rollout', 'history', 'ds/agent')).toEqual({
      code: 0,
      stdout: 'daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n',
      stderr: '',
    });
    const one = await kubectl.run('rollout', 'history', 'ds/agent', '--revision=1');
    expect(one.code).toBe(0);
    expect(one.stdout.split('\n').slice(0, 5)).toEqual([
      'daemonset.apps/agent with revision #1',
      'Pod Template:',
      '  Labels:\tapp=agent',
      '  Containers:',
      '   agent:',
    ]);
    expect(one.stdout).toContain('    Image:\tagent:1\n');
  });

  it('rollout undo goes back to revision 1, renumbered 3; --to-revision picks one; unknown and current revisions', async () => {
    expect(await kubectl.run('rollout', 'undo', 'ds/agent')).toEqual({
      code: 0,
      stdout: 'daemonset.apps/agent rolled back\n',
      stderr: '',
    });
    expect(image()).toBe('agent:1');
    expect(distinctLines((await status()).stdout)).toEqual(ROLLING);
    expect((await kubectl.run('rollout', 'history', 'ds/agent')).stdout).toBe(
      'daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n',
    );
    expect((await kubectl.run('rollout', 'undo', 'ds/agent', '--to-revision=2')).stdout).toBe(
      'daemonset.apps/agent rolled back\n',
    );
    expect(image()).toBe('agent:2');
    expect(distinctLines((await status()).stdout)).toEqual(ROLLING);
    expect(await kubectl.run('rollout', 'undo', 'ds/agent', '--to-revision=9')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: unable to find specified revision 9 in history\n',
    });
    expect(await kubectl.run('rollout', 'undo', 'ds/agent', '--to-revision=4')).toEqual({
      code: 0,
      stdout: 'daemonset.apps/agent skipped rollback (current template already matches revision 4)\n',
      stderr: '',
    });
  });

  it('rollout restart replaces every pod and adds a revision', async () => {
    expect((await kubectl.run('rollout', 'restart', 'ds/agent')).stdout).toBe('daemonset.apps/agent restarted\n');
    expect(distinctLines((await status()).stdout)).toEqual(ROLLING);
    const ds = sim.store.mustGet<DaemonSet>('DaemonSet', 'default', 'agent');
    expect(ds.spec.template.metadata!.annotations!['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await kubectl.run('rollout', 'history', 'ds/agent')).stdout).toBe(
      'daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n3         <none>\n4         <none>\n5         <none>\n\n',
    );
  });

  it('a nodeSelector shows in NODE SELECTOR and leaves one pod on the labelled node', async () => {
    await kubectl.run(
      'apply',
      '-f',
      kubectl.file('ds2.yaml', dump(manifest('agent:2', { nodeSelector: { disk: 'ssd' } }))),
    );
    const rolled = await status();
    expect(distinctLines(rolled.stdout).at(-1)).toBe('daemon set "agent" successfully rolled out');
    const got = (await kubectl.run('get', 'ds')).stdout.split('\n');
    expect(got[1]).toMatch(/^agent {3}1 {9}1 {9}1 {7}1 {12}1 {11}disk=ssd {8}\d+s$/);
    const pods = (await kubectl.run('get', 'pods', '-o', 'wide', '--no-headers')).stdout.trimEnd().split('\n');
    expect(pods.map((l) => l.split(/\s+/)[6])).toEqual(['ssd-1']);
  });

  it('describe ds prints the DaemonSet describer with its counts, template and events', async () => {
    const described = await kubectl.run('describe', 'ds/agent');
    expect(described.code).toBe(0);
    const lines = described.stdout.split('\n');
    expect(lines.slice(0, 11)).toEqual([
      'Name:           agent',
      'Selector:       app=agent',
      'Node-Selector:  disk=ssd',
      'Labels:         app=agent',
      'Annotations:    deprecated.daemonset.template.generation: 6',
      'Desired Number of Nodes Scheduled: 1',
      'Current Number of Nodes Scheduled: 1',
      'Number of Nodes Scheduled with Up-to-date Pods: 1',
      'Number of Nodes Scheduled with Available Pods: 1',
      'Number of Nodes Misscheduled: 0',
      'Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 0 Failed',
    ]);
    expect(described.stdout).toMatch(
      /Normal {2}SuccessfulCreate {2}\S+ +daemonset-controller {2}Created pod: agent-[a-z0-9]{5}\n/,
    );
    expect(described.stdout).toMatch(
      /Normal {2}SuccessfulDelete {2}\S+ +daemonset-controller {2}Deleted pod: agent-[a-z0-9]{5}\n/,
    );
  });

  it('refuses maxSurge beside the defaulted maxUnavailable, as a real API server does', async () => {
    const surge = manifest('agent:3');
    (surge.spec as Record<string, unknown>).updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } };
    expect(await kubectl.run('apply', '-f', kubectl.file('surge.yaml', dump(surge)))).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'The DaemonSet "agent" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero\n',
    });
  });

  it('delete ds removes its pods and its ControllerRevisions (garbage collection)', async () => {
    expect((await kubectl.run('delete', 'ds', 'agent')).stdout).toBe('daemonset.apps "agent" deleted\n');
    sim.advance(60_000);
    expect(await kubectl.run('get', 'pods,controllerrevisions')).toEqual({
      code: 0,
      stdout: '',
      stderr: 'No resources found in default namespace.\n',
    });
  });
});
