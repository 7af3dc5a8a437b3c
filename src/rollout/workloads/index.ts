/** The rollout kinds the gate judges, one module each (rolloutKind.ts says what each answers). */
export { daemonSetRollout, type DaemonSetSnapshot } from './daemonSet.js';
export { deploymentRollout } from './deployment.js';
export type { RolloutKind } from './rolloutKind.js';
export { statefulSetRollout, type StatefulSetSnapshot } from './statefulSet.js';
