import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadScenario } from '../app/connect.js';
import { RealClock } from '../clock/realClock.js';
import { kubeletLogReader } from '../cluster/sim/api/resources.js';
import { startApiServer } from '../cluster/sim/api/server.js';
import { createSimulatedCluster } from '../cluster/sim/index.js';
import type { ServeArgs } from './args.js';
import type { CliIO } from './runCli.js';

/**
 * `rollout-gate serve`: the simulated cluster behind the Kubernetes API on 127.0.0.1, with a
 * kubeconfig written 0600 for kubectl. Runs until SIGINT/SIGTERM, then closes the server and
 * removes a kubeconfig it wrote to a temporary directory. The token is never printed.
 */
export async function serve(args: ServeArgs, io: CliIO, stop: Promise<void> = interrupted()): Promise<number> {
  const loaded = loadScenario({ scenario: args.scenario, cwd: io.cwd });
  if (loaded.errors.length > 0) {
    for (const e of loaded.errors)
      io.stderr(`${e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : ''}error: ${e.message}\n`);
    return 2;
  }
  const { simulation, kubelet } = createSimulatedCluster(loaded.scenario, {
    objects: loaded.objects.map((d) => d.object),
    // Objects' ages (kubectl get/describe) are measured against the wall clock by kubectl itself.
    startMs: new RealClock().now(),
  });
  const server = await startApiServer({
    simulation,
    port: args.port,
    speed: args.speed,
    tls: args.tls,
    ...(args.tls ? { token: randomBytes(24).toString('base64url') } : {}),
    readLogs: kubeletLogReader(kubelet),
    // Every request authorized as the scenario's identity, when it gives one.
    ...(loaded.scenario.permissions ? { permissions: loaded.scenario.permissions } : {}),
  });
  const tempDir = args.kubeconfigOut ? undefined : mkdtempSync(join(tmpdir(), 'rollout-gate-'));
  const kubeconfigPath = args.kubeconfigOut ? resolve(io.cwd, args.kubeconfigOut) : join(tempDir!, 'kubeconfig');
  writeFileSync(kubeconfigPath, server.kubeconfig(), { mode: 0o600 });
  io.stdout(
    `rollout-gate serve: a simulated cluster at ${server.url} (simulated time runs ${args.speed}x real time)\n` +
      `kubeconfig written to ${kubeconfigPath}\n` +
      (loaded.scenario.permissions
        ? `every request is authorized as ${loaded.scenario.permissions.user} (scenario permissions)\n`
        : '') +
      `  export KUBECONFIG=${kubeconfigPath}\n` +
      `  kubectl get deployments\n` +
      `Press Ctrl-C to stop.\n`,
  );
  await stop;
  await server.close();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  io.stdout('rollout-gate serve: stopped\n');
  return 0;
}

function interrupted(): Promise<void> {
  return new Promise((resolveStop) => {
    process.once('SIGINT', () => resolveStop());
    process.once('SIGTERM', () => resolveStop());
  });
}
