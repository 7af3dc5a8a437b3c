/**
 * Every Mermaid chart the renderers produce is checked by the REAL Mermaid parser (issue 5), not
 * only by our own parseXyChart: a chart GitHub cannot parse shows up as an error box in the job
 * summary. The charts are collected from the job summaries of every golden and chart case of fixtures.ts
 * and from the plan golden comments of test/plan/golden/ (none has a chart today; any it gains
 * is checked too). Mermaid needs a DOM for DOMPurify even to parse, so jsdom provides one.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderJobSummary } from '../../src/report/summary.js';
import { chartCases, goldenCases } from './fixtures.js';

const PLAN_GOLDEN_DIR = fileURLToPath(new URL('../plan/golden/', import.meta.url));
const BLOB_URL = 'https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567';

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1] as string);
}

const charts: [string, string][] = [];
const cases = [...Object.entries(goldenCases), ...Object.entries(chartCases)].filter(
  ([, result], i, all) => all.findIndex(([, other]) => other === result) === i,
);
for (const [name, result] of cases) {
  mermaidBlocks(renderJobSummary(result, { blobUrl: BLOB_URL })).forEach((chart, i) => {
    charts.push([`summary ${name} #${i + 1}`, chart]);
  });
}
for (const file of readdirSync(PLAN_GOLDEN_DIR).filter((f) => f.endsWith('.md'))) {
  mermaidBlocks(readFileSync(join(PLAN_GOLDEN_DIR, file), 'utf8')).forEach((chart, i) => {
    charts.push([`plan ${file} #${i + 1}`, chart]);
  });
}

/**
 * Parses the charts with mermaid in a plain Node child process: jsdom loads ESM dependencies with
 * require(), which Node 20 supports but Jest's module registry does not. Reads a JSON array of
 * chart sources on stdin, prints one JSON outcome per chart.
 */
const PARSER = `
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
Object.assign(globalThis, { window: dom.window, document: dom.window.document });
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });
let input = '';
for await (const chunk of process.stdin) input += chunk;
const outcomes = [];
for (const chart of JSON.parse(input)) {
  try {
    outcomes.push({ ok: true, diagramType: (await mermaid.parse(chart)).diagramType });
  } catch (e) {
    outcomes.push({ ok: false, error: String(e && e.message ? e.message : e) });
  }
}
process.stdout.write(JSON.stringify(outcomes));
process.exit(0);
`;

interface Outcome {
  ok: boolean;
  diagramType?: string;
  error?: string;
}

function mermaidParse(sources: readonly string[]): Outcome[] {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  const run = spawnSync(process.execPath, ['--input-type=module', '--eval', PARSER], {
    cwd: root,
    env,
    input: JSON.stringify(sources),
    encoding: 'utf8',
    timeout: 60000,
  });
  if (run.status !== 0) throw new Error(`mermaid parser process failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Outcome[];
}

/** A real chart made invalid: the first value of its first line series becomes a string. */
function breakChart(chart: string): string {
  return chart.replace(/^(\s*line "[^"]*" \[)\d+/m, '$1"x"');
}

let outcomes: Outcome[] = [];
let brokenOutcome: Outcome | undefined;

beforeAll(() => {
  const all = mermaidParse([...charts.map(([, chart]) => chart), breakChart(charts[0]?.[1] ?? '')]);
  brokenOutcome = all.pop();
  outcomes = all;
});

describe('Mermaid charts of the renderers, parsed by mermaid itself', () => {
  it('the golden cases produce charts to check', () => {
    expect(charts.length).toBeGreaterThan(0);
  });

  it.each(charts.map(([name], i) => [name, i] as const))('%s parses as an xychart', (_name, i) => {
    expect(outcomes[i]).toEqual({ ok: true, diagramType: 'xychart' });
  });

  it('rejects a broken chart (a line series with a string value), so this test can fail', () => {
    const chart = charts[0]?.[1] ?? '';
    expect(breakChart(chart)).not.toBe(chart);
    expect(brokenOutcome).toMatchObject({ ok: false, error: expect.stringMatching(/Parse error/) });
  });
});
