/**
 * `npm run bench:coldstart [-- <node binary>]`: cold start of the action and the CLI against
 * `node -e ''` (ratios, medians) and the bundle sizes. `bench:gate` prints the same table.
 */
import { coldStartReport } from './coldStart.js';

for (const line of coldStartReport(process.argv[2])) console.log(line);
