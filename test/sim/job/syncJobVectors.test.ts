import { describe, expect, it } from '@jest/globals';
import { Simulation } from '../../../src/cluster/sim/simulation.js';
import { JobController } from '../../../src/cluster/sim/controllers/job/jobController.js';
import { defaultJob, prepareJobForCreate } from '../../../src/cluster/sim/controllers/job/defaults.js';
import type { BackoffRecord } from '../../../src/cluster/sim/controllers/job/backoff.js';
import type { Job } from '../../../src/cluster/sim/controllers/job/types.js';
import { rfc3339 } from '../../../src/k8s/meta.js';
import type { Pod, PodStatus } from '../../../src/k8s/objects.js';

/**
 * Vectors transcribed from kubernetes/kubernetes pkg/controller/job/job_controller_test.go
 * (TestControllerSyncJob): one `syncJob` over a Job and pods in given phases, then the pods created or
 * deleted and the status counters. Our controller runs with the 1.31+ defaults (JobPodReplacementPolicy
 * and JobManagedBy on, so `terminating` is tracked and the interim SuccessCriteriaMet/FailureTarget
 * precede the terminal condition, which the table's `expectedConditions` names). Finished pods finished
 * long ago (upstream's test pods have a zero finish time), so no pod failure back-off applies unless the
 * case sets a back-off record. Cases about API errors, expectations and Job deletion are left out.
 */
interface Case {
  parallelism: number;
  /** -1: unset (a work-queue Job). */
  completions: number;
  backoffLimit?: number;
  indexed?: boolean;
  podReplacementPolicy?: 'Failed' | 'TerminatingOrFailed';
  backoffRecord?: BackoffRecord;
  pendingPods?: number;
  activePods?: number;
  readyPods?: number;
  succeededPods?: number;
  failedPods?: number;
  terminatingPods?: number;
  podsWithIndexes?: Array<[string, 'Succeeded' | 'Failed' | 'Running']>;
  expectedCreations?: number;
  expectedDeletions?: number;
  expectedActive?: number;
  expectedReady?: number;
  expectedSucceeded?: number;
  expectedFailed?: number;
  expectedTerminating?: number;
  expectedCompletedIdxs?: string;
  expectedCondition?: ['Complete' | 'Failed', string?, string?];
  expectedCreatedIndexes?: string[];
}

const CASES: Record<string, Case> = {
  'job start': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    expectedCreations: 2,
    expectedActive: 2,
    expectedReady: 0,
  },
  'WQ job start': {
    parallelism: 2,
    completions: -1,
    backoffLimit: 6,
    expectedCreations: 2,
    expectedActive: 2,
    expectedReady: 0,
  },
  'pending pods': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    pendingPods: 2,
    expectedActive: 2,
    expectedReady: 0,
  },
  'correct # of pods': {
    parallelism: 3,
    completions: 5,
    backoffLimit: 6,
    activePods: 3,
    readyPods: 2,
    expectedActive: 3,
    expectedReady: 2,
  },
  'WQ job: correct # of pods': {
    parallelism: 2,
    completions: -1,
    backoffLimit: 6,
    activePods: 2,
    expectedActive: 2,
    expectedReady: 0,
  },
  'too few active pods': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    activePods: 1,
    succeededPods: 1,
    expectedCreations: 1,
    expectedActive: 2,
    expectedSucceeded: 1,
    expectedReady: 0,
  },
  'WQ job: recreate pods when failed': {
    parallelism: 1,
    completions: -1,
    backoffLimit: 6,
    activePods: 1,
    failedPods: 1,
    podReplacementPolicy: 'Failed',
    terminatingPods: 1,
    expectedTerminating: 1,
    expectedReady: 0,
    expectedFailed: 1,
    expectedActive: 1,
  },
  'WQ job: turn on PodReplacementPolicy but not set PodReplacementPolicy': {
    parallelism: 1,
    completions: 1,
    backoffLimit: 6,
    activePods: 1,
    failedPods: 1,
    terminatingPods: 1,
    expectedTerminating: 1,
    expectedReady: 0,
    expectedActive: 1,
    expectedFailed: 2,
  },
  'WQ job: recreate pods when terminating or failed': {
    parallelism: 1,
    completions: -1,
    backoffLimit: 6,
    activePods: 1,
    failedPods: 1,
    podReplacementPolicy: 'TerminatingOrFailed',
    terminatingPods: 1,
    expectedTerminating: 1,
    expectedReady: 0,
    expectedActive: 1,
    expectedFailed: 2,
  },
  'more terminating pods than parallelism': {
    parallelism: 1,
    completions: 1,
    backoffLimit: 6,
    activePods: 2,
    terminatingPods: 4,
    podReplacementPolicy: 'Failed',
    expectedTerminating: 5,
    expectedReady: 0,
    expectedActive: 1,
    expectedDeletions: 1,
  },
  'too few active pods and active back-off': {
    parallelism: 1,
    completions: 1,
    backoffLimit: 6,
    backoffRecord: { failuresAfterLastSuccess: 1, lastFailureTime: 0 },
    expectedCreations: 0,
    expectedActive: 0,
    expectedSucceeded: 0,
    expectedReady: 0,
  },
  'too few active pods and no back-offs': {
    parallelism: 1,
    completions: 1,
    backoffLimit: 6,
    backoffRecord: { failuresAfterLastSuccess: 0, lastFailureTime: 0 },
    expectedCreations: 1,
    expectedActive: 1,
    expectedSucceeded: 0,
    expectedReady: 0,
  },
  'too few active pods with a dynamic job': {
    parallelism: 2,
    completions: -1,
    backoffLimit: 6,
    activePods: 1,
    expectedCreations: 1,
    expectedActive: 2,
    expectedReady: 0,
  },
  'too many active pods; PodReplacementPolicy enabled': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    activePods: 3,
    expectedDeletions: 1,
    expectedActive: 2,
    expectedReady: 0,
    expectedTerminating: 1,
  },
  'count ready pods when too many active pods': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    activePods: 3,
    readyPods: 3,
    expectedDeletions: 1,
    expectedActive: 2,
    expectedReady: 2,
  },
  'failed + succeed pods: reset backoff delay': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    activePods: 1,
    succeededPods: 1,
    failedPods: 1,
    expectedCreations: 1,
    expectedActive: 2,
    expectedSucceeded: 1,
    expectedFailed: 1,
    expectedReady: 0,
  },
  'new failed pod': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    activePods: 1,
    failedPods: 1,
    expectedCreations: 1,
    expectedActive: 2,
    expectedFailed: 1,
    expectedReady: 0,
  },
  'job finish': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    succeededPods: 5,
    expectedSucceeded: 5,
    expectedCondition: ['Complete'],
    expectedReady: 0,
  },
  'WQ job finishing': {
    parallelism: 2,
    completions: -1,
    backoffLimit: 6,
    activePods: 1,
    succeededPods: 1,
    expectedActive: 1,
    expectedSucceeded: 1,
    expectedReady: 0,
  },
  'WQ job all finished': {
    parallelism: 2,
    completions: -1,
    backoffLimit: 6,
    succeededPods: 2,
    expectedSucceeded: 2,
    expectedCondition: ['Complete'],
    expectedReady: 0,
  },
  'WQ job all finished despite one failure': {
    parallelism: 2,
    completions: -1,
    backoffLimit: 6,
    succeededPods: 1,
    failedPods: 1,
    expectedSucceeded: 1,
    expectedFailed: 1,
    expectedCondition: ['Complete'],
    expectedReady: 0,
  },
  'more active pods than parallelism': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    activePods: 10,
    expectedDeletions: 8,
    expectedActive: 2,
    expectedReady: 0,
  },
  'more active pods than remaining completions': {
    parallelism: 3,
    completions: 4,
    backoffLimit: 6,
    activePods: 3,
    succeededPods: 2,
    expectedDeletions: 1,
    expectedActive: 2,
    expectedSucceeded: 2,
    expectedReady: 0,
  },
  'status change': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    activePods: 2,
    succeededPods: 2,
    expectedActive: 2,
    expectedSucceeded: 2,
    expectedReady: 0,
  },
  // Upstream marks this Job as being deleted; the failure rule is the same for a live Job.
  'too many job failures': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 0,
    failedPods: 1,
    expectedFailed: 1,
    expectedCondition: ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    expectedReady: 0,
  },
  'indexed job start': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    indexed: true,
    expectedCreations: 2,
    expectedActive: 2,
    expectedCreatedIndexes: ['0', '1'],
    expectedReady: 0,
  },
  'indexed job with some pods deleted, podReplacementPolicy TerminatingOrFailed': {
    parallelism: 2,
    completions: 5,
    backoffLimit: 6,
    indexed: true,
    podReplacementPolicy: 'TerminatingOrFailed',
    terminatingPods: 1,
    expectedCreations: 2,
    expectedActive: 2,
    expectedCreatedIndexes: ['0', '1'],
    expectedTerminating: 1,
    expectedReady: 0,
  },
  'indexed job completed': {
    parallelism: 2,
    completions: 3,
    backoffLimit: 6,
    indexed: true,
    podsWithIndexes: [
      ['0', 'Succeeded'],
      ['1', 'Failed'],
      ['1', 'Succeeded'],
      ['2', 'Succeeded'],
    ],
    expectedSucceeded: 3,
    expectedFailed: 1,
    expectedCompletedIdxs: '0-2',
    expectedCondition: ['Complete'],
    expectedReady: 0,
  },
};

const HOUR = 3_600_000;

function setUp(c: Case) {
  const sim = new Simulation([(ctx) => new JobController(ctx)], {
    kindHooks: { Job: { applyDefaults: defaultJob, prepareForCreate: prepareJobForCreate } },
  });
  sim.store.create('Namespace', { metadata: { name: 'default' } });
  const spec: Record<string, unknown> = {
    parallelism: c.parallelism,
    backoffLimit: c.backoffLimit ?? 0,
    ...(c.completions >= 0 ? { completions: c.completions } : {}),
    ...(c.indexed ? { completionMode: 'Indexed' } : {}),
    ...(c.podReplacementPolicy ? { podReplacementPolicy: c.podReplacementPolicy } : {}),
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'task:1' }] } },
  };
  const job = sim.store.create<Job>('Job', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default' },
    spec,
  } as Job);
  const now = sim.clock.now();
  let n = 0;
  const pod = (
    phase: NonNullable<PodStatus['phase']>,
    opts: { ready?: boolean; index?: string; terminating?: boolean } = {},
  ) => {
    const created = sim.store.create<Pod>('Pod', {
      metadata: {
        name: `j-pod-${n++}`,
        namespace: 'default',
        labels: job.spec.selector!.matchLabels!,
        ...(opts.index !== undefined
          ? { annotations: { 'batch.kubernetes.io/job-completion-index': opts.index } }
          : {}),
        finalizers: ['batch.kubernetes.io/job-tracking'],
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'Job',
            name: 'j',
            uid: job.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'task:1' }] },
    });
    const finished = phase === 'Succeeded' || phase === 'Failed';
    const status: PodStatus = {
      phase,
      conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False', lastTransitionTime: rfc3339(now - HOUR) }],
      containerStatuses: [
        {
          name: 'c',
          image: 'task:1',
          ready: !!opts.ready,
          restartCount: 0,
          state: finished
            ? { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: rfc3339(now - HOUR) } }
            : { running: {} },
        },
      ],
    };
    sim.store.update('Pod', { ...created, status }, { subresource: 'status' });
    if (opts.terminating) sim.store.delete('Pod', 'default', created.metadata.name!);
  };
  for (let i = 0; i < (c.pendingPods ?? 0); i++) pod('Pending');
  for (let i = 0; i < (c.activePods ?? 0); i++) pod('Running', { ready: i < (c.readyPods ?? 0) });
  for (let i = 0; i < (c.succeededPods ?? 0); i++) pod('Succeeded');
  for (let i = 0; i < (c.failedPods ?? 0); i++) pod('Failed');
  for (let i = 0; i < (c.terminatingPods ?? 0); i++) pod('Running', { terminating: true });
  for (const [index, phase] of c.podsWithIndexes ?? []) pod(phase, { index });
  const controller = sim.controller<JobController>('job');
  if (c.backoffRecord) {
    const record = { ...c.backoffRecord, lastFailureTime: now };
    (controller as unknown as { backoff: Map<string, BackoffRecord> }).backoff.set('default/j', record);
  }
  return { sim, controller };
}

describe('syncJob (TestControllerSyncJob vectors)', () => {
  it.each(Object.entries(CASES))('%s', (_name, c) => {
    const { sim, controller } = setUp(c);
    const before = sim.store.list<Pod>('Pod', 'default');
    const deletingBefore = new Set(before.filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name));
    controller.sync('default/j');
    const after = sim.store.list<Pod>('Pod', 'default');
    const created = after.filter((p) => !before.some((b) => b.metadata.uid === p.metadata.uid));
    const deleted = after.filter((p) => p.metadata.deletionTimestamp && !deletingBefore.has(p.metadata.name));
    expect(created).toHaveLength(c.expectedCreations ?? 0);
    expect(deleted).toHaveLength(c.expectedDeletions ?? 0);
    if (c.expectedCreatedIndexes)
      expect(created.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort()).toEqual(
        c.expectedCreatedIndexes,
      );
    const status = sim.store.get<Job>('Job', 'default', 'j')!.status ?? {};
    expect(status.active ?? 0).toBe(c.expectedActive ?? 0);
    expect(status.ready).toBe(c.expectedReady);
    expect(status.succeeded ?? 0).toBe(c.expectedSucceeded ?? 0);
    expect(status.failed ?? 0).toBe(c.expectedFailed ?? 0);
    if (c.expectedTerminating !== undefined) expect(status.terminating).toBe(c.expectedTerminating);
    if (c.expectedCompletedIdxs !== undefined) expect(status.completedIndexes).toBe(c.expectedCompletedIdxs);
    const terminal = (status.conditions ?? []).filter(
      (x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True',
    );
    if (!c.expectedCondition) expect(terminal).toEqual([]);
    else {
      const [type, reason, message] = c.expectedCondition;
      expect(terminal).toHaveLength(1);
      expect(terminal[0]!.type).toBe(type);
      if (reason) expect([terminal[0]!.reason, terminal[0]!.message]).toEqual([reason, message]);
      // The interim condition precedes it (delayTerminalCondition).
      const interim = type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
      expect(status.conditions!.map((x) => x.type)).toEqual([interim, type]);
    }
  });
});
