import type { Clock } from './clock.js';

/** Wall-clock time: the only place that reads Date.now and calls setTimeout. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  }

  /** Yields to the event loop once (lets I/O callbacks run). */
  tick(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }
}
