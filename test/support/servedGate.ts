/**
 * The gate through its real adapter (client-node over HTTP) against `serve` (startApiServer) over
 * a simulated cluster, as tests of the real path need it.
 */
import { RealClock } from '../../src/clock/realClock.js';
import { KubeCluster } from '../../src/cluster/kube/kubeCluster.js';
import { kubeletLogReader } from '../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerOptions } from '../../src/cluster/sim/api/server.js';
import type { Simulation, SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import type { GateResult } from '../../src/gate/result.js';
import { runGate, type GateInput } from '../../src/gate/runGate.js';

/**
 * The gate's clock over HTTP: `now` is the served simulation's virtual time (so durations are in
 * the same simulated seconds as in-process), sleeps last `ms / speed` real milliseconds.
 */
export class SimulatedTimeClock extends RealClock {
  constructor(
    private readonly simulation: Simulation,
    private readonly speed: number,
  ) {
    super();
  }
  override now(): number {
    return this.simulation.clock.now();
  }
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return super.sleep(ms / this.speed, signal);
  }
  override every(ms: number, fn: () => void): () => void {
    return super.every(ms / this.speed, fn);
  }
}

/**
 * Serves `parts` at `speed` times real time and runs the gate once through the real adapter;
 * `server` adds options of the served API (e.g. `permissions`).
 */
export async function gateOverHttp(
  parts: SimulatedClusterParts,
  input: GateInput,
  speed = 20,
  server: Partial<ApiServerOptions> = {},
): Promise<{ result: GateResult; log: MemoryLog }> {
  const { simulation, kubelet } = parts;
  const served = await startApiServer({
    simulation,
    port: 0,
    speed,
    tickMs: 10,
    readLogs: kubeletLogReader(kubelet),
    ...server,
  });
  const cluster = KubeCluster.fromOptions(
    { kubeconfigContent: served.kubeconfig() },
    {
      clock: new SimulatedTimeClock(simulation, speed),
      requestTimeoutMs: 30_000 * speed,
      watchIdleTimeoutMs: 120_000 * speed,
    },
  );
  try {
    const log = new MemoryLog();
    return { result: await runGate(cluster, input, log), log };
  } finally {
    await cluster.close();
    await served.close();
  }
}
