/**
 * A heartbeat around a GateLog: every `everyMs` (default 30 s) of the given clock while a rollout
 * is pending, one line saying what is still pending and its latest kubectl progress line. Pure of
 * @actions/*: the action and the CLI both wrap their log with it on real-cluster runs.
 *
 * It reads the gate's own progress lines (`<namespace>/<name>: <kubectl line>`) to know what is
 * pending; a line saying "successfully rolled out", or an error naming the Deployment, ends it.
 */
import type { GateLog } from './gateLog.js';

export interface HeartbeatClock {
  now(): number;
  /** With a signal, the heartbeat's timer is cancelled when the run ends (RealClock). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Heartbeat {
  log: GateLog;
  /** Stops the timer; call when the run ends. */
  stop(): void;
  /** Emits a heartbeat now if one is due (also called on every log line). */
  beat(): void;
}

const PROGRESS = /^([a-z0-9.-]+\/[a-z0-9.-]+): (.+)$/;

/** Seconds as `45s`, `2m05s`. */
function ago(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function withHeartbeat(
  inner: GateLog,
  clock: HeartbeatClock,
  options: { everyMs?: number; timer?: boolean } = {},
): Heartbeat {
  const everyMs = options.everyMs ?? 30_000;
  const pending = new Map<string, string>();
  const start = clock.now();
  let lastBeat = start;
  let stopped = false;
  const abort = new AbortController();

  const beat = (): void => {
    const now = clock.now();
    if (stopped || pending.size === 0 || now - lastBeat < everyMs * 0.9) return;
    lastBeat = now;
    const what = [...pending].map(([ref, line]) => `${ref} (${line})`).join('; ');
    inner.info(`⏳ still waiting after ${ago(now - start)}: ${what}`);
  };
  const note = (line: string): void => {
    const m = PROGRESS.exec(line);
    if (m) {
      if (/successfully rolled out/.test(m[2]!)) pending.delete(m[1]!);
      else pending.set(m[1]!, m[2]!.replace(/^Waiting for deployment "[^"]+" (rollout to finish: )?/, ''));
    }
  };
  const noteError = (line: string): void => {
    for (const ref of [...pending.keys()]) if (line.includes(`"${ref.split('/')[1]}"`)) pending.delete(ref);
  };

  const log: GateLog = {
    info(line) {
      beat();
      note(line);
      inner.info(line);
    },
    warn(line, where) {
      beat();
      inner.warn(line, where);
    },
    error(line, where) {
      beat();
      noteError(line);
      inner.error(line, where);
    },
    group(name, fn) {
      return inner.group(name, fn);
    },
  };

  if (options.timer !== false) {
    void (async () => {
      while (!stopped) {
        await clock.sleep(everyMs, abort.signal);
        beat();
      }
    })();
  }
  return {
    log,
    beat,
    stop() {
      stopped = true;
      abort.abort();
    },
  };
}
