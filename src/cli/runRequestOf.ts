/**
 * The gate's request from the command line: the flags `run` and `plan` share, mapped once (the
 * action maps its inputs in src/main.ts).
 */
import type { RunRequest } from '../app/runRequest.js';
import type { PlanArgs, RunArgs } from './args.js';

export function runRequestOf(args: RunArgs | PlanArgs, cwd: string): RunRequest {
  return {
    manifests: args.manifests,
    namespace: args.namespace,
    images: args.images,
    // A plan reads a cluster named on the command line for its baseline (read only), else the scenario.
    simulate: args.command === 'run' ? args.simulate : args.kubeconfig === undefined && args.context === undefined,
    scenario: args.scenario,
    kubeconfigPath: args.kubeconfig,
    context: args.context,
    timeout: args.timeout,
    rollback: args.rollback,
    rollbackTimeout: args.rollbackTimeout,
    onNoGoodRevision: args.onNoGoodRevision,
    imagePullGrace: args.imagePullGrace,
    stallWindow: args.stallWindow,
    stabilityWindow: args.stabilityWindow,
    unschedulableGrace: args.unschedulableGrace,
    configErrorGrace: args.configErrorGrace,
    crashLoopRestarts: args.crashLoopRestarts,
    forceConflicts: args.forceConflicts,
    changeCause: args.changeCause,
    healthChecks: args.healthChecks,
    failedTolerance: args.failedTolerance,
    rollbackOnCancel: args.rollbackOnCancel,
    cwd,
  };
}
