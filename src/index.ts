/**
 * The action's entry point (action.yml runs dist/index.js, bundled from here by ncc).
 *
 * A cancelled workflow sends SIGINT, then SIGTERM, and kills the process about 10 s after the
 * first: the first cancels the run, which sends the rollback of what it changed (input
 * rollback-on-cancel) and releases its Leases at once, then verifies the rollback and reports
 * `failed`, reason Cancelled. Killed before the release, its Leases lapse within a minute.
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
