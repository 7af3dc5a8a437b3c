/**
 * The CLI entry (`rollout-gate`): wires the process to {@link runCli}. Compiled by `npm run
 * build` (the `prepare` step of `npm ci`) into lib/src/cli.js, which bin/rollout-gate.js runs.
 */
import { hostname } from 'node:os';
import { runCli, packageVersion } from './cli/runCli.js';

// SIGINT/SIGTERM (Ctrl-C, a cancelled CI job): the first cancels the run, which sends the rollback
// of what it changed (unless --rollback-on-cancel false), then releases its Leases, then verifies
// the rollback and reports `failed`, reason Cancelled, exit 3. A second signal exits at once (3),
// without waiting for that verification; a Lease not yet released then lapses within a minute.
const cancel = new AbortController();
let signals = 0;
const onSignal = (name: string) => {
  if (++signals === 1) {
    process.stderr.write(`error: ${name} received: cancelling the run\n`);
    cancel.abort();
    return;
  }
  process.stderr.write(`error: ${name} received again: exiting without waiting for the rollback to finish\n`);
  process.exit(3);
};
const isServe = process.argv[2] === 'serve';
if (!isServe) {
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

const code = await runCli(process.argv.slice(2), {
  signal: cancel.signal,
  lockHolder: `${hostname()}-${process.pid}`,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  cwd: process.cwd(),
  version: packageVersion(new URL('../../package.json', import.meta.url)),
  serve: async (args, io) => (await import('./cli/serve.js')).serve(args, io),
});
process.exitCode = code;
