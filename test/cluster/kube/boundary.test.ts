import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('dependency boundary', () => {
  it('only src/cluster/kube imports @kubernetes/client-node', () => {
    const root = path.resolve('src');
    const importer = /(from\s+|import\s*\(\s*|require\s*\(\s*)['"]@kubernetes\/client-node['"]/;
    const offenders = sources(root)
      .filter((file) => !file.startsWith(path.join(root, 'cluster', 'kube') + path.sep))
      .filter((file) => importer.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('the adapter reads no wall time and no Math.random outside RealClock', () => {
    const dir = path.resolve('src/cluster/kube');
    const banned = /Date\.now|new Date\(\)|setTimeout|setInterval|Math\.random/;
    const offenders = sources(dir).filter((file) =>
      banned.test(fs.readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')),
    );
    expect(offenders).toEqual([]);
  });
});
