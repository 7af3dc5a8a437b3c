import type { ClusterClient } from '../cluster/port.js';
import type { GateLog } from './gateLog.js';
import { SharedWait } from './sharedWait.js';
import { waitForObjects, type ObjectWaitOptions, type WaitedObject } from './waitObjects.js';
import { supersededFollower, watchRollouts, type WatchedWorkload, type WatchOptions } from './watchRollouts.js';

export interface WatchPhaseOptions {
  rollouts: Omit<WatchOptions, 'wait' | 'signal'>;
  objects: Omit<ObjectWaitOptions, 'wait' | 'signal' | 'stopOnFirstFailure'>;
  signal?: AbortSignal;
}

/**
 * The watch phase: every Deployment's rollout (watchRollouts, the fail-fast judge) and the health
 * of every other applied object (waitForObjects), concurrently under one budget and one shared
 * wait (one log group: the caller's). With `stopOnFirstFailure` (rollback on-failure) the first failure on either side stops
 * the other: the run rolls back at once.
 */
export async function watchEverything(
  cluster: ClusterClient,
  workloads: WatchedWorkload[],
  objects: WaitedObject[],
  options: WatchPhaseOptions,
  log: GateLog,
): Promise<void> {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const shared = new SharedWait(cluster, 2);
  const stopOnFirstFailure = options.rollouts.stopOnFirstFailure;
  const ended = (failed: boolean): void => {
    if (failed && stopOnFirstFailure) {
      stop.abort();
      shared.wakeAll();
    }
    shared.leave();
  };
  // A cancel wakes both loops at once (they look at the signal after each wait).
  options.signal?.addEventListener('abort', () => shared.wakeAll(), { once: true });
  const rollouts = (async () => {
    try {
      await watchRollouts(cluster, workloads, { ...options.rollouts, signal, wait: shared.wait }, log);
    } finally {
      ended(workloads.some((w) => w.verdict?.state === 'failed' && !supersededFollower(w)));
    }
  })();
  const health = (async () => {
    try {
      await waitForObjects(
        cluster,
        objects,
        { ...options.objects, stopOnFirstFailure, signal, wait: shared.wait },
        log,
      );
    } finally {
      ended(objects.some((o) => o.result?.result === 'failed' || o.result?.result === 'timeout'));
    }
  })();
  await Promise.all([rollouts, health]);
}
