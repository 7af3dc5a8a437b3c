/**
 * Cold start of each entry path (issue 13): the action (`node dist/index.js`) and the CLI
 * (`bin/rollout-gate.js`), each as a fresh process, against `node -e ''` measured in the same
 * rounds (one run of every path per round, so a busy machine slows all of them alike). Also the
 * size of the action bundle and of its lazily loaded chunks. Run from the repository root, with
 * dist/ bundled (`npm run bundle`) and lib/ built (`npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface EntryPath {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** The goal of issue 13, as a multiple of `node -e ''`. */
  goal: number;
}

const DEMO = ['-f', 'examples/typo-image/web-v2.yaml', '--scenario', 'examples/typo-image/scenario.yaml'];

export function entryPaths(outputs: string): EntryPath[] {
  const action = { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: join(outputs, 'out') };
  return [
    { name: "node -e ''", args: ['-e', ''], goal: 1 },
    { name: 'action, missing input (node dist/index.js)', args: ['dist/index.js'], env: action, goal: 2 },
    { name: 'rollout-gate --version', args: ['bin/rollout-gate.js', '--version'], goal: 2 },
    { name: 'rollout-gate --help', args: ['bin/rollout-gate.js', '--help'], goal: 2 },
    {
      name: 'rollout-gate demo (run --simulate, typo-image)',
      args: ['bin/rollout-gate.js', 'run', '--simulate', ...DEMO],
      goal: 5,
    },
    {
      name: 'action, simulated typo-image run',
      args: ['dist/index.js'],
      env: {
        ...action,
        INPUT_MANIFESTS: 'examples/typo-image/web-v2.yaml',
        INPUT_SIMULATE: 'true',
        INPUT_SCENARIO: 'examples/typo-image/scenario.yaml',
      },
      goal: 5,
    },
  ];
}

export interface ColdStartRow {
  name: string;
  medianMs: number;
  ratio: number;
  goal: number;
}

/** Median wall time of each path over `rounds` interleaved rounds, and its ratio to `node -e ''`. */
export function measureColdStart(node = process.execPath, rounds = 9): ColdStartRow[] {
  const outputs = mkdtempSync(join(tmpdir(), 'rollout-gate-coldstart-'));
  try {
    const paths = entryPaths(outputs);
    const times = paths.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      paths.forEach((p, i) => {
        const t0 = performance.now();
        spawnSync(node, p.args, { env: p.env ?? { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
        times[i]!.push(performance.now() - t0);
      });
    }
    const medians = times.map(median);
    return paths.map((p, i) => ({
      name: p.name,
      medianMs: medians[i]!,
      ratio: medians[i]! / medians[0]!,
      goal: p.goal,
    }));
  } finally {
    rmSync(outputs, { recursive: true, force: true });
  }
}

/** Bytes of every file under dist/ (the entry, each chunk, licences). */
export function bundleSizes(dir = 'dist'): Array<{ file: string; bytes: number }> {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((file) => ({ file, stat: statSync(join(dir, file)) }))
    .filter((f) => f.stat.isFile())
    .map((f) => ({ file: f.file, bytes: f.stat.size }))
    .sort((a, b) => b.bytes - a.bytes);
}

/** The markdown the README's figures table is taken from. */
export function coldStartReport(node = process.execPath, rounds = 9): string[] {
  const rows = measureColdStart(node, rounds);
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const lines = [
    `Cold start, median of ${rounds} interleaved runs, node ${version}:`,
    '',
    "| entry path | median | vs node -e '' | goal |",
    '| --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.medianMs.toFixed(0)} ms | ${r.ratio.toFixed(1)}x | ${r.goal === 1 ? '' : `${r.ratio <= r.goal ? 'within' : 'OVER'} ${r.goal}x`} |`,
    ),
  ];
  const sizes = bundleSizes();
  const total = sizes.reduce((n, s) => n + s.bytes, 0);
  const code = sizes.filter((s) => s.file.endsWith('.js'));
  lines.push(
    '',
    `Action bundle dist/: ${mib(total)} in ${sizes.length} files; loaded on every start: index.js ${kib(sizes.find((s) => s.file === 'index.js')?.bytes ?? 0)}`,
    ...code.slice(0, 5).map((s) => `  ${s.file}: ${kib(s.bytes)}`),
  );
  return lines;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
