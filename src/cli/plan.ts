/**
 * `rollout-gate plan`: the PR dry run from a terminal, the same core as the action's plan mode
 * (src/app/runPlan.ts). Nothing is written to any cluster; the plan goes to stdout as text, or as
 * one JSON object with `--output json`.
 */
import type { PlanArgs } from './args.js';
import type { CliIO } from './runCli.js';
import { runRequestOf } from './runRequestOf.js';

/** 0: every rollout would succeed (or could not be predicted), 1: one would fail, 2: invalid input. */
const EXIT = { ok: 0, risky: 0, fails: 1, invalid: 2 } as const;

export async function plan(args: PlanArgs, io: CliIO): Promise<number> {
  const { runPlan } = await import('../app/runPlan.js');
  const { renderPlanText } = await import('../plan/index.js');
  const { plan } = await runPlan(
    // The plan never rolls back and never deletes: onNoGoodRevision is moot.
    {
      ...runRequestOf(args, io.cwd),
      onNoGoodRevision: 'leave',
      baseline: args.baseline,
      checkImages: args.checkImages,
    },
    () => import('../cluster/kube/index.js'),
  );
  if (args.output === 'json') io.stdout(`${JSON.stringify(plan)}\n`);
  else for (const line of renderPlanText(plan)) io.stdout(`${line}\n`);
  return EXIT[plan.verdict];
}
