/**
 * `rollout-gate plan`: the PR dry run from a terminal, the same core as the action's plan mode
 * (src/app/runPlan.ts). Nothing is written to any cluster; the plan goes to stdout as text, or as
 * one JSON object with `--output json`.
 */
import type { PlanArgs } from './args.js';
import type { CliIO } from './runCli.js';

/** 0: every rollout would succeed (or could not be predicted), 1: one would fail, 2: invalid input. */
const EXIT = { ok: 0, risky: 0, fails: 1, invalid: 2 } as const;

export async function plan(args: PlanArgs, io: CliIO): Promise<number> {
  const { runPlan } = await import('../app/runPlan.js');
  const { renderPlanText } = await import('../plan/index.js');
  const live = args.kubeconfig !== undefined || args.context !== undefined;
  const { plan } = await runPlan(
    {
      manifests: args.manifests,
      namespace: args.namespace,
      images: args.images,
      // A cluster named on the command line is read for the baseline (read only); else the scenario.
      simulate: !live,
      scenario: args.scenario,
      kubeconfigPath: args.kubeconfig,
      context: args.context,
      timeout: args.timeout,
      rollback: args.rollback,
      rollbackTimeout: args.rollbackTimeout,
      onNoGoodRevision: 'leave',
      imagePullGrace: args.imagePullGrace,
      stallWindow: args.stallWindow,
      stabilityWindow: args.stabilityWindow,
      unschedulableGrace: args.unschedulableGrace,
      configErrorGrace: args.configErrorGrace,
      crashLoopRestarts: args.crashLoopRestarts,
      forceConflicts: args.forceConflicts,
      healthChecks: args.healthChecks,
      failedTolerance: args.failedTolerance,
      baseline: args.baseline,
      checkImages: args.checkImages,
      cwd: io.cwd,
    },
    () => import('../cluster/kube/index.js'),
  );
  if (args.output === 'json') io.stdout(`${JSON.stringify(plan)}\n`);
  else for (const line of renderPlanText(plan)) io.stdout(`${line}\n`);
  return EXIT[plan.verdict];
}
