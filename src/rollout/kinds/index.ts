/**
 * The health of every object the gate applies, other than the workloads it judges itself:
 * kstatus's rules (generic.ts), custom rules per kind in Flux's healthCheckExprs shape
 * (celHealth.ts), and the per-object wait controls with the Failed tolerance (waitFor.ts).
 */
export type { Health, HealthStatus } from './health.js';
export { computeHealth } from './generic.js';
export { compileHealthChecks, type HealthCheckExprs, type HealthChecks } from './celHealth.js';
export { judgeWait, readWaitControls, WaitAnnotations, type WaitOptions, type WaitVerdict } from './waitFor.js';
