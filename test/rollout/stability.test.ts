/**
 * The stability window (src/rollout/stability.ts): kubectl's rule alone judged a crashing image
 * "succeeded" because every new pod is Ready for the second before its container exits.
 */
import { describe, expect, it } from '@jest/globals';
import type { Pod } from '../../src/k8s/objects.js';
import { judge, judgeRollback } from '../../src/rollout/judge.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import type { RolloutContext } from '../../src/rollout/snapshot.js';
import { nextWaitMs, type WatchedWorkload } from '../../src/gate/watchRollouts.js';
import { at, condition, deployment, pod, revisions, snapshot, t } from './builders.js';

const policy = DEFAULT_POLICY;
const ctx: RolloutContext = { appliedAt: t(0), appliedGeneration: 2 };
const { oldRs, newRs } = revisions();
const SUCCESS = 'deployment "web" successfully rolled out';
const done = () => deployment({ updated: 3, total: 3, available: 3 });

/** A new pod whose container started at `started` and that has been Ready since `readyAt` (default: since it started). */
function readyPod(name: string, started: number, readyAt = started, restartCount = 0): Pod {
  return pod({
    name: `web-bbb222-${name}`,
    rs: newRs,
    createdAt: started,
    running: true,
    restartCount,
    conditions: [condition('Ready', 'True', '', readyAt)],
  });
}

describe('every new pod must stay Ready for the window before success', () => {
  // Recreate: the three new pods start together once the old ones are gone.
  const together = snapshot(done(), [oldRs, newRs], [readyPod('a', 4), readyPod('b', 4), readyPod('c', 4)]);

  it('at exactly the window still progressing, with the window sentence and a wake-up just past it', () => {
    expect(judge(together, ctx, policy, t(14))).toEqual({
      state: 'progressing',
      message: 'Waiting for 3 new pods to stay ready for 10 s (10 s so far)...',
      progressLine: 'Waiting for 3 new pods to stay ready for 10 s (10 s so far)...',
      stability: {
        message: 'Waiting for 3 new pods to stay ready for 10 s (10 s so far)...',
        waiting: 3,
        stableAt: t(14) + 1,
      },
    });
  });

  it("1 ms past the window succeeded, with kubectl's own line", () => {
    expect(judge(together, ctx, policy, t(14.001))).toEqual({
      state: 'succeeded',
      message: SUCCESS,
      progressLine: SUCCESS,
    });
  });

  it('pods Ready long ago add no delay: only the last ones are waited on', () => {
    const rolling = snapshot(done(), [oldRs, newRs], [readyPod('a', 1), readyPod('b', 8), readyPod('c', 20)]);
    expect(judge(rolling, ctx, policy, t(22.5)).progressLine).toBe(
      'Waiting for 1 new pod to stay ready for 10 s (2 s so far)...',
    );
    expect(judge(rolling, ctx, policy, t(30.001)).state).toBe('succeeded');
  });

  it('a container restarted since it became Ready starts the window again', () => {
    // The kubelet never reported the pod unready in between: Ready since 4, container started again at 12.
    const restarted = snapshot(done(), [oldRs, newRs], [readyPod('a', 12, 4, 1)]);
    expect(judge(restarted, ctx, policy, t(20)).progressLine).toBe(
      'Waiting for 1 new pod to stay ready for 10 s (8 s so far)...',
    );
    expect(judge(restarted, ctx, policy, t(22.001)).state).toBe('succeeded');
  });

  it('a container that exits inside the window fails via the crash-loop detector, not with a success line', () => {
    // The controller's status still counts the pod available; the pod itself is not Ready any more.
    const crashed = pod({
      name: 'web-bbb222-a',
      rs: newRs,
      createdAt: 4,
      restartCount: 1,
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=web' },
      lastTerminated: { exitCode: 1, reason: 'Error', finishedAt: 6 },
      conditions: [condition('Ready', 'False', 'ContainersNotReady', 6)],
    });
    const verdict = judge(snapshot(done(), [oldRs, newRs], [crashed]), ctx, policy, t(7));
    expect(verdict.state).toBe('failed');
    expect(verdict.reason).toBe('CrashLoopBackOff');
    expect(verdict.message).toBe(
      '1 of 1 new pods keep crashing (CrashLoopBackOff): container "web" of pod "web-bbb222-a" exited with code 1 (Error) and was restarted 1 time',
    );
    expect(verdict.progressLine).toBe('Waiting for 1 new pod to stay ready for 10 s (0 s so far)...');
  });

  it("a window of 0 is kubectl's rule alone", () => {
    expect(judge(together, ctx, { ...policy, stableSeconds: 0 }, t(4)).state).toBe('succeeded');
  });

  it("the rollback's verification waits on the same window", () => {
    expect(judgeRollback(together, ctx, policy, t(14)).state).toBe('progressing');
    expect(judgeRollback(together, ctx, policy, t(14.001)).state).toBe('succeeded');
  });

  it('terminating pods of the new revision are not waited on', () => {
    const leaving = readyPod('z', 13);
    leaving.metadata.deletionTimestamp = at(13);
    const s = snapshot(done(), [oldRs, newRs], [readyPod('a', 1), leaving]);
    expect(judge(s, ctx, policy, t(14)).state).toBe('succeeded');
  });
});

describe('the watcher wakes when a window ends', () => {
  const waiting = (stableAt?: number) =>
    ({
      verdict: {
        state: 'progressing',
        message: '',
        progressLine: '',
        ...(stableAt !== undefined && { stability: { message: '', waiting: 1, stableAt } }),
      },
    }) as WatchedWorkload;
  it('waits no longer than the earliest window end, and no longer than the recheck interval', () => {
    expect(nextWaitMs([waiting(t(14) + 1), waiting(t(20))], t(13.7), 1000)).toBe(301);
    expect(nextWaitMs([waiting(t(20))], t(13.7), 1000)).toBe(1000);
    expect(nextWaitMs([waiting(undefined)], t(13.7), 1000)).toBe(1000);
    expect(nextWaitMs([waiting(t(13))], t(13.7), 1000)).toBe(1);
  });
});
