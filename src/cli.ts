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

/**
 * A writer that goes quiet once its reader is gone: `rollout-gate run ... | head -1` closes the pipe
 * after one line, and the next write fails with EPIPE, emitted as an 'error' event that would
 * otherwise crash the process with a stack trace. Unlike kubectl (killed by SIGPIPE), the run is
 * not abandoned halfway: an apply without its watch or rollback would leave the cluster changed and
 * unjudged, so the gate finishes its work, only unheard, and exits with its own code.
 */
function quietOnEpipe(stream: NodeJS.WriteStream): (text: string) => void {
  let gone = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    gone = true;
  });
  return (text) => {
    if (!gone && !stream.destroyed) stream.write(text);
  };
}

// Escape codes only for a terminal that takes them: NO_COLOR (https://no-color.org, set and not
// empty) or TERM=dumb get the plain lines a pipe gets.
const terminal = process.stdout.isTTY === true && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';

const code = await runCli(process.argv.slice(2), {
  signal: cancel.signal,
  lockHolder: `${hostname()}-${process.pid}`,
  stdout: quietOnEpipe(process.stdout),
  stderr: quietOnEpipe(process.stderr),
  isTTY: terminal,
  columns: process.stdout.columns,
  cwd: process.cwd(),
  version: packageVersion(new URL('../../package.json', import.meta.url)),
  serve: async (args, io) => (await import('./cli/serve.js')).serve(args, io),
});
process.exitCode = code;
