import { readFileSync } from 'node:fs';
import { RealClock } from '../clock/realClock.js';
import type { GateLog } from '../gate/gateLog.js';
import { withHeartbeat } from '../gate/heartbeat.js';
import { withLiveStatus } from './liveStatus.js';
import { exitCodeFor, type GateResult } from '../gate/result.js';
import { colorize, renderJson, renderTextSummary } from '../report/index.js';
import { parseArgs, UsageError, type RunArgs } from './args.js';
import { MAIN_HELP, PLAN_HELP, RUN_HELP, SERVE_HELP } from './help.js';
import { runRequestOf } from './runRequestOf.js';

/** What the CLI touches of the outside world; tests pass buffers. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * Colours and the live status block only when stdout is a terminal that takes escape codes
   * (the entry leaves it false under NO_COLOR or TERM=dumb).
   */
  isTTY: boolean;
  /** The terminal's width, so the live status rows never wrap (0 or absent: 80). */
  columns?: number;
  cwd: string;
  version: string;
  /** `serve` runs until interrupted; injected so tests can stop it. */
  serve?(args: import('./args.js').ServeArgs, io: CliIO): Promise<number>;
  /** Aborted on SIGINT/SIGTERM: the run ends cancelled (exit 3), rolled back unless --rollback-on-cancel false. */
  signal?: AbortSignal;
  /** Names this process in the Deployments' Leases (`rollout-gate.<name>`, spec.holderIdentity). */
  lockHolder?: string;
}

/** Runs one command line; returns the exit code (README "As a CLI"). */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  switch (args.command) {
    case 'help':
      io.stdout(
        args.topic === 'run'
          ? RUN_HELP
          : args.topic === 'plan'
            ? PLAN_HELP
            : args.topic === 'serve'
              ? SERVE_HELP
              : MAIN_HELP,
      );
      return 0;
    case 'version':
      io.stdout(`rollout-gate ${io.version}\n`);
      return 0;
    case 'serve':
      if (!io.serve) {
        io.stderr('error: serve is not available here\n');
        return 2;
      }
      return io.serve(args, io);
    case 'completion': {
      const { bashCompletion, zshCompletion } = await import('./completion.js');
      io.stdout(args.shell === 'bash' ? bashCompletion() : zshCompletion());
      return 0;
    }
    case 'run':
      return run(args, io);
    case 'plan': {
      const { plan } = await import('./plan.js');
      return plan(args, io);
    }
  }
}

async function run(args: RunArgs, io: CliIO): Promise<number> {
  const json = args.output === 'json';
  // In JSON mode stdout carries exactly one JSON object; every log line goes to stderr.
  const logLine = (line: string) => (json ? io.stderr(`${line}\n`) : io.stdout(`${colorize(line, io.isTTY)}\n`));
  const plainLog: GateLog = {
    info: (line) => logLine(line),
    warn: (line, where) => io.stderr(`${locate(where)}warning: ${line}\n`),
    error: (line, where) => io.stderr(`${locate(where)}error: ${line}\n`),
    group: async (name, fn) => {
      logLine(`── ${name}`);
      return fn();
    },
  };
  // Say which images this run swaps in: the override, not the manifest, is what gets deployed.
  for (const image of args.images) logLine(`image override: ${image}`);
  // On a terminal: one status line per workload, redrawn in place (ticking each second on a real
  // cluster; a simulated run ends in well under a second of real time). Elsewhere, on a real
  // cluster, a rollout takes minutes: say every 30 s what is still pending.
  const live =
    !json && io.isTTY
      ? withLiveStatus(plainLog, io.stdout, new RealClock(), { columns: io.columns, timer: !args.simulate })
      : undefined;
  const heartbeat = args.simulate || live ? undefined : withHeartbeat(plainLog, new RealClock());
  const log = live?.log ?? heartbeat?.log ?? plainLog;
  let result: GateResult;
  try {
    // Loaded here, not at the top: --help, --version and usage errors never pay for the gate.
    const { runDeploy } = await import('../app/runDeploy.js');
    result = await runDeploy(
      {
        ...runRequestOf(args, io.cwd),
        ...(io.signal ? { signal: io.signal } : {}),
        ...(io.lockHolder ? { lockHolder: io.lockHolder } : {}),
      },
      log,
      () => import('../cluster/kube/index.js'),
    );
  } catch (err) {
    // An unexpected failure after validation: report it plainly (no stack trace) as not rolled back.
    const message = err instanceof Error ? err.message : String(err);
    log.error(message); // `error: <message>` on stderr, above the live block if one is shown
    result = { result: 'failed', workloads: [], errors: [{ message }] };
  } finally {
    heartbeat?.stop();
    live?.stop();
  }
  if (json) io.stdout(`${renderJson(result)}\n`);
  else for (const line of renderTextSummary(result)) io.stdout(`${colorize(line, io.isTTY)}\n`);
  return exitCodeFor(result.result);
}

function locate(where?: { file?: string; line?: number }): string {
  if (!where?.file) return '';
  return where.line ? `${where.file}:${where.line}: ` : `${where.file}: `;
}

/** The package version, read once from package.json next to the bundle or the sources. */
export function packageVersion(url: URL): string {
  try {
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
