/**
 * The rollout timeline as a Mermaid `xychart-beta` chart, and a small parser that reads the
 * generated syntax back (used by tests to prove the chart is well formed).
 *
 * xychart has no legend and no annotations, so the chart says everything explicitly: the series
 * are named, coloured by a fixed palette (old = grey, new = green), notable moments are sampled
 * exactly and their x-axis labels carry a marker (✖ failure declared, ↩ rollback, ✔ complete, • other), and
 * the title lists them with their times.
 */
import type { TimelinePoint } from '../gate/result.js';
import { formatSeconds, round1 } from './format.js';

/** A notable moment of the timeline, as shown on the chart. */
export interface ChartMark {
  t: number;
  symbol: string;
  note: string;
}

/** The chart source plus what a caption needs to explain it. */
export interface TimelineChart {
  source: string;
  marks: ChartMark[];
  /** Sampled times (seconds since apply), one per x-axis label. */
  times: number[];
  oldReady: number[];
  newReady: number[];
}

/** Colours of the two lines, in series order: old revision grey, new revision green. */
export const CHART_PALETTE = ['#8c959f', '#1a7f37'] as const;

const NICE_STEPS = [0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];

/** The marker of a timeline note: ↩ for rollbacks, ✖ for failures, ✔ for completion, • otherwise. */
export function markSymbol(note: string): string {
  if (/roll(ed|ing)?[ -]?back/i.test(note)) return '↩';
  if (/fail|declared|error/i.test(note)) return '✖';
  if (/complete|succeeded|rolled out/i.test(note)) return '✔';
  return '•';
}

/** Makes a string safe inside a quoted Mermaid string (no quotes, backticks, comments, entities). */
export function mermaidString(s: string): string {
  const text = s.replace(/["`]/g, "'").replace(/%%/g, '%').replace(/[#;]/g, ' ').replace(/\s+/g, ' ').trim();
  return `"${text}"`;
}

/** Ready replicas at time `t`: the last observation at or before `t` (a step function). */
function valueAt(points: readonly TimelinePoint[], t: number): TimelinePoint {
  let current = points[0] as TimelinePoint;
  for (const p of points) {
    if (p.t <= t) current = p;
    else break;
  }
  return current;
}

/**
 * The sampled times: a uniform grid (a "nice" step keeping at most `maxSamples` points) plus the
 * exact times of the marks and of the last observation, so no notable moment falls between samples.
 */
export function sampleTimes(points: readonly TimelinePoint[], maxSamples = 30): number[] {
  const end = Math.max(0, ...points.map((p) => p.t));
  const exact = points.filter((p) => p.note !== undefined).map((p) => p.t);
  const budget = Math.max(2, maxSamples - exact.length - 1);
  const step = NICE_STEPS.find((s) => end / s <= budget) ?? end / budget;
  const times = new Set<number>();
  for (let i = 0; i * step < end; i++) times.add(round1(i * step));
  for (const t of [...exact, end]) times.add(round1(t));
  return [...times].sort((a, b) => a - b);
}

/** An x-axis label: the time in seconds, with the markers of the marks at that time. */
function axisLabel(t: number, marks: readonly ChartMark[]): string {
  const symbols = marks.filter((m) => round1(m.t) === t).map((m) => m.symbol);
  const seconds = Number.isInteger(t) ? String(t) : t.toFixed(1);
  return symbols.length > 0 ? `${seconds} ${[...new Set(symbols)].join('')}` : seconds;
}

/**
 * Renders the timeline of one workload as an `xychart-beta` with two lines: ready replicas of the
 * old revision and of the new revision, over seconds since apply. Returns undefined for an empty
 * timeline.
 */
export function renderTimelineChart(subject: string, timeline: readonly TimelinePoint[]): TimelineChart | undefined {
  if (timeline.length === 0) return undefined;
  const points = [...timeline].sort((a, b) => a.t - b.t);
  const marks: ChartMark[] = points
    .filter((p): p is TimelinePoint & { note: string } => p.note !== undefined)
    .map((p) => ({ t: round1(p.t), symbol: markSymbol(p.note), note: p.note }));
  const times = sampleTimes(points);
  const oldReady = times.map((t) => valueAt(points, t).oldReady);
  const newReady = times.map((t) => valueAt(points, t).newReady);
  const yMax = Math.max(1, ...oldReady, ...newReady);
  const markText = marks.map((m) => `${m.symbol} ${m.note} at ${formatSeconds(m.t)}`).join(', ');
  const title = `${subject} ready replicas${markText ? ` (${markText})` : ''}`;
  const palette = CHART_PALETTE.join(', ');
  const source = [
    `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${palette}"}}}}%%`,
    'xychart-beta',
    `  title ${mermaidString(title)}`,
    `  x-axis "seconds since apply" [${times.map((t) => mermaidString(axisLabel(t, marks))).join(', ')}]`,
    `  y-axis "ready replicas" 0 --> ${yMax}`,
    `  line "old revision ready" [${oldReady.join(', ')}]`,
    `  line "new revision ready" [${newReady.join(', ')}]`,
  ].join('\n');
  return { source, marks, times, oldReady, newReady };
}

/** A parsed `xychart-beta` (only what this module generates: title, band x-axis, ranged y-axis, series). */
export interface ParsedXyChart {
  title?: string;
  xTitle?: string;
  xLabels: string[];
  yTitle?: string;
  yMin?: number;
  yMax?: number;
  series: { type: 'line' | 'bar'; name?: string; values: number[] }[];
}

const STRING = '"([^"\\n]*)"';
const NUMBER = '(-?\\d+(?:\\.\\d+)?)';

function splitList(body: string, item: RegExp, what: string): string[] {
  if (body.trim() === '') return [];
  return body.split(',').map((raw) => {
    const m = item.exec(raw.trim());
    if (!m) throw new Error(`xychart: bad ${what} ${JSON.stringify(raw.trim())}`);
    return m[1] as string;
  });
}

/**
 * Parses a chart back and checks it: the `xychart-beta` header, at most one title, a quoted band
 * x-axis, a numeric y-axis range with min < max, series of numbers whose length equals the number
 * of x labels and whose values lie within the y range. Throws an Error describing the first problem.
 */
export function parseXyChart(source: string): ParsedXyChart {
  const lines = source.split('\n').filter((l) => l.trim() !== '' && !/^\s*%%/.test(l));
  if (lines[0]?.trim() !== 'xychart-beta') throw new Error('xychart: the first statement must be "xychart-beta"');
  const chart: ParsedXyChart = { xLabels: [], series: [] };
  let sawX = false;
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^title ${STRING}$`).exec(line))) {
      if (chart.title !== undefined) throw new Error('xychart: two titles');
      chart.title = m[1];
    } else if ((m = new RegExp(`^x-axis ${STRING} \\[(.*)\\]$`).exec(line))) {
      if (sawX) throw new Error('xychart: two x-axes');
      sawX = true;
      chart.xTitle = m[1];
      chart.xLabels = splitList(m[2] as string, new RegExp(`^${STRING}$`), 'x label');
    } else if ((m = new RegExp(`^y-axis ${STRING} ${NUMBER} --> ${NUMBER}$`).exec(line))) {
      chart.yTitle = m[1];
      chart.yMin = Number(m[2]);
      chart.yMax = Number(m[3]);
      if (!(chart.yMin < chart.yMax)) throw new Error('xychart: y-axis min must be below max');
    } else if ((m = new RegExp(`^(line|bar)(?: ${STRING})? \\[(.*)\\]$`).exec(line))) {
      const values = splitList(m[3] as string, new RegExp(`^${NUMBER}$`), 'value').map(Number);
      chart.series.push({ type: m[1] as 'line' | 'bar', ...(m[2] !== undefined ? { name: m[2] } : {}), values });
    } else {
      throw new Error(`xychart: unexpected statement ${JSON.stringify(line)}`);
    }
  }
  if (!sawX || chart.xLabels.length === 0) throw new Error('xychart: no x-axis labels');
  if (chart.series.length === 0) throw new Error('xychart: no series');
  for (const s of chart.series) {
    if (s.values.length !== chart.xLabels.length) {
      throw new Error(
        `xychart: series ${s.name ?? s.type} has ${s.values.length} values for ${chart.xLabels.length} labels`,
      );
    }
    const outside = s.values.find(
      (v) => (chart.yMin !== undefined && v < chart.yMin) || (chart.yMax !== undefined && v > chart.yMax),
    );
    if (outside !== undefined)
      throw new Error(`xychart: value ${outside} of ${s.name ?? s.type} is outside the y range`);
  }
  return chart;
}
