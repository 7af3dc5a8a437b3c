import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/k8s/objects.js';
import { Simulation } from '../../../src/cluster/sim/simulation.js';
import { startApiServer, type ApiServerHandle, type ApiServerOptions } from '../../../src/cluster/sim/api/server.js';

/** A simulation without controllers plus the `default` namespace, served over HTTP on a free port. */
export async function startBareServer(
  options: Partial<ApiServerOptions> = {},
): Promise<{ sim: Simulation; server: ApiServerHandle }> {
  const sim = new Simulation([]);
  sim.store.create('Namespace', { metadata: { name: 'default' } });
  const server = await startApiServer({ simulation: sim, port: 0, ...options });
  return { sim, server };
}

export function deployment(name: string, image = 'nginx:1.27', replicas = 2): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
    },
  };
}

/** A temp dir with a kubeconfig, and a kubectl runner using it with a fresh discovery cache. */
export class Kubectl {
  readonly dir = mkdtempSync(join(tmpdir(), 'rollout-gate-kubectl-'));
  private readonly config = join(this.dir, 'kubeconfig');

  constructor(kubeconfig: string) {
    writeFileSync(this.config, kubeconfig);
  }

  file(name: string, content: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        'kubectl',
        ['--kubeconfig', this.config, '--cache-dir', join(this.dir, 'cache'), ...args],
        { timeout: 60_000, env: { ...process.env, KUBECONFIG: this.config, HOME: this.dir } },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs a kubectl command that watches (e.g. `rollout status`) against a server at speed 0:
 * once its WATCH request has reached the server, advances the simulation `stepMs` of virtual
 * time per real `pauseMs` until kubectl exits, so what it prints depends only on the simulation.
 */
export async function runAdvancing(
  kubectl: Kubectl,
  sim: Simulation,
  server: ApiServerHandle,
  args: string[],
  { stepMs = 1_000, pauseMs = 5, maxVirtualMs = 30 * 60_000 } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const watchesBefore = server.requestLog.watch ?? 0;
  let exited = false;
  const running = kubectl.run(...args).finally(() => {
    exited = true;
  });
  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, pauseMs));
  while (!exited && (server.requestLog.watch ?? 0) === watchesBefore) await pause();
  for (let advanced = 0; !exited && advanced < maxVirtualMs; advanced += stepMs) {
    sim.advance(stepMs);
    await pause();
  }
  return running;
}
