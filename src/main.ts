/**
 * The GitHub Action: reads inputs, masks secrets, runs the shared core (runDeploy), and writes
 * outputs, annotations and the job summary. The only module that imports @actions/*.
 */
import * as core from '@actions/core';
import { github } from './action/context.js';
import type { RunRequest } from './app/runRequest.js';
import type { GateLog } from './gate/gateLog.js';
import type { GateResult } from './gate/result.js';
import { workloadLabel } from './k8s/workloadKinds.js';
import { actionOutputs, renderJobSummary, renderTextSummary } from './report/index.js';
import { PLAN_MARKER, renderPlanComment, renderPlanText, type Plan } from './plan/index.js';
import { withHeartbeat } from './gate/heartbeat.js';
import { RealClock } from './clock/realClock.js';
import type { EnvironmentDeployment } from './action/deployments.js';

/** client-node, only when a real cluster is used. */
const loadKube = () => import('./cluster/kube/index.js');

/** The parts of @actions/core the action uses; tests may pass a fake. */
export type CoreLike = Pick<
  typeof core,
  | 'getInput'
  | 'getMultilineInput'
  | 'getBooleanInput'
  | 'setOutput'
  | 'setFailed'
  | 'setSecret'
  | 'info'
  | 'notice'
  | 'warning'
  | 'error'
  | 'group'
  | 'summary'
>;

export async function run(c: CoreLike = core, signal?: AbortSignal): Promise<GateResult | Plan | undefined> {
  let environment: Promise<EnvironmentDeployment | undefined> | undefined;
  try {
    const request = { ...readRequest(c), ...(signal ? { signal } : {}) };
    if (planMode(c, request.simulate)) return await runPlanMode(c, request);
    // A GitHub deployment (in_progress) when `environment` is set, never in plan mode; created
    // while the deploy starts, so a slow or unreachable GitHub API never delays it.
    if (c.getInput('environment'))
      environment = import('./action/deployments.js').then(({ startEnvironment }) =>
        startEnvironment(c, request.simulate, new RealClock()),
      );
    const heartbeat = withHeartbeat(
      {
        info: (line) => c.info(line),
        warn: (line, where) => c.warning(line, annotation(where)),
        error: (line, where) => c.error(line, annotation(where)),
        group: (name, fn) => c.group(name, fn),
      },
      new RealClock(),
    );
    const log: GateLog = heartbeat.log;
    // Loaded at the point of use: a run that fails on its inputs never pays for the gate, the
    // simulator or client-node (cold start, issue 13).
    const { runDeploy } = await import('./app/runDeploy.js');
    const result = await runDeploy(request, log, loadKube).finally(() => heartbeat.stop());
    for (const e of result.errors) c.error(e.message, annotation({ file: e.file, line: e.line }));
    for (const line of renderTextSummary(result)) c.info(line);
    for (const [name, value] of Object.entries(actionOutputs(result))) c.setOutput(name, value);
    await writeSummary(c, result);
    await (await environment)?.finish({ result });
    if (result.result !== 'succeeded') c.setFailed(`rollout-gate: ${result.result}`);
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await (await environment)?.finish({ crashed: message });
    c.setFailed(message);
    return undefined;
  }
}

/**
 * Plan mode: `mode: plan`, or `simulate: true` on a pull request. Nothing is written to any
 * cluster; the plan goes to the log, the job summary, the outputs and one sticky PR comment.
 */
export function planMode(c: CoreLike, simulate: boolean): boolean {
  const mode = c.getInput('mode') || 'apply';
  if (mode !== 'apply' && mode !== 'plan') throw new Error(`input mode must be one of apply, plan, got "${mode}"`);
  const event = github.context.eventName;
  return mode === 'plan' || (simulate && (event === 'pull_request' || event === 'pull_request_target'));
}

const PLAN_RESULTS: Record<Plan['verdict'], string> = {
  ok: 'planned',
  risky: 'planned',
  fails: 'would-fail',
  invalid: 'invalid',
};

async function runPlanMode(c: CoreLike, request: RunRequest): Promise<Plan> {
  const baseline = c.getMultilineInput('baseline');
  const registryCredentials = await readRegistryCredentials(c);
  const checkImages = c.getInput('check-images') ? c.getBooleanInput('check-images') : true;
  const { runPlan } = await import('./app/runPlan.js');
  const { plan, simulationLog } = await runPlan(
    { ...request, baseline, checkImages, ...(registryCredentials ? { registryCredentials } : {}) },
    loadKube,
  );
  await c.group('Simulated rollout (dry run, nothing written to any cluster)', async () => {
    for (const line of simulationLog) c.info(line);
  });
  for (const e of plan.errors) c.error(e.message, annotation({ file: e.file, line: e.line }));
  for (const w of plan.workloads) {
    for (const f of w.lint) c.warning(f.message, annotation({ file: f.file, line: f.line }));
    if (w.prediction.result === 'fails')
      c.error(
        `plan: ${workloadLabel(w)} would fail: ${w.prediction.reason ?? ''}: ${w.prediction.message}`,
        annotation({ file: w.file, line: w.line }),
      );
  }
  for (const o of plan.objects)
    if (o.prediction.result === 'fails')
      c.error(
        `plan: ${o.kind.toLowerCase()} "${o.name}" would fail: ${o.prediction.reason ?? ''}: ${o.prediction.message}`,
        annotation({ file: o.file, line: o.line }),
      );
  for (const line of renderPlanText(plan)) c.info(line);
  const markdown = renderPlanComment(plan, blobOptions());
  c.setOutput('result', PLAN_RESULTS[plan.verdict]);
  c.setOutput('plan', markdown);
  c.setOutput('json', JSON.stringify(plan));
  const url = await postPlanComment(c, markdown);
  c.setOutput('comment-url', url ?? '');
  if (process.env.GITHUB_STEP_SUMMARY) await c.summary.addRaw(markdown, true).write();
  if (plan.verdict === 'fails' || plan.verdict === 'invalid')
    c.setFailed(`rollout-gate plan: ${PLAN_RESULTS[plan.verdict]}`);
  return plan;
}

/**
 * The `registry-credentials` input, masked before anything can log it: the whole value, each
 * password, and the Basic header made from it (a library may echo a request).
 */
async function readRegistryCredentials(c: CoreLike): Promise<string | undefined> {
  const text = c.getInput('registry-credentials');
  if (!text) return undefined;
  c.setSecret(text);
  const { parseCredentialsInput, secretsOf } = await import('./registry/index.js');
  for (const secret of secretsOf(parseCredentialsInput(text).store)) c.setSecret(secret);
  return text;
}

/**
 * The sticky comment; skipped with a notice when there is no PR or no token. A comment that cannot
 * be written (no permission, no network, GitHub down) is a warning: the plan itself is what decides
 * the step, and it is in the log and the job summary anyway.
 */
async function postPlanComment(c: CoreLike, body: string): Promise<string | undefined> {
  if ((c.getInput('comment') || 'true') === 'false') return undefined;
  const number = github.context.payload.pull_request?.number;
  if (typeof number !== 'number') {
    c.notice('rollout-gate: not a pull request event; the plan is in the job summary, no PR comment was posted');
    return undefined;
  }
  const token = c.getInput('github-token');
  if (!token) {
    c.notice('rollout-gate: no github-token; the plan was not posted as a PR comment');
    return undefined;
  }
  const repo = process.env.GITHUB_REPOSITORY ?? '';
  const [owner, name] = repo.split('/');
  if (!owner || !name) {
    c.notice('rollout-gate: GITHUB_REPOSITORY is not set; the plan was not posted as a PR comment');
    return undefined;
  }
  const { httpStatus, upsertStickyComment } = await import('./action/stickyComment.js');
  try {
    const octokit = await github.getOctokit(token);
    const done = await upsertStickyComment(octokit, { owner, repo: name, issueNumber: number }, PLAN_MARKER, body);
    c.info(`rollout-gate: plan comment ${done.action}: ${done.url}`);
    return done.url;
  } catch (err) {
    const status = httpStatus(err);
    if (status === 403 || status === 404) {
      c.warning(
        `rollout-gate: the token may not comment on this pull request (HTTP ${status}); give the job ` +
          '`permissions: pull-requests: write` to get the plan as a PR comment. The plan is in the job summary.',
      );
    } else {
      // Octokit calls a network failure HTTP 500: its own message says which it was.
      const why = err instanceof Error ? err.message : String(err);
      c.warning(
        `rollout-gate: the plan could not be posted as a PR comment (${why}). ` + 'The plan is in the job summary.',
      );
    }
    return undefined;
  }
}

function blobOptions(): { blobUrl?: string } {
  const { serverUrl, sha } = github.context;
  const repo = process.env.GITHUB_REPOSITORY;
  return repo && sha ? { blobUrl: `${serverUrl}/${repo}/blob/${sha}` } : {};
}

/** Inputs of action.yml as a RunRequest. The kubeconfig is masked before anything can log it. */
export function readRequest(c: CoreLike): RunRequest {
  const kubeconfig = c.getInput('kubeconfig');
  if (kubeconfig) {
    c.setSecret(kubeconfig);
    // Mask every token-like value inside it too: a single line may be echoed by a library.
    for (const match of kubeconfig.matchAll(
      /(?:token|client-key-data|client-certificate-data|password):\s*"?([^\s"]+)/g,
    )) {
      c.setSecret(match[1]!);
    }
  }
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = (c.getInput(name) || fallback) as T;
    if (!allowed.includes(value)) throw new Error(`input ${name} must be one of ${allowed.join(', ')}, got "${value}"`);
    return value;
  };
  const restarts = c.getInput('crash-loop-restarts');
  return {
    manifests: c.getMultilineInput('manifests', { required: true }),
    namespace: c.getInput('namespace') || undefined,
    images: c.getMultilineInput('images'),
    simulate: c.getInput('simulate') ? c.getBooleanInput('simulate') : false,
    scenario: c.getInput('scenario') || undefined,
    kubeconfigContent: kubeconfig || undefined,
    context: c.getInput('context') || undefined,
    timeout: c.getInput('timeout') || '10m',
    rollback: oneOf('rollback', ['on-failure', 'never'] as const, 'on-failure'),
    rollbackTimeout: c.getInput('rollback-timeout') || undefined,
    onNoGoodRevision: oneOf('on-no-good-revision', ['leave', 'scale-to-zero', 'delete'] as const, 'leave'),
    imagePullGrace: c.getInput('image-pull-grace') || undefined,
    stallWindow: c.getInput('stall-window') || undefined,
    stabilityWindow: c.getInput('stability-window') || undefined,
    unschedulableGrace: c.getInput('unschedulable-grace') || undefined,
    configErrorGrace: c.getInput('config-error-grace') || undefined,
    crashLoopRestarts: restarts ? positiveInt('crash-loop-restarts', restarts) : undefined,
    forceConflicts: c.getInput('force-conflicts') ? c.getBooleanInput('force-conflicts') : false,
    changeCause: c.getInput('change-cause') || defaultChangeCause(),
    healthChecks: c.getInput('health-checks') || undefined,
    failedTolerance: c.getInput('failed-tolerance') || undefined,
    rollbackOnCancel: c.getInput('rollback-on-cancel') ? c.getBooleanInput('rollback-on-cancel') : true,
    // Names this run in the Deployments' Leases, so a second run on the same Deployment says who holds it.
    lockHolder: lockHolder(),
    cwd: process.env.GITHUB_WORKSPACE || process.cwd(),
  };
}

function lockHolder(): string | undefined {
  const { GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id, GITHUB_RUN_ATTEMPT: attempt } = process.env;
  return repo && id ? `${repo}#${id}.${attempt ?? '1'}` : undefined;
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`input ${name} must be a whole number of at least 1, got "${text}"`);
  return n;
}

/** `<sha> <run url>` so `kubectl rollout history` says which commit and run deployed a revision. */
function defaultChangeCause(): string | undefined {
  const { sha, serverUrl, runId } = github.context;
  const repo = process.env.GITHUB_REPOSITORY;
  if (!sha || !repo) return undefined;
  return `rollout-gate ${sha.slice(0, 12)} ${serverUrl}/${repo}/actions/runs/${runId}`;
}

function annotation(where?: { file?: string; line?: number }): core.AnnotationProperties {
  return where?.file ? { file: where.file, ...(where.line ? { startLine: where.line } : {}) } : {};
}

async function writeSummary(c: CoreLike, result: GateResult): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await c.summary.addRaw(renderJobSummary(result, blobOptions()), true).write();
}
