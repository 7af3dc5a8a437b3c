/**
 * The human log: one verdict line per workload, the evidence under it, input errors, and a final
 * result line with the exit code. Plain text; {@link colorize} adds ANSI colours for a TTY.
 */
import { exitCodeFor } from '../gate/result.js';
import type { EvidenceRecord, GateResult, InputError, ObjectResult, WorkloadResult } from '../gate/result.js';
import { formatDrift } from './drift.js';
import { conditionText, objectCountLine, objectRef, unhealthyObjects } from './objects.js';
import {
  failedItself,
  formatSeconds,
  location,
  plural,
  restoredTemplateText,
  rollbackSeconds,
  workloadNoun,
  workloadRef,
} from './format.js';

const INDENT = '  ';

/** `deployment/web: <line>`: a kubectl progress line attributed to its workload. */
export function formatProgressLine(
  workload: Pick<WorkloadResult, 'kind' | 'namespace' | 'name'>,
  line: string,
): string {
  return `${workloadRef(workload)}: ${line}`;
}

/** `file:line: message` (or `file: message`, or the bare message when the file is unknown). */
export function formatInputError(error: InputError): string {
  const where = location(error.file, error.line);
  return where ? `${where}: ${error.message}` : error.message;
}

/** Indents every line of a possibly multi-line text. */
function indented(prefix: string, text: string, continuation = prefix): string[] {
  return text.split(/\r?\n/).map((l, i) => `${i === 0 ? prefix : continuation}${l}`);
}

/** The lines of one evidence record, indented under its workload. */
export function formatEvidence(e: EvidenceRecord): string[] {
  const pad = INDENT.repeat(2);
  const subject = [e.pod && `pod ${e.pod}`, e.container && `container ${e.container}`].filter(Boolean).join(', ');
  const lines = [`${INDENT}Evidence${subject ? ` from ${subject}` : ''}:`];
  const field = (label: string, value: string | undefined): void => {
    if (value !== undefined && value !== '')
      lines.push(...indented(`${pad}${`${label}:`.padEnd(10)}`, value, pad + ' '.repeat(10)));
  };
  field('image', e.image);
  field('reason', e.reason);
  field('message', e.message);
  field('restarts', e.restartCount === undefined ? undefined : String(e.restartCount));
  field('manifest', location(e.file, e.line));
  if (e.events && e.events.length > 0) {
    lines.push(`${pad}events:`);
    for (const event of e.events) lines.push(...indented(`${pad}${INDENT}`, event));
  }
  if (e.logs && e.logs.length > 0) {
    lines.push(`${pad}last ${plural(e.logs.length, 'log line')}${e.container ? ` of ${e.container}` : ''}:`);
    for (const log of e.logs) lines.push(`${pad}${INDENT}| ${log}`);
  }
  return lines;
}

/** The rollback line of a rolled-back workload, or the "not rolled back" line of a failed one. */
function rollbackLines(w: WorkloadResult, collateral: boolean): string[] {
  if (w.result === 'rolled-back') {
    const target = restoredTemplateText(w);
    const took = rollbackSeconds(w);
    const done = `rolled back to ${target}${took === undefined ? '' : ` in ${formatSeconds(took)}`}`;
    const lines = collateral ? [`↩ ${workloadRef(w)} ${done}: ${w.message}`] : [`${INDENT}↩ ${done}`];
    if (w.rollbackMessage) lines.push(...indented(`${INDENT}${INDENT}`, w.rollbackMessage));
    return lines;
  }
  return [`${INDENT}⚠ not rolled back${w.rollbackMessage ? `: ${w.rollbackMessage}` : ''}`];
}

/** The verdict of one workload (first line) followed by its rollback line and evidence. */
export function formatWorkload(w: WorkloadResult): string[] {
  const ref = workloadRef(w);
  switch (w.result) {
    case 'succeeded': {
      const revision = w.revision === undefined ? '' : ` revision ${w.revision}`;
      return [`✔ ${ref} rolled out${revision} in ${formatSeconds(w.durationSeconds)}`];
    }
    case 'unchanged':
      return [`✔ ${ref} unchanged${w.revision === undefined ? '' : ` at revision ${w.revision}`}`];
    case 'rolled-back':
    case 'failed': {
      if (!failedItself(w)) return rollbackLines(w, true);
      const after = formatSeconds(w.detectedAfterSeconds ?? w.durationSeconds);
      const [first = '', ...more] = w.message.split(/\r?\n/);
      const lines = [`✖ ${ref} failed after ${after}: ${w.reason ? `${w.reason} — ` : ''}${first}`];
      for (const l of more) lines.push(`${INDENT}${l}`);
      lines.push(...rollbackLines(w, false));
      for (const e of w.evidence ?? []) lines.push(...formatEvidence(e));
      return lines;
    }
  }
}

/** An object that failed or timed out: its verdict, conditions and events. */
export function formatObject(o: ObjectResult): string[] {
  const verdict = o.result === 'timeout' ? 'not ready' : 'failed';
  const [first = '', ...more] = o.message.split(/\r?\n/);
  const lines = [
    `✖ ${objectRef(o)} ${verdict} after ${formatSeconds(o.waitedSeconds)}: ${o.reason ? `${o.reason} — ` : ''}${first}`,
  ];
  for (const l of more) lines.push(`${INDENT}${l}`);
  if (o.conditions && o.conditions.length > 0) {
    lines.push(`${INDENT}conditions:`);
    for (const c of o.conditions) lines.push(`${INDENT}${INDENT}${conditionText(c)}`);
  }
  if (o.events && o.events.length > 0) {
    lines.push(`${INDENT}events:`);
    for (const e of o.events) lines.push(...indented(`${INDENT}${INDENT}`, e));
  }
  const pod = o.failedPod;
  if (pod) {
    const exit = `exited with code ${pod.exitCode ?? '?'}${pod.reason ? ` (${pod.reason})` : ''}`;
    lines.push(`${INDENT}pod ${pod.pod}, container ${pod.container}: ${exit}`);
    if (pod.logs.length > 0) {
      lines.push(`${INDENT}last ${plural(pod.logs.length, 'log line')} of ${pod.container}:`);
      for (const l of pod.logs) lines.push(`${INDENT}${INDENT}| ${l}`);
    }
  }
  return lines;
}

/** The final line: the overall result, what it means, and the exit code. */
export function formatResultLine(result: GateResult): string {
  const code = exitCodeFor(result.result);
  const failed = [
    ...result.workloads.filter(failedItself).map(workloadRef),
    ...unhealthyObjects(result.objects).map(objectRef),
  ];
  const names = failed.length > 0 ? failed.join(', ') : 'a workload';
  switch (result.result) {
    case 'succeeded': {
      const rolledOut = result.workloads.filter((w) => w.result === 'succeeded').length;
      const unchanged = result.workloads.length - rolledOut;
      const parts = [
        `${plural(rolledOut, workloadNoun(result.workloads))} rolled out`,
        ...(unchanged > 0 ? [`${unchanged} unchanged`] : []),
      ];
      return `✔ Result: succeeded — ${parts.join(', ')} (exit code ${code})`;
    }
    case 'rolled-back': {
      const back = result.workloads.filter((w) => w.result === 'rolled-back').length;
      const target = back === 1 ? 'its last good revision' : 'their last good revisions';
      const count = plural(back, workloadNoun(result.workloads));
      return `↩ Result: rolled-back — ${names} failed; ${count} rolled back to ${target} (exit code ${code})`;
    }
    case 'failed': {
      if (result.reason === 'Cancelled') {
        const back = result.workloads.filter((w) => w.result === 'rolled-back').length;
        const undone = back > 0 ? `; ${plural(back, workloadNoun(result.workloads))} rolled back` : '';
        return `✖ Result: failed — the run was cancelled${undone} (exit code ${code})`;
      }
      if (result.workloads.length === 0 && failed.length === 0) {
        const nothing = result.applied && result.applied.length > 0 ? '' : ', nothing was applied';
        return `✖ Result: failed — ${plural(result.errors.length, 'error')}${nothing} (exit code ${code})`;
      }
      if (result.reason === 'Locked')
        return `✖ Result: failed — ${names} locked by another gate run, nothing applied (exit code ${code})`;
      const verb = failed.length > 1 ? 'were' : 'was';
      // An object's failure with no Deployment changed: there is nothing the gate rolls back.
      if (result.workloads.every((w) => w.result !== 'rolled-back' && !failedItself(w)))
        return `✖ Result: failed — ${names} failed; nothing to roll back (exit code ${code})`;
      return `✖ Result: failed — ${names} failed and ${verb} not rolled back (exit code ${code})`;
    }
    case 'invalid': {
      const errors = plural(result.errors.length, 'input error');
      return `✖ Result: invalid — ${errors}, nothing was applied (exit code ${code})`;
    }
  }
}

/**
 * The human summary as lines: per workload its verdict (`✔ deployment/web rolled out revision 3
 * in 41.5s`, `✖ deployment/web failed after 33.0s: ImagePullBackOff — …`, `↩ rolled back to
 * revision 2 …`) and evidence; then warnings, drift (fields someone else had changed that this run
 * took over), input errors and the final result line.
 */
export function renderTextSummary(result: GateResult): string[] {
  const lines: string[] = [];
  const blocks = result.workloads.map(formatWorkload);
  blocks.push(...unhealthyObjects(result.objects).map(formatObject));
  blocks.forEach((block, i) => {
    if (i > 0 && (block.length > 1 || (blocks[i - 1]?.length ?? 0) > 1)) lines.push('');
    lines.push(...block);
  });
  const objects = objectCountLine(result.objects);
  if (objects) lines.push(`${unhealthyObjects(result.objects).length > 0 ? '⚠' : '✔'} ${objects}`);
  if (result.warnings && result.warnings.length > 0) {
    if (lines.length > 0) lines.push('');
    for (const w of result.warnings) lines.push(`⚠ warning: ${formatInputError(w)}`);
  }
  if (result.drift && result.drift.length > 0) {
    if (lines.length > 0) lines.push('');
    for (const d of result.drift) lines.push(`⚠ ${formatDrift(d)}`);
  }
  if (result.errors.length > 0) {
    if (lines.length > 0) lines.push('');
    // Only an invalid run's errors are about the input; others come from the cluster.
    const heading =
      result.result === 'invalid'
        ? `${plural(result.errors.length, 'input error')} (nothing was applied)`
        : plural(result.errors.length, 'error');
    lines.push(`✖ ${heading}:`);
    for (const e of result.errors) lines.push(...indented(INDENT, formatInputError(e), INDENT + INDENT));
  }
  if (lines.length > 0) lines.push('');
  if (result.simulated) lines.push('(simulated cluster: times are simulated seconds)');
  lines.push(formatResultLine(result));
  return lines;
}

const COLORS: Record<string, string> = { '✔': '32', '✖': '31', '↩': '33', '⚠': '33' };

/** Colours the ✔ (green), ✖ (red), ↩ and ⚠ (yellow) markers of a line with ANSI codes when enabled. */
export function colorize(line: string, enabled: boolean): string {
  if (!enabled) return line;
  return line.replace(/[✔✖↩⚠]/gu, (marker) => `\u001b[${COLORS[marker] ?? '0'}m${marker}\u001b[0m`);
}
