/**
 * The rollout timeline as a Mermaid `xychart-beta` chart, and a small parser that reads the
 * generated syntax back (used by tests to prove the chart is well formed).
 *
 * The chart speaks in pod templates, never in revision numbers (`kubectl rollout undo` re-adds the
 * good template as the newest revision, so a "new revision" line climbs after a rollback): one line
 * of ready pods and one of not-ready pods per template ("nginx:1.231 (this deploy)", "nginx:1.14.2
 * (last good)", named by templateNames.ts), coloured by the template's role, so a rollback reads as
 * the "last good" line climbing back.
 *
 * xychart draws lines between band-axis categories and has no legend, no dashes and no
 * annotations, so:
 * - time is a uniform grid of columns; a change is drawn as two points in the SAME category (the
 *   band scale gives equal categories one x), which makes the line a step, never a diagonal;
 * - only a few columns carry a visible label (times, and the marks' symbols); the others are
 *   labelled with distinct invisible strings (zero-width characters, which mermaid's trim keeps);
 * - the failure and the rollback are vertical rules in their own colours at their columns: line
 *   series that go up to the top and down to 0 within the column, and elsewhere follow the first
 *   template line (drawn before it, so hidden under it). Not bars: a bar of 0 still draws a stub
 *   below the 0 line (the y axis's outer padding), a hatched band along the whole axis;
 * - the y range is chosen so that d3's `ticks()` (mermaid's LinearAxis) gives integer ticks;
 * - the caption under the chart (summary.ts) says which colour is which and when the marks are.
 */
import type { TemplatePods, TimelinePoint } from '../gate/result.js';
import { round1 } from './format.js';

/** A notable moment of the timeline, as shown on the chart. */
export interface ChartMark {
  t: number;
  symbol: string;
  note: string;
}

/** One drawn series, with what the caption needs to name it. */
export interface ChartSeries {
  type: 'line';
  /** A template's pods, or a mark's rule. */
  of: 'template' | 'mark';
  /** A template's ready or not-ready pods, or a mark's rule (`✖ failure declared`, `↩ rollback`). */
  name: string;
  /** `#1a7f37` */
  colour: string;
  /** `green` */
  colourName: string;
  values: number[];
}

/** The chart source plus what a caption needs to explain it. */
export interface TimelineChart {
  source: string;
  marks: ChartMark[];
  /** The series in drawing order (the marks' rules first, then the templates' lines). */
  series: ChartSeries[];
  /** The x-axis labels, one per drawn point (invisible ones included). */
  labels: string[];
  /** Seconds per column of the time grid. */
  columnSeconds: number;
  /** The top of the y axis (every d3 tick below it an integer). */
  yMax: number;
  /** Templates the run had pods of that were never ready (their ready line is not drawn). */
  neverReady: string[];
}

/** Colours of the lines by the template's role: its ready pods, then its not-ready pods. */
export const TEMPLATE_COLOURS: Readonly<Record<string, { ready: [string, string]; unavailable: [string, string] }>> = {
  'last good': { ready: ['#0969da', 'blue'], unavailable: ['#54aeff', 'light blue'] },
  unchanged: { ready: ['#0969da', 'blue'], unavailable: ['#54aeff', 'light blue'] },
  'this deploy': { ready: ['#1a7f37', 'green'], unavailable: ['#fb8f44', 'orange'] },
  before: { ready: ['#8c959f', 'grey'], unavailable: ['#d0d7de', 'light grey'] },
  older: { ready: ['#6e7781', 'dark grey'], unavailable: ['#d0d7de', 'light grey'] },
};

/** Colours of the marks' rules: the failure declared, the rollback (started and done). */
export const MARK_COLOURS = { failure: ['#ff8182', 'red'], rollback: ['#c297ff', 'purple'] } as const;

/** Chart size (mermaid's xyChart config) and what the x labels are laid out for. */
export const CHART_WIDTH = 900;
export const CHART_HEIGHT = 400;
/**
 * A lower bound of the plot's width: mermaid reserves `plotReservedSpacePercent` (50%) of the
 * width for it, then gives it what the y axis and the legend leave.
 */
const PLOT_WIDTH = CHART_WIDTH / 2;
/** Pixels per character of an x label (14 px font) and per marker symbol, rounded up. */
const CHAR_PX = 9;
const SYMBOL_PX = 18;
const LABEL_GAP_PX = 12;
/** At most this many columns: enough for a step every 1% of the run. */
const MAX_COLUMNS = 100;
const MAX_TICKS = 7;
const MAX_SUBJECT = 40;

const NICE_STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

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

/**
 * d3's tick step for `scaleLinear().domain([0, stop]).ticks()` (10 ticks; d3-array tickSpec):
 * 1, 2 or 5 times a power of ten, so the ticks are integers exactly when the step is at least 1.
 */
export function d3TickStep(stop: number, count = 10): number {
  const step = stop / count;
  const power = Math.floor(Math.log10(step));
  const error = step / 10 ** power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return power < 0 ? factor / 10 ** -power : factor * 10 ** power;
}

/**
 * The top of the y axis: the smallest value at least `max` whose d3 ticks are all integers and end
 * on it (below 8, d3 steps by 0.5 or less: "2.8 replicas").
 */
export function integerYMax(max: number): number {
  for (let top = Math.max(1, Math.ceil(max)); ; top++) {
    const step = d3TickStep(top);
    if (step >= 1 && top % step === 0) return top;
  }
}

/** `0s`, `1.5s`, `45s`, `2m`, `2m30s`: an x tick label. */
export function formatTick(t: number): string {
  if (t < 60) return `${round1(t)}s`;
  const m = Math.floor(t / 60);
  const s = round1(t - m * 60);
  return s === 0 ? `${m}m` : `${m}m${s}s`;
}

const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060'];

/** A distinct label that renders as nothing: column `c` in base 4 over zero-width characters. */
function invisibleLabel(c: number): string {
  let s = '';
  let n = c;
  do {
    s = INVISIBLE[n % 4]! + s;
    n = Math.floor(n / 4);
  } while (n > 0);
  return s;
}

/** True for a label made of the invisible characters only. */
export function isInvisibleLabel(label: string): boolean {
  return label.length > 0 && [...label].every((ch) => INVISIBLE.includes(ch));
}

/** A label as it reads: without its invisible characters. */
export function visibleText(label: string): string {
  return [...label].filter((ch) => !INVISIBLE.includes(ch)).join('');
}

interface Line {
  template: string;
  kind: 'ready' | 'unavailable';
}

/** Pods per template of a point; a timeline from before templates were recorded: its two revision counts. */
function podsOf(p: TimelinePoint, legacy: boolean): TemplatePods[] {
  if (!legacy) return p.templates ?? [];
  return [
    { template: 'older revisions', ready: p.oldReady, unavailable: 0 },
    { template: 'the revision being rolled out', ready: p.newReady, unavailable: 0 },
  ];
}

function roleOf(template: string): string {
  return /\((this deploy|last good|before|unchanged|older)\)$/.exec(template)?.[1] ?? 'older';
}

function lineName(l: Line): string {
  return `${l.template} ${l.kind === 'ready' ? 'ready' : 'not ready'}`;
}

/** The column grid: seconds per column, from a nice step keeping at most MAX_COLUMNS columns. */
function columnSeconds(end: number): number {
  return NICE_STEPS.find((s) => end / s <= MAX_COLUMNS) ?? Math.ceil(end / MAX_COLUMNS);
}

/**
 * The visible x labels by column: evenly spaced times, and the marks' symbols at their columns
 * (marks closer than a label's width share one label; a time label too close to a mark gives way).
 */
function visibleLabels(columns: number, dt: number, marks: readonly ChartMark[]): Map<number, string> {
  const px = (c: number): number => (c / Math.max(1, columns)) * PLOT_WIDTH;
  const end = columns * dt;
  const tick = NICE_STEPS.find(
    (s) => s >= dt && Math.abs(s / dt - Math.round(s / dt)) < 1e-9 && end / s <= MAX_TICKS - 1,
  );
  const labels = new Map<number, string>();
  const step = tick ?? end;
  for (let k = 0; k * step <= end + 1e-9; k++) labels.set(Math.round((k * step) / dt), formatTick(k * step));
  const clusters: { column: number; symbols: string[] }[] = [];
  for (const m of [...marks].sort((a, b) => a.t - b.t)) {
    const column = Math.round(m.t / dt);
    const last = clusters[clusters.length - 1];
    if (last && px(column) - px(last.column) < SYMBOL_PX * last.symbols.length + LABEL_GAP_PX) {
      if (!last.symbols.includes(m.symbol)) last.symbols.push(m.symbol);
    } else clusters.push({ column, symbols: [m.symbol] });
  }
  for (const { column, symbols } of clusters) {
    const text = symbols.join('');
    const width = SYMBOL_PX * symbols.length;
    const same = labels.get(column);
    for (const [c, label] of labels) {
      const room = (label.length * CHAR_PX) / 2 + width / 2 + LABEL_GAP_PX;
      if (c !== column && !isMarkLabel(label) && Math.abs(px(c) - px(column)) < room) labels.delete(c);
    }
    const merged = same && !isMarkLabel(same) ? `${same} ${text}` : text;
    labels.set(column, merged);
    if (merged !== text) {
      // A time label grew by the symbols: its neighbours must still clear it.
      for (const [c, label] of labels) {
        const room = ((label.length + merged.length) * CHAR_PX) / 2 + LABEL_GAP_PX;
        if (c !== column && !isMarkLabel(label) && Math.abs(px(c) - px(column)) < room) labels.delete(c);
      }
    }
  }
  return labels;
}

function isMarkLabel(label: string): boolean {
  return /[✖↩✔•]/.test(label);
}

/**
 * Renders the timeline of one workload as an `xychart-beta`: per pod template a line of its ready
 * pods and one of its not-ready pods (each drawn only when not always 0), as steps over a uniform
 * time grid, with the failure and the rollback as bars at their times. Undefined for an empty
 * timeline.
 */
export function renderTimelineChart(subject: string, timeline: readonly TimelinePoint[]): TimelineChart | undefined {
  if (timeline.length === 0) return undefined;
  const points = [...timeline].sort((a, b) => a.t - b.t);
  const legacy = points.every((p) => p.templates === undefined);
  const marks: ChartMark[] = points
    .filter((p): p is TimelinePoint & { note: string } => p.note !== undefined)
    .map((p) => ({ t: round1(p.t), symbol: markSymbol(p.note), note: p.note }));

  // The lines: every template in order of first appearance, ready then not ready.
  const lines: Line[] = [];
  const templates: string[] = [];
  for (const p of points)
    for (const pods of podsOf(p, legacy)) if (!templates.includes(pods.template)) templates.push(pods.template);
  const valueOf = (p: TimelinePoint, l: Line): number => {
    const pods = podsOf(p, legacy).find((x) => x.template === l.template);
    return pods ? pods[l.kind] : 0;
  };
  const neverReady: string[] = [];
  for (const template of templates) {
    for (const kind of ['ready', 'unavailable'] as const) {
      const line = { template, kind };
      if (points.some((p) => valueOf(p, line) > 0)) lines.push(line);
      else if (kind === 'ready' && !legacy) neverReady.push(template);
    }
  }
  if (lines.length === 0 && templates[0] !== undefined) lines.push({ template: templates[0], kind: 'ready' });

  // The grid: observations snapped to columns; a column with a change gets two points (a step).
  const end = Math.max(0.5, points[points.length - 1]!.t);
  const dt = columnSeconds(end);
  // A little room after the last observation, so its state reads as a level, not a lone step.
  const last = Math.ceil(end / dt - 1e-9);
  const columns = last + Math.max(1, Math.round(last / 50));
  const byColumn = new Map<number, TimelinePoint>();
  for (const p of points) byColumn.set(Math.round(p.t / dt), p);
  const visible = visibleLabels(columns, dt, marks);
  const labels: string[] = [];
  // Per drawn point: the observation it shows, and (at a mark's column) the top or the bottom of the rule.
  const emitted: { point: TimelinePoint; column: number; rule?: number }[] = [];
  const markColumns = (symbol: string) =>
    new Set(marks.filter((m) => m.symbol === symbol).map((m) => Math.round(m.t / dt)));
  const rules = [
    { name: '✖ failure declared', columns: markColumns('✖'), colours: MARK_COLOURS.failure },
    { name: '↩ rollback', columns: markColumns('↩'), colours: MARK_COLOURS.rollback },
  ].filter((r) => r.columns.size > 0);
  const ruled = new Set(rules.flatMap((r) => [...r.columns]));
  let current = points[0]!;
  const yMax = integerYMax(Math.max(1, ...points.flatMap((p) => lines.map((l) => valueOf(p, l)))));
  const seen = new Set<string>();
  for (let c = 0; c <= columns; c++) {
    const text = visible.get(c);
    // Equal labels are one category (one x): a second "↩" gets an invisible suffix to stay apart.
    const label = text === undefined ? invisibleLabel(c) : seen.has(text) ? text + invisibleLabel(c) : text;
    if (text !== undefined) seen.add(text);
    const next = byColumn.get(c);
    const column: { point: TimelinePoint; column: number; rule?: number }[] = [{ point: current, column: c }];
    // A mark's rule: up to the top and down to 0 within the column (one x: a vertical line).
    if (ruled.has(c))
      column.push(
        { point: current, column: c, rule: yMax },
        { point: current, column: c, rule: 0 },
        { point: current, column: c },
      );
    if (next && lines.some((l) => valueOf(next, l) !== valueOf(current, l))) column.push({ point: next, column: c });
    for (const e of column) {
      labels.push(label);
      emitted.push(e);
    }
    if (next) current = next;
  }

  const series: ChartSeries[] = [];
  // A rule follows the first template line elsewhere: drawn first, it is hidden under that line.
  const first = lines[0]!;
  for (const r of rules) {
    const values = emitted.map((e) =>
      e.rule !== undefined && r.columns.has(e.column) ? e.rule : valueOf(e.point, first),
    );
    series.push({ type: 'line', of: 'mark', name: r.name, colour: r.colours[0], colourName: r.colours[1], values });
  }
  for (const l of lines) {
    const colours = TEMPLATE_COLOURS[roleOf(l.template)] ?? TEMPLATE_COLOURS['older']!;
    const [colour, colourName] = colours[l.kind];
    series.push({
      type: 'line',
      of: 'template',
      name: lineName(l),
      colour,
      colourName,
      values: emitted.map((e) => valueOf(e.point, l)),
    });
  }

  const shortSubject = subject.length > MAX_SUBJECT ? `${subject.slice(0, MAX_SUBJECT - 1)}…` : subject;
  const palette = series.map((s) => s.colour).join(', ');
  const init = {
    xyChart: { width: CHART_WIDTH, height: CHART_HEIGHT, showLegend: true, xAxis: { showTick: false } },
    themeVariables: { xyChart: { plotColorPalette: palette } },
  };
  const source = [
    `%%{init: ${JSON.stringify(init)}}%%`,
    'xychart-beta',
    `  title ${mermaidString(`${shortSubject}: pods by template`)}`,
    `  x-axis "time since apply" [${labels.map(mermaidString).join(', ')}]`,
    `  y-axis "pods" 0 --> ${yMax}`,
    ...series.map((s) => `  ${s.type} ${mermaidString(s.name)} [${s.values.join(', ')}]`),
  ].join('\n');
  return { source, marks, series, labels, columnSeconds: dt, yMax, neverReady };
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
