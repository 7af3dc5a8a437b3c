/**
 * The CLI's live status on a terminal: while the gate watches, one line per workload, redrawn in
 * place, with the workload, its latest kubectl progress line and the seconds since it first
 * reported. Every other line (phase headers, apply results, warnings, errors) is printed above the
 * block. A workload that rolled out leaves the block as its plain success line; when a phase ends
 * (the next header) or the run ends, the block is replaced by each remaining workload's last
 * progress line, so the scrollback reads as a plain run without the intermediate progress lines.
 *
 * A CLI concern only: it wraps the GateLog the gate already writes to and reads the gate's progress
 * lines (`<namespace>/<name>: <kubectl line>`, as withHeartbeat does). Used only when stdout is a
 * terminal that takes escape codes (not NO_COLOR, not TERM=dumb, not --output json).
 *
 * Escape codes (ECMA-48, as every terminal emulator takes them): `ESC[<n>A` moves the cursor up n
 * rows, `ESC[J` erases from the cursor to the end of the screen, `ESC[2K` erases the current row.
 * A row wider than the terminal would wrap and break the row count, so rows are cut to fit.
 */
import type { GateLog } from '../gate/gateLog.js';
import type { HeartbeatClock } from '../gate/heartbeat.js';

const PROGRESS = /^([a-z0-9.-]+\/[a-z0-9.-]+): (.+)$/;
const ESC = '\u001b[';

export interface LiveStatus {
  log: GateLog;
  /** Replaces the block by the final plain lines and stops the timer; call when the run ends. */
  stop(): void;
}

interface Row {
  line: string;
  since: number;
}

export function withLiveStatus(
  inner: GateLog,
  write: (text: string) => void,
  clock: HeartbeatClock,
  options: { columns?: number; timer?: boolean; everyMs?: number } = {},
): LiveStatus {
  // A pseudo-terminal without a size reports 0 columns: assume the classic 80.
  const width = Math.max(20, (options.columns || 80) - 1);
  const rows = new Map<string, Row>();
  let shown = 0;
  let stopped = false;
  const abort = new AbortController();

  const fit = (text: string): string => {
    const chars = Array.from(text);
    return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
  };
  const erase = (): string => (shown > 0 ? `${ESC}${shown}A\r${ESC}J` : '');
  const draw = (): string => {
    const now = clock.now();
    shown = rows.size;
    return [...rows]
      .map(([ref, r]) => {
        const secs = Math.floor((now - r.since) / 1000);
        return `${ESC}2K${fit(`${ref} (${secs}s): ${r.line}`)}\n`;
      })
      .join('');
  };
  const redraw = (): void => {
    if (rows.size > 0 || shown > 0) write(erase() + draw());
  };
  /** Prints through the plain log above the block, then draws the block again below it. */
  const above = (print: () => void): void => {
    if (shown > 0) write(erase());
    shown = 0;
    print();
    if (rows.size > 0) write(draw());
  };
  /** The block becomes plain lines: each workload's last progress line, exactly as logged. */
  const settle = (): void => {
    if (shown > 0) write(erase());
    shown = 0;
    const last = [...rows];
    rows.clear();
    for (const [ref, r] of last) inner.info(`${ref}: ${r.line}`);
  };

  const log: GateLog = {
    info(line) {
      const m = PROGRESS.exec(line);
      if (!m) return above(() => inner.info(line));
      const [ref, text] = [m[1]!, m[2]!];
      if (/successfully rolled out/.test(text)) {
        // Its last line: it leaves the block for the scrollback, where the plain run has it.
        rows.delete(ref);
        return above(() => inner.info(line));
      }
      const row = rows.get(ref) ?? { line: text, since: clock.now() };
      row.line = text;
      rows.set(ref, row);
      redraw();
    },
    warn(line, where) {
      above(() => inner.warn(line, where));
    },
    error(line, where) {
      above(() => inner.error(line, where));
    },
    group(name, fn) {
      settle();
      return inner.group(name, fn);
    },
  };

  // On a real cluster a phase lasts minutes: tick the elapsed seconds even when nothing is logged.
  if (options.timer !== false) {
    void (async () => {
      while (!stopped) {
        await clock.sleep(options.everyMs ?? 1000, abort.signal);
        if (!stopped && shown > 0) redraw();
      }
    })();
  }
  return {
    log,
    stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      settle();
    },
  };
}
