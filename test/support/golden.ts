/**
 * Golden files: a test's output compared byte for byte with a committed expected file. The files
 * are regenerated only on purpose, with `UPDATE_GOLDEN=1` (then review the diff before committing).
 */
import { expect } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Returns `expectGolden(file, actual)` for golden files kept in `dir`. */
export function goldenFiles(dir: string): (file: string, actual: string) => void {
  const update = process.env['UPDATE_GOLDEN'] === '1';
  return (file, actual) => {
    const path = join(dir, file);
    if (update) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, actual);
    }
    if (!existsSync(path)) throw new Error(`missing golden file ${file}: run with UPDATE_GOLDEN=1 and review it`);
    expect(actual).toBe(readFileSync(path, 'utf8'));
  };
}
