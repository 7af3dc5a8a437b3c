/**
 * The timeline charts as people see them (issue 12): the job summary's mermaid blocks rendered by
 * the real mermaid (node_modules/mermaid/dist/mermaid.min.js, loaded from a file:// page, no
 * network) in headless Chromium, measured by the page's own JavaScript, and written as PNGs under
 * .tmp/charts/ to be looked at. Checked on the rendered SVG: the title is not clipped, visible x
 * labels do not overlap, y tick labels are integers, every line is a step (horizontal and vertical
 * segments only), and the failure and rollback rules stand at their times on the axis.
 *
 *   NODE_OPTIONS=--experimental-vm-modules npx jest test/report/chartPng.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MARK_COLOURS, renderTimelineChart, visibleText } from '../../src/report/mermaid.js';
import { renderJobSummary } from '../../src/report/summary.js';
import { ChromiumPage } from './chromium.js';
import { chartCases } from './fixtures.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(ROOT, '.tmp', 'charts');
const MERMAID = join(ROOT, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');

interface Chart {
  name: string;
  source: string;
  /** The marks' times and the bar colour each must have. */
  marks: { t: number; colour?: string }[];
}

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1] as string);
}

/** Every chart of every case's job summary, with the marks its timeline has. */
function collectCharts(): Chart[] {
  const charts: Chart[] = [];
  for (const [name, result] of Object.entries(chartCases)) {
    const blocks = mermaidBlocks(renderJobSummary(result));
    const charted = result.workloads.filter((w) => (w.timeline ?? []).length > 0);
    expect(blocks).toHaveLength(charted.length);
    blocks.forEach((source, i) => {
      const chart = renderTimelineChart('', charted[i]!.timeline!)!;
      const marks = chart.marks.map((m) => ({
        t: m.t,
        colour: m.symbol === '✖' ? MARK_COLOURS.failure[0] : m.symbol === '↩' ? MARK_COLOURS.rollback[0] : undefined,
      }));
      charts.push({ name: charted.length > 1 ? `${name}-${i + 1}` : name, source, marks });
    });
  }
  return charts;
}

/**
 * Runs in the page: renders every chart with mermaid, one div each, then measures the SVG. Sets
 * window.__results when done (or window.__error).
 */
const PAGE_SCRIPT = String.raw`
const INVISIBLE = /^[\u200b\u200c\u200d\u2060]*$/;
function box(el) { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; }
function pathPoints(d) {
  return [...d.matchAll(/[ML]\s*(-?[\d.e+-]+)[ ,](-?[\d.e+-]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}
async function run() {
  mermaid.initialize({ startOnLoad: false, theme: 'default' });
  const results = [];
  for (const [i, chart] of window.CHARTS.entries()) {
    const div = document.createElement('div');
    div.id = 'chart-' + i;
    div.style.cssText = 'width: 900px; padding: 8px; background: white;';
    document.body.append(div);
    const { svg } = await mermaid.render('svg-' + i, chart.source);
    div.innerHTML = svg;
    const el = div.querySelector('svg');
    const title = el.querySelector('g.chart-title text');
    // A label's centre in the SVG's own units (the paths' coordinates): through its screen matrix.
    const toSvg = el.getScreenCTM().inverse();
    const xLabels = [...el.querySelectorAll('g.bottom-axis g.label text')].map((t) => {
      const b = box(t);
      const centre = new DOMPoint((b.left + b.right) / 2, b.top).matrixTransform(toSvg);
      return { text: t.textContent, x: centre.x, ...b };
    });
    const yLabels = [...el.querySelectorAll('g.left-axis g.label text')].map((t) => t.textContent);
    const lines = [...el.querySelectorAll('g.plot path')].map((p) => ({
      points: pathPoints(p.getAttribute('d') || ''), stroke: p.getAttribute('stroke'),
    }));
    const legend = [...el.querySelectorAll('g.legend g.label text')].map((t) => t.textContent);
    results.push({
      name: chart.name,
      svg: box(el),
      title: title ? { text: title.textContent, ...box(title) } : undefined,
      xLabels: xLabels.filter((l) => !INVISIBLE.test(l.text)),
      invisibleLabels: xLabels.filter((l) => INVISIBLE.test(l.text)).length,
      yLabels,
      lines,
      legend,
      clip: { ...box(div) },
    });
  }
  window.__results = results;
}
run().catch((e) => { window.__error = String(e && e.stack ? e.stack : e); });
`;

interface Measured {
  name: string;
  svg: { left: number; right: number; top: number; bottom: number };
  title?: { text: string; left: number; right: number; top: number; bottom: number };
  xLabels: { text: string; x: number; left: number; right: number }[];
  invisibleLabels: number;
  yLabels: string[];
  lines: { points: [number, number][]; stroke: string }[];
  legend: string[];
  clip: { left: number; right: number; top: number; bottom: number };
}

/** `0s`, `1.5s`, `2m`, `1m30s` (with any marker symbols after a space) in seconds; undefined for a symbol alone. */
function tickSeconds(label: string): number | undefined {
  const m = /^(?:(\d+)m)?(?:([\d.]+)s)?(?: .*)?$/.exec(visibleText(label));
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

const charts = collectCharts();
let measured: Measured[] = [];
let page: ChromiumPage | undefined;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  const html = [
    '<!doctype html><html><head><meta charset="utf-8">',
    '<style>body { margin: 0; font-family: sans-serif; background: white; }</style>',
    '</head><body>',
    `<script src="${pathToFileURL(MERMAID).href}"></script>`,
    `<script>window.CHARTS = ${JSON.stringify(charts).replace(/</g, '\\u003c')};</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    '</body></html>',
  ].join('\n');
  const file = join(OUT, 'charts.html');
  writeFileSync(file, html);
  page = await ChromiumPage.open(940, 800);
  await page.load(pathToFileURL(file).href, 'window.__results || window.__error');
  const error = await page.evaluate<string | undefined>('window.__error');
  if (error) throw new Error(`mermaid failed in the page: ${error}`);
  measured = await page.evaluate<Measured[]>('window.__results');
  for (const m of measured) {
    const { left, top, right, bottom } = m.clip;
    const png = await page.screenshot({ x: left, y: top, width: right - left, height: bottom - top });
    writeFileSync(join(OUT, `${m.name}.png`), png);
  }
}, 120_000);

afterAll(async () => {
  await page?.close();
});

describe('rendered timeline charts (headless Chromium, real mermaid)', () => {
  it('renders every case', () => {
    expect(measured.map((m) => m.name)).toEqual(charts.map((c) => c.name));
    expect(charts.map((c) => c.name)).toEqual([
      'success',
      'failure-no-rollback',
      'rollback',
      'several-workloads-1',
      'several-workloads-2',
      'long-10min',
      'short-2s',
    ]);
  });

  describe.each(charts.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const m = (): Measured => measured[i]!;

    it('has a title inside the picture', () => {
      const { title, svg } = m();
      expect(title?.text).toMatch(/pods by template$/);
      expect(title!.left).toBeGreaterThanOrEqual(svg.left);
      expect(title!.right).toBeLessThanOrEqual(svg.right);
      expect(title!.top).toBeGreaterThanOrEqual(svg.top);
    });

    it('has x labels that do not overlap, times in order', () => {
      const labels = m().xLabels;
      // A column with a step is two points of one category: its label is drawn twice, in one place.
      const distinct = labels.filter((l, k) => labels.findIndex((o) => o.text === l.text && o.x === l.x) === k);
      expect(distinct.length).toBeGreaterThanOrEqual(2);
      expect(m().invisibleLabels).toBeGreaterThan(0);
      for (let k = 1; k < distinct.length; k++) {
        expect(distinct[k]!.left).toBeGreaterThan(distinct[k - 1]!.right);
      }
      const times = distinct.map((l) => tickSeconds(l.text)).filter((t): t is number => t !== undefined);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      for (const l of distinct) expect(l.left).toBeGreaterThanOrEqual(m().svg.left);
      for (const l of distinct) expect(l.right).toBeLessThanOrEqual(m().svg.right);
    });

    it('has integer y ticks', () => {
      expect(m().yLabels.length).toBeGreaterThanOrEqual(2);
      for (const label of m().yLabels) expect(label).toMatch(/^\d+$/);
    });

    it('draws every line as steps: horizontal and vertical segments only', () => {
      const lines = m().lines;
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line.points.length).toBeGreaterThan(1);
        const diagonal = line.points.slice(1).filter(([x, y], k) => {
          const [px, py] = line.points[k]!;
          return Math.abs(x - px) > 0.01 && Math.abs(y - py) > 0.01;
        });
        expect(diagonal).toEqual([]);
      }
    });

    it('marks the failure and the rollback with vertical rules at their times', () => {
      const chart = charts[i]!;
      const ticks = m()
        .xLabels.map((l) => ({ x: l.x, t: tickSeconds(l.text) }))
        .filter((l): l is { x: number; t: number } => l.t !== undefined);
      const first = ticks[0]!;
      const last = ticks[ticks.length - 1]!;
      const pxPerSecond = (last.x - first.x) / (last.t - first.t);
      const zero = Math.max(...m().lines.flatMap((l) => l.points.map(([, y]) => y)));
      const top = Math.min(...m().lines.flatMap((l) => l.points.map(([, y]) => y)));
      // The x of every segment of a path in `colour` that spans the plot's full height.
      const rules = (colour: string): number[] =>
        m()
          .lines.filter((l) => l.stroke === colour)
          .flatMap((l) =>
            l.points.filter(
              ([x, y], k) => k > 0 && y === zero && l.points[k - 1]![1] === top && l.points[k - 1]![0] === x,
            ),
          )
          .map(([x]) => x);
      const ruled = chart.marks.filter((mark) => mark.colour !== undefined);
      for (const colour of [MARK_COLOURS.failure[0], MARK_COLOURS.rollback[0]]) {
        const expected = ruled
          .filter((mark) => mark.colour === colour)
          .map((mark) => first.x + (mark.t - first.t) * pxPerSecond);
        const drawn = rules(colour);
        // One rule per marked column (two marks in one column share it), each within a column of its time.
        expect(drawn.length).toBeLessThanOrEqual(expected.length);
        expect(drawn.length).toBeGreaterThanOrEqual(Math.min(1, expected.length));
        for (const x of expected) expect(Math.min(...drawn.map((d) => Math.abs(d - x)))).toBeLessThanOrEqual(8);
      }
    });
  });
});
