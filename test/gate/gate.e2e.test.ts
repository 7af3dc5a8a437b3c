/**
 * The gate end to end on the simulated cluster (virtual time): apply, watch, judge, roll back,
 * verify, record the last good revision. Default policy unless a case says otherwise: image pull
 * grace 30 s, config error grace 20 s, unschedulable grace 60 s, stall 180 s, timeout 600 s; the
 * watch re-judges on every change and at least every second.
 *
 * Default simulated image: pull 2 s (per node, cached afterwards), start 1 s, ready at once.
 * Deployments have 3 replicas at 25%/25%: maxSurge 1, maxUnavailable 0, so the first new pod is
 * created at t=0 (the apply) and the old ones only go once new ones are ready.
 */
import { describe, expect, test } from '@jest/globals';
import { renderJson } from '../../src/report/index.js';
import { exitCodeFor } from '../../src/gate/result.js';
import {
  LAST_GOOD,
  LAST_GOOD_TEMPLATE,
  at,
  configMap,
  contract,
  deployment,
  gate,
  hashOf,
  leaseOf,
  replicaSets,
  setImage,
  simulate,
  state,
} from './support.js';

const ROLLED_BACK_TO_1 = (name: string, hash: string, image = 'web:1') =>
  `rolling deployment "${name}" back to ${image}, the template of revision 1 (ReplicaSet ${name}-${hash}): the previous revision 1, fully available before this run`;

describe('a healthy update', () => {
  test('succeeds, records the last good revision and template, and prints kubectl progress lines', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    const run = await gate(parts, [deployment('web', 'web:2')]);
    expect(run.result.result).toBe('succeeded');
    expect(exitCodeFor(run.result.result)).toBe(0);
    expect(run.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'web', result: 'succeeded', revision: 2 },
    ]);
    // New pod 1: pull 2 s + start 1 s -> ready at 3; pod 2 lands on another node (spreading): ready
    // at 3 + 3 = 6; pod 3 finds the image cached: start 1 s -> 7; the last old pod goes at once.
    // kubectl's rule holds at 7; pods 2 and 3 must then stay Ready for the 10 s window: 17.
    expect(run.result.workloads[0]!.durationSeconds).toBe(17);
    const timeline = run.result.workloads[0]!.timeline!;
    expect(timeline.map(({ t, oldReady, newReady, note }) => ({ t, oldReady, newReady, note }))).toEqual([
      { t: 0, oldReady: 3, newReady: 0, note: undefined },
      { t: 3, oldReady: 2, newReady: 1, note: undefined },
      { t: 6, oldReady: 1, newReady: 2, note: undefined },
      { t: 7, oldReady: 0, newReady: 3, note: undefined },
      // The verdict, after the stability window: the chart's ✔.
      { t: 17, oldReady: 0, newReady: 3, note: 'rollout complete' },
    ]);
    // The same story by template (ready/not ready): the surge pod is pending from the start.
    expect(timeline.map((p) => p.templates!.map((x) => `${x.template} ${x.ready}/${x.unavailable}`))).toEqual([
      ['web:1 (last good) 3/0', 'web:2 (this deploy) 0/1'],
      ['web:1 (last good) 2/0', 'web:2 (this deploy) 1/1'],
      ['web:1 (last good) 1/0', 'web:2 (this deploy) 2/1'],
      ['web:2 (this deploy) 3/0'],
      ['web:2 (this deploy) 3/0'],
    ]);
    const hash = hashOf(parts, 'web', 2)!;
    expect(state(parts, 'web')).toEqual({ image: 'web:2', revision: '2', lastGood: `2/${hash}`, replicas: 3 });
    const template = JSON.parse(leaseOf(parts, 'web')!.metadata.annotations![LAST_GOOD_TEMPLATE]!);
    expect(template.spec.containers[0].image).toBe('web:2');
    expect(template.metadata.labels).toEqual({ app: 'web' }); // without pod-template-hash
    expect(replicaSets(parts, 'web')).toEqual(['1 web:1 0/0', '2 web:2 3/3']);
    expect(run.log.lines).toEqual([
      '== Apply',
      'deployment/web configured',
      '== Rollout',
      'default/web: Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      'default/web: Waiting for deployment "web" rollout to finish: 2 out of 3 new replicas have been updated...',
      'default/web: Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
      // Pods Ready at 3, 6 and 7: the window's line when the number awaited changes (7 s, 13.001 s,
      // 16.001 s seen at the next look), the window ends for the last pod at 17 s, success 1 ms later.
      'default/web: Waiting for 3 new pods to stay ready for 10 s (0 s so far)...',
      'default/web: Waiting for 2 new pods to stay ready for 10 s (7 s so far)...',
      'default/web: Waiting for 1 new pod to stay ready for 10 s (10 s so far)...',
      'default/web: deployment "web" successfully rolled out',
    ]);
  });

  test('the same run twice gives byte-identical JSON results', async () => {
    const once = async () => {
      const parts = simulate('images: { "b:2": { pull: missing } }', [deployment('a', 'a:1'), deployment('b', 'b:1')]);
      const run = await gate(parts, [deployment('a', 'a:2'), deployment('b', 'b:2')]);
      return renderJson(run.result) + run.log.lines.join('\n');
    };
    const first = await once();
    expect(await once()).toBe(first);
    expect(first).toContain('"result": "rolled-back"');
  });
});

describe('failures of new pods, detected and rolled back', () => {
  async function failing(
    scenario: string,
    image: string,
    options: Parameters<typeof deployment>[2] = {},
    input: Parameters<typeof gate>[2] = {},
    before: Parameters<typeof deployment>[2] = options,
  ) {
    const parts = simulate(scenario, [deployment('web', 'web:1', before)]);
    const hash1 = hashOf(parts, 'web', 1)!;
    const run = await gate(parts, [deployment('web', image, options)], input);
    return { parts, run, hash1, applied: image, w: run.result.workloads[0]! };
  }

  /** Rolled back to revision 1, renumbered 3 by the undo (https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/rollback.go), healthy. */
  function expectRolledBack(
    f: Awaited<ReturnType<typeof failing>>,
    reason: string,
    detectedAfterSeconds: number,
    image = 'web:1',
  ) {
    expect(f.run.result.result).toBe('rolled-back');
    expect(exitCodeFor(f.run.result.result)).toBe(1);
    expect(contract(f.w)).toEqual({
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'rolled-back',
      revision: 2,
      rolledBackTo: 3,
      reason,
      detectedAfterSeconds,
    });
    // The verified rollback is recorded: revision 3 is the renumbered revision 1.
    expect(state(f.parts, 'web')).toEqual({ image, revision: '3', replicas: 3, lastGood: `3/${f.hash1}` });
    expect(f.w.rollbackMessage).toBe(ROLLED_BACK_TO_1('web', f.hash1, image));
    // The "Rollback" section opens right above the undo.
    expect(f.run.log.lines[f.run.log.lines.indexOf(ROLLED_BACK_TO_1('web', f.hash1, image)) - 1]).toBe('== Rollback');
    expect(f.run.log.lines).toContain(`error: deployment "web" failed: ${reason}: ${f.w.message}`);
    // Named by its template: the undo renumbers revision 1 as revision 3 (https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/rollback.go).
    expect(f.run.log.lines.slice(-1)).toEqual([
      `deployment "web" rolled back to ${image}, the last good template (revision 1, now revision 3: an undo re-adds it as the newest revision), and healthy again`,
    ]);
    // The chart's story (issue 12): pods by template, never by revision; the last good template is
    // all that is left at the end, and the rollback's start and end are marked.
    const timeline = f.w.timeline!;
    const names = new Set(timeline.flatMap((p) => (p.templates ?? []).map((t) => t.template)));
    expect([...names].sort()).toEqual([`${image} (last good)`, `${f.applied} (this deploy)`].sort());
    expect(timeline.map((p) => p.note).filter(Boolean)).toEqual([
      'failure declared',
      'rollback started',
      'rolled back',
    ]);
    expect(timeline[timeline.length - 1]!.templates).toEqual([
      { template: `${image} (last good)`, ready: 3, unavailable: 0 },
    ]);
  }

  test("a typo'd image (registry: not found) fails at once: when the first pull fails, at 2 s", async () => {
    const f = await failing('images: { "web:2x": { pull: missing } }', 'web:2x');
    // Pull of the first new pod: 2 s; the registry's "not found" is definitive, no grace.
    expectRolledBack(f, 'ErrImagePull', 2);
    // The registry's answer briefly in the verdict; the runtime's full error once, in the evidence.
    expect(f.w.message).toBe(
      '1 of 1 new pods cannot pull image "web:2x" (ErrImagePull: not found); the registry says the image does not exist',
    );
    const full =
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/web:2x": ' +
      'failed to resolve reference "docker.io/library/web:2x": docker.io/library/web:2x: not found';
    expect(f.w.evidence![0]).toMatchObject({
      container: 'web',
      image: 'web:2x',
      reason: 'ErrImagePull',
      message: full,
      events: ['Failed: Failed to pull image "web:2x": (message above)', 'Failed: Error: ErrImagePull'],
      file: 'k8s/app.yaml',
      line: 19,
    });
    expect(replicaSets(f.parts, 'web')).toEqual(['2 web:2x 0/0', '3 web:1 3/3']);
  });

  test('a pull refused by the registry (unauthorized) fails at once too, at 2 s', async () => {
    const f = await failing('images: { "private/web:2": { pull: unauthorized } }', 'private/web:2');
    expectRolledBack(f, 'ErrImagePull', 2);
    expect(f.w.message).toMatch(
      /^1 of 1 new pods cannot pull image "private\/web:2" \(ErrImagePull: pull access denied/,
    );
    expect(f.w.message).not.toContain('rpc error');
    expect(f.w.message).toMatch(/; the registry refused access \(check the image name and imagePullSecrets\)$/);
  });

  test('CrashLoopBackOff fails at the first back-off: 7 s', async () => {
    const f = await failing('images: { "web:2": { crash: true } }', 'web:2');
    // pull 2 + start 1 -> running at 3 (ready: pod 2 is created), exits at 4 (runs startSeconds),
    // first restart on the next sync at 5, exits at 6, CrashLoopBackOff one sync later: 7.
    expectRolledBack(f, 'CrashLoopBackOff', 7);
    expect(f.w.message).toMatch(
      /^1 of 2 new pods keep crashing \(CrashLoopBackOff\): container "web" of pod "web-[a-z0-9]+-[a-z0-9]{5}" exited with code 1 \(Error\) and was restarted 1 time$/,
    );
    expect(f.w.evidence![0]!.logs).toEqual([
      'docker.io/library/web:2: container web started',
      'docker.io/library/web:2: fatal error, exiting with code 1',
    ]);
  });

  test('CreateContainerConfigError (missing ConfigMap) fails past its 20 s grace: 23 s', async () => {
    const f = await failing('', 'web:2', { configMaps: ['web-config'] }, {}, {});
    // Pulled at 2: first "Error: configmap ... not found" event at 2 (the window's start). The
    // kubelet re-checks at 12 and 22; at 22 the error has lasted exactly 20 s (not more), the next
    // judgement (1 s re-check) is at 23.
    expectRolledBack(f, 'CreateContainerConfigError', 23);
    expect(f.w.message).toBe(
      '1 of 1 new pods cannot create container "web" (CreateContainerConfigError: configmap "web-config" not found) for 21 s (grace 20 s)',
    );
  });

  test('a ConfigMap that appears inside the grace window (another actor, at 12 s) does not fail the rollout', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    at(parts, 12, 'someone applies the ConfigMap', () =>
      parts.simulation.store.create('ConfigMap', configMap('web-config')),
    );
    const run = await gate(parts, [deployment('web', 'web:2', { configMaps: ['web-config'] })]);
    expect(run.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'web', result: 'succeeded', revision: 2 },
    ]);
    // Config error from 2 to 12; the ConfigMap makes the kubelet re-check at once: started 13,
    // then pods 2 and 3 as in a healthy update (+3, +1): 16, 17; plus the 10 s stability window: 27.
    expect(run.result.workloads[0]!.durationSeconds).toBe(27);
    expect(state(parts, 'web')).toMatchObject({
      image: 'web:2',
      revision: '2',
      lastGood: `2/${hashOf(parts, 'web', 2)}`,
    });
  });

  test('a ConfigMap applied in the same run, listed after the Deployment, is applied before it', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    // runGate applies in the given order; the manifest loader puts config first (see the CLI tests).
    const run = await gate(parts, [
      configMap('web-config'),
      deployment('web', 'web:2', { configMaps: ['web-config'] }),
    ]);
    expect(run.result.result).toBe('succeeded');
    expect(run.log.lines.slice(0, 3)).toEqual([
      '== Apply',
      'configmap/web-config created',
      'deployment/web configured',
    ]);
    expect(run.result.workloads[0]!.durationSeconds).toBe(17); // 7 + the 10 s stability window
  });

  test('InvalidImageName fails at once: 0 s', async () => {
    const f = await failing('', 'web:bad!!');
    // The kubelet cannot parse the reference when it creates the container: no pull, no wait.
    expectRolledBack(f, 'InvalidImageName', 0);
  });

  test('an unschedulable surge pod fails past the 60 s grace: 61 s', async () => {
    // One node of 2 CPUs; 3 x 600m run, the surge pod (4 x 600m = 2.4) does not fit.
    const f = await failing('nodes: { count: 1, capacity: { cpu: "2" } }', 'web:2', { cpu: '600m' });
    // PodScheduled=False since 0; strictly more than 60 s at the first judgement after 60: 61.
    expectRolledBack(f, 'Unschedulable', 61);
    expect(f.w.message).toMatch(
      /has been unschedulable for 61 s \(grace 60 s\): 0\/1 nodes are available: 1 Insufficient cpu\./,
    );
  });

  test('never ready: Stalled after the 180 s stall window: 181 s', async () => {
    const f = await failing('images: { "web:2": { ready: never } }', 'web:2');
    // Counts (1 updated, 3 ready, 3 available) never change after 0; > 180 s at 181.
    expectRolledBack(f, 'Stalled', 181);
  });

  test('never ready with progressDeadlineSeconds 30: ProgressDeadlineExceeded at 31 s', async () => {
    const f = await failing('images: { "web:2": { ready: never } }', 'web:2', { progressDeadlineSeconds: 30 });
    // Progressing lastUpdateTime 0; the controller re-checks 1 s after the deadline (requeue skew)
    // and sets ProgressDeadlineExceeded at 31, before the stall window (180 s).
    expectRolledBack(f, 'ProgressDeadlineExceeded', 31);
    expect(f.w.message).toMatch(
      /^deployment "web" exceeded its progress deadline \(30 s without progress\): ReplicaSet "web-[a-z0-9]+" has timed out progressing\.$/,
    );
  });

  test("never ready with the gate's timeout at 20 s: Timeout at 21 s, with a warning about the windows", async () => {
    const f = await failing('images: { "web:2": { ready: never } }', 'web:2', {}, { policy: { timeoutSeconds: 20 } });
    expectRolledBack(f, 'Timeout', 21);
    expect(f.run.log.lines.slice(0, 2)).toEqual([
      'warning: deployment "web": the gate timeout (20s) is shorter than progressDeadlineSeconds (600s); the gate gives up before Kubernetes would report ProgressDeadlineExceeded',
      'warning: deployment "web": the stall window (3m) is not shorter than the timeout (20s), so a stall is only ever reported as Timeout',
    ]);
  });

  test('--rollback never: exit 3, the failed revision stays in place', async () => {
    const f = await failing('images: { "web:2": { pull: missing } }', 'web:2', {}, { rollback: 'never' });
    expect(f.run.result.result).toBe('failed');
    expect(exitCodeFor(f.run.result.result)).toBe(3);
    expect(contract(f.w)).toEqual({
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'failed',
      revision: 2,
      reason: 'ErrImagePull',
      detectedAfterSeconds: 2,
    });
    expect(state(f.parts, 'web')).toEqual({ image: 'web:2', revision: '2', replicas: 3, lastGood: '1/6b44c9c94f' });
    expect(f.run.log.lines.slice(-1)).toEqual([
      'warning: rollback is disabled (--rollback never): the failed revision stays in place',
    ]);
  });
});

describe('others in the cluster', () => {
  test('a rollover by another writer during the watch is Superseded: not judged as ours, not rolled back (exit 3)', async () => {
    const parts = simulate('images: { "web:2": { ready: never } }', [deployment('web', 'web:1')]);
    at(parts, 5, 'kubectl set image web=web:3', () => setImage(parts, 'web', 'web:3'));
    const run = await gate(parts, [deployment('web', 'web:2')]);
    expect(run.result.result).toBe('failed');
    expect(exitCodeFor(run.result.result)).toBe(3);
    // Seen at the write (5 s): generation 3 with a template this run did not apply.
    expect(contract(run.result.workloads[0]!)).toEqual({
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'failed',
      revision: 2,
      reason: 'Superseded',
      detectedAfterSeconds: 5,
    });
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      'deployment "web" was changed by someone else after this run applied it; not rolling back over a newer deploy',
    );
    // Their template stays, and nothing is recorded as good.
    expect(state(parts, 'web')).toEqual({ image: 'web:3', revision: '3', replicas: 3, lastGood: '1/6b44c9c94f' });
    expect(run.log.lines).not.toContain('== Rollback');
    parts.simulation.advance(60_000);
    // Only what the run saw fully available at its start is recorded, never the other writer's template.
    expect(leaseOf(parts, 'web')?.metadata.annotations?.[LAST_GOOD]).toBe('1/6b44c9c94f');
    expect(replicaSets(parts, 'web')).toEqual(['1 web:1 0/0', '2 web:2 0/0', '3 web:3 3/3']);
  });

  test('a paused Deployment fails at once (Paused) and is not rolled back, saying why', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    const run = await gate(parts, [deployment('web', 'web:2', { paused: true })]);
    expect(run.result.result).toBe('failed');
    expect(contract(run.result.workloads[0]!)).toEqual({
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'failed',
      revision: 1,
      reason: 'Paused',
      detectedAfterSeconds: 0,
    });
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      'deployment "web" is paused, so it was not rolled back: you cannot rollback a paused deployment; resume it first with \'kubectl rollout resume\' and try again',
    );
    expect(state(parts, 'web')).toEqual({ image: 'web:2', revision: '1', replicas: 3, lastGood: '1/6b44c9c94f' });
    expect(replicaSets(parts, 'web')).toEqual(['1 web:1 3/3']);
  });
});

describe('a Deployment created by this run that fails has no good revision', () => {
  const cases = [
    ['leave', 'left as it is', { image: 'n:1', revision: '1', replicas: 3 }],
    ['scale-to-zero', 'scaled to 0 replicas', { image: 'n:1', revision: '1', replicas: 0 }],
    ['delete', 'deleted it', {}],
  ] as const;
  test.each(cases)('on-no-good-revision %s', async (option, what, final) => {
    const parts = simulate('images: { "n:1": { pull: missing } }');
    const run = await gate(parts, [deployment('n', 'n:1')], { onNoGoodRevision: option });
    expect(run.result.result).toBe('failed');
    expect(exitCodeFor(run.result.result)).toBe(3);
    // All three pods are created at once (no old ones to keep); each pull fails at 2 s.
    expect(contract(run.result.workloads[0]!)).toEqual({
      kind: 'Deployment',
      namespace: 'default',
      name: 'n',
      result: 'failed',
      revision: 1,
      reason: 'ErrImagePull',
      detectedAfterSeconds: 2,
    });
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      `deployment "n" was created by this run and has no good revision to return to; ${what}`,
    );
    expect(state(parts, 'n')).toEqual(final);
    // Nothing is rolled back: no "Rollback" section over the warning.
    expect(run.log.lines).not.toContain('== Rollback');
    expect(run.log.lines.filter((l) => l.startsWith('warning:'))[0]).toMatch(
      new RegExp(
        `^warning: deployment "n" was created by this run and has no good revision to return to; .*\\(on-no-good-revision: ${option}`,
      ),
    );
  });
});

describe('several Deployments', () => {
  test('one fails: both are rolled back together, the healthy one reported rolled-back', async () => {
    const parts = simulate('images: { "b:2": { pull: missing } }', [deployment('a', 'a:1'), deployment('b', 'b:1')]);
    const run = await gate(parts, [deployment('a', 'a:2'), deployment('b', 'b:2')]);
    expect(run.result.result).toBe('rolled-back');
    expect(run.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'a', result: 'rolled-back', revision: 2, rolledBackTo: 3 },
      {
        kind: 'Deployment',
        namespace: 'default',
        name: 'b',
        result: 'rolled-back',
        revision: 2,
        rolledBackTo: 3,
        reason: 'ErrImagePull',
        detectedAfterSeconds: 2,
      },
    ]);
    expect(run.result.workloads[0]!.message).toBe(
      'Waiting for deployment "a" rollout to finish: 1 out of 3 new replicas have been updated... (rolled back because b failed)',
    );
    expect(state(parts, 'a')).toEqual({ image: 'a:1', revision: '3', replicas: 3, lastGood: '3/9fb66cd5d' });
    expect(state(parts, 'b')).toEqual({ image: 'b:1', revision: '3', replicas: 3, lastGood: '3/746fb88bfc' });
  });
});

describe('the last good revision', () => {
  test('a previous revision that was itself broken is skipped: back to the last one the gate saw good', async () => {
    const parts = simulate('images: { "web:2": { crash: true }, "web:3": { pull: missing } }');
    const first = await gate(parts, [deployment('web', 'web:1')]);
    expect(first.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'web', result: 'succeeded', revision: 1 },
    ]);
    const good = hashOf(parts, 'web', 1)!;
    expect(state(parts, 'web')).toEqual({ image: 'web:1', revision: '1', lastGood: `1/${good}`, replicas: 3 });

    setImage(parts, 'web', 'web:2'); // someone else, broken: crash loops
    parts.simulation.advance(60_000);
    expect(state(parts, 'web')).toMatchObject({ image: 'web:2', revision: '2' });

    const run = await gate(parts, [deployment('web', 'web:3')]);
    expect(run.result.workloads.map(contract)).toEqual([
      {
        kind: 'Deployment',
        namespace: 'default',
        name: 'web',
        result: 'rolled-back',
        revision: 3,
        rolledBackTo: 4,
        reason: 'ErrImagePull',
        detectedAfterSeconds: 2,
      },
    ]);
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      `rolling deployment "web" back to web:1, the template of revision 1 (ReplicaSet web-${good}): the last revision the gate saw fully available (recorded 1/${good})`,
    );
    expect(state(parts, 'web')).toEqual({
      image: 'web:1',
      revision: '4',
      replicas: 3,
      // The verified rollback is recorded in its turn (the good template, renumbered 4).
      lastGood: `4/${good}`,
    });
    expect(replicaSets(parts, 'web')).toEqual(['2 web:2 0/0', '3 web:3 0/0', '4 web:1 3/3']);
  });

  test('revisionHistoryLimit 0: the good ReplicaSet is gone, the stored template restores it', async () => {
    const rhl = { revisionHistoryLimit: 0 };
    const parts = simulate('images: { "web:3": { crash: true }, "web:4": { pull: missing } }', [
      deployment('web', 'web:1', rhl),
    ]);
    const first = await gate(parts, [deployment('web', 'web:1', rhl)]);
    expect(first.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'web', result: 'unchanged', revision: 1 },
    ]);
    expect(first.log.lines[0]).toBe(
      'warning: deployment "web": revisionHistoryLimit is 0, so no old ReplicaSet is kept; a rollback can only use the template the gate stored when the last rollout succeeded',
    );
    const good = hashOf(parts, 'web', 1)!;
    setImage(parts, 'web', 'web:2'); // someone else, healthy: revision 1's ReplicaSet is deleted
    parts.simulation.advance(60_000);
    setImage(parts, 'web', 'web:3'); // someone else, broken: revision 2 is not fully available
    parts.simulation.advance(60_000);
    expect(replicaSets(parts, 'web')).toEqual(['2 web:2 2/2', '3 web:3 2/0']);

    const run = await gate(parts, [deployment('web', 'web:4', rhl)]);
    expect(run.result.workloads.map(contract)).toEqual([
      {
        kind: 'Deployment',
        namespace: 'default',
        name: 'web',
        result: 'rolled-back',
        revision: 4,
        rolledBackTo: 5,
        reason: 'ErrImagePull',
        detectedAfterSeconds: 2,
      },
    ]);
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      `rolling deployment "web" back to web:1, the stored template: the template the gate stored when the last rollout succeeded; skipped: the recorded last good revision 1/${good} has no ReplicaSet any more; the previous revision 3 was not fully available before this run`,
    );
    expect(state(parts, 'web')).toEqual({
      image: 'web:1',
      revision: '5',
      replicas: 3,
      // The verified rollback is recorded in its turn (the good template, renumbered 5).
      lastGood: `5/${good}`,
    });
    expect(replicaSets(parts, 'web')).toEqual(['5 web:1 3/3']);
    // The restored template is v1's (the simulator hashes the stored copy, which carries the API
    // server's `resources: {}` default, to a new pod-template-hash: a new ReplicaSet, same pods).
    expect(JSON.parse(leaseOf(parts, 'web')!.metadata.annotations![LAST_GOOD_TEMPLATE]!).spec.containers[0].image).toBe(
      'web:1',
    );
  });
});
