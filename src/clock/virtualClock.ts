import type { Clock } from './clock.js';

/** A callback due at a virtual time. Ties are broken by the order they were scheduled. */
interface Timer {
  at: number;
  seq: number;
  label: string;
  fn: () => void;
  cancelled: boolean;
  fired: boolean;
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
  /** Binary min-heap on (at, seq): O(log n) schedule and fire, same order as a sorted list. */
  private readonly timers: Timer[] = [];
  private live = 0;
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
    const timer: Timer = { at: Math.max(at, this.current), seq: this.seq++, label, fn, cancelled: false, fired: false };
    this.push(timer);
    this.live++;
    return {
      cancel: () => {
        if (timer.cancelled || timer.fired) return;
        timer.cancelled = true;
        this.live--;
      },
    };
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

  /** Number of live (not fired, not cancelled) timers. */
  pending(): number {
    return this.live;
  }

  /** Fires the next timer (advancing time to it). Returns false when none is pending. */
  step(): boolean {
    this.dropCancelledHead();
    const timer = this.pop();
    if (!timer) return false;
    timer.fired = true;
    this.live--;
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
        throw new RunawayError(
          `more than ${this.maxTimersPerAdvance} timers fired before ${new Date(until).toISOString()}`,
        );
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

  private push(timer: Timer): void {
    const heap = this.timers;
    let i = heap.length;
    heap.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(timer, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): Timer | undefined {
    const heap = this.timers;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && earlier(heap[right]!, heap[left]!) ? right : left;
      if (!earlier(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  private dropCancelledHead(): void {
    while (this.timers.length > 0 && this.timers[0]!.cancelled) this.pop();
  }
}

/** (due time, sequence) order: equal times fire in the order they were scheduled. */
function earlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
