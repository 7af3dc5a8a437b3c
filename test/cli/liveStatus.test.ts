/**
 * The live status block alone, on a hand-moved clock: what it writes to the terminal and what it
 * hands to the plain log, in one transcript, so the order of the two is part of the assertion.
 */
import { describe, expect, it } from '@jest/globals';
import type { GateLog } from '../../src/gate/gateLog.js';
import { withLiveStatus } from '../../src/cli/liveStatus.js';

const E = '\u001b[';
const WEB = 'Waiting for deployment "web" rollout to finish: 0 of 2 updated replicas are available...';
const API = 'Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated...';

function setup(columns = 200) {
  const seen: string[] = [];
  let now = 0;
  let wake: (() => void) | undefined;
  const inner: GateLog = {
    info: (line) => seen.push(`log ${line}`),
    warn: (line) => seen.push(`warn ${line}`),
    error: (line) => seen.push(`error ${line}`),
    group: async (name, fn) => {
      seen.push(`log ── ${name}`);
      return fn();
    },
  };
  const clock = {
    now: () => now,
    sleep: () => new Promise<void>((resolve) => (wake = resolve)),
  };
  const set = (ms: number) => (now = ms);
  return { seen, set, tick: () => wake?.(), inner, clock, columns };
}

describe('withLiveStatus', () => {
  it('one row per workload, printed lines go above it, a success leaves it, stop makes it plain', async () => {
    const t = setup();
    const live = withLiveStatus(t.inner, (text) => t.seen.push(`tty ${text}`), t.clock, {
      columns: t.columns,
      timer: false,
    });
    await live.log.group('Rollout', async () => {
      live.log.info(`default/web: ${WEB}`);
      t.set(1500);
      live.log.info(`prod/api: ${API}`);
      t.set(3000);
      live.log.warn('a warning');
      live.log.info('default/web: deployment "web" successfully rolled out');
    });
    live.stop();
    live.stop(); // idempotent
    expect(t.seen).toEqual([
      'log ── Rollout',
      `tty ${E}2Kdefault/web (0s): ${WEB}\n`,
      `tty ${E}1A\r${E}J${E}2Kdefault/web (1s): ${WEB}\n${E}2Kprod/api (0s): ${API}\n`,
      `tty ${E}2A\r${E}J`,
      'warn a warning',
      `tty ${E}2Kdefault/web (3s): ${WEB}\n${E}2Kprod/api (1s): ${API}\n`,
      `tty ${E}2A\r${E}J`,
      'log default/web: deployment "web" successfully rolled out',
      `tty ${E}2Kprod/api (1s): ${API}\n`,
      `tty ${E}1A\r${E}J`,
      `log prod/api: ${API}`,
    ]);
  });

  it('a new phase turns the block into plain lines before its header', async () => {
    const t = setup();
    const live = withLiveStatus(t.inner, (text) => t.seen.push(`tty ${text}`), t.clock, { timer: false });
    live.log.info(`default/web: ${WEB}`);
    await live.log.group('Rollback', async () => undefined);
    live.stop();
    expect(t.seen.slice(1)).toEqual([`tty ${E}1A\r${E}J`, `log default/web: ${WEB}`, 'log ── Rollback']);
  });

  it('ticks the elapsed seconds without new lines: 0s until 1000 ms, 1s at 1000 ms', async () => {
    const t = setup();
    const live = withLiveStatus(t.inner, (text) => t.seen.push(`tty ${text}`), t.clock, { columns: 200 });
    live.log.info(`default/web: ${WEB}`);
    const settle = () => new Promise((r) => setImmediate(r));
    t.set(999);
    t.tick();
    await settle();
    t.set(1000);
    t.tick();
    await settle();
    live.stop();
    await settle();
    expect(t.seen).toEqual([
      `tty ${E}2Kdefault/web (0s): ${WEB}\n`,
      `tty ${E}1A\r${E}J${E}2Kdefault/web (0s): ${WEB}\n`,
      `tty ${E}1A\r${E}J${E}2Kdefault/web (1s): ${WEB}\n`,
      `tty ${E}1A\r${E}J`,
      `log default/web: ${WEB}`,
    ]);
  });

  it('cuts a row to one column less than the terminal (80 when it says 0), so it never wraps', () => {
    for (const [columns, width] of [
      [0, 79],
      [60, 59],
    ] as const) {
      const t = setup();
      const live = withLiveStatus(t.inner, (text) => t.seen.push(text), t.clock, { columns, timer: false });
      live.log.info(`default/web: ${WEB}`);
      const row = t.seen[0]!.slice(`${E}2K`.length, -1);
      expect(Array.from(row)).toHaveLength(width);
      expect(row).toBe(`${`default/web (0s): ${WEB}`.slice(0, width - 1)}…`);
      live.stop();
    }
  });
});
