/**
 * `serve` with faults: the real adapter and the gate over HTTP against a facade that fails 15% of
 * requests (429 with Retry-After, 500, 503, resets, some after commit, 409s), closes every watch
 * stream every 5 virtual seconds and answers some resumes 410 Gone. The verdicts are those of a
 * fault-free run.
 */
import { describe, expect, test } from '@jest/globals';
import { KubeCluster } from '../../src/cluster/kube/kubeCluster.js';
import { kubeletLogReader } from '../../src/cluster/sim/api/resources.js';
import { startApiServer } from '../../src/cluster/sim/api/server.js';
import { createSimulatedCluster, defaultScenario } from '../../src/cluster/sim/index.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import { runGate } from '../../src/gate/runGate.js';
import type { Deployment } from '../../src/k8s/objects.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import { deployment, documents } from '../gate/support.js';
import { SimulatedTimeClock } from '../support/servedGate.js';

const SPEED = 20;

describe('serve with faults', () => {
  test('a good image succeeds and a missing one is rolled back, over a faulty API', async () => {
    const scenario = defaultScenario();
    scenario.images['web:3'] = { pull: 'missing' };
    const { simulation, kubelet } = createSimulatedCluster(scenario, { objects: [deployment('web', 'web:1')] });
    const server = await startApiServer({
      simulation,
      port: 0,
      speed: SPEED,
      tickMs: 10,
      readLogs: kubeletLogReader(kubelet),
      faults: { apiErrorRate: 0.15, watchDropEverySeconds: 5, seed: 3 },
    });
    const results: string[] = [];
    try {
      for (const image of ['web:2', 'web:3']) {
        const cluster = KubeCluster.fromOptions(
          { kubeconfigContent: server.kubeconfig() },
          { clock: new SimulatedTimeClock(simulation, SPEED), requestTimeoutMs: 30_000 * SPEED },
        );
        try {
          const result = await runGate(
            cluster,
            {
              documents: documents([deployment('web', image)]),
              policy: { ...DEFAULT_POLICY },
              rollback: 'on-failure',
              rollbackTimeoutSeconds: 300,
              onNoGoodRevision: 'leave',
              force: false,
            },
            new MemoryLog(),
          );
          results.push(`${result.result} ${result.workloads.map((w) => `${w.result} ${w.reason ?? ''}`).join()}`);
        } finally {
          await cluster.close();
        }
      }
      const faults = server.injectedFaults();
      process.stdout.write(`serve faults injected: ${JSON.stringify(faults)}\n`);
      expect(results).toEqual(['succeeded succeeded ', 'rolled-back rolled-back ErrImagePull']);
      expect(Object.values(faults).reduce((a, b) => a! + b!, 0)).toBeGreaterThan(0);
      const d = simulation.store.get<Deployment>('Deployment', 'default', 'web')!;
      expect(d.spec.template.spec!.containers[0]!.image).toBe('web:2');
      expect(d.spec.paused).toBeUndefined();
    } finally {
      await server.close();
    }
  }, 60_000);
});
