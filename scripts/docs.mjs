#!/usr/bin/env node
/**
 * `npm run docs`: rewrites the part of README.md between <!-- inputs:start --> and
 * <!-- inputs:end --> with tables of every input and output of action.yml. `--check` exits 1 when
 * README.md is out of date (test/report/readme.test.ts does the same check).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

export const START = '<!-- inputs:start -->';
export const END = '<!-- inputs:end -->';

/** A table cell: one line, pipes escaped. */
function cell(text) {
  return String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\|/g, '\\|');
}

function code(text) {
  const t = cell(text);
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}

/** The markdown of the generated section (without the markers). */
export function renderActionDocs(actionYml) {
  const action = load(actionYml);
  const lines = [
    '<!-- generated from action.yml by `npm run docs`; edit action.yml, not this table -->',
    '',
    '#### Inputs',
    '',
    '| input | required | default | description |',
    '| --- | --- | --- | --- |',
  ];
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    const def = spec.default === undefined || spec.default === '' ? '' : code(spec.default);
    lines.push(`| ${code(name)} | ${spec.required ? 'yes' : 'no'} | ${def} | ${cell(spec.description)} |`);
  }
  lines.push('', '#### Outputs', '', '| output | description |', '| --- | --- |');
  for (const [name, spec] of Object.entries(action.outputs ?? {})) {
    lines.push(`| ${code(name)} | ${cell(spec.description)} |`);
  }
  return lines.join('\n');
}

/** README with the marked section replaced; throws when the markers are missing. */
export function updateReadme(readme, actionYml) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}`);
  return `${readme.slice(0, start + START.length)}\n${renderActionDocs(actionYml)}\n${readme.slice(end)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const next = updateReadme(readme, readFileSync(`${root}action.yml`, 'utf8'));
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md is out of date with action.yml: run `npm run docs`');
      process.exit(1);
    }
  } else if (next !== readme) {
    writeFileSync(`${root}README.md`, next);
    console.log('README.md updated from action.yml');
  }
}
