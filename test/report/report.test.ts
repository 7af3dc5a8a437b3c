/** Targeted properties of the report renderers, beyond the byte-for-byte golden files. */
import { describe, expect, it } from '@jest/globals';
import type { GateResult, WorkloadResult } from '../../src/gate/result.js';
import { renderJson } from '../../src/report/json.js';
import { codeBlock, codeSpan, escapeMarkdown, fileLink } from '../../src/report/markdown.js';
import { scaleLinear } from 'd3';
import {
  d3TickStep,
  formatTick,
  integerYMax,
  isInvisibleLabel,
  parseXyChart,
  renderTimelineChart,
  visibleText,
} from '../../src/report/mermaid.js';
import { actionOutputs } from '../../src/report/outputs.js';
import { renderJobSummary } from '../../src/report/summary.js';
import { colorize, formatProgressLine, renderTextSummary } from '../../src/report/text.js';
import {
  chartCases,
  goldenCases,
  invalidInput,
  rollbackImpossible,
  success,
  twoWorkloads,
  typoRolledBack,
} from './fixtures.js';

const CONTRACT_WORKLOAD_KEYS = [
  'kind',
  'namespace',
  'name',
  'result',
  'revision',
  'rolledBackTo',
  'reason',
  'message',
  'durationSeconds',
  'detectedAfterSeconds',
];

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1] as string);
}

describe('renderJson', () => {
  it.each(Object.entries(goldenCases))('%s is one JSON object with the contract keys first', (_name, result) => {
    const text = renderJson(result);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed).slice(0, 3)).toEqual(['result', 'workloads', 'errors']);
    expect(parsed['result']).toBe(result.result);
    const workloads = parsed['workloads'] as Record<string, unknown>[];
    for (const w of workloads) {
      const contractKeys = Object.keys(w).filter((k) => CONTRACT_WORKLOAD_KEYS.includes(k));
      expect(contractKeys).toEqual(CONTRACT_WORKLOAD_KEYS.filter((k) => k in w));
      expect(Object.keys(w).slice(0, contractKeys.length)).toEqual(contractKeys);
    }
    expect(renderJson(result, { indent: 0 })).not.toContain('\n');
  });

  it('rounds durations to 0.1 s, omits undefined and keeps unknown extension fields after the known ones', () => {
    const w: WorkloadResult & { zeta?: number } = {
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      result: 'succeeded',
      revision: undefined,
      message: 'ok',
      durationSeconds: 41.549,
      detectedAfterSeconds: 33.04,
      zeta: 1,
    };
    const parsed = JSON.parse(renderJson({ result: 'succeeded', workloads: [w], errors: [] })) as {
      workloads: Record<string, unknown>[];
      exitCode: number;
    };
    const out = parsed.workloads[0] as Record<string, unknown>;
    expect(out['durationSeconds']).toBe(41.5);
    expect(out['detectedAfterSeconds']).toBe(33);
    expect('revision' in out).toBe(false);
    expect(Object.keys(out).at(-1)).toBe('zeta');
    expect(parsed.exitCode).toBe(0);
  });

  it('keeps the error order file, line, message', () => {
    const parsed = JSON.parse(renderJson(invalidInput)) as { errors: object[] };
    expect(Object.keys(parsed.errors[0] as object)).toEqual(['file', 'line', 'message']);
    expect(parsed.errors[2]).toEqual({ message: '--image nginx=: the image reference is empty' });
  });
});

describe('mermaid timeline', () => {
  it.each(Object.entries(chartCases))(
    '%s: every chart of the summary parses, with series as long as the x axis',
    (_n, r) => {
      const charts = mermaidBlocks(renderJobSummary(r));
      expect(charts.length).toBe(r.workloads.filter((w) => (w.timeline ?? []).length > 0).length);
      for (const source of charts) {
        const chart = parseXyChart(source);
        for (const s of chart.series) expect(s.values).toHaveLength(chart.xLabels.length);
        expect(chart.series.map((s) => s.name).join('\n')).not.toMatch(/revision/);
      }
    },
  );

  it('draws a rolled-back run as the last good template climbing back, never by revision', () => {
    const chart = renderTimelineChart('deployment/web', typoRolledBack.workloads[0]?.timeline ?? [])!;
    expect(chart.series.map((s) => s.name)).toEqual([
      '✖ failure declared',
      '↩ rollback',
      'nginx:1.23.1 (last good) ready',
      'nginx:1.23.1 (last good) not ready',
      'nginx:1.231 (this deploy) not ready',
    ]);
    expect(chart.neverReady).toEqual(['nginx:1.231 (this deploy)']);
    const good = chart.series.find((s) => s.name === 'nginx:1.23.1 (last good) ready')!.values;
    expect(good[0]).toBe(4);
    expect(Math.min(...good)).toBe(3);
    expect(good[good.length - 1]).toBe(4);
    const parsed = parseXyChart(chart.source);
    expect(parsed.title).toBe('deployment/web: pods by template');
    expect(parsed.yMax).toBe(8);
    // The visible labels: times, and the marks' symbols (the failure at 33.0 s and the rollback
    // started at 33.6 s share one label); every other column has an invisible one.
    const visible = parsed.xLabels.filter((l) => !isInvisibleLabel(l)).map(visibleText);
    expect([...new Set(visible)]).toEqual(['0s', '10s', '20s', '✖↩', '40s', '↩']);
  });

  it('draws steps: a change is two points of one category, nothing between samples', () => {
    const chart = renderTimelineChart('deployment/web', success.workloads[0]?.timeline ?? [])!;
    const ready = chart.series.find((s) => s.name === 'nginx:1.23.1 (this deploy) ready')!.values;
    const steps = ready.map((v, k) => [chart.labels[k], v] as const).filter(([, v], k) => k > 0 && v !== ready[k - 1]);
    for (const [label] of steps) expect(chart.labels.filter((l) => l === label).length).toBeGreaterThanOrEqual(2);
    expect(chart.columnSeconds).toBe(0.5);
  });

  it('keeps long timelines to a bounded number of columns', () => {
    const timeline = Array.from({ length: 500 }, (_, k) => ({
      t: k * 1.3,
      oldReady: 3,
      newReady: k % 4,
      templates: [{ template: 'web:2 (this deploy)', ready: k % 4, unavailable: 0 }],
    }));
    const chart = renderTimelineChart('deployment/big', timeline)!;
    // 101 columns at most, and one more point per column with a change.
    expect(parseXyChart(chart.source).xLabels.length).toBeLessThanOrEqual(202);
  });

  it('draws a timeline recorded before templates were with its two revision counts', () => {
    const chart = renderTimelineChart('deployment/web', [
      { t: 0, oldReady: 3, newReady: 0 },
      { t: 5, oldReady: 0, newReady: 3 },
    ])!;
    expect(chart.series.map((s) => s.name)).toEqual(['older revisions ready', 'the revision being rolled out ready']);
  });

  it('neutralises quotes, comments and backticks of notes and names', () => {
    const chart = renderTimelineChart('deployment/"x"', [
      { t: 0, oldReady: 1, newReady: 0, note: 'a "quoted" `note` %% #1; done' },
    ]);
    const parsed = parseXyChart(chart?.source ?? '');
    expect(parsed.title).not.toMatch(/["`#;]|%%/);
  });

  it('chooses a y range whose d3 ticks are integers, as mermaid draws them', () => {
    for (let max = 1; max <= 120; max++) {
      const top = integerYMax(max);
      const ticks = scaleLinear().domain([0, top]).ticks();
      expect(ticks.every((t) => Number.isInteger(t))).toBe(true);
      expect(ticks[ticks.length - 1]).toBe(top);
      expect(top).toBeGreaterThanOrEqual(max);
      expect(d3TickStep(top)).toBe(ticks[1]! - ticks[0]!);
    }
    expect([1, 3, 4, 8, 9, 15, 31].map(integerYMax)).toEqual([8, 8, 8, 8, 9, 16, 35]);
  });

  it('formats x ticks in seconds, then minutes', () => {
    expect([0, 0.5, 45, 60, 90, 600].map(formatTick)).toEqual(['0s', '0.5s', '45s', '1m', '1m30s', '10m']);
  });

  it('rejects malformed charts', () => {
    const good = ['xychart-beta', '  x-axis "t" ["0", "1"]', '  y-axis "r" 0 --> 3'];
    expect(() => parseXyChart([...good, '  line "a" [1, 2]'].join('\n'))).not.toThrow();
    expect(() => parseXyChart([...good, '  line "a" [1, 2, 3]'].join('\n'))).toThrow(/3 values for 2 labels/);
    expect(() => parseXyChart([...good, '  line "a" [1, 9]'].join('\n'))).toThrow(/outside the y range/);
    expect(() => parseXyChart(['xychart', ...good.slice(1), '  line [1, 2]'].join('\n'))).toThrow(/xychart-beta/);
    expect(() => parseXyChart([...good, '  line "a" [1, x]'].join('\n'))).toThrow(/bad value/);
    expect(() => parseXyChart([...good, '  pie "a" [1, 2]'].join('\n'))).toThrow(/unexpected statement/);
  });

  it('returns undefined for an empty timeline', () => {
    expect(renderTimelineChart('deployment/web', [])).toBeUndefined();
  });
});

describe('markdown escaping', () => {
  it('escapes pipes, HTML and markdown punctuation', () => {
    expect(escapeMarkdown('a | b <script>alert(1)</script> *x* `y`')).toBe(
      'a \\| b &lt;script&gt;alert(1)&lt;/script&gt; \\*x\\* \\`y\\`',
    );
    expect(escapeMarkdown('one\ntwo')).toBe('one<br>two');
  });

  it('builds code spans and blocks that their content cannot close', () => {
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
    expect(codeSpan('a|b')).toBe('`a\\|b`');
    expect(codeBlock(['```', 'x'])).toEqual(['````text', '```', 'x', '````']);
  });

  it('links file:line to the blob URL and encodes path segments', () => {
    expect(fileLink('k8s/my app.yaml', 3, 'https://github.com/o/r/blob/abc/')).toBe(
      '[k8s/my app.yaml:3](https://github.com/o/r/blob/abc/k8s/my%20app.yaml#L3)',
    );
    expect(fileLink('k8s/web.yaml', 3, undefined)).toBe('`k8s/web.yaml:3`');
  });

  it('keeps every table row of the summary at its column count despite pipes in user strings', () => {
    for (const result of Object.values(goldenCases)) {
      const lines = renderJobSummary(result).split('\n');
      let columns = 0;
      for (const line of lines) {
        if (!line.startsWith('| ')) {
          columns = 0;
          continue;
        }
        const cells = line.replace(/\\\|/g, '').split('|').length - 2;
        if (columns === 0) columns = cells;
        expect(cells).toBe(columns);
      }
    }
  });

  it('never lets user HTML through', () => {
    const evil: GateResult = {
      ...rollbackImpossible,
      workloads: [{ ...(rollbackImpossible.workloads[0] as WorkloadResult), message: '<img src=x onerror=alert(1)>' }],
    };
    const md = renderJobSummary(evil);
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('text summary', () => {
  it('puts the verdict of each workload first and the result with its exit code last', () => {
    const lines = renderTextSummary(typoRolledBack);
    expect(lines[0]).toBe(
      '✖ deployment/web failed after 33.0s: ImagePullBackOff — ' +
        'image "nginx:1.231" not found: 2 of 2 new pods in ImagePullBackOff',
    );
    expect(lines[1]).toBe(
      '  ↩ rolled back to nginx:1.23.1, the last good template (revision 2, now revision 4: an undo re-adds it as the newest revision) in 12.0s',
    );
    expect(lines).toContain('    manifest: k8s/web.yaml:21');
    expect(lines.at(-1)).toMatch(/\(exit code 1\)$/);
  });

  it('says when nothing was rolled back, and lists input errors as file:line: message', () => {
    expect(renderTextSummary(rollbackImpossible)).toContain(
      '  ⚠ not rolled back: no earlier revision: this is the first rollout of deployment/worker',
    );
    const invalid = renderTextSummary(invalidInput);
    expect(invalid).toContain(
      '  k8s/web.yaml:12: spec.selector does not match the template labels (app: web | app: webb)',
    );
    expect(invalid.at(-1)).toBe('✖ Result: invalid — 3 input errors, nothing was applied (exit code 2)');
  });

  it('reports a workload rolled back only because another failed without calling it failed', () => {
    const lines = renderTextSummary(twoWorkloads);
    expect(lines.filter((l) => l.startsWith('✖ '))).toHaveLength(1);
    expect(
      lines.some((l) => l.startsWith('↩ deployment/web -n shop rolled back to the last good template (revision 13): ')),
    ).toBe(true);
  });

  it('counts unchanged workloads apart from rolled-out ones', () => {
    const unchanged: WorkloadResult = {
      kind: 'Deployment',
      namespace: 'default',
      name: 'cache',
      result: 'unchanged',
      revision: 7,
      message: 'no change',
      durationSeconds: 0.2,
    };
    const result: GateResult = { ...success, workloads: [...success.workloads, unchanged], simulated: false };
    const lines = renderTextSummary(result);
    expect(lines).toEqual([
      '✔ deployment/web rolled out revision 3 in 41.5s',
      '✔ deployment/cache unchanged at revision 7',
      '',
      '✔ Result: succeeded — 1 deployment rolled out, 1 unchanged (exit code 0)',
    ]);
    expect(renderJobSummary(result)).toContain('| `deployment/cache` | ➖ unchanged | 7 | — | — | — | 0.2s |');
  });

  it('formats progress lines and colours markers only when enabled', () => {
    expect(formatProgressLine({ kind: 'Deployment', namespace: 'prod', name: 'web' }, 'waiting')).toBe(
      'deployment/web -n prod: waiting',
    );
    const line = renderTextSummary(success)[0] ?? '';
    expect(colorize(line, false)).toBe(line);
    expect(colorize(line, true)).toBe(`\u001b[32m✔\u001b[0m${line.slice(1)}`);
    expect(colorize('✖ a ↩ b', true)).toBe('\u001b[31m✖\u001b[0m a \u001b[33m↩\u001b[0m b');
  });
});

describe('actionOutputs', () => {
  it('takes revision, rolled-back-to and reason from the first failing workload', () => {
    const reversed: GateResult = { ...twoWorkloads, workloads: [...twoWorkloads.workloads].reverse() };
    const out = actionOutputs(reversed);
    expect(out).toMatchObject({
      result: 'rolled-back',
      revision: '8',
      'rolled-back-to': '9',
      reason: 'CrashLoopBackOff',
    });
    expect(out.json).toBe(renderJson(reversed, { indent: 0 }));
    expect(JSON.parse(out.json)).toEqual(JSON.parse(renderJson(reversed)));
  });

  it('gives empty strings when absent', () => {
    expect(actionOutputs(invalidInput)).toMatchObject({
      result: 'invalid',
      revision: '',
      'rolled-back-to': '',
      reason: '',
    });
    expect(actionOutputs(success)).toMatchObject({ revision: '3', 'rolled-back-to': '', reason: '' });
  });
});
