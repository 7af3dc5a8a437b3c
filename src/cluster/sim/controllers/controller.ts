import type { SeededRandom } from '../../../clock/seededRandom.js';
import type { VirtualClock } from '../../../clock/virtualClock.js';
import type { EventRecorder } from '../store/eventRecorder.js';
import type { ObjectStore, StoreEvent } from '../store/objectStore.js';

/** What every simulated control-plane component is given. */
export interface ControllerContext {
  store: ObjectStore;
  clock: VirtualClock;
  random: SeededRandom;
  events: EventRecorder;
  /** Syncs `key` of controller `name` again at virtual time `at` (ms); used for deadlines and delays. */
  requeueAt(name: string, key: string, at: number): void;
  /** Syncs `key` of controller `name` as soon as the current sync returns. */
  enqueue(name: string, key: string): void;
}

/**
 * A control loop: reacts to store changes by naming the keys it must sync, and syncs one key
 * at a time. Syncs are synchronous and take no virtual time (a real controller reacts in
 * milliseconds); waiting is expressed with `requeueAt` or clock timers.
 */
export interface Controller {
  readonly name: string;
  /** Keys (usually `<namespace>/<name>`) this change makes dirty. */
  keysFor(event: StoreEvent): string[];
  sync(key: string): void;
}
