/** The PR dry run's pure part: build a plan from a simulated rollout and render it (src/app/runPlan.ts runs it). */
export { buildPlan, podRequests, rolloutSteps, templateImages } from './buildPlan.js';
export { strategyText } from './kinds.js';
export { templateDiff, diffLines, normaliseTemplate } from './diff.js';
export { lintWorkload, mutableImage } from './lint.js';
export { PLAN_MARKER, formatCapacity, imageLines, imagesSummary, renderPlanComment, renderPlanText } from './render.js';
export type { PlanRenderOptions } from './render.js';
export type * from './types.js';
