/**
 * The job summary ($GITHUB_STEP_SUMMARY) in GitHub-flavoured markdown: the verdict first, then a
 * table of workloads, the evidence of every failure, the rollout timeline as a Mermaid chart, what
 * was applied, phase durations and input errors. Every user-provided string is escaped.
 */
import { exitCodeFor } from '../gate/result.js';
import type {
  DriftRecord,
  EvidenceRecord,
  GateResult,
  InputError,
  ObjectResult,
  RunOutcome,
  WorkloadOutcome,
  WorkloadResult,
} from '../gate/result.js';
import { driftValue } from './drift.js';
import { objectCountLine, objectRef, unhealthyObjects } from './objects.js';
import {
  failedItself,
  formatSeconds,
  plural,
  restoredTemplateText,
  rollbackSeconds,
  workloadNoun,
  workloadRef,
} from './format.js';
import { codeBlock, codeSpan, escapeHtml, escapeMarkdown, fileLink, table } from './markdown.js';
import { renderTimelineChart } from './mermaid.js';

/** Options of {@link renderJobSummary}. */
export interface SummaryOptions {
  /**
   * Base for manifest links, e.g. `https://github.com/owner/repo/blob/<sha>`; file:line references
   * become `<blobUrl>/<file>#L<line>` links. Without it they are code spans.
   */
  blobUrl?: string;
}

const HEADINGS: Record<RunOutcome, string> = {
  succeeded: '✅ Rollout succeeded',
  'rolled-back': '↩️ Rollout failed and was rolled back',
  failed: '❌ Rollout failed and was not rolled back',
  invalid: '🚫 Invalid input: nothing was applied',
};

const OUTCOMES: Record<WorkloadOutcome, string> = {
  succeeded: '✅ succeeded',
  'rolled-back': '↩️ rolled back',
  failed: '❌ failed',
  unchanged: '➖ unchanged',
};

const DASH = '—';

function num(v: number | undefined): string {
  return v === undefined ? DASH : String(v);
}

function secs(v: number | undefined): string {
  return v === undefined ? DASH : formatSeconds(v);
}

/** `> ` quoted, escaped lines. */
function quote(text: string): string[] {
  return text.split(/\r?\n/).map((l) => `> ${escapeMarkdown(l)}`);
}

/** The rollback sentence of a workload that failed. */
function rollbackSentence(w: WorkloadResult): string {
  if (w.result === 'rolled-back') {
    const target = restoredTemplateText(w, codeSpan);
    const took = rollbackSeconds(w);
    const extra = w.rollbackMessage ? ` — ${escapeMarkdown(w.rollbackMessage)}` : '';
    return `↩️ Rolled back to ${target}${took === undefined ? '' : ` in ${formatSeconds(took)}`}${extra}.`;
  }
  return `⚠️ **Not rolled back**${w.rollbackMessage ? `: ${escapeMarkdown(w.rollbackMessage)}` : '.'}`;
}

/** The lead paragraph: what happened, in one or two sentences per failing workload. */
function lead(result: GateResult): string[] {
  const failing = result.workloads.filter(failedItself);
  if (result.result === 'invalid') {
    return [`${plural(result.errors.length, 'input error')} (see below); no object was applied.`];
  }
  const objects = unhealthyObjects(result.objects).map((o) => {
    const verdict = o.result === 'timeout' ? 'was not ready' : 'failed';
    const reason = o.reason ? `**${escapeMarkdown(o.reason)}**: ` : '';
    return `- ${codeSpan(objectRef(o))} ${verdict} after ${formatSeconds(o.waitedSeconds)}: ${reason}${escapeMarkdown(o.message.split(/\r?\n/)[0] ?? '')}`;
  });
  if (objects.length > 0) {
    const back = result.workloads.filter((w) => w.result === 'rolled-back');
    const rolled =
      back.length > 0 ? [`- rolled back with it: ${back.map((w) => codeSpan(workloadRef(w))).join(', ')}`] : [];
    return [...failing.map(failingLine), ...objects, ...rolled];
  }
  if (failing.length === 0) {
    const rolledOut = result.workloads.filter((w) => w.result === 'succeeded').length;
    const unchanged = result.workloads.filter((w) => w.result === 'unchanged').length;
    return [
      `${plural(rolledOut, workloadNoun(result.workloads))} rolled out${unchanged > 0 ? `, ${unchanged} unchanged` : ''}.`,
    ];
  }
  const lines = failing.map(failingLine);
  const others = result.workloads.filter((w) => w.result === 'rolled-back' && !failedItself(w));
  if (others.length > 0) {
    lines.push(`- rolled back with it: ${others.map((w) => codeSpan(workloadRef(w))).join(', ')}`);
  }
  return lines;
}

/** `- \`deployment/web\` failed after 33.0s: **Reason**: message`. */
function failingLine(w: WorkloadResult): string {
  const reason = w.reason ? `**${escapeMarkdown(w.reason)}**: ` : '';
  const after = formatSeconds(w.detectedAfterSeconds ?? w.durationSeconds);
  const message = escapeMarkdown(w.message.split(/\r?\n/)[0] ?? '');
  return `- ${codeSpan(workloadRef(w))} failed after ${after}: ${reason}${message}`;
}

/** An object that failed or timed out: its message, conditions and events. */
function objectSection(o: ObjectResult): string[] {
  const title = `### ❌ ${codeSpan(objectRef(o))}${o.reason ? `: ${escapeMarkdown(o.reason)}` : ''}`;
  const lines = [title, '', ...quote(o.message), ''];
  if (o.conditions && o.conditions.length > 0)
    lines.push(
      ...table(
        ['Condition', 'Status', 'Reason', 'Message'],
        o.conditions.map((c) => [
          escapeMarkdown(c.type),
          escapeMarkdown(c.status),
          c.reason ? escapeMarkdown(c.reason) : DASH,
          c.message ? escapeMarkdown(c.message) : DASH,
        ]),
      ),
      '',
    );
  if (o.events && o.events.length > 0) lines.push('**Events**', '', ...codeBlock(o.events), '');
  const pod = o.failedPod;
  if (pod) {
    const exit = `exited with code ${pod.exitCode ?? '?'}${pod.reason ? ` (${escapeMarkdown(pod.reason)})` : ''}`;
    lines.push(`**Failed pod** \`${pod.pod}\`, container \`${pod.container}\`: ${exit}`, '');
    if (pod.logs.length > 0) lines.push(...codeBlock(pod.logs), '');
  }
  return lines;
}

/**
 * The template a rollback restored, by its images and the revision it had before the undo
 * renumbered it (the number after the undo names this run's own write, not what a person knows).
 */
function rolledBackCell(w: WorkloadResult): string {
  const images = w.rolledBackToTemplate?.images ?? [];
  if (images.length === 0) return num(w.rolledBackTo);
  const from = w.rolledBackToTemplate?.revision;
  return `${images.map(codeSpan).join(', ')}${from === undefined ? '' : ` (revision ${from})`}`;
}

function workloadTable(workloads: readonly WorkloadResult[]): string[] {
  const header = ['Workload', 'Result', 'Revision', 'Rolled back to', 'Reason', 'Detected after', 'Duration'];
  const rows = workloads.map((w) => [
    codeSpan(workloadRef(w)),
    OUTCOMES[w.result],
    num(w.revision),
    rolledBackCell(w),
    w.reason ? escapeMarkdown(w.reason) : DASH,
    secs(w.detectedAfterSeconds),
    secs(w.durationSeconds),
  ]);
  return table(header, rows);
}

/** One evidence record as a details block (the first one open). */
function evidenceBlock(e: EvidenceRecord, open: boolean, options: SummaryOptions): string[] {
  const subject = [e.pod && `pod ${e.pod}`, e.container && `container ${e.container}`, e.reason].filter(Boolean);
  const lines = [
    `<details${open ? ' open' : ''}>`,
    `<summary>${escapeHtml(subject.join(' · ') || 'Evidence')}</summary>`,
    '',
  ];
  const rows: string[][] = [];
  if (e.image) rows.push(['Image', codeSpan(e.image)]);
  if (e.file) rows.push(['Manifest', fileLink(e.file, e.line, options.blobUrl)]);
  if (e.reason) rows.push(['Reason', escapeMarkdown(e.reason)]);
  if (e.message) rows.push(['Message', escapeMarkdown(e.message)]);
  if (e.restartCount !== undefined) rows.push(['Restarts', String(e.restartCount)]);
  if (rows.length > 0) lines.push(...table(['Field', 'Value'], rows), '');
  if (e.events && e.events.length > 0) lines.push('**Events**', '', ...codeBlock(e.events), '');
  if (e.logs && e.logs.length > 0) {
    const of = e.container ? ` of ${codeSpan(e.container)}` : '';
    lines.push(`**Last ${plural(e.logs.length, 'log line')}**${of}`, '', ...codeBlock(e.logs), '');
  }
  lines.push('</details>', '');
  return lines;
}

function failureSection(w: WorkloadResult, options: SummaryOptions): string[] {
  const title = `### ❌ ${codeSpan(workloadRef(w))}${w.reason ? `: ${escapeMarkdown(w.reason)}` : ''}`;
  const lines = [title, '', ...quote(w.message), '', rollbackSentence(w), ''];
  (w.evidence ?? []).forEach((e, i) => lines.push(...evidenceBlock(e, i === 0, options)));
  if (w.progress && w.progress.length > 0) {
    lines.push('<details>', '<summary>Rollout progress</summary>', '', ...codeBlock(w.progress), '', '</details>', '');
  }
  return lines;
}

function timelineSection(w: WorkloadResult): string[] {
  const chart = renderTimelineChart(workloadRef(w), w.timeline ?? []);
  if (!chart) return [];
  const lines = chart.series
    .filter((s) => s.of === 'template')
    .map((s) => `${s.colourName} (${s.colour}): ${escapeMarkdown(s.name)}`);
  const bars = chart.series
    .filter((s) => s.of === 'mark')
    .map((s) => `a ${s.colourName} vertical line (${s.colour}) marks ${escapeMarkdown(s.name)}`);
  const never = chart.neverReady.map((t) => `${escapeMarkdown(t)} never had a ready pod`);
  const caption =
    `Pods of each pod template by time since apply, ready and not ready; ${lines.join('; ')}.` +
    (bars.length > 0 ? ` On the time axis, ${bars.join(', ')} (times in the table below).` : '') +
    (never.length > 0 ? ` ${never.join('; ')}.` : '');
  const out = [
    `#### ${codeSpan(workloadRef(w))}`,
    '',
    caption,
    '',
    ...codeBlock(chart.source.split('\n'), 'mermaid'),
    '',
  ];
  if (chart.marks.length > 0) {
    out.push(
      ...table(
        ['At', 'Event'],
        chart.marks.map((m) => [formatSeconds(m.t), `${m.symbol} ${escapeMarkdown(m.note)}`]),
      ),
      '',
    );
  }
  return out;
}

/** Fields someone else had changed, taken over by this run's apply: who, and from what to what. */
function driftSection(drift: readonly DriftRecord[]): string[] {
  const rows = drift.map((d) => [
    codeSpan(workloadRef(d)),
    codeSpan(d.field),
    `${codeSpan(d.manager)} (${d.operation})`,
    codeSpan(driftValue(d.live)),
    codeSpan(driftValue(d.applied)),
  ]);
  return [
    '### Drift',
    '',
    `${plural(drift.length, 'field')} changed outside the manifests, taken over by this run:`,
    '',
    ...table(['Object', 'Field', 'Changed by', 'Was', 'Manifests set'], rows),
    '',
  ];
}

function errorTable(errors: readonly InputError[], options: SummaryOptions): string[] {
  const rows = errors.map((e) => [
    e.file ? fileLink(e.file, e.line, options.blobUrl) : DASH,
    escapeMarkdown(e.message),
  ]);
  return table(['Location', 'Message'], rows);
}

/** The job summary as GitHub-flavoured markdown, ending with a newline. */
export function renderJobSummary(result: GateResult, options: SummaryOptions = {}): string {
  const code = exitCodeFor(result.result);
  const lines = [`## ${HEADINGS[result.result]}`, '', ...lead(result), ''];
  if (result.workloads.length > 0) lines.push(...workloadTable(result.workloads), '');
  for (const w of result.workloads.filter(failedItself)) lines.push(...failureSection(w, options));
  for (const o of unhealthyObjects(result.objects)) lines.push(...objectSection(o));
  const objects = objectCountLine(result.objects);
  if (objects) lines.push(`**Objects:** ${escapeMarkdown(objects)}.`, '');
  if (result.errors.length > 0) lines.push('### Input errors', '', ...errorTable(result.errors, options), '');
  if (result.warnings && result.warnings.length > 0) {
    lines.push('### Warnings', '', ...errorTable(result.warnings, options), '');
  }
  if (result.drift && result.drift.length > 0) lines.push(...driftSection(result.drift));
  const charted = result.workloads.filter((w) => (w.timeline ?? []).length > 0);
  if (charted.length > 0) {
    lines.push('### Rollout timeline', '');
    for (const w of charted) lines.push(...timelineSection(w));
  }
  if (result.applied && result.applied.length > 0) {
    const rows = result.applied.map((a) => [
      escapeMarkdown(a.kind),
      a.namespace ? escapeMarkdown(a.namespace) : DASH,
      codeSpan(a.name),
      escapeMarkdown(a.action),
      a.file ? fileLink(a.file, a.line, options.blobUrl) : DASH,
    ]);
    lines.push('### Applied', '', ...table(['Kind', 'Namespace', 'Name', 'Action', 'Manifest'], rows), '');
  }
  if (result.phases && result.phases.length > 0) {
    const total = result.phases.reduce((sum, p) => sum + p.seconds, 0);
    const rows = [
      ...result.phases.map((p) => [p.name, formatSeconds(p.seconds)]),
      ['**total**', `**${formatSeconds(total)}**`],
    ];
    lines.push('### Phases', '', ...table(['Phase', 'Duration'], rows), '');
  }
  const simulated = result.simulated ? ' · simulated cluster (times are simulated seconds)' : '';
  lines.push(`Result ${codeSpan(result.result)} · exit code ${code}${simulated}`, '');
  return lines.join('\n');
}
