/**
 * The stories of examples/: each folder's manifest, and the verdict its scenario plants (exit code,
 * result, and per workload name, result, reason and detectedAfterSeconds). Shared by the verdict
 * test (examples.test.ts) and the golden reports (goldenStories.test.ts).
 */
import type { RunRequest } from '../../src/app/runRequest.js';
import { ROOT } from '../cli/support.js';

/** The run of one story as the CLI's flags make it: the manifest, the scenario, every default. */
export function storyRequest(folder: string, manifest: string): RunRequest {
  return {
    manifests: [`examples/${folder}/${manifest}`],
    scenario: `examples/${folder}/scenario.yaml`,
    images: [],
    simulate: true,
    timeout: '10m',
    rollback: 'on-failure',
    onNoGoodRevision: 'leave',
    forceConflicts: false,
    cwd: ROOT,
  };
}

export interface Expectation {
  manifest: string;
  exit: number;
  result: string;
  /** Per workload: name, result, reason (undefined when none), detectedAfterSeconds. */
  workloads: Array<[string, string, string | undefined, number | undefined]>;
}

export const EXPECTED: Record<string, Expectation> = {
  // Every request as shop/deployer, authorized by examples/rbac/role.yaml alone: the Role is enough
  // to apply, watch, capture and roll back.
  rbac: {
    manifest: 'app-v2.yaml',
    exit: 1,
    result: 'rolled-back',
    workloads: [['web', 'rolled-back', 'ErrImagePull', 2]],
  },
  update: {
    manifest: 'web-v2.yaml',
    exit: 0,
    result: 'succeeded',
    workloads: [['web', 'succeeded', undefined, undefined]],
  },
  'typo-image': {
    manifest: 'web-v2.yaml',
    exit: 1,
    result: 'rolled-back',
    workloads: [['nginx-deployment', 'rolled-back', 'ErrImagePull', 2]],
  },
  'crash-loop': {
    manifest: 'web-v2.yaml',
    exit: 1,
    result: 'rolled-back',
    workloads: [['web', 'rolled-back', 'CrashLoopBackOff', 7]],
  },
  'config-error': {
    manifest: 'web-v2.yaml',
    exit: 1,
    result: 'rolled-back',
    workloads: [['web', 'rolled-back', 'CreateContainerConfigError', 23]],
  },
  'never-ready': {
    manifest: 'web-v2.yaml',
    exit: 1,
    result: 'rolled-back',
    workloads: [['web', 'rolled-back', 'Stalled', 181]],
  },
  unschedulable: {
    manifest: 'worker-v2.yaml',
    exit: 1,
    result: 'rolled-back',
    workloads: [['worker', 'rolled-back', 'Unschedulable', 61]],
  },
  'new-deployment-fails': {
    manifest: 'fresh.yaml',
    exit: 3,
    result: 'failed',
    workloads: [['fresh', 'failed', 'ErrImagePull', 2]],
  },
  multi: {
    manifest: 'release.yaml',
    exit: 1,
    result: 'rolled-back',
    workloads: [
      ['frontend', 'rolled-back', undefined, undefined],
      ['backend', 'rolled-back', 'ErrImagePull', 2],
    ],
  },
  // Story 4: maxSurge 1 / maxUnavailable 1 and a nonexistent tag.
  'stuck-surge': {
    manifest: 'shop-v2.yaml',
    exit: 1,
    result: 'rolled-back',
    workloads: [['shop', 'rolled-back', 'ErrImagePull', 2]],
  },
  // Story 3: five replicas, a new image.
  'five-replicas': {
    manifest: 'web-v2.yaml',
    exit: 0,
    result: 'succeeded',
    workloads: [['web', 'succeeded', undefined, undefined]],
  },
  recreate: {
    manifest: 'proxy-v2.yaml',
    exit: 0,
    result: 'succeeded',
    workloads: [['db-proxy', 'succeeded', undefined, undefined]],
  },
  // A migration Job whose image exits 1 (backoffLimit 2). The simulator fails it with BackoffLimitExceeded
  // after the 10 s and 20 s back-offs (test/sim/job/migrationExample.test.ts); the gate waits on it to
  // completion and fails the run; no workload changed, so nothing is rolled back (exit 3).
  'migration-job-fails': {
    manifest: 'migrate.yaml',
    exit: 3,
    result: 'failed',
    workloads: [],
  },
  'daemonset-crash': {
    manifest: 'agent-v2.yaml',
    exit: 1,
    result: 'rolled-back',
    workloads: [['node-agent', 'rolled-back', 'CrashLoopBackOff', 8]],
  },
  // OrderedReady, typo'd image: stuck at ordinal 2 (kubernetes#67250); the forced rollback deletes web-2.
  'statefulset-typo': {
    manifest: 'web-v2.yaml',
    exit: 1,
    result: 'rolled-back',
    workloads: [['web', 'rolled-back', 'ErrImagePull', 3]],
  },
  // partition 2: only web-2 is updated, and kubectl's partitioned rule calls that complete.
  'statefulset-canary': {
    manifest: 'web-v2.yaml',
    exit: 0,
    result: 'succeeded',
    workloads: [['web', 'succeeded', undefined, undefined]],
  },
  'surge-unavailable': {
    manifest: 'api-v2.yaml',
    exit: 0,
    result: 'succeeded',
    workloads: [['api', 'succeeded', undefined, undefined]],
  },
};
