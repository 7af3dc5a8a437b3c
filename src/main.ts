/**
 * The GitHub Action: reads inputs, masks secrets, runs the shared core (runDeploy), and writes
 * outputs, annotations and the job summary. The only module that imports @actions/*.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { runDeploy } from './app/runDeploy.js';
import * as kube from './cluster/kube/index.js';
import type { RunRequest } from './app/runRequest.js';
import type { GateLog } from './gate/gateLog.js';
import type { GateResult } from './gate/result.js';
import { actionOutputs, renderJobSummary, renderTextSummary } from './report/index.js';

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
  | 'warning'
  | 'error'
  | 'group'
  | 'summary'
>;

export async function run(c: CoreLike = core): Promise<GateResult | undefined> {
  try {
    const request = readRequest(c);
    const log: GateLog = {
      info: (line) => c.info(line),
      warn: (line, where) => c.warning(line, annotation(where)),
      error: (line, where) => c.error(line, annotation(where)),
      group: (name, fn) => c.group(name, fn),
    };
    const result = await runDeploy(request, log, async () => kube);
    for (const e of result.errors) c.error(e.message, annotation({ file: e.file, line: e.line }));
    for (const line of renderTextSummary(result)) c.info(line);
    for (const [name, value] of Object.entries(actionOutputs(result))) c.setOutput(name, value);
    await writeSummary(c, result);
    if (result.result !== 'succeeded') c.setFailed(`rollout-gate: ${result.result}`);
    return result;
  } catch (err) {
    c.setFailed(err instanceof Error ? err.message : String(err));
    return undefined;
  }
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
    unschedulableGrace: c.getInput('unschedulable-grace') || undefined,
    configErrorGrace: c.getInput('config-error-grace') || undefined,
    crashLoopRestarts: restarts ? positiveInt('crash-loop-restarts', restarts) : undefined,
    forceConflicts: c.getInput('force-conflicts') ? c.getBooleanInput('force-conflicts') : false,
    changeCause: c.getInput('change-cause') || defaultChangeCause(),
    cwd: process.env.GITHUB_WORKSPACE || process.cwd(),
  };
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
  const { serverUrl, sha } = github.context;
  const repo = process.env.GITHUB_REPOSITORY;
  const blobUrl = repo && sha ? `${serverUrl}/${repo}/blob/${sha}` : undefined;
  await c.summary.addRaw(renderJobSummary(result, blobUrl ? { blobUrl } : {}), true).write();
}
