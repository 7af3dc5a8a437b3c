#!/usr/bin/env node
/**
 * `npm run bundle [-- <outdir>]`: builds the action's dist/ with esbuild. The entry (index.js) holds
 * only what reading the inputs needs; every `await import()` in src/ becomes a chunk under chunks/
 * that loads when its path is taken (client-node for a real cluster, Octokit for a PR comment,
 * the gate and simulator for a run). Measured against ncc 0.45 (issue 13, README "Cold start"):
 * ncc emits the same split but leaves client-node's 18.9 MB chunk unminified (19.9 MB in all,
 * minutes to build); esbuild tree-shakes it to 2.0 MB in seconds.
 *
 * Also writes licenses.txt (every bundled package's name, licence and licence text, as ncc's
 * --license did) and package.json ({"type":"module"}: the chunks are ESM). The output depends only
 * on the sources and node_modules, so test/action can rebuild it and compare it with dist/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * @actions/core imports its OIDC client (getIDToken) at the top, and with it @actions/http-client
 * and undici: 410 KB parsed on every start, by a run that never asks for an ID token. This swaps
 * that one import for a stub that loads the real module (a chunk) on the first getIDToken call.
 */
const lazyOidc = {
  name: 'lazy-oidc',
  setup(b) {
    b.onResolve({ filter: /^\.\/oidc-utils\.js$/ }, (args) =>
      args.importer.endsWith(join('node_modules', '@actions', 'core', 'lib', 'core.js'))
        ? // Relative to the repository: a path in a plugin namespace goes into the chunk hashes as it
          // is, and an absolute one would make dist/ depend on where the checkout lives.
          { path: relative(root, join(dirname(args.importer), 'oidc-utils.js')), namespace: 'lazy-oidc' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-oidc' }, (args) => ({
      resolveDir: dirname(resolve(root, args.path)),
      contents:
        'export const OidcClient = { getIDToken: async (aud) => ' +
        "(await import('./oidc-utils.js?real')).OidcClient.getIDToken(aud) };",
    }));
    // The stub's own import of the real module (marked ?real so the rule above lets it through).
    b.onResolve({ filter: /^\.\/oidc-utils\.js\?real$/ }, (args) => ({
      path: join(args.resolveDir, 'oidc-utils.js'),
    }));
  },
};

/**
 * `--cli`: the same for the npm package's CLI (src/cli.ts into lib/cli/, run by `npm pack` through
 * `prepack`). The package then ships no runtime dependencies: its installs need no network, and
 * client-node runs with the undici 7 this repository pins (the `overrides` of package.json, which
 * npm ignores in a consumer's install, where client-node would get undici 8, Node >= 22.19 only).
 */
const cli = process.argv.includes('--cli');
const args = process.argv.slice(2).filter((a) => a !== '--cli');
const out = resolve(root, args[0] ?? (cli ? 'lib/cli' : 'dist'));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [cli ? 'src/cli.ts' : 'src/index.ts'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // action.yml runs node24; the CLI and tests also run the bundle on Node 20.
  target: 'node20',
  minify: true,
  outdir: out,
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyOidc],
  // Bundled CommonJS dependencies (undici, tunnel, ...) call require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

writeFileSync(join(out, 'package.json'), '{\n  "type": "module"\n}\n');
writeFileSync(join(out, 'licenses.txt'), licenses(Object.keys(result.metafile.inputs)));

/** One entry per bundled package (name, licence, licence text), sorted by name. */
function licenses(inputs) {
  const packages = new Map();
  for (const input of inputs) {
    if (input.startsWith('lazy-oidc:')) continue; // the stub; the real module is listed too
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!match) continue;
    const dir = join(root, match[1]);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!packages.has(meta.name)) packages.set(meta.name, { dir, license: meta.license ?? '' });
  }
  return [...packages]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, { dir, license }]) => {
      const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
      const text = file && existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim() : '';
      return `${name}\n${license}\n${text}\n`;
    })
    .join('\n');
}
