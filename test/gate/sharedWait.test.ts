/**
 * SharedWait: two loops of one run waiting on one cluster. The cluster waits once, for the soonest
 * deadline, only when every loop still running waits; on a virtual clock no loop's wait moves time
 * past another's deadline.
 */
import { describe, expect, test } from '@jest/globals';
import { VirtualClock } from '../../src/clock/virtualClock.js';
import type { ClusterClient } from '../../src/cluster/port.js';
import { SharedWait } from '../../src/gate/sharedWait.js';

/** A cluster whose waitForChange advances a virtual clock and records each wait; `changeAt` ends one early. */
function fakeCluster(changeAt?: number): { cluster: ClusterClient; waits: number[]; clock: VirtualClock } {
  const clock = new VirtualClock(0);
  const waits: number[] = [];
  const cluster = {
    clock,
    waitForChange: async (maxMs: number) => {
      waits.push(maxMs);
      const until = clock.now() + maxMs;
      clock.advance(
        changeAt !== undefined && changeAt > clock.now() && changeAt < until ? changeAt - clock.now() : maxMs,
      );
    },
  } as unknown as ClusterClient;
  return { cluster, waits, clock };
}

describe('SharedWait', () => {
  test('one cluster wait for the soonest of two loops; the other keeps its own deadline', async () => {
    const { cluster, waits, clock } = fakeCluster();
    const shared = new SharedWait(cluster, 2);
    const woke: string[] = [];
    const slow = shared.wait(1000).then(() => woke.push(`slow@${clock.now()}`));
    // Nothing happens until the second loop waits too.
    await Promise.resolve();
    expect(waits).toEqual([]);
    await shared.wait(300).then(() => woke.push(`fast@${clock.now()}`));
    expect(woke).toEqual(['fast@300']);
    // The fast loop waits again (1000): the cluster waits until the slow loop's deadline, not 1000 more.
    const again = shared.wait(1000).then(() => woke.push(`fast@${clock.now()}`));
    await slow;
    expect(woke).toEqual(['fast@300', 'slow@1000']);
    shared.leave(); // the slow loop is done
    await again;
    expect(woke).toEqual(['fast@300', 'slow@1000', 'fast@1300']);
    expect(waits).toEqual([300, 700, 300]);
  });

  test('a change wakes every loop at once', async () => {
    const { cluster, clock } = fakeCluster(150);
    const shared = new SharedWait(cluster, 2);
    const woke: string[] = [];
    await Promise.all([
      shared.wait(1000).then(() => woke.push(`a@${clock.now()}`)),
      shared.wait(500).then(() => woke.push(`b@${clock.now()}`)),
    ]);
    expect(woke).toEqual(['a@150', 'b@150']);
  });
});
