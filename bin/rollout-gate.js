#!/usr/bin/env node
// The `rollout-gate` command: runs the bundled CLI (built by `npm run bundle`, committed in dist/).
import '../dist/cli/index.js';
