/**
 * GitHub Deployments for the `environment` input, so a run shows in the repository's Environments
 * view: one deployment of the commit, `in_progress` when the run starts, then `success` or
 * `failure` with the run's log URL. A rolled-back run is a `failure` of this deployment (the
 * history keeps why), then `inactive`: the commit no longer runs anywhere. Its status is never
 * `success`, so GitHub's auto_inactive leaves the previous good deployment active, which is what
 * the cluster runs again.
 *
 * The deploy never depends on these calls: every API failure (no `deployments: write`, no network,
 * no answer) is a warning, and the run's verdict and exit code stay what the gate decided.
 * REST API: https://docs.github.com/en/rest/deployments/deployments#create-a-deployment and
 * https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status
 */
import type * as core from '@actions/core';
import type * as githubModule from '@actions/github';
import type { RealClock } from '../clock/realClock.js';
import type { GateResult, WorkloadResult } from '../gate/result.js';
import { workloadLabel } from '../k8s/workloadKinds.js';
import { primaryWorkload } from '../report/format.js';
import { objectRef, unhealthyObjects } from '../report/objects.js';
import { github } from './context.js';
import { httpStatus } from './stickyComment.js';

type Octokit = ReturnType<typeof githubModule.getOctokit>;
/** A clock whose sleep can be cut short: a pending time limit must not keep the process alive. */
type Clock = Pick<RealClock, 'sleep'>;

/** The parts of @actions/core this module uses. */
export type DeploymentsCore = Pick<typeof core, 'getInput' | 'setOutput' | 'info' | 'warning'>;

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive';

/** How the run ended: the gate's result, or the error that stopped it. */
export type RunEnd = { result: GateResult } | { crashed: string };

export interface DeploymentTarget {
  owner: string;
  repo: string;
  /** The commit deployed (GITHUB_SHA). */
  ref: string;
  environment: string;
  environmentUrl?: string;
  /** The workflow run's page: `<server>/<owner>/<repo>/actions/runs/<id>`. */
  logUrl: string;
  /** A simulated run changed no cluster: its environment is transient. */
  simulated: boolean;
}

/** An API call that does not answer in this time is given up (a hung API must not hold the deploy). */
export const API_TIMEOUT_MS = 15_000;
/** GitHub refuses longer status descriptions. */
const DESCRIPTION_MAX = 140;

/** One created deployment; `finish` posts its final status (never throws). */
export interface EnvironmentDeployment {
  id: number;
  finish(end: RunEnd): Promise<void>;
}

/**
 * Creates the deployment and its `in_progress` status when the `environment` input is set; sets
 * the `deployment-id` output. Undefined (with a warning saying why) when none could be created;
 * never throws, so it can run alongside the deploy.
 */
export async function startEnvironment(
  c: DeploymentsCore,
  simulated: boolean,
  clock: Clock,
): Promise<EnvironmentDeployment | undefined> {
  try {
    return await start(c, simulated, clock);
  } catch (err) {
    c.warning(apiWarning('create a GitHub deployment', err));
    return undefined;
  }
}

async function start(c: DeploymentsCore, simulated: boolean, clock: Clock): Promise<EnvironmentDeployment | undefined> {
  const environment = c.getInput('environment');
  if (!environment) return undefined;
  const target = readTarget(c, environment, simulated);
  if (typeof target === 'string') {
    c.warning(`rollout-gate: no GitHub deployment for environment "${environment}": ${target}`);
    return undefined;
  }
  let api: DeploymentsApi;
  let id: number;
  try {
    api = new DeploymentsApi(await github.getOctokit(c.getInput('github-token')), target, clock);
    id = await api.create(`${simulated ? 'simulated: ' : ''}rollout-gate deploys ${target.ref.slice(0, 12)}`);
  } catch (err) {
    c.warning(apiWarning(`create a GitHub deployment for environment "${environment}"`, err));
    return undefined;
  }
  c.setOutput('deployment-id', String(id));
  c.info(`rollout-gate: GitHub deployment ${id} to environment "${environment}"`);
  /** Whether the status was recorded (a failure is a warning). */
  const post = async (state: DeploymentState, description: string): Promise<boolean> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await api.status(id, state, description);
        return true;
      } catch (err) {
        // A status posted twice is the same status: one retry when no answer came at all (the idle
        // connection of a long rollout closed by GitHub just as it was reused), none after a time-out.
        if (attempt === 1 && !answered(err) && !(err instanceof ApiTimeout)) continue;
        c.warning(apiWarning(`set the status of GitHub deployment ${id} to ${state}`, err));
        return false;
      }
    }
  };
  await post('in_progress', 'rolling out');
  return {
    id,
    finish: async (end) => {
      // In order, and no `inactive` when the failure before it was not recorded: it would hide why.
      for (const [state, description] of finalStatuses(end)) if (!(await post(state, description))) return;
    },
  };
}

/** The target from the runner's environment, or why there is none. */
function readTarget(c: DeploymentsCore, environment: string, simulated: boolean): DeploymentTarget | string {
  const { sha, serverUrl, runId } = github.context;
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) return 'GITHUB_REPOSITORY is not set';
  if (!sha) return 'GITHUB_SHA is not set';
  if (!c.getInput('github-token')) return 'the github-token input is empty';
  const environmentUrl = c.getInput('environment-url');
  return {
    owner,
    repo,
    ref: sha,
    environment,
    ...(environmentUrl ? { environmentUrl } : {}),
    logUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}`,
    simulated,
  };
}

/** The two endpoints, each call limited to API_TIMEOUT_MS. */
export class DeploymentsApi {
  constructor(
    private readonly octokit: Octokit,
    private readonly target: DeploymentTarget,
    private readonly clock: Clock,
  ) {}

  /** POST /repos/{owner}/{repo}/deployments; the deployment's id. */
  async create(description: string): Promise<number> {
    const t = this.target;
    const { data } = await this.limited((signal) =>
      this.octokit.rest.repos.createDeployment({
        owner: t.owner,
        repo: t.repo,
        ref: t.ref,
        task: 'deploy',
        environment: t.environment,
        description: clip(description),
        // The commit is deployed as it is: no merge of the default branch, no wait on its checks.
        auto_merge: false,
        required_contexts: [],
        transient_environment: t.simulated,
        production_environment: isProduction(t.environment),
        request: { signal },
      }),
    );
    // 202 (a merge instead of a deployment) only happens with auto_merge.
    if (!('id' in data)) throw new Error(`GitHub created no deployment: ${data.message ?? 'no id'}`);
    return data.id;
  }

  /** POST /repos/{owner}/{repo}/deployments/{id}/statuses. */
  async status(id: number, state: DeploymentState, description: string): Promise<void> {
    const t = this.target;
    await this.limited((signal) =>
      this.octokit.rest.repos.createDeploymentStatus({
        owner: t.owner,
        repo: t.repo,
        deployment_id: id,
        state,
        description: clip(description),
        log_url: t.logUrl,
        ...(t.environmentUrl ? { environment_url: t.environmentUrl } : {}),
        request: { signal },
      }),
    );
  }

  private async limited<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = new AbortController();
    const answered = new AbortController();
    void this.clock.sleep(API_TIMEOUT_MS, answered.signal).then(() => {
      if (!answered.signal.aborted) timeout.abort();
    });
    try {
      return await call(timeout.signal);
    } catch (err) {
      throw timeout.signal.aborted ? new ApiTimeout() : err;
    } finally {
      answered.abort();
    }
  }
}

/**
 * The statuses that end a run, in order (pure): one, or for a rolled-back run the failure and then
 * `inactive`, since the cluster is back on the last good template and this commit runs nowhere.
 */
export function finalStatuses(end: RunEnd): [DeploymentState, string][] {
  const [state, description] = finalStatus(end);
  if ('crashed' in end || end.result.result !== 'rolled-back') return [[state, description]];
  const w = primaryWorkload(end.result.workloads);
  const back = restoredImages(w) ?? 'the last good template';
  return [
    [state, description],
    ['inactive', `not running: ${w ? workloadLabel(w) : 'the workload'} is back on ${back} (last good)`],
  ];
}

/** The final state and description of a run (pure). */
function finalStatus(end: RunEnd): [DeploymentState, string] {
  if ('crashed' in end) return ['failure', `rollout-gate stopped: ${end.crashed}`];
  const { result } = end;
  const w = primaryWorkload(result.workloads);
  const because = (reason?: string) => (reason ? ` (${reason})` : '');
  switch (result.result) {
    case 'succeeded':
      return ['success', `rolled out ${w ? workloadLabel(w) : 'the manifests'}${because(w && revisionOf(w))}`];
    case 'rolled-back': {
      // The template a person recognises (its images), not the revision number undo renumbered.
      const to =
        restoredImages(w) ?? (w?.rolledBackTo !== undefined ? `revision ${w.rolledBackTo}` : 'the last good revision');
      return [
        'failure',
        `${w ? workloadLabel(w) : 'the rollout'} failed${because(w?.reason)}; rolled back to ${to} (last good)`,
      ];
    }
    case 'invalid':
      return [
        'failure',
        `invalid input: nothing was applied${result.errors[0] ? `: ${result.errors[0].message}` : ''}`,
      ];
    case 'failed': {
      if (w && (w.result === 'failed' || w.result === 'rolled-back'))
        return ['failure', `${workloadLabel(w)} failed${because(w.reason ?? result.reason)}; not rolled back`];
      const o = unhealthyObjects(result.objects)[0];
      if (o)
        return ['failure', `${objectRef(o)} ${o.result === 'timeout' ? 'timed out' : 'failed'}${because(o.reason)}`];
      const error = result.errors[0]?.message;
      return ['failure', `failed${because(result.reason)}${error ? `: ${error}` : ''}`];
    }
  }
}

/** The images of the template a rollback restored: what a person recognises, not a renumbered revision. */
function restoredImages(w: WorkloadResult | undefined): string | undefined {
  return w?.rolledBackToTemplate?.images.length ? w.rolledBackToTemplate.images.join(', ') : undefined;
}

function revisionOf(w: WorkloadResult): string | undefined {
  return w.revision !== undefined ? `revision ${w.revision}` : undefined;
}

/** GitHub's default marks only "production"; "prod" is the same environment by another name. */
function isProduction(environment: string): boolean {
  return /^prod(uction)?$/i.test(environment);
}

function clip(text: string): string {
  return text.length <= DESCRIPTION_MAX ? text : `${text.slice(0, DESCRIPTION_MAX - 1)}…`;
}

/** A call GitHub did not answer within API_TIMEOUT_MS. */
class ApiTimeout extends Error {
  constructor() {
    super(`no answer in ${API_TIMEOUT_MS / 1000} s`);
  }
}

/** Octokit says HTTP 500 when no answer came at all (network, abort): only an answer has a status. */
function answered(err: unknown): boolean {
  return (err as { response?: unknown } | null)?.response !== undefined;
}

/** The warning for a failed call: what, why, and the permission when GitHub refused. */
function apiWarning(what: string, err: unknown): string {
  const status = answered(err) ? httpStatus(err) : undefined;
  const why = err instanceof Error ? err.message : String(err);
  const permission =
    status === 403 || status === 404 ? '; give the job `permissions: deployments: write` to record deployments' : '';
  return `rollout-gate: could not ${what} (${status ? `HTTP ${status}: ` : ''}${why})${permission}. The deploy itself is not affected.`;
}
