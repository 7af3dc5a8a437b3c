/**
 * The eight reproductions of issue 9, one named test each, with exact outcomes. #1-#5 run the gate
 * through its real adapter (client-node over HTTP) against the served simulated cluster, with real
 * `kubectl` where a person acts; #6 and #7 run the CLI for `--simulate` and against `serve`, which
 * must agree; #8 is the oracle of test/reliability/faults.test.ts, reproduced here on a few seeds.
 */
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/runCli.js';
import type { ImageBehaviour } from '../../src/cluster/sim/kubelet/types.js';
import type { Pod } from '../../src/k8s/objects.js';
import { deployment } from '../gate/support.js';
import { hpaManaged, ServedCluster, verdictLine, type GateOutcome } from './serveCluster.js';

const GATE_ANNOTATION = /^rollout-gate\.dev\//;

let served: ServedCluster | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(...args: Parameters<typeof ServedCluster.start>): Promise<ServedCluster> {
  served = await ServedCluster.start(...args);
  return served;
}

/** `<exit> <verdict line>`: what a user sees of a run, in one comparable string. */
const seen = (o: GateOutcome) => `${o.exitCode} ${verdictLine(o.result)}`;

/** Every gate bookkeeping annotation on the Deployment's ReplicaSets, `rs: key`. */
function gateAnnotationsOnReplicaSets(c: ServedCluster, name: string): string[] {
  return c.replicaSets(name).flatMap((rs) =>
    Object.keys(rs.metadata.annotations ?? {})
      .filter((k) => GATE_ANNOTATION.test(k))
      .map((k) => `${rs.metadata.name}: ${k}`),
  );
}

describe('issue 9 regressions through the real adapter against serve', () => {
  test('issue 9 #1: the next deploy after an automatic rollback, a kubectl set image or a kubectl rollout undo succeeds', async () => {
    const c = await start([deployment('web', 'web:1', { replicas: 2 })], { 'web:2': { pull: 'missing' } });
    const web = (image: string) => [deployment('web', image, { replicas: 2 })];
    expect(seen(await c.gate(web('web:1')))).toBe('0 succeeded, web unchanged');
    expect(seen(await c.gate(web('web:2')))).toBe('1 rolled-back, web rolled-back ErrImagePull');
    expect(c.image('web')).toBe('web:1');
    // The CI loop: fix, push, deploy. The rollback's write must not conflict with the next apply.
    const third = await c.gate(web('web:3'));
    expect(third.result.errors).toEqual([]);
    expect(seen(third)).toBe('0 succeeded, web succeeded');
    expect(c.image('web')).toBe('web:3');

    // A person's `kubectl set image` (manager kubectl-set, operation Update) is taken over, and said.
    const set = await c.kubectl.run('set', 'image', 'deployment/web', 'web=web:4');
    expect(set).toMatchObject({ code: 0, stdout: 'deployment.apps/web image updated\n' });
    expect(await c.until(() => c.rolledOut('web'))).toBe(true);
    const afterSet = await c.gate(web('web:5'));
    expect(afterSet.result.errors).toEqual([]);
    expect(seen(afterSet)).toBe('0 succeeded, web succeeded');
    expect(afterSet.log.lines.filter((l) => l.includes('kubectl-set'))).not.toEqual([]);

    // A person's `kubectl rollout undo` (a JSON patch, manager "kubectl" from the User-Agent).
    const undo = await c.kubectl.run('rollout', 'undo', 'deployment/web');
    expect(undo).toMatchObject({ code: 0, stdout: 'deployment.apps/web rolled back\n' });
    expect(c.image('web')).toBe('web:4');
    expect(await c.until(() => c.rolledOut('web'))).toBe(true);
    const afterUndo = await c.gate(web('web:6'));
    expect(afterUndo.result.errors).toEqual([]);
    expect(seen(afterUndo)).toBe('0 succeeded, web succeeded');
    expect(c.image('web')).toBe('web:6');
  }, 120_000);

  test('issue 9 #2: an autoscaler or kubectl scale during a failing rollout is followed, and the rollback still happens', async () => {
    const c = await start([hpaManaged('web', 'web:1', 2)], {
      'web:2': { pull: 'missing' },
      'web:3': { ready: 'never' },
    });
    // The HPA scales the scale subresource (manager horizontal-pod-autoscaler) right after the apply.
    const running = c.gate([hpaManaged('web', 'web:2')]);
    expect(await c.until(() => c.image('web') === 'web:2')).toBe(true);
    expect(await c.autoscale('web', 4)).toBe(200);
    const scaled = await running;
    expect(seen(scaled)).toBe('1 rolled-back, web rolled-back ErrImagePull');
    expect(c.image('web')).toBe('web:1');
    expect(c.deployment('web')!.spec.replicas).toBe(4);

    // A person runs `kubectl scale` while a never-ready revision stalls.
    const stalling = c.gate([hpaManaged('web', 'web:3')]);
    expect(await c.until(() => c.image('web') === 'web:3')).toBe(true);
    expect(await c.kubectl.run('scale', 'deployment/web', '--replicas=3')).toMatchObject({
      code: 0,
      stdout: 'deployment.apps/web scaled\n',
    });
    const stalled = await stalling;
    expect(seen(stalled)).toBe('1 rolled-back, web rolled-back Stalled');
    expect(c.image('web')).toBe('web:1');
    expect(c.deployment('web')!.spec.replicas).toBe(3);
  }, 120_000);

  test('issue 9 #3: a change-cause alone changes nothing: the untouched sibling is unchanged, a no-op redeploy is unchanged', async () => {
    const c = await start([deployment('web', 'web:1', { replicas: 2 }), deployment('api', 'api:1', { replicas: 2 })], {
      'web:2': { pull: 'missing' },
    });
    const run = (webImage: string, cause: string) =>
      c.gate([deployment('web', webImage, { replicas: 2 }), deployment('api', 'api:1', { replicas: 2 })], {
        changeCause: cause,
      });
    const failing = await run('web:2', 'CI run 41');
    expect(seen(failing)).toBe('1 rolled-back, web rolled-back ErrImagePull, api unchanged');
    expect([c.image('web'), c.image('api')]).toEqual(['web:1', 'api:1']);
    const noop = await run('web:1', 'CI run 42');
    expect(seen(noop)).toBe('0 succeeded, web unchanged, api unchanged');
  }, 120_000);

  test('issue 9 #4: old restarts of long-lived pods fail neither a scale-up nor a rollback onto them', async () => {
    // `crashTimes: 3` (README "The simulated cluster"): crashes on its first 3 starts, then runs; 3 = the restart threshold.
    const flappy = { crashTimes: 3 } as ImageBehaviour;
    const c = await start([deployment('web', 'web:flappy', { replicas: 2, maxSurge: 1, maxUnavailable: 0 })], {
      'web:flappy': flappy,
      'web:2': { pull: 'missing' },
    });
    const restarts = () =>
      c.simulation.store
        .list<Pod>('Pod', 'default')
        .filter((p) => p.metadata.labels?.app === 'web')
        .map((p) => p.status?.containerStatuses?.[0]?.restartCount ?? 0);
    // The precondition: pods that restarted 3 times before this run, running fine now.
    // (A crashing container without a readiness probe is Ready for an instant after each start, so
    // the rollout looks done before the crashes are over: wait for the third restart too.)
    expect(await c.until(() => c.rolledOut('web') && restarts().every((n) => n === 3))).toBe(true);
    expect(restarts()).toEqual([3, 3]);
    // Whatever made them crash then (an OOM last week) is over: new starts of the image run. (Left
    // as it was, the new pods of the scale-up would crash 3 times too, and fail it, rightly.)
    c.plant('web:flappy', {});

    // A scale-up keeps the template: nothing new crashed, nothing fails.
    const scaleUp = await c.gate([deployment('web', 'web:flappy', { replicas: 4, maxSurge: 1, maxUnavailable: 0 })]);
    expect(scaleUp.exitCode).toBe(0);
    expect(scaleUp.result.workloads.map((w) => [w.name, w.reason])).toEqual([['web', undefined]]);
    expect(['succeeded', 'unchanged']).toContain(scaleUp.result.workloads[0]!.result);

    // A bad deploy rolls back onto those pods: their old restarts do not fail the rollback.
    const bad = await c.gate([deployment('web', 'web:2', { replicas: 4, maxSurge: 1, maxUnavailable: 0 })]);
    expect(seen(bad)).toBe('1 rolled-back, web rolled-back ErrImagePull');
    expect(c.image('web')).toBe('web:flappy');
  }, 120_000);

  test("issue 9 #5: the gate's bookkeeping bumps no generation, lands in no ReplicaSet, survives an undo, and a killed run blocks nobody", async () => {
    const c = await start([hpaManaged('web', 'web:1', 2)], {
      'web:3': { pull: 'missing' },
    });
    const web = (image: string) => [hpaManaged('web', image)];
    const generation = () => c.deployment('web')!.metadata.generation;

    // Only the apply moves the generation; nothing of the gate's is copied into ReplicaSets.
    const g0 = generation()!;
    expect(seen(await c.gate(web('web:2')))).toBe('0 succeeded, web succeeded');
    expect(generation()).toBe(g0 + 1);
    expect(gateAnnotationsOnReplicaSets(c, 'web')).toEqual([]);
    const noop = await c.gate(web('web:2'));
    expect(seen(noop)).toBe('0 succeeded, web unchanged');
    expect(generation()).toBe(g0 + 1);

    // A person's undo back to web:1 makes web:1 the last good one, not a stale record of web:2.
    expect(await c.kubectl.run('rollout', 'undo', 'deployment/web')).toMatchObject({ code: 0 });
    expect(await c.until(() => c.image('web') === 'web:1' && c.rolledOut('web'))).toBe(true);
    expect(seen(await c.gate(web('web:3')))).toBe('1 rolled-back, web rolled-back ErrImagePull');
    expect(c.image('web')).toBe('web:1');

    // A run killed (SIGKILL) mid-rollout: its lease blocks no run more than a minute later.
    const killed = await c.startKillable(web('web:4'));
    expect(await c.until(() => c.image('web') === 'web:4')).toBe(true);
    killed.kill();
    c.advance(61);
    expect(await c.until(() => c.rolledOut('web'))).toBe(true);
    const afterKill = await c.gate(web('web:6'));
    expect(seen(afterKill)).toBe('0 succeeded, web succeeded');

    // Cancelled (SIGINT), then killed 10 s later as GitHub does: the rollback write went out and
    // the lease was released first, so the next run starts at once. On a cluster whose time runs
    // 5x real time, so GitHub's 10 s of grace are 2 s of real time for the gate, as in CI.
    await c.close();
    served = undefined;
    const slow = await start([hpaManaged('web', 'web:1', 2)], { 'web:2': { ready: 'never' } }, 5);
    const controller = new AbortController();
    const cancelled = await slow.startKillable([hpaManaged('web', 'web:2')], { signal: controller.signal });
    expect(await slow.until(() => slow.image('web') === 'web:2')).toBe(true);
    controller.abort();
    const cancelledAt = slow.now;
    expect(await slow.until(() => slow.now >= cancelledAt + 10_000)).toBe(true);
    cancelled.kill();
    expect(slow.image('web')).toBe('web:1');
    expect(seen(await slow.gate([hpaManaged('web', 'web:3')]))).toBe('0 succeeded, web succeeded');
  }, 150_000);
});

describe('issue 9 regressions through the CLI, --simulate and against serve', () => {
  const TYPO = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replica: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: web:2
`;
  const SHOP2 = TYPO.replace('namespace: default', 'namespace: shop2').replace('  replica: 3\n', '  replicas: 2\n');

  /** Runs `rollout-gate run -f web.yaml -o json` in-process; `kubeconfig` makes it target serve. */
  async function cli(manifest: string, kubeconfig?: string) {
    const dir = mkdtempSync(join(tmpdir(), 'rg-issue9-'));
    try {
      writeFileSync(join(dir, 'web.yaml'), manifest);
      const target = kubeconfig
        ? (writeFileSync(join(dir, 'kubeconfig'), kubeconfig), ['--kubeconfig', 'kubeconfig'])
        : ['--simulate'];
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(['run', '-f', 'web.yaml', ...target, '-o', 'json', '--timeout', '2m'], {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        isTTY: false,
        cwd: dir,
        version: 'test',
        lockHolder: 'issue9-cli',
      });
      const json = JSON.parse(out.join('')) as {
        result: string;
        errors: Array<{ file?: string; line?: number; message: string }>;
      };
      return { code, result: json.result, errors: json.errors, stderr: err.join('') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('issue 9 #6: an unknown field `replica: 3` is exit 2 with file:line, nothing applied, in --simulate and against serve', async () => {
    const c = await start([]);
    const expected = {
      code: 2,
      result: 'invalid',
      errors: [
        expect.objectContaining({
          file: 'web.yaml',
          line: 7,
          message: expect.stringContaining('unknown field "spec.replica"'),
        }),
      ],
    };
    expect(await cli(TYPO)).toMatchObject(expected);
    expect(await cli(TYPO, c.server.kubeconfig())).toMatchObject(expected);
    expect(c.deployment('web')).toBeUndefined();
    // A real API server with fieldValidation=Strict refuses it too, dry run included.
    const file = c.kubectl.file('typo.yaml', TYPO);
    const dryRun = await c.kubectl.run('apply', '--dry-run=server', '-f', file);
    expect(dryRun.code).toBe(1);
    expect(dryRun.stderr).toContain('strict decoding error: unknown field "spec.replica"');
  }, 120_000);

  test('issue 9 #7: a namespace that does not exist gives the same result in --simulate as against serve', async () => {
    const c = await start([]);
    const simulated = await cli(SHOP2);
    const real = await cli(SHOP2, c.server.kubeconfig());
    expect(real).toMatchObject({ code: 3, result: 'failed' });
    expect(real.errors.map((e) => e.message).join('\n')).toContain('namespaces "shop2" not found');
    expect({ code: simulated.code, result: simulated.result, errors: simulated.errors }).toEqual({
      code: real.code,
      result: real.result,
      errors: real.errors,
    });
  }, 120_000);
});

describe('issue 9 #8', () => {
  test('issue 9 #8: the reliability proof sees a judge that always answers "succeeded"', async () => {
    let support: typeof import('../reliability/support.js') | undefined;
    await jest.isolateModulesAsync(async () => {
      const succeeded = () => ({ state: 'succeeded', message: 'fake', progressLine: '' });
      jest.unstable_mockModule('../../src/rollout/judge.js', () => ({
        judge: succeeded,
        judgeRollback: succeeded,
        judgeWorkload: succeeded,
      }));
      support = await import('../reliability/support.js');
    });
    const mismatches: string[] = [];
    // The first three seeds that plant a failure.
    const seeds = Array.from({ length: 30 }, (_, i) => i + 1)
      .filter((seed) => support!.plantedVerdict(support!.drawScenario(seed)).result === 'rolled-back')
      .slice(0, 3);
    for (const seed of seeds) {
      const spec = support!.drawScenario(seed);
      mismatches.push(...support!.oracleMismatches(spec, await support!.runScenario(spec, undefined)));
    }
    expect(mismatches.filter((m) => m.startsWith('run succeeded, planted rolled-back'))).toHaveLength(3);
  });
});
