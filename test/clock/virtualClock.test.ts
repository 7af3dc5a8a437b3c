import { describe, expect, it } from '@jest/globals';
import { RunawayError, VirtualClock } from '../../src/clock/virtualClock.js';

const T0 = Date.UTC(2026, 0, 1);

describe('VirtualClock', () => {
  it('starts at 2026-01-01T00:00:00Z unless told otherwise', () => {
    expect(new VirtualClock().now()).toBe(T0);
    expect(new VirtualClock(5).now()).toBe(5);
  });

  it('fires timers in (due time, scheduling order) order', () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    const log = (label: string) => () => fired.push(`${label}@${clock.now()}`);
    clock.at(30, 'c', log('c'));
    clock.at(10, 'a1', log('a1'));
    clock.at(20, 'b', log('b'));
    clock.at(10, 'a2', log('a2'));
    clock.after(10, 'a3', log('a3'));
    clock.at(-5, 'past', log('past')); // clamped to now
    clock.advance(100);
    expect(fired).toEqual(['past@0', 'a1@10', 'a2@10', 'a3@10', 'b@20', 'c@30']);
    expect(clock.now()).toBe(100);
  });

  it('keeps (due, seq) order over many interleaved timers, including ones scheduled while firing', () => {
    const clock = new VirtualClock(0);
    const fired: Array<[number, number]> = [];
    let seq = 0;
    const schedule = (at: number) => {
      const mine = seq++;
      clock.at(at, 't', () => {
        fired.push([clock.now(), mine]);
        if (mine % 7 === 0 && mine < 500) schedule(clock.now() + (mine % 3)); // same time or later
      });
    };
    for (let i = 0; i < 400; i++) schedule((i * 37) % 101);
    clock.advance(1_000);
    const sorted = [...fired].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(fired).toEqual(sorted);
    expect(clock.pending()).toBe(0);
  });

  it('does not fire a cancelled timer and counts only live ones as pending', () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    const a = clock.at(10, 'a', () => fired.push('a'));
    clock.at(20, 'b', () => fired.push('b'));
    expect(clock.pending()).toBe(2);
    a.cancel();
    a.cancel();
    expect(clock.pending()).toBe(1);
    expect(clock.nextDue()).toBe(20);
    clock.advance(30);
    expect(fired).toEqual(['b']);
    expect(clock.pending()).toBe(0);
  });

  it('steps one timer at a time, moving time to it', () => {
    const clock = new VirtualClock(0);
    clock.at(15, 'x', () => undefined);
    expect(clock.step()).toBe(true);
    expect(clock.now()).toBe(15);
    expect(clock.step()).toBe(false);
  });

  it('runUntil stops at the timer where stop() holds, else ends at the deadline', () => {
    const clock = new VirtualClock(0);
    let n = 0;
    for (const t of [10, 20, 30]) clock.at(t, 'n', () => n++);
    expect(clock.runUntil(100, () => n === 2)).toBe(true);
    expect(clock.now()).toBe(20);
    expect(clock.runUntil(25)).toBe(false);
    expect(clock.now()).toBe(25);
    expect(n).toBe(2);
  });

  it('fires a timer due exactly at the deadline, not one due 1 ms later', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.at(1000, 'edge', () => fired.push(1000));
    clock.at(1001, 'late', () => fired.push(1001));
    clock.advance(1000);
    expect(fired).toEqual([1000]);
    clock.advance(1);
    expect(fired).toEqual([1000, 1001]);
  });

  it('calls afterEachTimer after every fired timer', () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.afterEachTimer = () => seen.push(clock.now());
    clock.at(1, 'a', () => undefined);
    clock.at(2, 'b', () => undefined);
    clock.advance(5);
    expect(seen).toEqual([1, 2]);
  });

  it('throws RunawayError when timers keep rescheduling themselves', () => {
    const clock = new VirtualClock(0);
    clock.maxTimersPerAdvance = 1_000;
    const again = () => clock.at(clock.now(), 'loop', again);
    again();
    expect(() => clock.advance(1)).toThrow(RunawayError);
  });

  it('sleep advances virtual time and fires what is due on the way', async () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.at(500, 'half', () => fired.push(clock.now()));
    await clock.sleep(1_000);
    expect(clock.now()).toBe(1_000);
    expect(fired).toEqual([500]);
  });
});
