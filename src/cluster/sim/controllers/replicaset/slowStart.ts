/**
 * `slowStartBatch`: calls `fn` `count` times in batches of initialBatchSize, 2×, 4×… (each capped at what
 * remains). The calls of a batch all run (upstream: in parallel); when any of them fails, no further batch
 * starts and the first error is returned with the number of successes.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/replicaset/replica_set.go
 */
export interface SlowStartResult {
  successes: number;
  error: unknown;
  /** Sizes of the batches that ran. */
  batches: number[];
}

export function slowStartBatch(count: number, initialBatchSize: number, fn: () => void): SlowStartResult {
  let remaining = count;
  let successes = 0;
  const batches: number[] = [];
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    batches.push(batch);
    let firstError: unknown;
    let failed = false;
    for (let i = 0; i < batch; i++) {
      try {
        fn();
        successes++;
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      }
    }
    if (failed) return { successes, error: firstError, batches };
    remaining -= batch;
  }
  return { successes, error: undefined, batches };
}
