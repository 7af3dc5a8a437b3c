import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSimulatedCluster, defaultScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { kubeletLogReader } from '../../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { KubeObject, Pod } from '../../../src/k8s/objects.js';
import { Kubectl, deployment } from './harness.js';
import { spawnKubectl as spawnLogs, until } from './streamsHarness.js';

/**
 * `kubectl logs` against serve with real kubectl: `-f` follows until the container stops in simulated
 * time, and --since/--since-time/--tail/--timestamps/--previous/--limit-bytes/-c/--all-containers and
 * `logs deploy/x` print what a real cluster prints. Speed 0: the test advances simulated time and waits
 * on output, never on the wall clock.
 */
const START = Date.parse('2026-11-30T12:00:00Z');
let sim: Simulation;
let server: ApiServerHandle;
let k: Kubectl;

beforeAll(async () => {
  const scenario = defaultScenario();
  scenario.images['acme/worker:1'] = { runSeconds: 20, exitCode: 3, logs: ['starting worker', 'processing batch 1'] };
  scenario.images['acme/crash:1'] = { crash: true, logs: ['starting crash 1', 'panic: no config'] };
  scenario.images['acme/side:1'] = { logs: ['side car up'] };
  scenario.images['acme/web:1'] = { logs: ['listening on :8080'] };
  const parts = createSimulatedCluster(scenario, { startMs: START });
  sim = parts.simulation;
  server = await startApiServer({ simulation: sim, port: 0, speed: 0, readLogs: kubeletLogReader(parts.kubelet) });
  k = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  k.cleanup();
  await server.close();
});

function pod(name: string, containers: Array<{ name: string; image: string }>, restartPolicy = 'Always'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy, containers } };
}

const spawnKubectl = (...args: string[]) => spawnLogs(k, ...args);

describe('kubectl logs', () => {
  it('refuses a container still waiting, then -f follows the run until it exits in simulated time', async () => {
    sim.store.create('Pod', pod('worker', [{ name: 'worker', image: 'acme/worker:1' }], 'Never'));
    sim.settle();
    expect(await k.run('logs', 'worker')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Error from server (BadRequest): container "worker" in pod "worker" is waiting to start: ContainerCreating\n',
    });
    sim.advance(3_000); // pulled (2s) and started (1s)
    const follow = spawnKubectl('logs', '-f', 'worker');
    await until(() => follow.output().includes('processing batch 1\n'), 'the first lines');
    expect(follow.exited()).toBe(false);
    // The run exits 20s after it started: the stream stays open until then, then ends with the last line.
    sim.advance(19_000);
    expect(follow.exited()).toBe(false);
    sim.advance(1_000);
    expect(await follow.done).toEqual({
      code: 0,
      stdout: 'starting worker\nprocessing batch 1\ndocker.io/acme/worker:1: fatal error, exiting with code 3\n',
      stderr: '',
    });
    // A finished run is read whole, and -f returns at once.
    expect((await k.run('logs', '-f', 'worker')).stdout).toBe(follow.output());
  });

  it('--timestamps, --tail, --since-time, --since and --limit-bytes', async () => {
    // worker started at START+3s and exited at START+23s (created at START, pulled 2s, started 1s).
    expect((await k.run('logs', 'worker', '--timestamps')).stdout).toBe(
      '2026-11-30T12:00:03Z starting worker\n' +
        '2026-11-30T12:00:03Z processing batch 1\n' +
        '2026-11-30T12:00:23Z docker.io/acme/worker:1: fatal error, exiting with code 3\n',
    );
    expect((await k.run('logs', 'worker', '--tail=2')).stdout).toBe(
      'processing batch 1\ndocker.io/acme/worker:1: fatal error, exiting with code 3\n',
    );
    expect((await k.run('logs', 'worker', '--since-time=2026-11-30T12:00:10Z')).stdout).toBe(
      'docker.io/acme/worker:1: fatal error, exiting with code 3\n',
    );
    // Virtual now is START+23s: the last 5s hold only the exit line; the last 30s hold all three.
    expect((await k.run('logs', 'worker', '--since=5s')).stdout).toBe(
      'docker.io/acme/worker:1: fatal error, exiting with code 3\n',
    );
    expect((await k.run('logs', 'worker', '--since=30s')).stdout.split('\n')).toHaveLength(4);
    expect((await k.run('logs', 'worker', '--limit-bytes=20')).stdout).toBe('starting worker\nproc');
  });

  it('-c, the default container, --all-containers and logs deploy/x', async () => {
    sim.store.create(
      'Pod',
      pod('duo', [
        { name: 'web', image: 'acme/web:1' },
        { name: 'side', image: 'acme/side:1' },
      ]),
    );
    sim.advance(3_000);
    expect((await k.run('logs', 'duo', '-c', 'side')).stdout).toBe('side car up\n');
    expect(await k.run('logs', 'duo')).toEqual({
      code: 0,
      stdout: 'listening on :8080\n',
      stderr: 'Defaulted container "web" out of: web, side\n',
    });
    // kubectl keeps the per-container requests in a Go map: their order varies, on a real cluster too.
    const lines = async (...args: string[]) => (await k.run(...args)).stdout.split('\n').sort();
    expect(await lines('logs', 'duo', '--all-containers')).toEqual(['', 'listening on :8080', 'side car up']);
    expect(await lines('logs', 'duo', '--all-containers', '--prefix')).toEqual([
      '',
      '[pod/duo/side] side car up',
      '[pod/duo/web] listening on :8080',
    ]);
    expect(await k.run('logs', 'duo', '-c', 'nope')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: container nope is not valid for pod duo\n',
    });

    sim.store.create('Deployment', {
      ...deployment('web', 'acme/web:1', 1),
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    });
    sim.advance(3_000);
    expect(await k.run('logs', 'deploy/web')).toEqual({ code: 0, stdout: 'listening on :8080\n', stderr: '' });
    expect(await k.run('logs', '-l', 'app=web', '--prefix')).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^\[pod\/web-[a-z0-9]+-[a-z0-9]{5}\/c\] listening on :8080\n$/),
      stderr: '',
    });
  });

  it('--previous of a crash-looping container, and -f of a run that crashes', async () => {
    sim.store.create('Pod', pod('crasher', [{ name: 'app', image: 'acme/crash:1' }]));
    sim.advance(3_000); // running since START+..+3s; a crashing container runs startSeconds (1s) then exits
    const follow = spawnKubectl('logs', '-f', 'crasher');
    await until(() => follow.output().includes('panic: no config\n'), 'the crash lines');
    sim.advance(1_000);
    expect(await follow.done).toEqual({
      code: 0,
      stdout: 'starting crash 1\npanic: no config\ndocker.io/acme/crash:1: fatal error, exiting with code 1\n',
      stderr: '',
    });
    expect(await k.run('logs', 'crasher', '--previous')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (BadRequest): previous terminated container "app" in pod "crasher" not found\n',
    });
    sim.advance(1_000); // restarted on the next sync
    expect((await k.run('logs', 'crasher', '--previous')).stdout).toBe(follow.output());
  });

  it('-f ends when the pod is deleted', async () => {
    const follow = spawnKubectl('logs', '-f', 'duo', '-c', 'web');
    await until(() => follow.output() === 'listening on :8080\n', 'the first line');
    expect(follow.exited()).toBe(false);
    sim.store.delete('Pod', 'default', 'duo', {});
    sim.advance(1_000);
    expect(await follow.done).toEqual({ code: 0, stdout: 'listening on :8080\n', stderr: '' });
  });
});

describe('kubectl logs -f against a server whose clock runs (speed 50)', () => {
  it('ends when the container exits in simulated time, driven by the ticker alone', async () => {
    const scenario = defaultScenario();
    scenario.images['acme/batch:1'] = { runSeconds: 300, exitCode: 0, logs: ['batch started'] };
    const parts = createSimulatedCluster(scenario);
    const running = await startApiServer({
      simulation: parts.simulation,
      port: 0,
      speed: 50,
      readLogs: kubeletLogReader(parts.kubelet),
    });
    const kc = new Kubectl(running.kubeconfig());
    try {
      parts.simulation.store.create('Pod', pod('batch', [{ name: 'b', image: 'acme/batch:1' }], 'Never'));
      parts.simulation.settle();
      // Runs 3s (simulated) after the create; follow it, then the ticker alone carries it to its exit.
      const phase = () => parts.simulation.store.get<Pod>('Pod', 'default', 'batch')?.status?.phase;
      await until(() => phase() === 'Running', 'the batch pod to run');
      const follow = spawnLogs(kc, 'logs', '-f', 'batch');
      expect(await follow.done).toEqual({ code: 0, stdout: 'batch started\n', stderr: '' });
      // The stream ended with the run (300 simulated seconds, 6 real ones), not when it was opened.
      expect(phase()).toBe('Succeeded');
    } finally {
      kc.cleanup();
      await running.close();
    }
  });
});
