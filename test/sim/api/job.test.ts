import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { createSimulatedCluster, parseScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { kubeletLogReader } from '../../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { Kubectl, runAdvancing } from './harness.js';

/**
 * Jobs through `serve` with real kubectl 1.32: the server runs at speed 0 and the test advances simulated
 * time, so every asserted line is deterministic. A migration Job (completions 3, parallelism 2) whose image
 * runs 5 s and exits 0.
 */
let sim: Simulation;
let server: ApiServerHandle;
let k: Kubectl;

beforeAll(async () => {
  const scenario = parseScenario(
    dump({
      images: {
        default: { pullSeconds: 2, startSeconds: 1 },
        'migrate:1': { runSeconds: 5, logs: ['applying migration 0042', 'done'] },
      },
    }),
  );
  const parts = createSimulatedCluster(scenario);
  sim = parts.simulation;
  server = await startApiServer({ simulation: sim, port: 0, speed: 0, readLogs: kubeletLogReader(parts.kubelet) });
  k = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  k.cleanup();
  await server.close();
});

function job(name: string, restartPolicy?: string): string {
  return dump({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      completions: 3,
      parallelism: 2,
      template: {
        spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'migrate', image: 'migrate:1' }] },
      },
    },
  });
}

describe('Jobs with kubectl against serve', () => {
  it('refuses a Job whose pods would restart forever, with the API server message', async () => {
    const out = await k.run('create', '-f', k.file('bad.yaml', job('bad')));
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      'The Job "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"\n',
    );
  });

  it('creates the Job and lists it with the columns of printJob', async () => {
    expect(await k.run('apply', '-f', k.file('migrate.yaml', job('migrate', 'Never')))).toEqual({
      code: 0,
      stdout: 'job.batch/migrate created\n',
      stderr: '',
    });
    const got = await k.run('get', 'jobs');
    expect(got.stdout).toBe(
      'NAME      STATUS    COMPLETIONS   DURATION   AGE\nmigrate   Running   0/3           0s         0s\n',
    );
    const wide = await k.run('get', 'job', 'migrate', '-o', 'wide');
    expect(wide.stdout.split('\n')[0]).toMatch(
      /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/,
    );
    expect(wide.stdout).toMatch(/migrate\s+migrate:1\s+batch\.kubernetes\.io\/controller-uid=[0-9a-f-]{36}\n$/);
  });

  it('waits for condition=complete and then shows Complete 3/3 with the duration', async () => {
    const out = await runAdvancing(k, sim, server, [
      'wait',
      '--for=condition=complete',
      'job/migrate',
      '--timeout=120s',
    ]);
    expect(out).toEqual({ code: 0, stdout: 'job.batch/migrate condition met\n', stderr: '' });
    const got = await k.run('get', 'jobs');
    expect(got.stdout).toMatch(
      /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\nmigrate\s+Complete\s+3\/3\s+16s\s+\d+s\n$/,
    );
    const pods = await k.run('get', 'pods', '-l', 'job-name=migrate');
    const rows = pods.stdout.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^migrate-[a-z0-9]{5}\s+0\/1\s+Completed\s+0\s+/);
  });

  it('prints the logs of the Job (its first pod)', async () => {
    expect(await k.run('logs', 'job/migrate')).toEqual({
      code: 0,
      stdout: 'applying migration 0042\ndone\n',
      stderr: expect.stringMatching(/^(Found 3 pods, using pod\/migrate-[a-z0-9]{5}\n)?$/) as unknown as string,
    });
  });

  it('describes the Job with its pod statuses, conditions and events', async () => {
    const out = await k.run('describe', 'job', 'migrate');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Name:\s+migrate$/m);
    expect(out.stdout).toMatch(/^Completions:\s+3$/m);
    expect(out.stdout).toMatch(/^Parallelism:\s+2$/m);
    expect(out.stdout).toMatch(/^Pods Statuses:\s+0 Active \(0 Ready\) \/ 3 Succeeded \/ 0 Failed$/m);
    expect(out.stdout).toMatch(/Normal\s+SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: migrate-[a-z0-9]{5}/);
    expect(out.stdout).toMatch(/Normal\s+Completed\s+\S+\s+job-controller\s+Job completed/);
  });
});
