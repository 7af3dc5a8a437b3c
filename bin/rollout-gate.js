#!/usr/bin/env node
// The `rollout-gate` command. In a checkout it runs the compiled sources (lib/src/, built by
// `npm run build`, which `npm ci` runs through `prepare`); the npm package has no src/ and runs
// the bundle that `npm pack` builds into lib/cli/ (scripts/bundle.mjs --cli).
import { existsSync } from 'node:fs';

const checkout = existsSync(new URL('../src/cli.ts', import.meta.url));
await import(checkout ? '../lib/src/cli.js' : '../lib/cli/cli.js');
