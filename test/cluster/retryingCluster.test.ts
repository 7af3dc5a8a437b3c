import { describe, expect, it } from '@jest/globals';
import { SeededRandom } from '../../src/clock/seededRandom.js';
import { RetryReporter } from '../../src/cluster/retry.js';
import { createSimulatedCluster, defaultScenario } from '../../src/cluster/sim/index.js';
import { RetryingCluster } from '../../src/gate/retryingCluster.js';

describe('RetryingCluster', () => {
  it('hands every retry to onRetryNotice, so a simulated run with API faults can say them too', async () => {
    const scenario = { ...defaultScenario(), faults: { apiErrorRate: 0.5, watchDropEverySeconds: 0, seed: 3 } };
    const { cluster } = createSimulatedCluster(scenario);
    const lines: string[] = [];
    const codes: string[] = [];
    const retrying = new RetryingCluster(cluster, {
      random: new SeededRandom(1),
      onRetry: (code) => codes.push(code),
      onRetryNotice: new RetryReporter(cluster.clock, (line) => lines.push(line)).report,
    });
    for (let i = 0; i < 20; i++) await retrying.get('v1', 'Namespace', undefined, 'default');
    await retrying.close();
    expect(lines.length).toBeGreaterThan(3);
    // The older count hook still hears each retry.
    expect(codes.length).toBeGreaterThanOrEqual(lines.length);
    for (const line of lines) expect(line).toMatch(/^retrying in [\d.]+ s: .+ \(attempt \d+\)$/);
  });
});
