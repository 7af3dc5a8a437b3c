/** The rollout kinds the gate judges, one module each (rolloutKind.ts says what each answers). */
export { daemonSetRollout } from './daemonSet.js';
export { deploymentRollout } from './deployment.js';
export type { RolloutKind } from './rolloutKind.js';
export { statefulSetRollout } from './statefulSet.js';

import type { WorkloadKind } from '../../k8s/workloadKinds.js';
import type { WorkloadSnapshot } from '../snapshot.js';
import { daemonSetRollout } from './daemonSet.js';
import { deploymentRollout } from './deployment.js';
import type { RolloutKind } from './rolloutKind.js';
import { statefulSetRollout } from './statefulSet.js';

const BY_KIND: Readonly<Record<WorkloadKind, RolloutKind<WorkloadSnapshot>>> = {
  Deployment: deploymentRollout,
  StatefulSet: statefulSetRollout,
  DaemonSet: daemonSetRollout,
};

/** The module of a workload kind. */
export function rolloutKindOf(kind: WorkloadKind): RolloutKind<WorkloadSnapshot> {
  return BY_KIND[kind];
}
