import { SeededRandom } from '../../clock/seededRandom.js';
import { RunawayError, VirtualClock } from '../../clock/virtualClock.js';
import type { Controller, ControllerContext } from './controllers/controller.js';
import { builtinKinds } from './store/builtinKinds.js';
import { EventRecorder } from './store/eventRecorder.js';
import type { KindInfo } from './store/kinds.js';
import { ObjectStore, type StoreEvent } from './store/objectStore.js';

export interface SimulationOptions {
  seed?: number;
  /** Virtual start time (ms since epoch). */
  startMs?: number;
  /** Extra per-kind hooks (validation) merged into the built-in kinds. */
  kindHooks?: Partial<Record<string, Partial<KindInfo>>>;
  /** Guard: syncs allowed in one settle before the run is declared runaway. */
  maxSyncsPerSettle?: number;
}

/** Builds the control-plane components once the shared context exists. */
export type ControllerFactory = (ctx: ControllerContext) => Controller;

/**
 * The simulated cluster's engine: a store, a virtual clock, and controllers fed by a
 * deterministic work queue. Every store change is offered to every controller; dirty keys are
 * synced in FIFO order (deduplicated) until the cluster is quiet, after every external write
 * and after every timer. Same seed and inputs give the same history, byte for byte.
 */
export class Simulation {
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
  readonly store: ObjectStore;
  readonly events: EventRecorder;
  readonly context: ControllerContext;
  private readonly controllers = new Map<string, Controller>();
  /** FIFO of dirty (controller, key) ids; `head` is the next to run (no O(n) `shift`). */
  private queue: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly requeues = new Map<string, number>();
  private settling = false;
  /** Paused controllers: name -> virtual time (ms) the pause ends. */
  private readonly paused = new Map<string, number>();
  /** Keys of paused controllers, in the order they became dirty; run when the pause ends. */
  private readonly deferred = new Map<string, string[]>();
  private readonly maxSyncsPerSettle: number;
  /** Number of controller syncs run so far (a cost figure for benchmarks). */
  syncs = 0;

  constructor(factories: ControllerFactory[], options: SimulationOptions = {}) {
    this.clock = new VirtualClock(options.startMs);
    this.random = new SeededRandom(options.seed ?? 1);
    this.store = new ObjectStore(builtinKinds(options.kindHooks), this.clock, this.random);
    this.events = new EventRecorder(this.store, this.clock);
    this.maxSyncsPerSettle = options.maxSyncsPerSettle ?? 2_000_000;
    this.context = {
      store: this.store,
      clock: this.clock,
      random: this.random,
      events: this.events,
      enqueue: (name, key) => this.enqueue(name, key),
      requeueAt: (name, key, at) => this.requeueAt(name, key, at),
    };
    for (const factory of factories) {
      const controller = factory(this.context);
      this.controllers.set(controller.name, controller);
    }
    this.store.watch((event) => this.offer(event));
    this.clock.afterEachTimer = () => this.settle();
  }

  controller<T extends Controller>(name: string): T {
    const found = this.controllers.get(name);
    if (!found) throw new Error(`no controller named ${name}`);
    return found as T;
  }

  /** Runs every pending sync until the cluster is quiet (no time passes). */
  settle(): void {
    if (this.settling) return;
    this.settling = true;
    try {
      let count = 0;
      while (this.head < this.queue.length) {
        const id = this.queue[this.head++]!;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        this.queued.delete(id);
        const sep = id.indexOf('\u0000');
        const name = id.slice(0, sep);
        const key = id.slice(sep + 1);
        if (this.paused.has(name)) {
          this.queued.add(id); // stays "queued" (deduplicated) until the pause ends
          this.deferred.get(name)!.push(id);
          continue;
        }
        this.controllers.get(name)!.sync(key);
        this.syncs++;
        if (++count > this.maxSyncsPerSettle) {
          throw new RunawayError(
            `controllers did not settle after ${this.maxSyncsPerSettle} syncs (last: ${name} ${key})`,
          );
        }
      }
    } finally {
      this.settling = false;
    }
  }

  /** Advances virtual time by `ms`, firing timers and settling after each. */
  advance(ms: number): void {
    this.settle();
    this.clock.advance(ms);
    this.settle();
  }

  /** Advances until `done()` holds (checked after every timer) or `maxMs` passes. Returns whether it held. */
  runUntil(done: () => boolean, maxMs: number): boolean {
    this.settle();
    if (done()) return true;
    return this.clock.runUntil(this.clock.now() + maxMs, done);
  }

  /**
   * Chaos: controller `name` stops syncing until virtual time `untilMs` (a crashed or partitioned
   * controller manager). Its dirty keys are kept, deduplicated and in order, and synced when the
   * pause ends, so it catches up with everything it missed. A later pause of the same controller
   * extends the pause, never shortens it.
   */
  pause(name: string, untilMs: number): void {
    if (!this.controllers.has(name)) throw new Error(`no controller named ${name}`);
    const current = this.paused.get(name);
    if (current !== undefined && current >= untilMs) return;
    this.paused.set(name, untilMs);
    if (!this.deferred.has(name)) this.deferred.set(name, []);
    this.clock.at(untilMs, `resume ${name}`, () => {
      if (this.paused.get(name) !== untilMs) return; // extended by a later pause
      this.paused.delete(name);
      const ids = this.deferred.get(name) ?? [];
      this.deferred.delete(name);
      for (const id of ids) {
        // Still marked queued (kept out of the queue while paused): put back in order.
        this.queued.delete(id);
        const sep = id.indexOf('\u0000');
        this.enqueue(name, id.slice(sep + 1));
      }
    });
  }

  /** Whether controller `name` is paused by chaos now. */
  isPaused(name: string): boolean {
    return this.paused.has(name);
  }

  private offer(event: StoreEvent): void {
    for (const controller of this.controllers.values()) {
      for (const key of controller.keysFor(event)) this.enqueue(controller.name, key);
    }
  }

  private enqueue(name: string, key: string): void {
    const id = `${name}\u0000${key}`;
    if (this.queued.has(id)) return;
    this.queued.add(id);
    this.queue.push(id);
  }

  private requeueAt(name: string, key: string, at: number): void {
    const id = `${name}\u0000${key}`;
    const already = this.requeues.get(id);
    if (already !== undefined && already <= at && already >= this.clock.now()) return; // an earlier wake-up is pending
    this.requeues.set(id, at);
    this.clock.at(at, `requeue ${name} ${key}`, () => {
      if (this.requeues.get(id) === at) this.requeues.delete(id);
      this.enqueue(name, key);
    });
  }
}
