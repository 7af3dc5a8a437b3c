import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSimulatedCluster, defaultScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { kubeletLogReader } from '../../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { Kubectl, deployment } from './harness.js';

/**
 * A second real client library, Debian's python3-kubernetes (run with /usr/bin/python3, not pyenv's
 * python3), against serve: typed lists of nodes and pods, create, list, strategic-merge and JSON-merge
 * patches read back, a watch of a few events and a watch that ends by its timeout_seconds. The script
 * (test/fixtures/python/client.py) prints one JSON line per step.
 */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../fixtures/python/client.py', import.meta.url));
let sim: Simulation;
let server: ApiServerHandle;
let k: Kubectl;

beforeAll(async () => {
  const parts = createSimulatedCluster(defaultScenario(), { startMs: Date.parse('2026-11-30T12:00:00Z') });
  sim = parts.simulation;
  server = await startApiServer({ simulation: sim, port: 0, speed: 0, readLogs: kubeletLogReader(parts.kubelet) });
  k = new Kubectl(server.kubeconfig());
  sim.store.create('Deployment', deployment('web', 'nginx:1.27', 2));
  sim.advance(5_000);
});

afterAll(async () => {
  k.cleanup();
  await server.close();
});

function python(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, args, { timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('python3-kubernetes against serve', () => {
  it('is installed (Debian package python3-kubernetes, /usr/bin/python3)', async () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install Debian's python3 and python3-kubernetes`);
    const probe = await python('-c', 'import kubernetes; print(kubernetes.__version__)');
    if (probe.code !== 0)
      throw new Error(`python3-kubernetes is missing (apt-get install python3-kubernetes): ${probe.stderr}`);
    expect(probe.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists, creates, patches (strategic merge, JSON merge), reads back and watches', async () => {
    const run = await python(SCRIPT, `${k.dir}/kubeconfig`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const steps = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { step: string; value: unknown })
        .map((s) => [s.step, s.value]),
    );
    const conditions = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'];
    expect(steps).toEqual({
      nodes: [
        ['node-1', 'v1.32.4', conditions],
        ['node-2', 'v1.32.4', conditions],
        ['node-3', 'v1.32.4', conditions],
      ],
      pods: [
        ['Running', 'BestEffort', true],
        ['Running', 'BestEffort', true],
      ],
      created: ['py', 1, 1],
      listed: ['py'],
      strategic: ['nginx:1.28', [80], 2],
      merge: ['nginx:1.29', null, 3],
      watch: [
        ['ADDED', '0'],
        ['MODIFIED', '1'],
        ['MODIFIED', '2'],
      ],
      timeout: [],
      missing: [404, 'NotFound'],
    });
    const cm = sim.store.get('ConfigMap', 'default', 'py-cm') as { data?: Record<string, string> } | undefined;
    expect(cm?.data).toEqual({ n: '2' });
  });
});
