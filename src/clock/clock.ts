/**
 * The one way code in rollout-gate learns the time or waits.
 *
 * Nothing else reads `Date.now` or calls `setTimeout`: the gate, the judge and the simulator
 * all take a Clock, so a simulated run is driven by {@link VirtualClock} and is replayable.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves once `ms` milliseconds have passed on this clock. */
  sleep(ms: number): Promise<void>;
  /**
   * Calls `fn` every `ms` until the returned function is called; only clocks whose time moves by
   * itself have it (RealClock). On a VirtualClock time moves when its owner advances it.
   */
  every?(ms: number, fn: () => void): () => void;
}
