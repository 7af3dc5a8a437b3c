import { describe, expect, it } from '@jest/globals';
import type { ControllerRevision, DaemonSet, KubeEvent, Pod, StatefulSet } from '../../src/k8s/objects.js';
import { judgeWorkload } from '../../src/rollout/judge.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import type { RolloutContext, WorkloadSnapshot } from '../../src/rollout/snapshot.js';
import { daemonSetRollout, statefulSetRollout } from '../../src/rollout/workloads/index.js';
import { at, condition, pod, replicaSet, t, template } from './builders.js';

const policy = DEFAULT_POLICY;
const ctx: RolloutContext = { appliedAt: t(0), appliedGeneration: 2, name: 'web' };

/** A ControllerRevision of `owner` holding the template of `image` (data as getPatch writes it). */
function revision(
  owner: { kind: string; uid: string },
  name: string,
  number: number,
  image: string,
  hash?: string,
): ControllerRevision {
  const tpl = template(image);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web', ...(hash ? { 'controller-revision-hash': hash } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: 'web', uid: owner.uid, controller: true }],
    },
    // Go encodes a zero creationTimestamp as null and always writes resources: {}.
    data: {
      spec: {
        template: {
          $patch: 'replace',
          metadata: { creationTimestamp: null, labels: tpl.metadata!.labels },
          spec: { containers: [{ image, name: 'web', resources: {} }] },
        },
      },
    },
    revision: number,
  };
}

/** A pod of `owner` at revision label `label`, built like the Deployment tests' pods. */
function workloadPod(
  owner: { kind: string; uid: string },
  name: string,
  image: string,
  label: string,
  state: Parameters<typeof pod>[0] extends infer O ? Omit<O & object, 'name' | 'rs'> : never,
): Pod {
  const p = pod({ ...state, name, rs: replicaSet({ revision: 1, image, hash: 'x' }) });
  p.metadata.labels = { app: 'web', 'controller-revision-hash': label };
  p.metadata.ownerReferences = [
    { apiVersion: 'apps/v1', kind: owner.kind, name: 'web', uid: owner.uid, controller: true },
  ];
  return p;
}

const STS = { kind: 'StatefulSet', uid: 'uid-sts' };

function statefulSet(o: {
  image?: string;
  replicas?: number;
  partition?: number;
  strategy?: 'RollingUpdate' | 'OnDelete';
  observedGeneration?: number;
  ready?: number;
  updated?: number;
  current?: number;
  currentRevision?: string;
  updateRevision?: string;
}): StatefulSet {
  const strategy = o.strategy ?? 'RollingUpdate';
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: STS.uid, generation: 2 },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image ?? 'web:2'),
      updateStrategy:
        strategy === 'OnDelete'
          ? { type: 'OnDelete' }
          : { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
    },
    status: {
      observedGeneration: o.observedGeneration ?? 2,
      replicas: o.replicas ?? 3,
      readyReplicas: o.ready ?? 3,
      currentReplicas: o.current ?? 2,
      updatedReplicas: o.updated ?? 1,
      availableReplicas: o.ready ?? 3,
      currentRevision: o.currentRevision ?? 'web-old',
      updateRevision: o.updateRevision ?? 'web-new',
    },
  };
}

const stsRevisions = [revision(STS, 'web-old', 1, 'web:1'), revision(STS, 'web-new', 2, 'web:2')];

function stsSnapshot(set: StatefulSet | undefined, pods: Pod[] = [], events: KubeEvent[] = []): WorkloadSnapshot {
  return { workload: set, replicaSets: [], revisions: stsRevisions, pods, events };
}

describe('StatefulSet rollouts (kubectl viewer, update-revision pods)', () => {
  const stable = (name: string, label: string, image: string) =>
    workloadPod(STS, name, image, label, {
      running: true,
      createdAt: -100,
      conditions: [condition('Ready', 'True', '', -100)],
    });

  it("waits with kubectl's partitioned line, then succeeds once every updated pod is stable", () => {
    const moving = statefulSet({ updated: 1 });
    expect(judgeWorkload(statefulSetRollout, stsSnapshot(moving), ctx, policy, t(5))).toEqual({
      state: 'progressing',
      message: 'Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated...',
      progressLine: 'Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated...',
    });
    const done = statefulSet({ updated: 3, current: 3, currentRevision: 'web-new' });
    const pods = ['web-0', 'web-1', 'web-2'].map((n) => stable(n, 'web-new', 'web:2'));
    expect(judgeWorkload(statefulSetRollout, stsSnapshot(done, pods), ctx, policy, t(5))).toEqual({
      state: 'succeeded',
      message: 'partitioned roll out complete: 3 new pods have been updated...',
      progressLine: 'partitioned roll out complete: 3 new pods have been updated...',
    });
  });

  it('does not trust a status that predates the applied generation', () => {
    const stale = statefulSet({ updated: 3, current: 3, observedGeneration: 1 });
    expect(judgeWorkload(statefulSetRollout, stsSnapshot(stale), ctx, policy, t(5))).toMatchObject({
      state: 'progressing',
      message: 'Waiting for statefulset spec update to be observed...',
    });
  });

  it('does not trust a watch cache older than the generation the gate applied', () => {
    // Stored generation 2 observed, but the apply returned generation 3: this observation is stale.
    const done = statefulSet({ updated: 3, current: 3, currentRevision: 'web-new' });
    const pods = ['web-0', 'web-1', 'web-2'].map((n) => stable(n, 'web-new', 'web:2'));
    expect(
      judgeWorkload(statefulSetRollout, stsSnapshot(done, pods), { ...ctx, appliedGeneration: 3 }, policy, t(5)).state,
    ).toBe('progressing');
  });

  it('waits for the stability window on the update revision pods: at 10 s waiting, 1 ms later succeeded', () => {
    const done = statefulSet({ updated: 3, current: 3, currentRevision: 'web-new' });
    const fresh = (name: string) =>
      workloadPod(STS, name, 'web:2', 'web-new', {
        running: true,
        createdAt: 0,
        conditions: [condition('Ready', 'True', '', 0)],
      });
    const snapshot = stsSnapshot(done, ['web-0', 'web-1', 'web-2'].map(fresh));
    expect(judgeWorkload(statefulSetRollout, snapshot, ctx, policy, t(10))).toMatchObject({
      state: 'progressing',
      message: 'Waiting for 3 new pods to stay ready for 10 s (10 s so far)...',
    });
    expect(judgeWorkload(statefulSetRollout, snapshot, ctx, policy, t(10.001)).state).toBe('succeeded');
  });

  it('a canary with partition 2 is done when the one pod above the partition is updated', () => {
    const canary = statefulSet({ partition: 2, updated: 1, current: 2 });
    const pods = [
      stable('web-0', 'web-old', 'web:1'),
      stable('web-1', 'web-old', 'web:1'),
      stable('web-2', 'web-new', 'web:2'),
    ];
    expect(judgeWorkload(statefulSetRollout, stsSnapshot(canary, pods), ctx, policy, t(5)).message).toBe(
      'partitioned roll out complete: 1 new pods have been updated...',
    );
  });

  it('OrderedReady stuck at ordinal 2 on a missing image fails on that pod, not on the old ones', () => {
    const stuck = workloadPod(STS, 'web-2', 'web:typo', 'web-new', {
      createdAt: 1,
      waiting: {
        reason: 'ErrImagePull',
        message:
          'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/web:typo": not found',
      },
    });
    // An old pod with its own old pull trouble is not the new revision's problem.
    const old = workloadPod(STS, 'web-1', 'web:1', 'web-old', {
      createdAt: -100,
      waiting: { reason: 'ImagePullBackOff' },
    });
    const set = statefulSet({ image: 'web:typo', ready: 2, updated: 1 });
    const snapshot: WorkloadSnapshot = {
      ...stsSnapshot(set, [old, stuck]),
      revisions: [revision(STS, 'web-old', 1, 'web:1'), revision(STS, 'web-new', 2, 'web:typo')],
    };
    const verdict = judgeWorkload(statefulSetRollout, snapshot, ctx, policy, t(3));
    expect(verdict.state).toBe('failed');
    expect(verdict.reason).toBe('ErrImagePull');
    expect(verdict.message).toMatch(
      /^1 of 1 new pods cannot pull image "web:typo" \(ErrImagePull: .*\); the registry says the image does not exist$/,
    );
    expect(verdict.failure?.evidence[0]?.pod).toBe('web-2');
  });

  it('finds the revision being rolled out by template before the controller reports it', () => {
    // The controller has not observed generation 2 yet: updateRevision is still the old one.
    const set = statefulSet({ observedGeneration: 1, updateRevision: 'web-old', updated: 0 });
    const crashing = workloadPod(STS, 'web-2', 'web:2', 'web-new', {
      createdAt: 0,
      restartCount: 3,
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=web pod=web-2' },
    });
    expect(judgeWorkload(statefulSetRollout, stsSnapshot(set, [crashing]), ctx, policy, t(30)).reason).toBe(
      'CrashLoopBackOff',
    );
  });

  it('OnDelete cannot be rolled out: says so and what to do', () => {
    const verdict = judgeWorkload(
      statefulSetRollout,
      stsSnapshot(statefulSet({ strategy: 'OnDelete' })),
      ctx,
      policy,
      t(1),
    );
    expect(verdict.reason).toBe('OnDelete');
    expect(verdict.message).toBe(
      'statefulset "web" uses updateStrategy OnDelete: its pods get the new template only when they are deleted, ' +
        'so the gate cannot roll it out; delete its pods one at a time (kubectl delete pod web-2, ..., web-0) and ' +
        'watch them come back, or switch to updateStrategy RollingUpdate, or annotate it rollout-gate.dev/wait: ' +
        '"false" to apply it without waiting',
    );
  });

  it('stalls at the window boundary: at 180 s still progressing, 1 ms later Stalled', () => {
    const set = statefulSet({ updated: 1, ready: 2 });
    const at180 = judgeWorkload(statefulSetRollout, stsSnapshot(set), ctx, policy, t(180));
    expect(at180.state).toBe('progressing');
    const after = judgeWorkload(statefulSetRollout, stsSnapshot(set), ctx, policy, t(180.001));
    expect(after.reason).toBe('Stalled');
    expect(after.message).toBe(
      'statefulset "web" stalled at 1 of 3 updated, 2 ready, 2 available: no progress for 180.001 s ' +
        '(stall window 180 s); Waiting for 1 pods to be ready...',
    );
  });

  it('a FailedCreate since the apply fails as ReplicaFailure; one from before the apply does not', () => {
    const set = statefulSet({ updated: 1 });
    const failedCreate = (seconds: number): KubeEvent => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `web.${seconds}`, namespace: 'default' },
      involvedObject: { kind: 'StatefulSet', name: 'web', namespace: 'default', uid: STS.uid },
      reason: 'FailedCreate',
      message: 'create Pod web-2 in StatefulSet web failed error: pods "web-2" is forbidden: exceeded quota: q',
      type: 'Warning',
      count: 1,
      firstTimestamp: at(seconds),
      lastTimestamp: at(seconds),
    });
    expect(judgeWorkload(statefulSetRollout, stsSnapshot(set, [], [failedCreate(-5)]), ctx, policy, t(2)).state).toBe(
      'progressing',
    );
    const verdict = judgeWorkload(statefulSetRollout, stsSnapshot(set, [], [failedCreate(1)]), ctx, policy, t(2));
    expect(verdict.reason).toBe('ReplicaFailure');
    expect(verdict.message).toBe(
      'statefulset "web" cannot create pods (FailedCreate: create Pod web-2 in StatefulSet web failed error: ' +
        'pods "web-2" is forbidden: exceeded quota: q)',
    );
  });

  it('a StatefulSet not created yet waits, then times out', () => {
    expect(judgeWorkload(statefulSetRollout, stsSnapshot(undefined), ctx, policy, t(600)).message).toBe(
      'Waiting for statefulset "web" to be created...',
    );
    expect(judgeWorkload(statefulSetRollout, stsSnapshot(undefined), ctx, policy, t(600.001)).reason).toBe('Timeout');
  });
});

const DS = { kind: 'DaemonSet', uid: 'uid-ds' };

function daemonSet(o: {
  updated?: number;
  available?: number;
  strategy?: 'RollingUpdate' | 'OnDelete';
  image?: string;
}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'web', namespace: 'default', uid: DS.uid, generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image ?? 'web:2'),
      updateStrategy: { type: o.strategy ?? 'RollingUpdate' },
    },
    status: {
      observedGeneration: 2,
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      updatedNumberScheduled: o.updated ?? 1,
      numberReady: o.available ?? 2,
      numberAvailable: o.available ?? 2,
    },
  };
}

function dsSnapshot(ds: DaemonSet, pods: Pod[] = []): WorkloadSnapshot {
  return {
    workload: ds,
    replicaSets: [],
    revisions: [revision(DS, 'web-h1', 1, 'web:1', 'h1'), revision(DS, 'web-h2', 2, 'web:2', 'h2')],
    pods,
    events: [],
  };
}

describe('DaemonSet rollouts', () => {
  it("waits with kubectl's lines and succeeds with its success line", () => {
    expect(judgeWorkload(daemonSetRollout, dsSnapshot(daemonSet({ updated: 1 })), ctx, policy, t(5)).message).toBe(
      'Waiting for daemon set "web" rollout to finish: 1 out of 3 new pods have been updated...',
    );
    expect(
      judgeWorkload(daemonSetRollout, dsSnapshot(daemonSet({ updated: 3, available: 2 })), ctx, policy, t(5)).message,
    ).toBe('Waiting for daemon set "web" rollout to finish: 2 of 3 updated pods are available...');
    expect(
      judgeWorkload(daemonSetRollout, dsSnapshot(daemonSet({ updated: 3, available: 3 })), ctx, policy, t(5)),
    ).toMatchObject({
      state: 'succeeded',
      message: 'daemon set "web" successfully rolled out',
    });
  });

  it('a new image that crashes fails on the pods of the current hash only', () => {
    const crashing = workloadPod(DS, 'web-abcde', 'web:2', 'h2', {
      createdAt: 0,
      restartCount: 3,
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=web pod=web-abcde' },
      lastTerminated: { exitCode: 1, reason: 'Error', finishedAt: 20 },
    });
    const oldCrashing = workloadPod(DS, 'web-fghij', 'web:1', 'h1', {
      createdAt: -100,
      restartCount: 9,
      waiting: { reason: 'CrashLoopBackOff' },
    });
    expect(judgeWorkload(daemonSetRollout, dsSnapshot(daemonSet({}), [oldCrashing]), ctx, policy, t(30)).state).toBe(
      'progressing',
    );
    const verdict = judgeWorkload(
      daemonSetRollout,
      dsSnapshot(daemonSet({}), [oldCrashing, crashing]),
      ctx,
      policy,
      t(30),
    );
    expect(verdict.reason).toBe('CrashLoopBackOff');
    expect(verdict.failure?.evidence.map((e) => e.pod)).toEqual(['web-abcde']);
  });

  it('OnDelete cannot be rolled out', () => {
    const verdict = judgeWorkload(daemonSetRollout, dsSnapshot(daemonSet({ strategy: 'OnDelete' })), ctx, policy, t(1));
    expect(verdict.reason).toBe('OnDelete');
    expect(verdict.message).toContain('kubectl delete pod -l app=web --field-selector spec.nodeName=<node>');
  });
});
