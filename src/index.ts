/**
 * The action's entry point (action.yml runs dist/index.js, bundled from here by ncc).
 *
 * A cancelled workflow sends SIGINT, then SIGTERM: the first cancels the run, which rolls back
 * what it changed (input rollback-on-cancel) and reports `failed`, reason Cancelled.
 */
import { run } from './main.js';

const cancel = new AbortController();
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.once(name, () => {
    process.stderr.write(`${name} received: cancelling the run\n`);
    cancel.abort();
  });
}

await run(undefined, cancel.signal);
