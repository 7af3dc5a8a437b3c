import { describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { createSimulatedCluster, parseScenario } from '../../../src/cluster/sim/index.js';
import type { Job } from '../../../src/cluster/sim/controllers/job/types.js';
import { ApiError } from '../../../src/k8s/apiError.js';
import type { KubeObject, Pod } from '../../../src/k8s/objects.js';

function cluster(images: Record<string, object>) {
  const { simulation } = createSimulatedCluster(
    parseScenario(dump({ images: { default: { pullSeconds: 2, startSeconds: 1 }, ...images } })),
  );
  return simulation;
}

function job(name: string, spec: Record<string, unknown>, podSpec: Record<string, unknown> = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      ...spec,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'task:1' }], ...podSpec } },
    },
  };
}

const pods = (sim: ReturnType<typeof cluster>) =>
  sim.store
    .list<Pod>('Pod', 'default')
    .sort((a, b) => a.metadata.creationTimestamp!.localeCompare(b.metadata.creationTimestamp!));

describe('Job defaults and validation (SetDefaults_Job, generateSelector, ValidateJob)', () => {
  it('fills the defaults, the generated selector and the four labels on template and Job', () => {
    const sim = cluster({});
    const created = sim.store.create<Job>('Job', job('migrate', {}));
    const uid = created.metadata.uid!;
    expect(created.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
    });
    const labels = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': 'migrate',
      'controller-uid': uid,
      'job-name': 'migrate',
    };
    expect(created.spec.template.metadata?.labels).toEqual(labels);
    expect(Object.keys(created.spec.template.metadata!.labels!)).toEqual(Object.keys(labels));
    expect(created.metadata.labels).toEqual(labels);
  });

  it('keeps the labels a Job was created with', () => {
    const sim = cluster({});
    const created = sim.store.create<Job>('Job', {
      ...job('migrate', {}),
      metadata: { name: 'migrate', labels: { team: 'db' } },
    });
    expect(created.metadata.labels).toEqual({ team: 'db' });
  });

  it.each([
    [
      {},
      { restartPolicy: undefined },
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ],
    [
      {},
      { restartPolicy: 'Always' },
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ],
    [{ backoffLimit: -1 }, {}, 'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0'],
    [{ parallelism: -2 }, {}, 'spec.parallelism: Invalid value: -2: must be greater than or equal to 0'],
  ])('refuses %j %j: %s', (spec, podSpec, message) => {
    const sim = cluster({});
    const bad = job('bad', spec, podSpec);
    if ('restartPolicy' in podSpec && podSpec.restartPolicy === undefined)
      delete (bad.spec as { template: { spec: { restartPolicy?: string } } }).template.spec.restartPolicy;
    expect(() => sim.store.create('Job', bad)).toThrow(
      new ApiError(422, 'Invalid', `Job.batch "bad" is invalid: ${message}`),
    );
  });

  it('refuses a template change of a running Job (field is immutable)', () => {
    const sim = cluster({});
    const created = sim.store.create<Job>('Job', job('migrate', {}));
    const edited = structuredClone(created);
    edited.spec.template.spec!.containers[0]!.image = 'task:2';
    expect(() => sim.store.update('Job', edited)).toThrow(
      /^Job\.batch "migrate" is invalid: spec\.template: Invalid value: .*: field is immutable$/,
    );
  });
});

describe('kubelet restart policies (ShouldContainerBeRestarted, getPhase)', () => {
  const finished = (restartPolicy: string, exitCode: number) => {
    const sim = cluster({ 'task:1': { runSeconds: 5, exitCode } });
    sim.store.create('Pod', {
      metadata: { name: 'p', namespace: 'default' },
      spec: { restartPolicy, containers: [{ name: 'c', image: 'task:1' }] },
    });
    sim.advance(20_000);
    return sim.store.get<Pod>('Pod', 'default', 'p')!;
  };

  it('Never + exit 0: Succeeded, Completed, Ready False PodCompleted', () => {
    const pod = finished('Never', 0);
    expect(pod.status?.phase).toBe('Succeeded');
    const cs = pod.status!.containerStatuses![0]!;
    expect(cs).toMatchObject({
      ready: false,
      started: false,
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    const conditions = Object.fromEntries(pod.status!.conditions!.map((c) => [c.type, [c.status, c.reason]]));
    expect(conditions).toEqual({
      PodReadyToStartContainers: ['False', undefined],
      Initialized: ['True', 'PodCompleted'],
      Ready: ['False', 'PodCompleted'],
      ContainersReady: ['False', 'PodCompleted'],
      PodScheduled: ['True', undefined],
    });
  });

  it('Never + exit 1: Failed, Error, Ready False PodFailed, no restart', () => {
    const pod = finished('Never', 1);
    expect(pod.status?.phase).toBe('Failed');
    expect(pod.status!.containerStatuses![0]).toMatchObject({
      restartCount: 0,
      state: { terminated: { exitCode: 1, reason: 'Error' } },
    });
    expect(pod.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodFailed',
    });
  });

  it('OnFailure + exit 0: Succeeded without restart', () => {
    const pod = finished('OnFailure', 0);
    expect(pod.status?.phase).toBe('Succeeded');
    expect(pod.status!.containerStatuses![0]!.restartCount).toBe(0);
  });

  it('OnFailure + exit 1: restarted with the crash back-off, the pod stays Running', () => {
    const pod = finished('OnFailure', 1);
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status!.containerStatuses![0]!.restartCount).toBeGreaterThanOrEqual(1);
    expect(pod.status!.containerStatuses![0]!.lastState).toMatchObject({
      terminated: { exitCode: 1, reason: 'Error' },
    });
  });

  it('Always + exit 0: restarted, as a Deployment pod whose process ends', () => {
    const pod = finished('Always', 0);
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status!.containerStatuses![0]!.lastState).toMatchObject({
      terminated: { exitCode: 0, reason: 'Completed' },
    });
  });
});

describe('Job controller', () => {
  it('names Indexed pods <job>-<index>-<5 chars> with the completion index and records completedIndexes', () => {
    const sim = cluster({ 'task:1': { runSeconds: 3 } });
    sim.store.create('Job', job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    sim.settle();
    const created = pods(sim);
    expect(created.map((p) => p.metadata.name)).toEqual([
      expect.stringMatching(/^idx-0-[a-z0-9]{5}$/),
      expect.stringMatching(/^idx-1-[a-z0-9]{5}$/),
      expect.stringMatching(/^idx-2-[a-z0-9]{5}$/),
    ]);
    const first = created[0]!;
    expect(first.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).toBe('0');
    expect(first.metadata.labels?.['batch.kubernetes.io/job-completion-index']).toBe('0');
    expect(first.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    expect(first.spec.hostname).toBe('idx-0');
    expect(sim.runUntil(() => !!sim.store.get<Job>('Job', 'default', 'idx')?.status?.completionTime, 60_000)).toBe(
      true,
    );
    expect(sim.store.get<Job>('Job', 'default', 'idx')!.status).toMatchObject({
      succeeded: 3,
      completedIndexes: '0-2',
    });
    for (const p of pods(sim)) expect(p.metadata.finalizers).toBeUndefined();
  });

  it('suspends (deletes the active pods, Suspended condition and event) and resumes (new startTime)', () => {
    const sim = cluster({ 'task:1': { runSeconds: 60 } });
    sim.store.create('Job', job('s', { parallelism: 2, completions: 2 }));
    sim.advance(5_000);
    expect(pods(sim)).toHaveLength(2);
    const j = structuredClone(sim.store.get<Job>('Job', 'default', 's')!);
    j.spec.suspend = true;
    sim.store.update('Job', j);
    sim.advance(5_000);
    let now = sim.store.get<Job>('Job', 'default', 's')!;
    expect(pods(sim)).toHaveLength(0);
    expect(now.status?.active).toBeUndefined();
    expect(now.status?.failed).toBeUndefined();
    expect(now.status!.conditions).toEqual([
      expect.objectContaining({ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }),
    ]);
    const resumed = structuredClone(now);
    resumed.spec.suspend = false;
    sim.store.update('Job', resumed);
    sim.settle();
    now = sim.store.get<Job>('Job', 'default', 's')!;
    expect(now.status!.conditions![0]).toMatchObject({
      type: 'Suspended',
      status: 'False',
      reason: 'JobResumed',
      message: 'Job resumed',
    });
    expect(now.status!.startTime).toBe(new Date(sim.clock.now()).toISOString().replace('.000Z', 'Z'));
    expect(pods(sim).filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(2);
    const reasons = sim.store.list<KubeObject & { reason?: string }>('Event', 'default').map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Suspended', 'Resumed', 'SuccessfulDelete']));
  });

  it('leaves a Job managed by another controller (spec.managedBy) alone', () => {
    const sim = cluster({});
    sim.store.create('Job', job('external', { managedBy: 'kueue.x-k8s.io/multikueue' }));
    sim.advance(5_000);
    expect(pods(sim)).toEqual([]);
    expect(sim.store.get<Job>('Job', 'default', 'external')!.status).toBeUndefined();
  });

  it('lets the pods of a deleted Job go: the orphans lose the job-tracking finalizer and are removed', () => {
    const sim = cluster({ 'task:1': { runSeconds: 60 } });
    sim.store.create('Job', job('gone', { parallelism: 2, completions: 2 }));
    sim.advance(5_000);
    expect(pods(sim).map((p) => p.metadata.finalizers)).toEqual([
      ['batch.kubernetes.io/job-tracking'],
      ['batch.kubernetes.io/job-tracking'],
    ]);
    sim.store.delete('Job', 'default', 'gone');
    sim.advance(5_000);
    expect(sim.store.get('Job', 'default', 'gone')).toBeUndefined();
    expect(pods(sim)).toEqual([]);
  });

  it('holds a deleted pod while it has the finalizer: the Job counts it as failed before it goes', () => {
    const sim = cluster({ 'task:1': { runSeconds: 60 } });
    sim.store.create('Job', job('kept', { backoffLimit: 5 }));
    sim.advance(5_000);
    const [first] = pods(sim);
    sim.store.delete('Pod', 'default', first!.metadata.name!);
    sim.advance(3_000);
    expect(sim.store.get('Pod', 'default', first!.metadata.name!)).toBeUndefined();
    // Counted as failed; the replacement waits for the 10 s pod failure back-off (manageJob reports 0 active).
    expect(sim.store.get<Job>('Job', 'default', 'kept')!.status).toMatchObject({ failed: 1 });
    expect(sim.store.get<Job>('Job', 'default', 'kept')!.status!.active).toBeUndefined();
    sim.advance(8_000);
    expect(sim.store.get<Job>('Job', 'default', 'kept')!.status).toMatchObject({ failed: 1, active: 1 });
    expect(pods(sim)).toHaveLength(1);
  });

  it('deletes the finished Job and its pods ttlSecondsAfterFinished after it finished, not a millisecond before', () => {
    const sim = cluster({ 'task:1': { runSeconds: 1 } });
    sim.store.create('Job', job('t', { ttlSecondsAfterFinished: 10 }));
    expect(sim.runUntil(() => !!sim.store.get<Job>('Job', 'default', 't')?.status?.completionTime, 60_000)).toBe(true);
    const done = Date.parse(sim.store.get<Job>('Job', 'default', 't')!.status!.completionTime!);
    sim.advance(done + 10_000 - 1 - sim.clock.now());
    expect(sim.store.get('Job', 'default', 't')).toBeDefined();
    sim.advance(1);
    expect(sim.store.get('Job', 'default', 't')).toBeUndefined();
    sim.advance(5_000);
    expect(pods(sim)).toHaveLength(0);
  });
});
