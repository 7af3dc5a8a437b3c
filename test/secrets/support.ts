/** Shared helpers for tests that run the built CLI (`node bin/rollout-gate.js`) as a real process. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../cli/support.js';

/** Builds lib/ (npm run build) when it is missing or older than any source file. */
export function ensureBuilt(): void {
  const cliJs = join(ROOT, 'lib/src/cli.js');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
    }, 0);
  if (!existsSync(cliJs) || statSync(cliJs).mtimeMs < newest(join(ROOT, 'src'))) {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  }
}
