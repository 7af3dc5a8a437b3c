/**
 * A real `rollout-gate run` process against `serve`, killed with SIGKILL mid-rollout (no signal
 * handler runs, nothing is released): its Lease blocks the next run only until it lapses, a
 * minute after its last renewal. The next runs go through the real adapter too; "a minute later"
 * is a clock 61 s ahead of the wall (no waiting): expiry is judged on the reader's clock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { RealClock } from '../../src/clock/realClock.js';
import { KubeCluster } from '../../src/cluster/kube/kubeCluster.js';
import { startApiServer, type ApiServerHandle } from '../../src/cluster/sim/api/server.js';
import { createSimulatedCluster, parseScenario, type SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import { runGate } from '../../src/gate/runGate.js';
import type { Lease } from '../../src/k8s/lease.js';
import type { Deployment } from '../../src/k8s/objects.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import { deployment, documents } from '../gate/support.js';

const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const dir = mkdtempSync(join(tmpdir(), 'rg-kill-'));
let parts: SimulatedClusterParts;
let server: ApiServerHandle;

/** Wall time shifted by `offsetMs`: how a run started that much later sees the Lease. */
class ShiftedClock extends RealClock {
  constructor(private readonly offsetMs: number) {
    super();
  }
  override now(): number {
    return super.now() + this.offsetMs;
  }
}

beforeAll(async () => {
  // The CLI runs from lib/ (npm run build): rebuild it when a source is newer.
  const newest = (d: string): number =>
    readdirSync(d, { withFileTypes: true }).reduce((m, e) => {
      const p = join(d, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
    }, 0);
  const cliJs = join(ROOT, 'lib/src/cli.js');
  if (!existsSync(cliJs) || statSync(cliJs).mtimeMs < newest(join(ROOT, 'src'))) {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  }
  parts = createSimulatedCluster(parseScenario('images: { "web:2": { ready: never } }', 'scenario.yaml'), {
    objects: [deployment('web', 'web:1')],
  });
  server = await startApiServer({ simulation: parts.simulation, port: 0, speed: 1, tickMs: 10 });
  writeFileSync(join(dir, 'kubeconfig'), server.kubeconfig());
  writeFileSync(
    join(dir, 'web.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default, labels: { app: web } }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: web:2 }] }
`,
  );
}, 180_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const lease = () => parts.simulation.store.get<Lease>('Lease', 'default', 'rollout-gate.web');

async function until(what: string, done: () => boolean, maxMs = 60_000): Promise<void> {
  const clock = new RealClock();
  const end = clock.now() + maxMs;
  while (!done()) {
    if (clock.now() > end) throw new Error(`timed out waiting for ${what}`);
    await clock.sleep(20);
  }
}

function gateOver(clock: RealClock) {
  const cluster = KubeCluster.fromOptions({ kubeconfigContent: server.kubeconfig() }, { clock });
  const run = runGate(
    cluster,
    {
      documents: documents([deployment('web', 'web:3')]),
      rollback: 'on-failure',
      rollbackTimeoutSeconds: 120,
      onNoGoodRevision: 'leave',
      force: true,
      policy: { ...DEFAULT_POLICY, timeoutSeconds: 120 },
      lockHolder: 'next-run',
    },
    new MemoryLog(),
  );
  return run.finally(() => cluster.close());
}

describe('a CLI process killed with SIGKILL mid-rollout', () => {
  test('its Lease blocks the next run until a minute after its last renewal, then the next run proceeds', async () => {
    const child = spawn(
      'node',
      ['bin/rollout-gate.js', 'run', '-f', join(dir, 'web.yaml'), '--kubeconfig', join(dir, 'kubeconfig')],
      { cwd: ROOT, stdio: 'ignore' },
    );
    try {
      await until('the run to hold the Lease and apply web:2', () => {
        const d = parts.simulation.store.get<Deployment>('Deployment', 'default', 'web');
        return (
          (lease()?.spec?.holderIdentity ?? '').endsWith(`-${child.pid}`) &&
          d?.spec.template.spec?.containers[0]?.image === 'web:2'
        );
      });
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    const left = lease()!.spec!;
    expect(left.holderIdentity).toMatch(new RegExp(`-${child.pid}$`));
    expect(left.leaseDurationSeconds).toBe(60);
    const lapses = Date.parse(left.renewTime!) + 60_000;

    const blocked = await gateOver(new RealClock());
    expect(blocked).toMatchObject({ result: 'failed', reason: 'Locked', applied: [] });
    expect(blocked.workloads[0]!.message).toContain(`(${left.holderIdentity}, Lease rollout-gate.web held until`);
    expect(lease()!.spec).toEqual(left);

    // A run a minute later (its clock past renewTime + 60 s) takes the Lease over and deploys.
    const later = await gateOver(new ShiftedClock(lapses - new RealClock().now() + 1_000));
    expect(later.result).toBe('succeeded');
    expect(lease()!.spec).toMatchObject({ holderIdentity: '', leaseTransitions: 1 });
  }, 120_000);
});
