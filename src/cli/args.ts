import { MAIN_HELP } from './help.js';
import { didYouMean } from './suggest.js';

/**
 * Command-line parsing for `rollout-gate` (README "As a CLI"). Hand-written: the grammar is small,
 * and every mistake must produce one clear sentence and exit code 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface RunArgs {
  command: 'run';
  manifests: string[];
  namespace?: string;
  images: string[];
  simulate: boolean;
  scenario?: string;
  kubeconfig?: string;
  context?: string;
  timeout: string;
  rollback: 'on-failure' | 'never';
  output: 'text' | 'json';
  /** What to do with a Deployment this run created when it fails and has no good revision. */
  onNoGoodRevision: 'leave' | 'scale-to-zero' | 'delete';
  imagePullGrace?: string;
  stallWindow?: string;
  stabilityWindow?: string;
  unschedulableGrace?: string;
  configErrorGrace?: string;
  crashLoopRestarts?: number;
  rollbackTimeout?: string;
  /** On SIGINT/SIGTERM, roll back what the run changed (default true). */
  rollbackOnCancel: boolean;
  forceConflicts: boolean;
  changeCause?: string;
  healthChecks?: string;
  failedTolerance?: string;
}

/**
 * `plan`: the PR dry run (src/app/runPlan.ts) from a terminal. The gate's flags mean what they mean
 * for `run`; the rollout is always simulated, on the scenario or on a baseline read from a cluster.
 */
export interface PlanArgs extends Omit<RunArgs, 'command' | 'simulate'> {
  command: 'plan';
  /** Manifests of the baseline (e.g. the base branch's files). */
  baseline: string[];
  /** Ask each image's registry whether it exists (default true). */
  checkImages: boolean;
}

export interface ServeArgs {
  command: 'serve';
  scenario?: string;
  port: number;
  speed: number;
  kubeconfigOut?: string;
  tls: boolean;
}

export type CliArgs =
  | RunArgs
  | PlanArgs
  | ServeArgs
  | { command: 'help'; topic?: 'run' | 'plan' | 'serve' }
  | { command: 'version' }
  | { command: 'completion'; shell: 'bash' | 'zsh' };

/** Every command, for suggestions and shell completion. */
export const COMMANDS = ['run', 'plan', 'serve', 'completion', 'help', 'version'] as const;

export interface FlagSpec {
  name: string;
  short?: string;
  takesValue: boolean;
  repeatable?: boolean;
}

export const RUN_FLAGS: FlagSpec[] = [
  { name: 'manifests', short: 'f', takesValue: true, repeatable: true },
  { name: 'namespace', short: 'n', takesValue: true },
  { name: 'image', takesValue: true, repeatable: true },
  { name: 'simulate', takesValue: false },
  { name: 'scenario', takesValue: true },
  { name: 'kubeconfig', takesValue: true },
  { name: 'context', takesValue: true },
  { name: 'timeout', takesValue: true },
  { name: 'rollback', takesValue: true },
  { name: 'output', short: 'o', takesValue: true },
  { name: 'on-no-good-revision', takesValue: true },
  { name: 'image-pull-grace', takesValue: true },
  { name: 'stall-window', takesValue: true },
  { name: 'stability-window', takesValue: true },
  { name: 'unschedulable-grace', takesValue: true },
  { name: 'config-error-grace', takesValue: true },
  { name: 'crash-loop-restarts', takesValue: true },
  { name: 'rollback-timeout', takesValue: true },
  { name: 'rollback-on-cancel', takesValue: true },
  { name: 'force-conflicts', takesValue: false },
  { name: 'change-cause', takesValue: true },
  { name: 'health-checks', takesValue: true },
  { name: 'failed-tolerance', takesValue: true },
  { name: 'help', short: 'h', takesValue: false },
];

/** `run`'s flags that shape the simulated rollout, plus the baseline and the image check. */
export const PLAN_FLAGS: FlagSpec[] = [
  ...RUN_FLAGS.filter(
    (f) => !['simulate', 'rollback-on-cancel', 'on-no-good-revision', 'change-cause'].includes(f.name),
  ),
  { name: 'baseline', takesValue: true, repeatable: true },
  { name: 'check-images', takesValue: true },
];

export const SERVE_FLAGS: FlagSpec[] = [
  { name: 'scenario', takesValue: true },
  { name: 'port', takesValue: true },
  { name: 'speed', takesValue: true },
  { name: 'kubeconfig-out', takesValue: true },
  { name: 'tls', takesValue: false },
  { name: 'help', short: 'h', takesValue: false },
];

/** Parses argv (without `node` and the script path). Throws {@link UsageError}. */
export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  // No command is a usage error (exit 2), with the usage to say what would have been right.
  if (command === undefined) throw new UsageError(`a command is needed\n\n${MAIN_HELP.trimEnd()}`);
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = rest[0] === 'run' || rest[0] === 'plan' || rest[0] === 'serve' ? rest[0] : undefined;
    return { command: 'help', topic };
  }
  if (command === '--version' || command === '-v' || command === 'version') return { command: 'version' };
  if (command === 'run') return parseRun(rest);
  if (command === 'plan') return parsePlan(rest);
  if (command === 'serve') return parseServe(rest);
  if (command === 'completion') return parseCompletion(rest);
  const hint = command.startsWith('-') ? didYouMean(command, ['--help', '--version']) : didYouMean(command, COMMANDS);
  throw new UsageError(`unknown command "${command}"${hint} (expected run, plan or serve; see rollout-gate --help)`);
}

/** `completion bash|zsh`, as `kubectl completion`. */
function parseCompletion(argv: string[]): CliArgs {
  const [shell, ...extra] = argv;
  if (shell !== 'bash' && shell !== 'zsh') {
    const hint = shell === undefined ? '' : didYouMean(shell, ['bash', 'zsh']);
    throw new UsageError(
      `completion needs a shell: bash or zsh${shell === undefined ? '' : `, got "${shell}"`}${hint}`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" for completion`);
  return { command: 'completion', shell };
}

function parsePlan(argv: string[]): CliArgs {
  const flags = parseFlags(argv, PLAN_FLAGS, 'plan');
  if (flags.has('help')) return { command: 'help', topic: 'plan' };
  const checkImages = one(flags, 'check-images') ?? 'true';
  if (checkImages !== 'true' && checkImages !== 'false')
    throw new UsageError(`--check-images must be "true" or "false", got "${checkImages}"`);
  const { command: _run, simulate: _simulate, ...gate } = gateArgs(flags, 'plan');
  return { ...gate, command: 'plan', baseline: flags.get('baseline') ?? [], checkImages: checkImages === 'true' };
}

function parseRun(argv: string[]): CliArgs {
  const flags = parseFlags(argv, RUN_FLAGS, 'run');
  if (flags.has('help')) return { command: 'help', topic: 'run' };
  return gateArgs(flags, 'run');
}

/** The flags `run` and `plan` share, checked the same way. */
function gateArgs(flags: Map<string, string[]>, command: 'run' | 'plan'): RunArgs {
  const manifests = flags.get('manifests') ?? [];
  if (manifests.length === 0) throw new UsageError(`${command} needs at least one -f/--manifests <file|dir|glob>`);
  const rollback = one(flags, 'rollback') ?? 'on-failure';
  if (rollback !== 'on-failure' && rollback !== 'never') {
    throw new UsageError(`--rollback must be "on-failure" or "never", got "${rollback}"`);
  }
  const output = one(flags, 'output') ?? 'text';
  if (output !== 'text' && output !== 'json')
    throw new UsageError(`--output must be "text" or "json", got "${output}"`);
  const rollbackOnCancel = one(flags, 'rollback-on-cancel') ?? 'true';
  if (rollbackOnCancel !== 'true' && rollbackOnCancel !== 'false') {
    throw new UsageError(`--rollback-on-cancel must be "true" or "false", got "${rollbackOnCancel}"`);
  }
  const onNoGood = one(flags, 'on-no-good-revision') ?? 'leave';
  if (onNoGood !== 'leave' && onNoGood !== 'scale-to-zero' && onNoGood !== 'delete') {
    throw new UsageError(`--on-no-good-revision must be "leave", "scale-to-zero" or "delete", got "${onNoGood}"`);
  }
  // A plan always simulates: --scenario needs no --simulate there.
  const simulate = flags.has('simulate');
  if (command === 'run' && !simulate && flags.has('scenario'))
    throw new UsageError('--scenario only applies with --simulate');
  if (simulate && (flags.has('kubeconfig') || flags.has('context'))) {
    throw new UsageError('--kubeconfig and --context do not apply with --simulate (the simulated cluster needs none)');
  }
  const restarts = one(flags, 'crash-loop-restarts');
  let crashLoopRestarts: number | undefined;
  if (restarts !== undefined) {
    crashLoopRestarts = Number(restarts);
    if (!Number.isInteger(crashLoopRestarts) || crashLoopRestarts < 1) {
      throw new UsageError(`--crash-loop-restarts must be a whole number of at least 1, got "${restarts}"`);
    }
  }
  return {
    command: 'run',
    manifests,
    namespace: one(flags, 'namespace'),
    images: flags.get('image') ?? [],
    simulate,
    scenario: one(flags, 'scenario'),
    kubeconfig: one(flags, 'kubeconfig'),
    context: one(flags, 'context'),
    timeout: one(flags, 'timeout') ?? '10m',
    rollback,
    output,
    onNoGoodRevision: onNoGood,
    imagePullGrace: one(flags, 'image-pull-grace'),
    stallWindow: one(flags, 'stall-window'),
    stabilityWindow: one(flags, 'stability-window'),
    unschedulableGrace: one(flags, 'unschedulable-grace'),
    configErrorGrace: one(flags, 'config-error-grace'),
    crashLoopRestarts,
    rollbackTimeout: one(flags, 'rollback-timeout'),
    rollbackOnCancel: rollbackOnCancel === 'true',
    forceConflicts: flags.has('force-conflicts'),
    changeCause: one(flags, 'change-cause'),
    healthChecks: one(flags, 'health-checks'),
    failedTolerance: one(flags, 'failed-tolerance'),
  };
}

function parseServe(argv: string[]): CliArgs {
  const flags = parseFlags(argv, SERVE_FLAGS, 'serve');
  if (flags.has('help')) return { command: 'help', topic: 'serve' };
  const portText = one(flags, 'port') ?? '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, got "${portText}"`);
  const speedText = one(flags, 'speed') ?? '1';
  const speed = Number(speedText);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 10_000) {
    throw new UsageError(`--speed must be a number greater than 0 (at most 10000), got "${speedText}"`);
  }
  return {
    command: 'serve',
    scenario: one(flags, 'scenario'),
    port,
    speed,
    kubeconfigOut: one(flags, 'kubeconfig-out'),
    tls: flags.has('tls'),
  };
}

function parseFlags(argv: string[], specs: FlagSpec[], command: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (arg.startsWith('-') && arg.length >= 2) {
      const spec = specs.find((s) => s.short === arg.slice(1, 2));
      // No suggestion for a one-letter flag: every other one-letter flag is one edit away.
      if (!spec) throw new UsageError(`unknown flag "${arg}" for ${command} (see rollout-gate ${command} --help)`);
      name = spec.name;
      inline = arg.length > 2 ? arg.slice(2).replace(/^=/, '') : undefined;
    } else {
      throw new UsageError(`unexpected argument "${arg}" for ${command} (manifests are given with -f)`);
    }
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      const hint = didYouMean(
        `--${name}`,
        specs.map((s) => `--${s.name}`),
      );
      throw new UsageError(`unknown flag "--${name}" for ${command}${hint} (see rollout-gate ${command} --help)`);
    }
    let value = 'true';
    if (spec.takesValue) {
      if (inline !== undefined) value = inline;
      else {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('-') && next !== '-'))
          throw new UsageError(`flag --${name} needs a value`);
        value = next;
        i++;
      }
      if (value === '') throw new UsageError(`flag --${name} needs a non-empty value`);
    } else if (inline !== undefined) {
      throw new UsageError(`flag --${name} takes no value`);
    }
    const values = out.get(name) ?? [];
    if (values.length > 0 && !spec.repeatable) throw new UsageError(`flag --${name} was given more than once`);
    values.push(value);
    out.set(name, values);
  }
  return out;
}

function one(flags: Map<string, string[]>, name: string): string | undefined {
  return flags.get(name)?.[0];
}
