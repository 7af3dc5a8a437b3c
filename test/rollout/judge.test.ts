import { describe, expect, it } from '@jest/globals';
import { judge, judgeRollback } from '../../src/rollout/judge.js';
import { registryAnswer } from '../../src/rollout/detectors/imagePull.js';
import { DEFAULT_POLICY, parseDuration, policyWarnings } from '../../src/rollout/policy.js';
import { restartBaselineOf } from '../../src/rollout/restarts.js';
import type { RolloutContext } from '../../src/rollout/snapshot.js';
import { condition, deployment, event, pod, revisions, snapshot, t } from './builders.js';

const policy = DEFAULT_POLICY;
const ctx: RolloutContext = { appliedAt: t(0), appliedGeneration: 2 };
const { oldRs, newRs } = revisions();
const WAITING = 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...';

describe('success and progress', () => {
  it("succeeds on kubectl's rule once our generation is observed", () => {
    const d = deployment({ updated: 3, total: 3, available: 3 });
    expect(judge(snapshot(d, [oldRs, newRs]), ctx, policy, t(5))).toEqual({
      state: 'succeeded',
      message: 'deployment "web" successfully rolled out',
      progressLine: 'deployment "web" successfully rolled out',
    });
  });
  it('does not trust a status that predates our generation', () => {
    const d = deployment({ updated: 3, total: 3, available: 3, generation: 1, observedGeneration: 1 });
    expect(judge(snapshot(d, [oldRs, newRs]), ctx, policy, t(5)).state).toBe('progressing');
  });
  it("reports kubectl's waiting line while progressing", () => {
    const verdict = judge(snapshot(deployment(), [oldRs, newRs]), ctx, policy, t(5));
    expect(verdict).toEqual({ state: 'progressing', message: WAITING, progressLine: WAITING });
  });
  it('a missing Deployment is progressing until the timeout', () => {
    const c = { ...ctx, name: 'web' };
    expect(judge(snapshot(undefined, []), c, policy, t(600)).message).toBe(
      'Waiting for deployment "web" to be created...',
    );
    const verdict = judge(snapshot(undefined, []), c, policy, t(600.001));
    expect(verdict.state).toBe('failed');
    expect(verdict.reason).toBe('Timeout');
  });
  it('a paused Deployment fails with reason Paused', () => {
    const verdict = judge(snapshot(deployment({ paused: true, updated: 0 }), [oldRs]), ctx, policy, t(1));
    expect(verdict.reason).toBe('Paused');
    expect(verdict.message).toBe(
      'deployment "web" is paused, so its new template will not roll out; resume it with ' +
        "'kubectl rollout resume deployment/web' (or remove spec.paused) and run the gate again",
    );
  });
});

describe('image pulls', () => {
  const backOff = pod({
    name: 'web-bbb222-x',
    rs: newRs,
    waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "web:2"' },
  });
  const flaky = event(backOff, 'Failed', 'Failed to pull image "web:2": rpc error: i/o timeout', 2);
  it('generic back-off: at the grace boundary still progressing, 1 ms later failed', () => {
    const s = snapshot(deployment(), [oldRs, newRs], [backOff], [flaky]);
    expect(judge(s, ctx, policy, t(32)).state).toBe('progressing');
    const verdict = judge(s, ctx, policy, t(32.001));
    expect(verdict.reason).toBe('ImagePullBackOff');
    expect(verdict.message).toBe(
      '1 of 1 new pods cannot pull image "web:2" (ImagePullBackOff: Back-off pulling image "web:2") for 30.001 s (grace 30 s)',
    );
    expect(verdict.failure?.evidence[0]).toMatchObject({ pod: 'web-bbb222-x', container: 'web', since: t(2) });
  });
  it('registry says not found: fails at once', () => {
    const p = pod({
      name: 'web-bbb222-x',
      rs: newRs,
      waiting: {
        reason: 'ErrImagePull',
        message:
          'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.231": docker.io/library/nginx:1.231: not found',
      },
    });
    const verdict = judge(snapshot(deployment(), [oldRs, newRs], [p]), ctx, policy, t(3));
    expect(verdict.reason).toBe('ErrImagePull');
    expect(verdict.message).toBe(
      // (The message names another image than the pod's: only the gRPC wrapper is dropped.)
      '1 of 1 new pods cannot pull image "web:2" (ErrImagePull: failed to pull and unpack image ' +
        '"docker.io/library/nginx:1.231": docker.io/library/nginx:1.231: not found); the registry says the image does not exist',
    );
  });
  it('back-off whose Failed event says unauthorized fails at once', () => {
    const ev = event(backOff, 'Failed', 'Failed to pull image "web:2": 401 Unauthorized', 1);
    const verdict = judge(snapshot(deployment(), [oldRs, newRs], [backOff], [ev]), ctx, policy, t(2));
    expect(verdict.reason).toBe('ImagePullBackOff');
    expect(verdict.message).toMatch(/; the registry refused access \(check the image name and imagePullSecrets\)$/);
  });
  it('a transient back-off that recovered does not fail', () => {
    const recovered = pod({ name: 'web-bbb222-x', rs: newRs, running: true });
    const s = snapshot(deployment(), [oldRs, newRs], [recovered], [flaky]);
    expect(judge(s, ctx, policy, t(100)).state).toBe('progressing');
  });
  it("old pods in back-off are not the new revision's problem", () => {
    const old = pod({
      name: 'web-aaa111-x',
      rs: oldRs,
      waiting: { reason: 'ErrImagePull', message: 'manifest unknown' },
    });
    expect(judge(snapshot(deployment(), [oldRs, newRs], [old]), ctx, policy, t(100)).state).toBe('progressing');
  });
  it('InvalidImageName fails at once', () => {
    const p = pod({
      name: 'web-bbb222-x',
      rs: newRs,
      waiting: { reason: 'InvalidImageName', message: 'Failed to apply default image tag "web::2"' },
    });
    const verdict = judge(snapshot(deployment(), [oldRs, newRs], [p]), ctx, policy, t(1));
    expect(verdict.reason).toBe('InvalidImageName');
    expect(verdict.message).toBe(
      '1 of 1 new pods cannot start: the image reference "web:2" of container "web" is invalid (InvalidImageName: Failed to apply default image tag "web::2")',
    );
  });
});

describe('crash loops', () => {
  const noAtOnce = { ...policy, crashLoopFailsAtOnce: false };
  const crash = (restartCount: number) =>
    pod({
      name: 'web-bbb222-x',
      rs: newRs,
      restartCount,
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' },
      lastTerminated: { exitCode: 1, reason: 'Error', finishedAt: 5 },
    });
  it('one CrashLoopBackOff fails at once by default', () => {
    const verdict = judge(snapshot(deployment(), [oldRs, newRs], [crash(1)]), ctx, policy, t(6));
    expect(verdict.reason).toBe('CrashLoopBackOff');
    expect(verdict.message).toBe(
      '1 of 1 new pods keep crashing (CrashLoopBackOff): container "web" of pod "web-bbb222-x" exited with code 1 (Error) and was restarted 1 time',
    );
  });
  it('restart threshold exactly: 2 progressing, 3 failed', () => {
    expect(judge(snapshot(deployment(), [oldRs, newRs], [crash(2)]), ctx, noAtOnce, t(6)).state).toBe('progressing');
    expect(judge(snapshot(deployment(), [oldRs, newRs], [crash(3)]), ctx, noAtOnce, t(6)).reason).toBe(
      'CrashLoopBackOff',
    );
  });
});

describe('restarts and back-offs count from the change (issue 9 #4)', () => {
  const noAtOnce = { ...policy, crashLoopFailsAtOnce: false };
  /** A pod of the new RS that existed before the apply with 5 restarts (e.g. a scale-up, a rollback). */
  const old = (restartCount: number, waiting?: { reason: string; message?: string }) =>
    pod({
      name: 'web-bbb222-old',
      rs: newRs,
      restartCount,
      running: !waiting,
      ...(waiting ? { waiting } : {}),
      lastTerminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: -600_000 + restartCount },
    });
  const baseline = restartBaselineOf([old(5)]);
  const since: RolloutContext = { ...ctx, restartBaseline: baseline };

  it('the baseline holds every container of every live pod by uid', () => {
    expect(baseline).toEqual({ 'uid-web-bbb222-old': { web: 5 } });
  });
  it('restart threshold counted from the baseline: 5+2 progressing, 5+3 failed, saying since when', () => {
    expect(judge(snapshot(deployment(), [oldRs, newRs], [old(7)]), since, noAtOnce, t(6)).state).toBe('progressing');
    const verdict = judge(snapshot(deployment(), [oldRs, newRs], [old(8)]), since, noAtOnce, t(6));
    expect(verdict.reason).toBe('CrashLoopBackOff');
    expect(verdict.message).toBe(
      '1 of 1 new pods keep restarting: container "web" of pod "web-bbb222-old" exited with code 137 (OOMKilled) ' +
        'and was restarted 3 times since the apply (8 in all)',
    );
    // Without a baseline (every pod new), the old restarts fail it at once: what issue 9 #4 was.
    expect(judge(snapshot(deployment(), [oldRs, newRs], [old(5)]), ctx, noAtOnce, t(6)).reason).toBe(
      'CrashLoopBackOff',
    );
    expect(judge(snapshot(deployment(), [oldRs, newRs], [old(5)]), since, noAtOnce, t(6)).state).toBe('progressing');
  });
  it('in rollback mode the message says since the rollback', () => {
    const verdict = judgeRollback(snapshot(deployment(), [oldRs, newRs], [old(8)]), since, noAtOnce, t(6));
    expect(verdict.message).toMatch(/and was restarted 3 times since the rollback \(8 in all\)$/);
  });
  it('a pod created after the apply counts fully: its 3rd restart fails', () => {
    const fresh = (restartCount: number) =>
      pod({ name: 'web-bbb222-new', rs: newRs, restartCount, running: true, createdAt: 1 });
    expect(judge(snapshot(deployment(), [oldRs, newRs], [old(5), fresh(2)]), since, noAtOnce, t(9)).state).toBe(
      'progressing',
    );
    expect(judge(snapshot(deployment(), [oldRs, newRs], [old(5), fresh(3)]), since, noAtOnce, t(9)).message).toBe(
      '1 of 2 new pods keep restarting: container "web" of pod "web-bbb222-new" keeps exiting and was restarted 3 times',
    );
  });
  it('a CrashLoopBackOff of a pre-existing pod counts only once it restarted since the apply', () => {
    const backOff = { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' };
    expect(judge(snapshot(deployment(), [oldRs, newRs], [old(5, backOff)]), since, policy, t(6)).state).toBe(
      'progressing',
    );
    const verdict = judge(snapshot(deployment(), [oldRs, newRs], [old(6, backOff)]), since, policy, t(6));
    expect(verdict.message).toBe(
      '1 of 1 new pods keep crashing (CrashLoopBackOff): container "web" of pod "web-bbb222-old" exited with code 137 ' +
        '(OOMKilled) and was restarted 1 time since the apply (6 in all)',
    );
  });
  it('a pull back-off on a pre-existing pod: the grace window starts at the apply, not at its old events', () => {
    const p = pod({
      name: 'web-bbb222-old',
      rs: newRs,
      createdAt: -3600,
      waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "web:2"' },
    });
    const s = snapshot(
      deployment(),
      [oldRs, newRs],
      [p],
      [event(p, 'BackOff', 'Back-off pulling image "web:2"', -3000)],
    );
    const withBaseline: RolloutContext = { ...ctx, restartBaseline: restartBaselineOf([p]) };
    expect(judge(s, withBaseline, policy, t(30)).state).toBe('progressing');
    expect(judge(s, withBaseline, policy, t(30.001)).message).toBe(
      '1 of 1 new pods cannot pull image "web:2" (ImagePullBackOff: Back-off pulling image "web:2") for 30.001 s (grace 30 s)',
    );
    expect(judge(s, ctx, policy, t(0)).reason).toBe('ImagePullBackOff');
  });
});

describe('config errors', () => {
  const cfg = (message: string) =>
    pod({ name: 'web-bbb222-x', rs: newRs, waiting: { reason: 'CreateContainerConfigError', message } });
  it('missing ConfigMap: grace measured from the first Failed event', () => {
    const p = cfg('configmap "web-config" not found');
    const s = snapshot(
      deployment(),
      [oldRs, newRs],
      [p],
      [event(p, 'Failed', 'Error: configmap "web-config" not found', 4, 3)],
    );
    expect(judge(s, ctx, policy, t(24)).state).toBe('progressing');
    const verdict = judge(s, ctx, policy, t(24.001));
    expect(verdict.message).toBe(
      '1 of 1 new pods cannot create container "web" (CreateContainerConfigError: configmap "web-config" not found) for 20.001 s (grace 20 s)',
    );
    expect(verdict.failure?.evidence[0]?.events).toEqual(['Failed: Error: configmap "web-config" not found (x3)']);
  });
  it('the transient cache-sync error never fails (stall aside)', () => {
    const p = cfg('failed to sync configmap cache: timed out waiting for the condition');
    expect(judge(snapshot(deployment(), [oldRs, newRs], [p]), ctx, policy, t(170)).state).toBe('progressing');
  });
});

describe('scheduling and replica failures', () => {
  it("Unschedulable: window from the condition's lastTransitionTime", () => {
    const p = pod({
      name: 'web-bbb222-x',
      rs: newRs,
      conditions: [
        condition('PodScheduled', 'False', 'Unschedulable', 1, '0/3 nodes are available: 3 Insufficient cpu.'),
      ],
    });
    const s = snapshot(deployment(), [oldRs, newRs], [p]);
    expect(judge(s, ctx, policy, t(61)).state).toBe('progressing');
    expect(judge(s, ctx, policy, t(61.001)).message).toBe(
      '1 of 1 new pods cannot be scheduled; pod "web-bbb222-x" has been unschedulable for 60.001 s (grace 60 s): 0/3 nodes are available: 3 Insufficient cpu.',
    );
  });
  it('ReplicaFailure on the new RS fails at once', () => {
    const failing = {
      ...newRs,
      status: {
        replicas: 0,
        conditions: [
          condition('ReplicaFailure', 'True', 'FailedCreate', 1, 'pods "web-bbb222-x" is forbidden: exceeded quota: q'),
        ],
      },
    };
    expect(judge(snapshot(deployment(), [oldRs, failing]), ctx, policy, t(2)).message).toBe(
      'ReplicaSet "web-bbb222" cannot create pods (FailedCreate: pods "web-bbb222-x" is forbidden: exceeded quota: q)',
    );
  });
});

describe('deadlines, stalls, timeout', () => {
  const pde = (seconds: number) =>
    condition(
      'Progressing',
      'False',
      'ProgressDeadlineExceeded',
      seconds,
      'ReplicaSet "web-bbb222" has timed out progressing.',
    );
  it('ProgressDeadlineExceeded fails', () => {
    const verdict = judge(
      snapshot(deployment({ conditions: [pde(30)], progressDeadlineSeconds: 30 }), [oldRs, newRs]),
      ctx,
      policy,
      t(31),
    );
    expect(verdict.reason).toBe('ProgressDeadlineExceeded');
    expect(verdict.message).toBe(
      'deployment "web" exceeded its progress deadline (30 s without progress): ReplicaSet "web-bbb222" has timed out progressing.',
    );
  });
  it('a stale ProgressDeadlineExceeded is ignored while verifying a rollback', () => {
    const rollbackCtx = { appliedAt: t(700), appliedGeneration: 3 };
    const d = deployment({ generation: 3, updated: 3, total: 3, available: 3, conditions: [pde(600)] });
    expect(judgeRollback(snapshot(d, [oldRs, newRs]), rollbackCtx, policy, t(705)).state).toBe('succeeded');
    const progressing = deployment({ generation: 3, conditions: [pde(600)] });
    expect(judgeRollback(snapshot(progressing, [oldRs, newRs]), rollbackCtx, policy, t(705)).state).toBe('progressing');
    expect(
      judgeRollback(
        snapshot(deployment({ generation: 3, conditions: [pde(710)] }), [oldRs, newRs]),
        rollbackCtx,
        policy,
        t(711),
      ).reason,
    ).toBe('ProgressDeadlineExceeded');
  });
  it("stall: no progress since the condition's lastUpdateTime", () => {
    const d = deployment({ conditions: [condition('Progressing', 'True', 'ReplicaSetUpdated', 10)] });
    expect(judge(snapshot(d, [oldRs, newRs]), ctx, policy, t(190)).state).toBe('progressing');
    const verdict = judge(snapshot(d, [oldRs, newRs]), ctx, policy, t(190.001));
    expect(verdict.message).toBe(
      `deployment "web" stalled at 1 of 3 updated, 3 ready, 3 available: no progress for 180.001 s (stall window 180 s); ${WAITING}`,
    );
  });
  it('timeout boundary', () => {
    const lax = { ...policy, stallSeconds: 10_000 };
    expect(judge(snapshot(deployment(), [oldRs, newRs]), ctx, lax, t(600)).state).toBe('progressing');
    expect(judge(snapshot(deployment(), [oldRs, newRs]), ctx, lax, t(600.001)).message).toBe(
      `rollout did not finish within the timeout of 10m (600.001 s elapsed); last status: ${WAITING}`,
    );
  });
});

describe('policy', () => {
  it('parses durations', () => {
    expect([parseDuration('10m'), parseDuration('90s'), parseDuration('1h30m'), parseDuration('45')]).toEqual([
      600, 90, 5400, 45,
    ]);
    expect(() => parseDuration('10 minutes')).toThrow(
      'invalid duration "10 minutes": unexpected "10 minutes"; use e.g. 45, 90s, 10m or 1h30m',
    );
    expect(() => parseDuration('')).toThrow('it is empty');
  });
  it('warns when the timeout is shorter than progressDeadlineSeconds', () => {
    expect(policyWarnings({ ...policy, timeoutSeconds: 300 }, deployment())[0]).toBe(
      'deployment "web": the gate timeout (5m) is shorter than progressDeadlineSeconds (600s); the gate gives up before Kubernetes would report ProgressDeadlineExceeded',
    );
  });
});

describe('registryAnswer', () => {
  it.each([
    [
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.231": failed to resolve reference "docker.io/library/nginx:1.231": docker.io/library/nginx:1.231: not found',
      'nginx:1.231',
      'not found',
    ],
    [
      'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/acme/private:2": failed to resolve reference "docker.io/acme/private:2": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
      'acme/private:2',
      'pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    ],
    ['manifest for web:2 not found: manifest unknown', 'web:2', 'manifest unknown'],
    ['Back-off pulling image', 'web:2', 'Back-off pulling image'],
  ])('%s', (message, image, answer) => {
    expect(registryAnswer(message, image)).toBe(answer);
  });
});
