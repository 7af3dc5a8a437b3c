import type { ClusterClient } from '../cluster/port.js';

interface Waiter {
  until: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Lets several loops of one run (the Deployment watch, the wait on every other object) wait on
 * one cluster together: the cluster waits once, for the soonest of them, when every loop still
 * running is waiting. On a virtual clock each wait moves time, so two loops waiting one after the
 * other would each see time jump by the other's wait too; on a real cluster it is one sleep
 * instead of two. A change wakes every loop; a wait that ran out wakes the loops whose time came.
 */
export class SharedWait {
  private waiting: Waiter[] = [];
  private busy = false;

  constructor(
    private readonly cluster: ClusterClient,
    private active: number,
  ) {}

  /** Waits until a change or `maxMs` on the cluster's clock (ClusterClient.waitForChange's contract). */
  wait = (maxMs: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.waiting.push({ until: this.cluster.clock.now() + maxMs, resolve, reject });
      void this.pump();
    });

  /** A loop is done: the others no longer wait for it to wait. */
  leave(): void {
    this.active--;
    void this.pump();
  }

  /** Wakes every waiting loop now (one of them failed, or the run was cancelled). */
  wakeAll(): void {
    const woken = this.waiting;
    this.waiting = [];
    for (const w of woken) w.resolve();
  }

  private async pump(): Promise<void> {
    if (this.busy || this.waiting.length === 0 || this.waiting.length < this.active) return;
    this.busy = true;
    try {
      const start = this.cluster.clock.now();
      const soonest = Math.min(...this.waiting.map((w) => w.until));
      await this.cluster.waitForChange(Math.max(0, soonest - start));
    } catch (err) {
      // Every waiting loop gets the error, as each would have from its own wait.
      const failed = this.waiting;
      this.waiting = [];
      for (const w of failed) w.reject(err);
      return;
    } finally {
      this.busy = false;
    }
    const now = this.cluster.clock.now();
    // Back before the soonest deadline: something changed, everyone looks. Else only those due.
    const changed = now < Math.min(...this.waiting.map((w) => w.until), Infinity);
    const woken = changed ? this.waiting : this.waiting.filter((w) => w.until <= now);
    this.waiting = changed ? [] : this.waiting.filter((w) => w.until > now);
    for (const w of woken) w.resolve();
    void this.pump();
  }
}
