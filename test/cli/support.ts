/** Runs the CLI in-process with buffered io. */
import { runCli } from '../../src/cli/runCli.js';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], cwd = ROOT): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
    cwd,
    version: '9.8.7',
  });
  return { code, stdout, stderr };
}

/** stdout of `--output json`: must be exactly one JSON object followed by one newline. */
export function onlyJson(stdout: string): Record<string, unknown> {
  if (!stdout.startsWith('{') || !stdout.endsWith('}\n')) throw new Error(`stdout is not one JSON object:\n${stdout}`);
  return JSON.parse(stdout) as Record<string, unknown>;
}
