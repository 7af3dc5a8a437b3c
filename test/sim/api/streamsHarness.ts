import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Kubectl } from './harness.js';

/** Runs kubectl (with the Kubectl's kubeconfig) with its output readable while it runs. */
export function spawnKubectl(k: Kubectl, ...args: string[]) {
  const config = join(k.dir, 'kubeconfig');
  const child = spawn('kubectl', ['--kubeconfig', config, '--cache-dir', join(k.dir, 'cache'), ...args], {
    env: { ...process.env, KUBECONFIG: config, HOME: k.dir },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      exited = true;
      resolve({ code, stdout, stderr });
    }),
  );
  return { output: () => stdout, errors: () => stderr, exited: () => exited, done, kill: () => child.kill() };
}

/** Waits until `ok` holds, polling; the limit is generous (a loaded 2-core machine), never part of the assertion. */
export async function until(ok: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
