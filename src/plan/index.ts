/** The PR dry run: build a plan from a simulated rollout, render it (pure), and run it (runPlan). */
export { buildPlan, podRequests, rolloutSteps, strategyText } from './buildPlan.js';
export { templateDiff, diffLines, normaliseTemplate } from './diff.js';
export { lintDeployment, mutableImage } from './lint.js';
export { PLAN_MARKER, formatCapacity, renderPlanComment, renderPlanText } from './render.js';
export type { PlanRenderOptions } from './render.js';
export { runPlan } from './runPlan.js';
export type { PlanRequest, PlanRun } from './runPlan.js';
export type * from './types.js';
