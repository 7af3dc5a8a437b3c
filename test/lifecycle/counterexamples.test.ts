/**
 * Shrunk counterexamples of the lifecycle property test (lifecycle.test.ts), found against the
 * code of issue 9, kept as fixed sequences so they stay fixed. Each replays its steps through the
 * same runner and model, over one served cluster, and must break no invariant.
 */
import { describe, expect, test } from '@jest/globals';
import type { Step } from './model.js';
import { newFigures, runSequence } from './runSequence.js';

async function replay(steps: Step[]): Promise<string | undefined> {
  try {
    await runSequence(steps, newFigures());
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

describe('lifecycle counterexamples', () => {
  test("a bad deploy over a person's stuck rollout goes back to the old ReplicaSet still serving (seed 11)", async () => {
    // Broke: "#2 gate deploys web:never-ready-2: exit 3 failed, web failed Stalled ... the bad deploy
    // ends on web:never-ready-2, not on the last good web:good-0" (no record, previous never available).
    expect(
      await replay([
        { kind: 'kubectl', command: 'set-image', behaviour: 'never-ready' },
        { kind: 'deploy', behaviour: 'never-ready' },
        { kind: 'scale', replicas: 2, by: 'hpa' },
      ]),
    ).toBeUndefined();
  }, 90_000);

  test('a redeploy of the last good template after a person set, then undid, an image and a failed deploy is a no-op (seed 7)', async () => {
    // Broke: "#4 gate redeploys the last good template: [generation] a no-op run moved the
    // generation 5 -> 6".
    expect(
      await replay([
        { kind: 'kubectl', command: 'set-image', behaviour: 'good' },
        { kind: 'kubectl-undo' },
        { kind: 'deploy', behaviour: 'never-ready' },
        { kind: 'redeploy' },
      ]),
    ).toBeUndefined();
  }, 90_000);

  test('a no-op redeploy after a kubectl annotate bumps no generation (seed 9009)', async () => {
    // Broke: "#2 gate redeploys the last good template: [generation] a no-op run moved the
    // generation 2 -> 5 (the gate's bookkeeping bumps it)" and the lease annotation was copied
    // into the ReplicaSets.
    expect(await replay([{ kind: 'kubectl-annotate' }])).toBeUndefined();
  }, 60_000);

  test('the HPA scaling during a failing rollout: rolled back with the HPA replicas (seed 9009)', async () => {
    // Broke: "exit 3 failed, web failed Superseded ... the bad deploy ends on web:missing-1".
    expect(
      await replay([{ kind: 'deploy-while-scaling', behaviour: 'missing', replicas: 3, by: 'hpa' }]),
    ).toBeUndefined();
  }, 60_000);

  test('a deploy right after kubectl set image takes the image over (seed 1)', async () => {
    // Broke: "Apply failed with 1 conflict: conflict with "kubectl-set" using apps/v1:
    // .spec.template.spec.containers[name="web"].image".
    expect(
      await replay([
        { kind: 'kubectl', command: 'set-image', behaviour: 'good' },
        { kind: 'deploy', behaviour: 'good' },
      ]),
    ).toBeUndefined();
  }, 60_000);

  test('kubectl rollout undo onto a revision a gate run was leasing brings back no stale lease (seed 2)', async () => {
    // Broke: "#3 gate redeploys the last good template: exit 3 failed Locked". The lease annotation
    // had been copied into the ReplicaSet of web:never-ready-1; `kubectl rollout undo` copies a
    // ReplicaSet's annotations back onto the Deployment, and with them the finished run's lease.
    expect(await replay([{ kind: 'deploy-superseded', behaviour: 'good' }, { kind: 'kubectl-undo' }])).toBeUndefined();
  }, 60_000);

  test('kubectl rollout undo after a gate deploy brings back no stale lease (seed 3)', async () => {
    // Broke: "#3 gate redeploys the last good template: exit 3 failed Locked, web failed Locked".
    expect(await replay([{ kind: 'deploy', behaviour: 'good' }, { kind: 'kubectl-undo' }])).toBeUndefined();
  }, 60_000);

  test('a run killed after its apply blocks no run a minute later (seed 4)', async () => {
    // Broke: "#2 gate redeploys the last good template: [lease] exit 3 failed Locked ... (a killed
    // run's lease still blocks, 63 s of cluster time after the kill)".
    expect(await replay([{ kind: 'kill', behaviour: 'good' }])).toBeUndefined();
  }, 60_000);

  test('the next deploy after an automatic rollback succeeds (seed 5)', async () => {
    // Broke: "#2 gate deploys web:good-2: exit 3 failed ... Apply failed with 1 conflict: conflict
    // with "rollout-gate" using apps/v1: .spec.template.spec.containers[name="web"].image".
    expect(
      await replay([
        { kind: 'deploy', behaviour: 'missing' },
        { kind: 'deploy', behaviour: 'good' },
      ]),
    ).toBeUndefined();
  }, 60_000);
});
