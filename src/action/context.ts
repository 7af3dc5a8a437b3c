/**
 * The workflow run's context, read from the runner's environment as @actions/github's `context`
 * reads it (lib/context.js), without loading @actions/github: that package's one entry point also
 * loads Octokit and its HTTP stack, which a run that writes no comment never needs (cold start,
 * issue 13). `getOctokit` loads the package on first use.
 */
import { existsSync, readFileSync } from 'node:fs';

type GithubModule = typeof import('@actions/github');

/** The fields of @actions/github's Context the action reads. */
export interface RunContext {
  eventName: string;
  sha: string;
  serverUrl: string;
  runId: number;
  payload: { pull_request?: { number?: number } } & Record<string, unknown>;
}

/** Same defaults as @actions/github's Context constructor. */
export function readContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const path = env.GITHUB_EVENT_PATH;
  let payload: RunContext['payload'] = {};
  if (path) {
    if (existsSync(path)) payload = JSON.parse(readFileSync(path, 'utf8')) as RunContext['payload'];
    else process.stdout.write(`GITHUB_EVENT_PATH ${path} does not exist\n`);
  }
  return {
    eventName: env.GITHUB_EVENT_NAME as string,
    sha: env.GITHUB_SHA as string,
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    runId: parseInt(env.GITHUB_RUN_ID as string, 10),
    payload,
  };
}

let context: RunContext | undefined;

/** Drop-in for the parts of `import * as github from '@actions/github'` the action uses. */
export const github = {
  /** Read once, on first use, like the package's module-level `context`. */
  get context(): RunContext {
    context ??= readContext();
    return context;
  },
  async getOctokit(token: string): Promise<ReturnType<GithubModule['getOctokit']>> {
    const { getOctokit } = await import('@actions/github');
    return getOctokit(token);
  },
};
