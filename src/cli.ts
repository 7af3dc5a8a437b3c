/**
 * The CLI entry (`rollout-gate`): wires the process to {@link runCli}. Bundled by ncc into
 * dist/cli/index.js, which bin/rollout-gate.js runs.
 */
import { runCli, packageVersion } from './cli/runCli.js';
import { serve } from './cli/serve.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  cwd: process.cwd(),
  version: packageVersion(new URL('../../package.json', import.meta.url)),
  serve: (args, io) => serve(args, io),
});
process.exitCode = code;
