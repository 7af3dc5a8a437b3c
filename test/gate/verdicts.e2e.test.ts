/**
 * Issue 9, items 2, 3 and 4: verdicts over a Deployment's whole life, on the simulated cluster
 * (virtual time). "Changed" means a new pod template (README "What the gate judges"), never merely a new
 * generation; detectors judge what happened since the change was sent, not old restarts.
 *
 * Deployments have 3 replicas at 25%/25% unless a case says otherwise: maxSurge 1,
 * maxUnavailable 0. Default image: pull 2 s, start 1 s, ready at once.
 */
import { describe, expect, test } from '@jest/globals';
import { createSimulatedCluster, parseScenario } from '../../src/cluster/sim/index.js';
import { exitCodeFor } from '../../src/gate/result.js';
import type { Pod } from '../../src/k8s/objects.js';
import { at, contract, deployment, edit, gate, hashOf, replicaSets, simulate, state, stored } from './support.js';

type Parts = ReturnType<typeof simulate>;

/** Long enough for crashTimes: 5 to play out (back-offs 10+20+40+80 s) and the crash back-off to expire. */
const HOUR = 3600_000;

const scale = (parts: Parts, name: string, replicas: number) =>
  edit(parts, name, (d) => {
    d.spec.replicas = replicas;
  });

/** `<image> restarts=<n> ready` of every live pod of a Deployment, sorted. */
function pods(parts: Parts, name: string): string[] {
  return parts.simulation.store
    .list<Pod>('Pod', 'default')
    .filter((p) => p.metadata.labels?.app === name && !p.metadata.deletionTimestamp)
    .map((p) => {
      const cs = p.status?.containerStatuses?.[0];
      return `${cs?.image ?? '?'} restarts=${cs?.restartCount ?? 0}${cs?.ready ? ' ready' : ''}`;
    })
    .sort();
}

describe('issue 9 #2: replicas changed by someone else mid-rollout are followed', () => {
  test('issue 9 #2: kubectl scale mid failing rollout still rolls back (exit 1, rolled-back, replicas = the scaled count)', async () => {
    const parts = simulate('images: { "web:2": { crash: true } }', [deployment('web', 'web:1')]);
    const hash1 = hashOf(parts, 'web', 1)!;
    // An autoscaler scales to 5 while the first new pod is still starting (it first crashes at 4 s).
    at(parts, 3, 'kubectl scale --replicas=5', () => scale(parts, 'web', 5));
    const run = await gate(parts, [deployment('web', 'web:2')]);
    expect(run.result.result).toBe('rolled-back');
    expect(exitCodeFor(run.result.result)).toBe(1);
    // The first back-off of the new pod (CrashLoopBackOff at 7 s), not Superseded.
    expect(run.result.workloads.map(contract)).toEqual([
      {
        kind: 'Deployment',
        namespace: 'default',
        name: 'web',
        result: 'rolled-back',
        revision: 2,
        rolledBackTo: 3,
        reason: 'CrashLoopBackOff',
        detectedAfterSeconds: 7,
      },
    ]);
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      `rolling deployment "web" back to web:1, the template of revision 1 (ReplicaSet web-${hash1}): the previous revision 1, fully available before this run`,
    );
    // Back on the good template with the autoscaler's count, all of it ready.
    expect(state(parts, 'web')).toEqual({ image: 'web:1', revision: '3', replicas: 5, lastGood: '3/6b44c9c94f' });
    expect(replicaSets(parts, 'web')).toEqual(['2 web:2 0/0', '3 web:1 5/5']);
    expect(run.log.lines.slice(-1)).toEqual([
      'deployment "web" rolled back to web:1, the last good template (revision 1, now revision 3: an undo re-adds it as the newest revision), and healthy again',
    ]);
  });

  test('issue 9 #2: kubectl scale mid healthy rollout is followed: succeeded once 5 of 5 are updated and available', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    at(parts, 1, 'kubectl scale --replicas=5', () => scale(parts, 'web', 5));
    const run = await gate(parts, [deployment('web', 'web:2')]);
    expect(run.result.result).toBe('succeeded');
    expect(run.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'web', result: 'succeeded', revision: 2 },
    ]);
    // kubectl's rule against the new count: the progress lines count out of 5 after the scale.
    expect(run.result.workloads[0]!.progress).toEqual([
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 3 out of 5 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...',
      'Waiting for deployment "web" rollout to finish: 4 of 5 updated replicas are available...',
      // kubectl's rule holds at 6 s; then every new pod must stay Ready for the 10 s window.
      'Waiting for 5 new pods to stay ready for 10 s (0 s so far)...',
      'Waiting for 3 new pods to stay ready for 10 s (8 s so far)...',
      'Waiting for 1 new pod to stay ready for 10 s (9 s so far)...',
      'deployment "web" successfully rolled out',
    ]);
    // The scale at 1 s: one more old pod (4 ready), then the new ones take over; done at 6 s.
    const ready = run.result.workloads[0]!.timeline!.filter((p, i, all) => {
      const before = all[i - 1];
      return !before || before.oldReady !== p.oldReady || before.newReady !== p.newReady;
    });
    expect(ready.map(({ t, oldReady, newReady }) => ({ t, oldReady, newReady }))).toEqual([
      { t: 0, oldReady: 3, newReady: 0 },
      { t: 2, oldReady: 4, newReady: 0 },
      { t: 3, oldReady: 2, newReady: 2 },
      { t: 4, oldReady: 0, newReady: 4 },
      { t: 6, oldReady: 0, newReady: 5 },
    ]);
    expect(state(parts, 'web')).toMatchObject({ image: 'web:2', revision: '2', replicas: 5 });
    expect(replicaSets(parts, 'web')).toEqual(['1 web:1 0/0', '2 web:2 5/5']);
  });

  test('issue 9 #2b: a new template by someone else mid-rollout is Superseded and not overwritten', async () => {
    const parts = simulate('images: { "web:2": { ready: never } }', [deployment('web', 'web:1')]);
    // First a scale (followed), then a new template (not ours any more).
    at(parts, 2, 'kubectl scale --replicas=4', () => scale(parts, 'web', 4));
    at(parts, 5, 'kubectl set image web=web:3', () =>
      edit(parts, 'web', (d) => {
        d.spec.template.spec!.containers[0]!.image = 'web:3';
      }),
    );
    const run = await gate(parts, [deployment('web', 'web:2')]);
    expect(run.result.result).toBe('failed');
    expect(exitCodeFor(run.result.result)).toBe(3);
    expect(contract(run.result.workloads[0]!)).toEqual({
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'failed',
      revision: 2,
      reason: 'Superseded',
      detectedAfterSeconds: 5,
    });
    // Generations: the scale and the new template each bump one past what this run applied (the
    // applied one itself depends on the gate's bookkeeping writes, so it is read from the message).
    const superseded =
      /^deployment "web" was changed by someone else during the rollout \(a new pod template, generation (\d+); this run applied generation (\d+)\); its rollout is no longer this run's to judge or to roll back$/;
    const [, seen, applied] = superseded.exec(run.result.workloads[0]!.message) ?? [];
    expect(Number(seen) - Number(applied)).toBe(2);
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      'deployment "web" was changed by someone else after this run applied it; not rolling back over a newer deploy',
    );
    parts.simulation.advance(60_000);
    expect(state(parts, 'web')).toEqual({ image: 'web:3', revision: '3', replicas: 4, lastGood: '1/6b44c9c94f' });
    expect(replicaSets(parts, 'web')).toEqual(['1 web:1 0/0', '2 web:2 0/0', '3 web:3 4/4']);
  });
});

describe('issue 9 #2b: a Deployment this run left unchanged, redeployed by someone else mid-run', () => {
  test('is unchanged (reason Superseded), not a failure of the run, and not touched', async () => {
    // The manifests scale a 3 -> 4 (same template; its pods are ready 10 s after they start) and
    // update b; a person deploys a:9 at 2 s, while a's 4th pod is not ready yet.
    const parts = simulate('images: { "a:1": { readySeconds: 10 } }', [deployment('a', 'a:1'), deployment('b', 'b:1')]);
    at(parts, 2, 'kubectl set image a=a:9', () =>
      edit(parts, 'a', (d) => {
        d.spec.template.spec!.containers[0]!.image = 'a:9';
      }),
    );
    const run = await gate(parts, [deployment('a', 'a:1', { replicas: 4 }), deployment('b', 'b:2')]);
    expect(run.result.result).toBe('succeeded');
    expect(exitCodeFor(run.result.result)).toBe(0);
    expect(run.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'a', result: 'unchanged', revision: 1, reason: 'Superseded' },
      { kind: 'Deployment', namespace: 'default', name: 'b', result: 'succeeded', revision: 2 },
    ]);
    expect(run.result.workloads[0]!.message).toMatch(
      /^deployment "a" unchanged: the pod template is the one already running \(revision 1\); deployment "a" was changed by someone else during the rollout \(a new pod template, generation \d+; this run applied generation \d+\); its rollout is no longer this run's to judge or to roll back$/,
    );
    parts.simulation.advance(60_000);
    expect(state(parts, 'a')).toEqual({ image: 'a:9', revision: '2', replicas: 4, lastGood: '1/9fb66cd5d' });
    expect(state(parts, 'b')).toMatchObject({ image: 'b:2', revision: '2' });
  });
});

describe('issue 9 #3: an annotation alone is not a new revision', () => {
  test('issue 9 #3: two Deployments with a change-cause, one fails: the untouched one is unchanged, run exits 1', async () => {
    const parts = simulate('images: { "b:2": { pull: missing } }', [deployment('a', 'a:1'), deployment('b', 'b:1')]);
    // a's pods have run for a minute, as the pods of an earlier deploy have: they are past the
    // stability window, so a is judged healthy at once, before b fails and the watch stops.
    parts.simulation.advance(60_000);
    const generationOfA = stored(parts, 'a')!.metadata.generation!;
    const run = await gate(parts, [deployment('a', 'a:1'), deployment('b', 'b:2')], {
      changeCause: 'deploy 1f3e2a9 by ci',
    });
    expect(run.result.result).toBe('rolled-back');
    expect(exitCodeFor(run.result.result)).toBe(1);
    expect(run.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'a', result: 'unchanged', revision: 1 },
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
      'deployment "a" unchanged: the pod template is the one already running (revision 1); ' +
        'deployment "a" successfully rolled out',
    );
    expect(run.result.workloads[0]!.rollbackMessage).toBeUndefined();
    // The change-cause did land (a real API server bumps the generation for it), no rollback touched a.
    const a = stored(parts, 'a')!;
    expect(a.metadata.generation).toBeGreaterThan(generationOfA);
    expect(a.metadata.annotations!['kubernetes.io/change-cause']).toBe('deploy 1f3e2a9 by ci');
    expect(state(parts, 'a')).toMatchObject({ image: 'a:1', revision: '1', replicas: 3 });
    expect(replicaSets(parts, 'a')).toEqual(['1 a:1 3/3']);
    expect(state(parts, 'b')).toMatchObject({ image: 'b:1', revision: '3', replicas: 3 });
  });

  test('issue 9 #3b: no-op redeploy is unchanged', async () => {
    const parts = simulate('');
    const first = await gate(parts, [deployment('web', 'web:1')], { changeCause: 'deploy 1' });
    expect(first.result.workloads.map((w) => w.result)).toEqual(['succeeded']);
    const run = await gate(parts, [deployment('web', 'web:1')], { changeCause: 'deploy 2' });
    expect(run.result.result).toBe('succeeded');
    expect(exitCodeFor(run.result.result)).toBe(0);
    expect(run.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'web', result: 'unchanged', revision: 1 },
    ]);
    expect(run.result.workloads[0]!.message).toBe(
      'deployment "web" unchanged: the pod template is the one already running (revision 1); ' +
        'deployment "web" successfully rolled out',
    );
    expect(replicaSets(parts, 'web')).toEqual(['1 web:1 3/3']);
  });

  test('issue 9 #3: an unchanged template still scaling when a sibling fails is unchanged, not rolled back', async () => {
    // a's manifest scales it 3 -> 4 (same template); its 4th pod is ready only after 10 s.
    const parts = simulate('images: { "a:1": { readySeconds: 10 }, "b:2": { pull: missing } }', [
      deployment('a', 'a:1'),
      deployment('b', 'b:1'),
    ]);
    const run = await gate(parts, [deployment('a', 'a:1', { replicas: 4 }), deployment('b', 'b:2')]);
    expect(run.result.result).toBe('rolled-back');
    expect(run.result.workloads.map((w) => [w.name, w.result, w.rolledBackTo])).toEqual([
      ['a', 'unchanged', undefined],
      ['b', 'rolled-back', 3],
    ]);
    expect(run.result.workloads[0]!.message).toBe(
      'deployment "a" unchanged: the pod template is the one already running (revision 1); ' +
        'Waiting for deployment "a" rollout to finish: 3 of 4 updated replicas are available... (not watched to the end: b failed)',
    );
    parts.simulation.advance(60_000);
    expect(state(parts, 'a')).toEqual({ image: 'a:1', revision: '1', replicas: 4, lastGood: '1/9fb66cd5d' });
    expect(replicaSets(parts, 'a')).toEqual(['1 a:1 4/4']);
  });

  test('issue 9 #3: an unchanged template is never rolled back, even when its own rollout fails', async () => {
    // The cluster cannot place a 4th pod: the manifest scales web to 4, same template.
    const parts = simulate('nodes: { count: 1, capacity: { cpu: "3", memory: 8Gi, pods: 110 } }', [
      deployment('web', 'web:1', { cpu: '1' }),
    ]);
    const run = await gate(parts, [deployment('web', 'web:1', { cpu: '1', replicas: 4 })]);
    expect(run.result.result).toBe('failed');
    expect(exitCodeFor(run.result.result)).toBe(3);
    expect(contract(run.result.workloads[0]!)).toEqual({
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'failed',
      revision: 1,
      reason: 'Unschedulable',
      detectedAfterSeconds: 61,
    });
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      'not rolled back: this run did not change the pod template of deployment "web" (revision 1)',
    );
    expect(state(parts, 'web')).toEqual({ image: 'web:1', revision: '1', replicas: 4, lastGood: '1/8f5794f59' });
  });
});

describe('issue 9 #4: restarts count from the apply on', () => {
  test('issue 9 #4: a scale-up of a Deployment whose pods restarted 5 times before the run succeeds (use crashTimes)', async () => {
    // Last week the image crashed on its first 5 starts (a database was down); today it starts fine.
    const scenario = parseScenario('images: { "web:1": { crashTimes: 5 } }', 'scenario.yaml');
    const parts = createSimulatedCluster(scenario, { objects: [deployment('web', 'web:1', { replicas: 2 })] });
    parts.simulation.advance(HOUR);
    expect(pods(parts, 'web')).toEqual(['web:1 restarts=5 ready', 'web:1 restarts=5 ready']);
    scenario.images['web:1'] = {};
    const run = await gate(parts, [deployment('web', 'web:1', { replicas: 3 })]);
    expect(run.result.result).toBe('succeeded');
    expect(exitCodeFor(run.result.result)).toBe(0);
    expect(run.result.workloads.map(contract)).toEqual([
      { kind: 'Deployment', namespace: 'default', name: 'web', result: 'unchanged', revision: 1 },
    ]);
    expect(pods(parts, 'web')).toEqual(['web:1 restarts=0 ready', 'web:1 restarts=5 ready', 'web:1 restarts=5 ready']);
  });

  test('issue 9 #4: a new pod that crashes 3 times during the scale-up still fails it', async () => {
    // readySeconds 2: a run of 1 s before each crash never passes readiness.
    const scenario = parseScenario('images: { "web:1": { crashTimes: 5, readySeconds: 2 } }', 'scenario.yaml');
    const parts = createSimulatedCluster(scenario, { objects: [deployment('web', 'web:1', { replicas: 2 })] });
    parts.simulation.advance(HOUR);
    const run = await gate(parts, [deployment('web', 'web:1', { replicas: 3 })], {
      policy: { crashLoopFailsAtOnce: false },
    });
    // The new pod lands on the third node: pull 2 s, start 1 s, exits at 4, restarts at 5 (1), exits
    // at 6, back-off 10 s: restarts at 16 (2), exits at 17, back-off 20 s: restarts at 37 (3): failed.
    // The old pods' 5 restarts each are not counted (else it would fail at 0 s).
    expect(contract(run.result.workloads[0]!)).toEqual({
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'failed',
      revision: 1,
      reason: 'CrashLoopBackOff',
      detectedAfterSeconds: 37,
    });
    expect(run.result.workloads[0]!.message).toMatch(
      /^1 of 3 new pods keep restarting: container "web" of pod "web-[a-z0-9]+-[a-z0-9]+" exited with code 1 \(Error\) and was restarted 3 times$/,
    );
    // Its template did not change: nothing to roll back to, and nothing is.
    expect(run.result.result).toBe('failed');
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      'not rolled back: this run did not change the pod template of deployment "web" (revision 1)',
    );
    expect(pods(parts, 'web')).toEqual(['web:1 restarts=3', 'web:1 restarts=5 ready', 'web:1 restarts=5 ready']);
  });

  test('issue 9 #4b: a rollback onto a ReplicaSet whose pods restarted before succeeds', async () => {
    // The pods of revision 1 restarted 5 times an hour ago and have been Ready since; today the image
    // starts fine. maxUnavailable 1: the failed rollout scales revision 1 down to 2 at once, so the
    // rollback has a pod to start again while the restarted ones are judged.
    const scenario = parseScenario(
      'images: { "web:1": { crashTimes: 5 }, "web:2": { pull: missing } }',
      'scenario.yaml',
    );
    const strategy = { maxSurge: 1, maxUnavailable: 1 };
    const parts = createSimulatedCluster(scenario, { objects: [deployment('web', 'web:1', strategy)] });
    parts.simulation.advance(HOUR);
    expect(pods(parts, 'web')).toEqual(Array(3).fill('web:1 restarts=5 ready'));
    scenario.images['web:1'] = {};
    const run = await gate(parts, [deployment('web', 'web:2', strategy)]);
    expect(run.result.result).toBe('rolled-back');
    expect(exitCodeFor(run.result.result)).toBe(1);
    expect(run.result.workloads.map(contract)).toEqual([
      {
        kind: 'Deployment',
        namespace: 'default',
        name: 'web',
        result: 'rolled-back',
        revision: 2,
        rolledBackTo: 3,
        reason: 'ErrImagePull',
        detectedAfterSeconds: 2,
      },
    ]);
    expect(run.log.lines.slice(-1)).toEqual([
      'deployment "web" rolled back to web:1, the last good template (revision 1, now revision 3: an undo re-adds it as the newest revision), and healthy again',
    ]);
    expect(pods(parts, 'web')).toEqual(['web:1 restarts=0 ready', 'web:1 restarts=5 ready', 'web:1 restarts=5 ready']);
  });
});
