/** README.md's tables of action inputs and outputs are generated from action.yml (`npm run docs`). */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
// @ts-expect-error: a plain ESM script without type declarations
import { renderActionDocs, updateReadme } from '../../scripts/docs.mjs';

const root = new URL('../..', import.meta.url).pathname;
const actionYml = readFileSync(`${root}action.yml`, 'utf8');
const readme = readFileSync(`${root}README.md`, 'utf8');

describe('README inputs and outputs', () => {
  it('is up to date with action.yml (run `npm run docs`)', () => {
    expect((updateReadme as (r: string, a: string) => string)(readme, actionYml)).toBe(readme);
  });

  it('lists every input and output of action.yml', () => {
    const action = load(actionYml) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    const docs = (renderActionDocs as (a: string) => string)(actionYml);
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      expect(docs).toContain(`| \`${name}\` |`);
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['mode', 'baseline', 'github-token', 'comment']));
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['plan', 'comment-url']));
  });
});
