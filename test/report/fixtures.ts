/** Gate results for the report tests: the five golden cases of the renderers. */
import type { GateResult, TimelinePoint } from '../../src/gate/result.js';

/** (a) A clean rollout of one Deployment. */
export const success: GateResult = {
  result: 'succeeded',
  workloads: [
    {
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'succeeded',
      revision: 3,
      previousRevision: 2,
      message: 'deployment "web" successfully rolled out',
      durationSeconds: 41.53,
      timeline: [
        {
          t: 0,
          oldReady: 3,
          newReady: 0,
          templates: [
            { template: 'nginx:1.23.0 (last good)', ready: 3, unavailable: 0 },
            { template: 'nginx:1.23.1 (this deploy)', ready: 0, unavailable: 1 },
          ],
        },
        {
          t: 9.2,
          oldReady: 3,
          newReady: 1,
          templates: [
            { template: 'nginx:1.23.0 (last good)', ready: 3, unavailable: 0 },
            { template: 'nginx:1.23.1 (this deploy)', ready: 1, unavailable: 0 },
          ],
        },
        {
          t: 10.1,
          oldReady: 2,
          newReady: 1,
          templates: [
            { template: 'nginx:1.23.0 (last good)', ready: 2, unavailable: 0 },
            { template: 'nginx:1.23.1 (this deploy)', ready: 1, unavailable: 1 },
          ],
        },
        {
          t: 22.4,
          oldReady: 2,
          newReady: 2,
          templates: [
            { template: 'nginx:1.23.0 (last good)', ready: 2, unavailable: 0 },
            { template: 'nginx:1.23.1 (this deploy)', ready: 2, unavailable: 0 },
          ],
        },
        {
          t: 23,
          oldReady: 1,
          newReady: 2,
          templates: [
            { template: 'nginx:1.23.0 (last good)', ready: 1, unavailable: 0 },
            { template: 'nginx:1.23.1 (this deploy)', ready: 2, unavailable: 1 },
          ],
        },
        {
          t: 40.9,
          oldReady: 1,
          newReady: 3,
          templates: [
            { template: 'nginx:1.23.0 (last good)', ready: 1, unavailable: 0 },
            { template: 'nginx:1.23.1 (this deploy)', ready: 3, unavailable: 0 },
          ],
        },
        {
          t: 41.5,
          oldReady: 0,
          newReady: 3,
          note: 'rollout complete',
          templates: [{ template: 'nginx:1.23.1 (this deploy)', ready: 3, unavailable: 0 }],
        },
      ],
      progress: [
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
        'Waiting for deployment "web" rollout to finish: 2 out of 3 new replicas have been updated...',
        'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
        'deployment "web" successfully rolled out',
      ],
    },
  ],
  errors: [],
  applied: [
    { kind: 'Deployment', namespace: 'default', name: 'web', action: 'configured', file: 'k8s/web.yaml', line: 1 },
    { kind: 'Service', namespace: 'default', name: 'web', action: 'unchanged', file: 'k8s/web.yaml', line: 28 },
  ],
  phases: [
    { name: 'validate', seconds: 0.02 },
    { name: 'apply', seconds: 0.31 },
    { name: 'watch', seconds: 41.2 },
  ],
  simulated: true,
};

/** (b) A typo'd image tag: ImagePullBackOff detected, evidence captured, rolled back. */
export const typoRolledBack: GateResult = {
  result: 'rolled-back',
  workloads: [
    {
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'rolled-back',
      revision: 3,
      previousRevision: 2,
      rolledBackTo: 4,
      rolledBackToTemplate: { revision: 2, images: ['nginx:1.23.1'] },
      reason: 'ImagePullBackOff',
      message: 'image "nginx:1.231" not found: 2 of 2 new pods in ImagePullBackOff',
      durationSeconds: 45.04,
      detectedAfterSeconds: 33.0,
      rollbackMessage: 'revision 2 (nginx:1.23.1) was restored as revision 4, as kubectl rollout undo does',
      evidence: [
        {
          pod: 'web-5d8f7c9b6-x2k9p',
          container: 'nginx',
          image: 'nginx:1.231',
          reason: 'ImagePullBackOff',
          message: 'Back-off pulling image "nginx:1.231"',
          restartCount: 0,
          events: [
            'Normal Pulling: Pulling image "nginx:1.231" (x3)',
            'Warning Failed: Failed to pull image "nginx:1.231": manifest for nginx:1.231 not found (x3)',
            'Warning Failed: Error: ImagePullBackOff (x4)',
          ],
          logs: ['Error from server (BadRequest): container "nginx" in pod "web-5d8f7c9b6-x2k9p" is waiting to start'],
          file: 'k8s/web.yaml',
          line: 21,
        },
        {
          pod: 'web-5d8f7c9b6-q7w4z',
          container: 'nginx',
          image: 'nginx:1.231',
          reason: 'ErrImagePull',
          message: 'manifest for nginx:1.231 not found: manifest unknown',
          restartCount: 0,
          file: 'k8s/web.yaml',
          line: 21,
        },
      ],
      timeline: [
        {
          t: 0,
          oldReady: 4,
          newReady: 0,
          templates: [
            { template: 'nginx:1.23.1 (last good)', ready: 4, unavailable: 0 },
            { template: 'nginx:1.231 (this deploy)', ready: 0, unavailable: 1 },
          ],
        },
        {
          t: 0.4,
          oldReady: 3,
          newReady: 0,
          templates: [
            { template: 'nginx:1.23.1 (last good)', ready: 3, unavailable: 0 },
            { template: 'nginx:1.231 (this deploy)', ready: 0, unavailable: 2 },
          ],
        },
        {
          t: 33,
          oldReady: 3,
          newReady: 0,
          note: 'failure declared',
          templates: [
            { template: 'nginx:1.23.1 (last good)', ready: 3, unavailable: 0 },
            { template: 'nginx:1.231 (this deploy)', ready: 0, unavailable: 2 },
          ],
        },
        {
          t: 33.6,
          oldReady: 0,
          newReady: 3,
          note: 'rollback started',
          templates: [{ template: 'nginx:1.23.1 (last good)', ready: 3, unavailable: 1 }],
        },
        {
          t: 41.2,
          oldReady: 0,
          newReady: 4,
          templates: [{ template: 'nginx:1.23.1 (last good)', ready: 4, unavailable: 0 }],
        },
        {
          t: 45,
          oldReady: 0,
          newReady: 4,
          note: 'rolled back',
          templates: [{ template: 'nginx:1.23.1 (last good)', ready: 4, unavailable: 0 }],
        },
      ],
      progress: ['Waiting for deployment "web" rollout to finish: 2 out of 4 new replicas have been updated...'],
    },
  ],
  errors: [],
  applied: [
    { kind: 'Deployment', namespace: 'default', name: 'web', action: 'configured', file: 'k8s/web.yaml', line: 1 },
  ],
  phases: [
    { name: 'validate', seconds: 0.01 },
    { name: 'apply', seconds: 0.2 },
    { name: 'watch', seconds: 32.8 },
    { name: 'capture', seconds: 0.6 },
    { name: 'rollback', seconds: 7.6 },
    { name: 'verify', seconds: 3.8 },
  ],
  simulated: true,
};

/** (c) A crash loop on the first rollout: nothing to roll back to (exit 3). */
export const rollbackImpossible: GateResult = {
  result: 'failed',
  workloads: [
    {
      kind: 'Deployment',
      namespace: 'jobs',
      name: 'worker',
      result: 'failed',
      revision: 1,
      reason: 'CrashLoopBackOff',
      message: 'container "worker" exits with code 1 and restarts (3 restarts in 52s)',
      durationSeconds: 52.96,
      detectedAfterSeconds: 52.96,
      rollbackMessage: 'no earlier revision: this is the first rollout of deployment/worker',
      evidence: [
        {
          pod: 'worker-6b7d9c8f4-m2n3b',
          container: 'worker',
          image: 'registry.example.com/worker:2.0.0',
          reason: 'CrashLoopBackOff',
          message: 'back-off 40s restarting failed container=worker pod=worker-6b7d9c8f4-m2n3b',
          restartCount: 3,
          events: ['Warning BackOff: Back-off restarting failed container worker in pod worker-6b7d9c8f4-m2n3b (x5)'],
          logs: [
            'starting worker 2.0.0',
            'connecting to queue amqp://rabbitmq.jobs:5672',
            'FATAL: environment variable QUEUE_PASSWORD is not set',
          ],
          file: 'deploy/worker.yaml',
          line: 17,
        },
      ],
      timeline: [
        {
          t: 0,
          oldReady: 0,
          newReady: 0,
          templates: [{ template: 'registry.example.com/worker:2.0.0 (this deploy)', ready: 0, unavailable: 2 }],
        },
        {
          t: 4,
          oldReady: 0,
          newReady: 0,
          templates: [{ template: 'registry.example.com/worker:2.0.0 (this deploy)', ready: 0, unavailable: 2 }],
        },
        {
          t: 52.96,
          oldReady: 0,
          newReady: 0,
          note: 'failure declared',
          templates: [{ template: 'registry.example.com/worker:2.0.0 (this deploy)', ready: 0, unavailable: 2 }],
        },
      ],
    },
  ],
  errors: [],
  applied: [
    { kind: 'Deployment', namespace: 'jobs', name: 'worker', action: 'created', file: 'deploy/worker.yaml', line: 1 },
  ],
  phases: [
    { name: 'validate', seconds: 0.01 },
    { name: 'apply', seconds: 0.12 },
    { name: 'watch', seconds: 52.83 },
  ],
};

/** (d) Invalid input: three errors, nothing applied (exit 2). */
export const invalidInput: GateResult = {
  result: 'invalid',
  workloads: [],
  errors: [
    {
      file: 'k8s/web.yaml',
      line: 12,
      message: 'spec.selector does not match the template labels (app: web | app: webb)',
    },
    { file: 'k8s/api.yaml', message: 'no Kubernetes objects found in the file' },
    { message: '--image nginx=: the image reference is empty' },
  ],
  warnings: [{ file: 'k8s/web.yaml', line: 20, message: 'image "nginx:latest" uses the mutable tag `latest`' }],
};

/** (e) Two Deployments: api crash-loops, so both api and web are rolled back together. */
export const twoWorkloads: GateResult = {
  result: 'rolled-back',
  workloads: [
    {
      kind: 'Deployment',
      namespace: 'shop',
      name: 'api',
      result: 'rolled-back',
      revision: 8,
      previousRevision: 7,
      rolledBackTo: 9,
      rolledBackToTemplate: { revision: 7, images: ['ghcr.io/acme/api:1.3.2'] },
      reason: 'CrashLoopBackOff',
      message: 'container "api" crashed 3 times: panic: config key `db.url` | missing <nil>',
      durationSeconds: 38.25,
      detectedAfterSeconds: 27.5,
      evidence: [
        {
          pod: 'api-7f6c5d4b3-z9y8x',
          container: 'api',
          image: 'ghcr.io/acme/api:1.4.0',
          reason: 'CrashLoopBackOff',
          message: 'back-off 20s restarting failed container=api',
          restartCount: 3,
          events: ['Warning BackOff: Back-off restarting failed container api (x3)'],
          logs: [
            'level=info msg="listening on :8080"',
            'panic: config key `db.url` | missing <nil>',
            '```',
            'goroutine 1 [running]:',
          ],
          file: 'k8s/shop/api.yaml',
          line: 19,
        },
      ],
      timeline: [
        {
          t: 0,
          oldReady: 2,
          newReady: 0,
          templates: [
            { template: 'ghcr.io/acme/api:1.3.2 (last good)', ready: 2, unavailable: 0 },
            { template: 'ghcr.io/acme/api:1.4.0 (this deploy)', ready: 0, unavailable: 1 },
          ],
        },
        {
          t: 6,
          oldReady: 2,
          newReady: 1,
          templates: [
            { template: 'ghcr.io/acme/api:1.3.2 (last good)', ready: 2, unavailable: 0 },
            { template: 'ghcr.io/acme/api:1.4.0 (this deploy)', ready: 1, unavailable: 0 },
          ],
        },
        {
          t: 9,
          oldReady: 2,
          newReady: 0,
          templates: [
            { template: 'ghcr.io/acme/api:1.3.2 (last good)', ready: 2, unavailable: 0 },
            { template: 'ghcr.io/acme/api:1.4.0 (this deploy)', ready: 0, unavailable: 1 },
          ],
        },
        {
          t: 27.5,
          oldReady: 2,
          newReady: 0,
          note: 'failure declared',
          templates: [
            { template: 'ghcr.io/acme/api:1.3.2 (last good)', ready: 2, unavailable: 0 },
            { template: 'ghcr.io/acme/api:1.4.0 (this deploy)', ready: 0, unavailable: 1 },
          ],
        },
        {
          t: 28,
          oldReady: 0,
          newReady: 2,
          note: 'rollback started',
          templates: [{ template: 'ghcr.io/acme/api:1.3.2 (last good)', ready: 2, unavailable: 0 }],
        },
        {
          t: 38.25,
          oldReady: 0,
          newReady: 2,
          note: 'rolled back',
          templates: [{ template: 'ghcr.io/acme/api:1.3.2 (last good)', ready: 2, unavailable: 0 }],
        },
      ],
    },
    {
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      result: 'rolled-back',
      revision: 12,
      previousRevision: 11,
      rolledBackTo: 13,
      message: 'rolled out, then rolled back with deployment/api -n shop (one run, one transaction)',
      durationSeconds: 38.9,
      timeline: [
        {
          t: 0,
          oldReady: 3,
          newReady: 0,
          templates: [
            { template: 'ghcr.io/acme/web:2.7.0 (last good)', ready: 3, unavailable: 0 },
            { template: 'ghcr.io/acme/web:2.8.0 (this deploy)', ready: 0, unavailable: 1 },
          ],
        },
        {
          t: 7,
          oldReady: 2,
          newReady: 1,
          templates: [
            { template: 'ghcr.io/acme/web:2.7.0 (last good)', ready: 2, unavailable: 0 },
            { template: 'ghcr.io/acme/web:2.8.0 (this deploy)', ready: 1, unavailable: 1 },
          ],
        },
        {
          t: 14,
          oldReady: 1,
          newReady: 2,
          templates: [
            { template: 'ghcr.io/acme/web:2.7.0 (last good)', ready: 1, unavailable: 0 },
            { template: 'ghcr.io/acme/web:2.8.0 (this deploy)', ready: 2, unavailable: 1 },
          ],
        },
        {
          t: 21,
          oldReady: 0,
          newReady: 3,
          templates: [{ template: 'ghcr.io/acme/web:2.8.0 (this deploy)', ready: 3, unavailable: 0 }],
        },
        {
          t: 28,
          oldReady: 3,
          newReady: 0,
          note: 'rollback started',
          templates: [
            { template: 'ghcr.io/acme/web:2.7.0 (last good)', ready: 0, unavailable: 1 },
            { template: 'ghcr.io/acme/web:2.8.0 (this deploy)', ready: 3, unavailable: 0 },
          ],
        },
        {
          t: 33,
          oldReady: 1,
          newReady: 1,
          templates: [
            { template: 'ghcr.io/acme/web:2.7.0 (last good)', ready: 1, unavailable: 1 },
            { template: 'ghcr.io/acme/web:2.8.0 (this deploy)', ready: 1, unavailable: 0 },
          ],
        },
        {
          t: 38.9,
          oldReady: 0,
          newReady: 3,
          note: 'rolled back',
          templates: [{ template: 'ghcr.io/acme/web:2.7.0 (last good)', ready: 3, unavailable: 0 }],
        },
      ],
    },
  ],
  errors: [],
  applied: [
    { kind: 'Deployment', namespace: 'shop', name: 'api', action: 'configured', file: 'k8s/shop/api.yaml', line: 1 },
    { kind: 'Deployment', namespace: 'shop', name: 'web', action: 'configured', file: 'k8s/shop/web.yaml', line: 1 },
    {
      kind: 'ConfigMap',
      namespace: 'shop',
      name: 'api-config',
      action: 'created',
      file: 'k8s/shop/api.yaml',
      line: 40,
    },
  ],
  phases: [
    { name: 'validate', seconds: 0.03 },
    { name: 'apply', seconds: 0.45 },
    { name: 'watch', seconds: 27.1 },
    { name: 'capture', seconds: 0.4 },
    { name: 'rollback', seconds: 0.5 },
    { name: 'verify', seconds: 10.4 },
  ],
  simulated: true,
};

/** The golden cases by file stem. */
export const goldenCases: Record<string, GateResult> = {
  'a-success': success,
  'b-typo-rolled-back': typoRolledBack,
  'c-rollback-impossible': rollbackImpossible,
  'd-invalid': invalidInput,
  'e-two-workloads': twoWorkloads,
};

/** A rollout of `replicas` pods from `from` to `to`, one pod replaced every `every` seconds (maxSurge 1). */
function steadyRollout(replicas: number, every: number, from: string, to: string): TimelinePoint[] {
  const points: TimelinePoint[] = [];
  for (let k = 0; k <= replicas; k++) {
    const pods = [
      ...(replicas - k > 0 ? [{ template: `${from} (last good)`, ready: replicas - k, unavailable: 0 }] : []),
      { template: `${to} (this deploy)`, ready: k, unavailable: k < replicas ? 1 : 0 },
    ];
    points.push({ t: Math.round(k * every * 10) / 10, oldReady: replicas - k, newReady: k, templates: pods });
  }
  const last = points[points.length - 1]!;
  points.push({ ...last, t: Math.round((replicas * every + every / 2) * 10) / 10, note: 'rollout complete' });
  return points;
}

function oneWorkload(name: string, timeline: TimelinePoint[], namespace = 'default'): GateResult {
  const end = timeline[timeline.length - 1]!.t;
  return {
    result: 'succeeded',
    workloads: [
      {
        kind: 'Deployment',
        namespace,
        name,
        result: 'succeeded',
        message: `deployment "${name}" successfully rolled out`,
        durationSeconds: end,
        timeline,
      },
    ],
    errors: [],
  };
}

/** A 10-minute rollout: 10 pods, one every 57 s (and a long name, for the title). */
export const longRun = oneWorkload(
  'batch-api-with-a-rather-long-deployment-name',
  steadyRollout(10, 57, 'nginx:1.25.5', 'nginx:1.27.0'),
  'payments-production-eu',
);

/** A 2-second rollout: 2 pods, one every 0.8 s. */
export const shortRun = oneWorkload('tiny', steadyRollout(2, 0.8, 'nginx:1.25.5', 'nginx:1.27.0'));

/** Every case whose charts are rendered and looked at (chartPng.test.ts), by file name. */
export const chartCases: Record<string, GateResult> = {
  success,
  'failure-no-rollback': rollbackImpossible,
  rollback: typoRolledBack,
  'several-workloads': twoWorkloads,
  'long-10min': longRun,
  'short-2s': shortRun,
};
