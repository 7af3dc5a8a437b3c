import type { Clock } from './clock.js';

/** A callback due at a virtual time. Ties are broken by the order they were scheduled. */
interface Timer {
  at: number;
  seq: number;
  label: string;
  fn: () => void;
  cancelled: boolean;
}

export interface TimerHandle {
  cancel(): void;
}

/** Thrown when a run makes no progress in time, so a bug cannot spin forever. */
export class RunawayError extends Error {}

/**
 * Virtual time in the style of RxJS's VirtualTimeScheduler: time only moves when the owner
 * advances it, timers fire in (due time, sequence) order, and nothing real is waited on.
 *
 * `sleep` is for the gate: awaiting it advances the clock (firing every timer on the way),
 * so a 10-minute rollout is simulated in milliseconds of real time.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers: Timer[] = [];
  /** Called after every fired timer: the simulator settles its controllers here. */
  afterEachTimer: () => void = () => undefined;
  /** Upper bound on timers fired by one advance, a guard against endless loops. */
  maxTimersPerAdvance = 5_000_000;

  constructor(startMs = Date.UTC(2026, 0, 1, 0, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Runs `fn` at absolute time `at` (clamped to now). */
  at(at: number, label: string, fn: () => void): TimerHandle {
    const timer: Timer = { at: Math.max(at, this.current), seq: this.seq++, label, fn, cancelled: false };
    this.insert(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Runs `fn` after `ms` milliseconds. */
  after(ms: number, label: string, fn: () => void): TimerHandle {
    return this.at(this.current + Math.max(0, ms), label, fn);
  }

  /** Due time of the next live timer, or undefined when none is pending. */
  nextDue(): number | undefined {
    this.dropCancelledHead();
    return this.timers[0]?.at;
  }

  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Fires the next timer (advancing time to it). Returns false when none is pending. */
  step(): boolean {
    this.dropCancelledHead();
    const timer = this.timers.shift();
    if (!timer) return false;
    this.current = Math.max(this.current, timer.at);
    timer.fn();
    this.afterEachTimer();
    return true;
  }

  /**
   * Fires every timer due at or before `until`, then sets the time to `until`.
   * `stop` is checked after each timer; when it returns true the clock stays at that timer's time.
   * Returns true when stopped early.
   */
  runUntil(until: number, stop: () => boolean = () => false): boolean {
    let fired = 0;
    for (;;) {
      const due = this.nextDue();
      if (due === undefined || due > until) break;
      this.step();
      if (++fired > this.maxTimersPerAdvance) {
        throw new RunawayError(`more than ${this.maxTimersPerAdvance} timers fired before ${new Date(until).toISOString()}`);
      }
      if (stop()) return true;
    }
    this.current = Math.max(this.current, until);
    return false;
  }

  /** Advances by `ms`, firing due timers on the way. */
  advance(ms: number): void {
    this.runUntil(this.current + ms);
  }

  sleep(ms: number): Promise<void> {
    this.advance(ms);
    return Promise.resolve();
  }

  private insert(timer: Timer): void {
    // Binary search for the first timer due strictly later (stable for equal times).
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.timers[mid]!;
      if (other.at < timer.at || (other.at === timer.at && other.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
  }

  private dropCancelledHead(): void {
    while (this.timers.length > 0 && this.timers[0]!.cancelled) this.timers.shift();
  }
}
