#!/usr/bin/env node
// The `rollout-gate` command: runs the compiled CLI (lib/, built by `npm run build`, which
// `npm ci` runs through the `prepare` script).
import '../lib/src/cli.js';
