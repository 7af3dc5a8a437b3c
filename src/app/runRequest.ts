import { DEFAULT_POLICY, parseDuration, validatePolicy, type GatePolicy } from '../rollout/policy.js';

/**
 * One gate run as the CLI flags and the action inputs describe it (README "As a CLI" and "Inputs and outputs"):
 * both entries build this and hand it to {@link runDeploy}, so they share one core.
 */
export interface RunRequest {
  manifests: string[];
  namespace?: string;
  images: string[];
  simulate: boolean;
  scenario?: string;
  kubeconfigPath?: string;
  /** Kubeconfig content (the action's `kubeconfig` input). Never logged. */
  kubeconfigContent?: string;
  context?: string;
  timeout: string;
  rollback: 'on-failure' | 'never';
  rollbackTimeout?: string;
  onNoGoodRevision: 'leave' | 'scale-to-zero' | 'delete';
  imagePullGrace?: string;
  stallWindow?: string;
  /** How long new pods must stay Ready before success (`0` = kubectl's rule alone). */
  stabilityWindow?: string;
  unschedulableGrace?: string;
  configErrorGrace?: string;
  crashLoopRestarts?: number;
  forceConflicts: boolean;
  changeCause?: string;
  /** A YAML file of custom health rules (Flux's healthCheckExprs shape), relative to `cwd`. */
  healthChecks?: string;
  /** How long an applied object may stay Failed before it fails the run, unless it says (default 0s). */
  failedTolerance?: string;
  /** On cancel (`signal`), roll back what the run changed (default true). */
  rollbackOnCancel?: boolean;
  /** SIGINT/SIGTERM (a cancelled workflow): the gate ends in a consistent, reported state. */
  signal?: AbortSignal;
  /** Who holds the Deployment lease while the run goes (CI run, host and pid). */
  lockHolder?: string;
  /** Directory relative paths are resolved against. */
  cwd: string;
}

/** A problem with the request itself (bad duration, ...): reported like a manifest error, exit 2. */
export interface RequestProblem {
  message: string;
}

/** Builds the judge's policy from the request; every bad value is reported, none is guessed. */
export function policyFrom(request: RunRequest): {
  policy: GatePolicy;
  rollbackTimeoutSeconds: number;
  /** The default Failed tolerance of the objects waited on (waitObjects.ts). */
  failedToleranceSeconds: number;
  problems: RequestProblem[];
} {
  const problems: RequestProblem[] = [];
  const seconds = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined || text === '') return fallback;
    try {
      return parseDuration(text);
    } catch (err) {
      problems.push({ message: `${flag}: ${(err as Error).message}` });
      return fallback;
    }
  };
  const policy: GatePolicy = {
    ...DEFAULT_POLICY,
    timeoutSeconds: seconds('timeout', request.timeout, DEFAULT_POLICY.timeoutSeconds),
    imagePullGraceSeconds: seconds('image-pull-grace', request.imagePullGrace, DEFAULT_POLICY.imagePullGraceSeconds),
    stallSeconds: seconds('stall-window', request.stallWindow, DEFAULT_POLICY.stallSeconds),
    stableSeconds: seconds('stability-window', request.stabilityWindow, DEFAULT_POLICY.stableSeconds),
    unschedulableGraceSeconds: seconds(
      'unschedulable-grace',
      request.unschedulableGrace,
      DEFAULT_POLICY.unschedulableGraceSeconds,
    ),
    configErrorGraceSeconds: seconds(
      'config-error-grace',
      request.configErrorGrace,
      DEFAULT_POLICY.configErrorGraceSeconds,
    ),
    crashLoopRestarts: request.crashLoopRestarts ?? DEFAULT_POLICY.crashLoopRestarts,
  };
  if (policy.timeoutSeconds <= 0 && problems.length === 0)
    problems.push({ message: 'timeout: must be greater than 0' });
  try {
    validatePolicy(policy);
  } catch (err) {
    problems.push({ message: (err as Error).message });
  }
  const rollbackTimeoutSeconds = seconds(
    'rollback-timeout',
    request.rollbackTimeout,
    Math.min(300, policy.timeoutSeconds),
  );
  const failedToleranceSeconds = seconds('failed-tolerance', request.failedTolerance, 0);
  return { policy, rollbackTimeoutSeconds, failedToleranceSeconds, problems };
}
