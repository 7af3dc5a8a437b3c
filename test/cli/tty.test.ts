/**
 * The CLI as the real process on a terminal and on pipes (issue 13): through a pseudo-terminal
 * (`script` from util-linux) a --simulate run redraws one status line per workload in place and
 * leaves the plain lines on the screen; on a pipe, under NO_COLOR or TERM=dumb, and with
 * --output json, not one escape code. A reader that goes away (`| head -1`) gets no EPIPE crash.
 */
/* eslint-disable no-control-regex -- the escape codes (ESC, \u001b) are what this test reads */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { ROOT } from './support.js';
import { ensureBuilt } from '../secrets/support.js';

const BIN = join(ROOT, 'bin/rollout-gate.js');
const RUN = `"${process.execPath}" "${BIN}" run --simulate -f examples/typo-image/web-v2.yaml --scenario examples/typo-image/scenario.yaml`;
const ESCAPE = /\u001b/;
const PROGRESS =
  'default/nginx-deployment: Waiting for deployment "nginx-deployment" rollout to finish: 1 out of 3 new replicas have been updated...';

/** The environment of a colour terminal, whatever the one running the tests says. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', ...extra };
  if (!('NO_COLOR' in extra)) delete e['NO_COLOR'];
  return e;
}

/** Runs `cmd` in a pseudo-terminal (stdout and stderr both the terminal); its raw output. */
function onTerminal(cmd: string, extra: Record<string, string> = {}): { code: number | null; raw: string } {
  const out = spawnSync('script', ['-qfec', cmd, '/dev/null'], {
    cwd: ROOT,
    env: env(extra),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(out.stderr).toBe('');
  return { code: out.status, raw: out.stdout };
}

/** stdout and stderr merged on one pipe, as a CI log has them. */
function onPipe(cmd: string, extra: Record<string, string> = {}): { code: number | null; text: string } {
  const out = spawnSync('bash', ['-c', `${cmd} 2>&1`], { cwd: ROOT, env: env(extra), encoding: 'utf8' });
  return { code: out.status, text: out.stdout };
}

/**
 * What a terminal shows after `raw`: enough of ECMA-48 for what the CLI sends (CR, LF, cursor up,
 * erase line, erase to the end of the screen; colours dropped). The tty turns LF into CR LF.
 */
function screen(raw: string): string[] {
  const rows: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (s: string) => {
    const line = rows[row] ?? '';
    rows[row] = line.slice(0, col).padEnd(col) + s + line.slice(col + s.length);
    col += s.length;
  };
  for (const token of raw.match(/\u001b\[[0-9;?]*[A-Za-z]|\r|\n|[^\u001b\r\n]+/gu) ?? []) {
    if (token === '\r') col = 0;
    else if (token === '\n') {
      row += 1;
      rows[row] ??= '';
    } else if (token.startsWith('\u001b[')) {
      const n = Number(token.slice(2, -1) || '1');
      const op = token.at(-1);
      if (op === 'A') row = Math.max(0, row - n);
      else if (op === 'K') rows[row] = '';
      else if (op === 'J') {
        rows[row] = (rows[row] ?? '').slice(0, col);
        rows.length = row + 1;
      } else if (op !== 'm') throw new Error(`unexpected escape ${JSON.stringify(token)}`);
    } else put(token);
  }
  return rows;
}

/** The cursor and erase sequences in `raw`, in order (colours left out). */
function moves(raw: string): string[] {
  return (raw.match(/\u001b\[[0-9;?]*[A-Za-z]/gu) ?? []).filter((s) => !s.endsWith('m')).map((s) => s.slice(2));
}

beforeAll(() => ensureBuilt(), 120_000);

describe('on a terminal', () => {
  test('one status line per workload, redrawn in place, then the plain lines a pipe gets', () => {
    const tty = onTerminal(RUN);
    const plain = onPipe(RUN);
    expect([tty.code, plain.code]).toEqual([1, 1]);

    // The block: drawn (erase row), cleared for the error printed above it (up 1, erase below),
    // drawn again, and replaced by the plain progress line when the Rollback phase starts; then
    // drawn once more for the rollback's stability window, replaced by its success line.
    expect(moves(tty.raw)).toEqual(['2K', '1A', 'J', '2K', '1A', 'J', '2K', '1A', 'J']);
    const drawn = [...tty.raw.matchAll(/\u001b\[2K([^\r\n]*)\r?\n/gu)].map((m) => m[1]!);
    expect(drawn).toHaveLength(3);
    expect(drawn[2]).toMatch(/^default\/nginx-deployment \(\d+s\): Waiting for 3 new pods to stay ready for 10 s/);
    for (const row of drawn.slice(0, 2)) {
      // The workload, its elapsed seconds and kubectl's words, cut to 79 columns (the pty says 0: 80).
      expect(row).toMatch(/^default\/nginx-deployment \(\d+s\): Waiting for deployment "nginx-deployment" rollo/);
      expect(Array.from(row)).toHaveLength(79);
      expect(row.endsWith('…')).toBe(true);
    }

    // What stays on the screen is what a pipe gets (stdout and stderr in their order), except that
    // a pending workload's last progress line ends its phase: the block stays below the lines
    // printed while it was shown (here the error), and becomes that plain line at `── Rollback`.
    expect(plain.text).not.toMatch(ESCAPE);
    const lines = plain.text.split('\n');
    const error = lines.findIndex((l) => l.startsWith('examples/typo-image/web-v2.yaml:19: error: '));
    expect(lines.slice(error - 1, error + 2).map((l) => l.slice(0, 24))).toEqual([
      PROGRESS.slice(0, 24),
      lines[error]!.slice(0, 24),
      '── Rollback',
    ]);
    const expected = [...lines];
    expected.splice(error - 1, 2, lines[error]!, PROGRESS);
    // The rollback's stability line was only ever in the block: its success line replaced it.
    const waiting = expected.findIndex((l) => l.includes('to stay ready for 10 s'));
    expect(waiting).toBeGreaterThan(error);
    expected.splice(waiting, 1);
    expect(screen(tty.raw)).toEqual(expected);
  });

  test.each([
    ['NO_COLOR=1', { NO_COLOR: '1' }],
    ['TERM=dumb', { TERM: 'dumb' }],
  ])('%s: the plain lines, not one escape code', (_name, extra) => {
    const tty = onTerminal(RUN, extra);
    expect(tty.code).toBe(1);
    expect(tty.raw).not.toMatch(ESCAPE);
    expect(tty.raw.replace(/\r\n/g, '\n')).toBe(onPipe(RUN).text);
  });

  test('--output json: one JSON object on stdout, plain log lines on stderr, no escape code', () => {
    const tty = onTerminal(`${RUN} --output json`);
    expect(tty.code).toBe(1);
    expect(tty.raw).not.toMatch(ESCAPE);
    expect(tty.raw.replace(/\r\n/g, '\n')).toContain(`${PROGRESS}\n`);
    expect(tty.raw).toContain('"result": "rolled-back"');
  });
});

describe('on a pipe', () => {
  test('no escape code in the output', () => {
    const plain = onPipe(RUN);
    expect(plain.code).toBe(1);
    expect(plain.text).toContain(`${PROGRESS}\n`);
    expect(plain.text).not.toMatch(ESCAPE);
  });

  const CRASH = /EPIPE|Unhandled|node:events|\n\s+at /;

  test('| head -1: the first line, then a quiet exit with the run’s own code (no EPIPE crash)', () => {
    const out = spawnSync('bash', ['-c', `${RUN} | head -1; echo "exit: \${PIPESTATUS[*]}"`], {
      cwd: ROOT,
      env: env(),
      encoding: 'utf8',
    });
    expect(out.stdout).toBe('rollout-gate: 1 object(s) for the built-in simulated cluster\nexit: 1 0\n');
    expect(out.stderr).not.toMatch(CRASH);
    // stderr still carries the run's own error line.
    expect(out.stderr).toMatch(/^examples\/typo-image\/web-v2\.yaml:19: error: deployment "nginx-deployment" failed/);
  });

  test('a reader gone before the first write: every write fails with EPIPE, the run still ends with its code', async () => {
    const child = spawn(process.execPath, [BIN, ...RUN.split(' ').slice(2)], {
      cwd: ROOT,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Closed before node has even started: the CLI's first write is the one that meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(CRASH);
    expect(code).toBe(1);
  });
});
