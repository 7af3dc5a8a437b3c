/**
 * The plan as the sticky PR comment (markdown with a hidden marker) and as plain text for logs
 * and the CLI (pure).
 */
import { formatSeconds, location, plural } from '../report/format.js';
import { codeBlock, codeSpan, escapeMarkdown, fileLink, table } from '../report/markdown.js';
import type { Capacity, LintFinding, ObjectPlan, Plan, PlanImages, WorkloadPlan } from './types.js';

/** The hidden marker that identifies rollout-gate's sticky comment on a pull request. */
export const PLAN_MARKER = '<!-- rollout-gate:plan -->';

export interface PlanRenderOptions {
  /** `https://github.com/o/r/blob/<sha>`: manifest references become links. */
  blobUrl?: string;
}

const HEADINGS: Record<Plan['verdict'], string> = {
  ok: '✅ Rollout plan: every rollout would succeed',
  risky: '⚠️ Rollout plan: would succeed, with risky settings',
  fails: '❌ Rollout plan: a rollout would fail',
  invalid: '🚫 Rollout plan: invalid input',
};

const CHANGES: Record<WorkloadPlan['change'], string> = {
  create: '🆕 create',
  update: '✏️ update',
  scale: '↕️ scale',
  unchanged: '➖ unchanged',
};

const DASH = '—';

/** `250m CPU, 128Mi` for a capacity, `unknown (no requests)` when a container requests nothing. */
export function formatCapacity(c: Capacity): string {
  const cpu = c.cpuMilli === undefined ? '? CPU' : `${formatMilli(c.cpuMilli)} CPU`;
  const mem = c.memoryBytes === undefined ? '? memory' : formatBytes(c.memoryBytes);
  if (c.cpuMilli === undefined && c.memoryBytes === undefined) return 'unknown (no requests)';
  return `${cpu}, ${mem}`;
}

function formatMilli(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${Math.round(m)}m`;
}

/** `40Gi`, `1.5Gi`, `512Mi`: binary units as kubectl prints them. */
export function formatBytes(b: number): string {
  const units: Array<[string, number]> = [
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ];
  for (const [unit, size] of units) if (b >= size && b % size === 0) return `${b / size}${unit}`;
  for (const [unit, size] of units) if (b >= size) return `${Math.round((b / size) * 10) / 10}${unit}`;
  return `${b}B`;
}

/** `deployment/web`, `job/migrate -n shop`: as kubectl names an object. */
function ref(w: { kind: string; namespace?: string; name: string }): string {
  const name = `${w.kind.toLowerCase()}/${w.name}`;
  return !w.namespace || w.namespace === 'default' ? name : `${name} -n ${w.namespace}`;
}

/** `2 deployments and 1 statefulset`, `1 deployment, 1 daemonset and 2 other objects`: what the dry run covered. */
function covered(plan: Plan): string {
  const counts = new Map<string, number>();
  for (const w of plan.workloads) counts.set(w.kind.toLowerCase(), (counts.get(w.kind.toLowerCase()) ?? 0) + 1);
  const parts = [...counts].map(([kind, n]) => plural(n, kind));
  const waited = plan.objects.filter((o) => o.prediction.result !== 'skipped').length;
  if (waited > 0) parts.push(plural(waited, parts.length > 0 ? 'other object' : 'object'));
  if (parts.length === 0) return plural(0, 'deployment');
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}

function objectPrediction(o: ObjectPlan): string {
  const p = o.prediction;
  if (p.result === 'ready') return `✅ ready${p.afterSeconds > 0 ? ` in ${formatSeconds(p.afterSeconds)}` : ''}`;
  if (p.result === 'skipped') return '➖ not waited on';
  return `❌ ${escapeMarkdown(p.reason ?? 'fails')} after ${formatSeconds(p.afterSeconds)}`;
}

/** Said instead of the verdict heading when a rollout could not be predicted (capacity unknown). */
const NOT_PREDICTED = '❔ Rollout plan: capacity not known, not every rollout could be predicted';
/** ... or because a registry could not be asked whether an image exists. */
const IMAGES_NOT_CHECKED = '❔ Rollout plan: images not checked, not every rollout could be predicted';

function heading(plan: Plan): string {
  const unknown = plan.workloads.filter((w) => w.prediction.result === 'unknown');
  if (unknown.length === 0 || (plan.verdict !== 'ok' && plan.verdict !== 'risky')) return HEADINGS[plan.verdict];
  return unknown.every((w) => w.prediction.reason === 'ImagesNotChecked') ? IMAGES_NOT_CHECKED : NOT_PREDICTED;
}

/**
 * One line on the images: asked or not, and what the registries said. `results` lists every
 * image asked; only the ones that do not plainly exist get a line of their own ({@link imageLines}).
 */
export function imagesSummary(images: PlanImages): string {
  if (!images.checked) return 'not checked against their registries (check-images: false)';
  const count = (result: string) => images.results.filter((r) => r.result === result).length;
  const parts = [
    [count('exists'), 'exist'],
    [count('not-found'), 'not found'],
    [count('unauthorized'), 'unauthorized'],
    [count('not-checked'), 'not checked'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n as number} ${what as string}`);
  const asked = images.results.length === 0 ? 'no registry asked' : `asked their registries: ${parts.join(', ')}`;
  const scenario = images.fromScenario.length > 0 ? `; ${images.fromScenario.length} as the scenario file says` : '';
  return `${asked}${scenario}`;
}

/** `image X not found: HOST says manifest unknown`, one per image that does not plainly exist. */
export function imageLines(images: PlanImages): string[] {
  const out: string[] = [];
  for (const r of images.results) {
    if (r.result === 'not-found') out.push(`image ${r.image} not found: ${r.registry} says ${r.answer}`);
    else if (r.result === 'unauthorized') out.push(`image ${r.image} unauthorized: ${r.answer}`);
    else if (r.result === 'not-checked') out.push(`image ${r.image} not checked: ${r.reason}`);
  }
  return [...out, ...images.notes];
}

function prediction(w: WorkloadPlan): string {
  if (w.prediction.result === 'succeeds') return `✅ succeeds in ${formatSeconds(w.durationSeconds)}`;
  if (w.prediction.result === 'unknown')
    return w.prediction.reason === 'ImagesNotChecked' ? '❔ images not checked' : '❔ capacity not known';
  const after = w.prediction.detectedAfterSeconds;
  return `❌ ${escapeMarkdown(w.prediction.reason ?? 'fails')}${after === undefined ? '' : ` after ${formatSeconds(after)}`}`;
}

function lintLine(f: LintFinding, options: PlanRenderOptions): string {
  const where = f.file ? ` (${fileLink(f.file, f.line, options.blobUrl)})` : '';
  return `- ⚠️ ${codeSpan(f.rule)}: ${escapeMarkdown(f.message)}${where}`;
}

function stepRows(w: WorkloadPlan): string[][] {
  const rows = w.steps.map((s, i) => [
    String(i + 1),
    formatSeconds(s.t),
    `scale ${s.direction} ${s.replicaSet} (${codeSpan(s.replicaSetName)}) to ${s.to}`,
    String(s.oldReplicas),
    String(s.newReplicas),
    String(s.oldReplicas + s.newReplicas),
  ]);
  return rows;
}

/** The sticky PR comment. */
export function renderPlanComment(plan: Plan, options: PlanRenderOptions = {}): string {
  const out: string[] = [PLAN_MARKER, `## ${heading(plan)}`, ''];
  out.push(
    `Dry run of ${covered(plan)} on rollout-gate's simulated cluster; ` +
      `capacity: ${escapeMarkdown(plan.capacity.description)}; ` +
      `baseline: ${escapeMarkdown(plan.baselineSource)}` +
      `${plan.verdict === 'invalid' ? '' : `; images: ${escapeMarkdown(imagesSummary(plan.images))}`}. ` +
      '**Nothing was written to any cluster.**',
    '',
  );
  const images = imageLines(plan.images);
  if (images.length > 0) out.push(...images.map((l) => `- ${escapeMarkdown(l)}`), '');
  if (plan.errors.length > 0) {
    out.push('### Input errors', '');
    for (const e of plan.errors)
      out.push(
        `- ${e.file ? `${fileLink(e.file, e.line || undefined, options.blobUrl)}: ` : ''}${escapeMarkdown(e.message)}`,
      );
    out.push('');
  }
  if (plan.workloads.length > 0) {
    out.push(
      ...table(
        ['Workload', 'Change', 'Replicas', 'Peak pods', 'Min available', 'Extra capacity', 'Prediction', 'Risks'],
        plan.workloads.map((w) => [
          codeSpan(ref(w)),
          CHANGES[w.change],
          w.replicasBefore === w.replicas || w.change === 'create'
            ? String(w.replicas)
            : `${w.replicasBefore} → ${w.replicas}`,
          `${w.peakPods}${w.surgeReached > 0 ? ` (+${w.surgeReached})` : ''}`,
          `${w.minAvailable}/${w.replicas}`,
          formatCapacity(w.extraCapacity),
          prediction(w),
          w.lint.length === 0 ? DASH : `⚠️ ${w.lint.length}`,
        ]),
      ),
      '',
    );
  }
  for (const w of plan.workloads) out.push(...workloadSection(w, options));
  out.push(...objectsSection(plan.objects, options));
  out.push(`<sub>Updated in place by rollout-gate on every push. Simulated times are estimates.</sub>`, '');
  return out.join('\n');
}

function workloadSection(w: WorkloadPlan, options: PlanRenderOptions): string[] {
  const where = w.file ? ` — ${fileLink(w.file, w.line, options.blobUrl)}` : '';
  const out: string[] = [`### ${codeSpan(ref(w))}${where}`, ''];
  if (w.prediction.result === 'fails') {
    out.push(`**Predicted failure:** ${prediction(w)} — ${escapeMarkdown(w.prediction.message)}`, '');
  } else if (w.prediction.result === 'unknown') {
    out.push(`**Prediction:** ${prediction(w)} — ${escapeMarkdown(w.prediction.message)}`, '');
  } else {
    out.push(`**Prediction:** ${prediction(w)} (simulated).`, '');
  }
  out.push(
    `- Strategy: ${escapeMarkdown(w.strategy)}; replicas ${w.change === 'create' ? w.replicas : `${w.replicasBefore} → ${w.replicas}`}`,
    `- Peak pods: ${w.peakPods} (surge reached: ${w.surgeReached}); fewest available: ${w.minAvailable} of ${w.replicas} (unavailable reached: ${w.unavailableReached})`,
    `- Extra capacity needed at the peak: ${formatCapacity(w.extraCapacity)}`,
    `- Estimated duration: ${formatSeconds(w.durationSeconds)}`,
    '',
  );
  if (w.lint.length > 0) out.push('**Risky settings**', '', ...w.lint.map((f) => lintLine(f, options)), '');
  if (w.templateDiff.length > 0) {
    out.push(
      '<details><summary>Pod template diff</summary>',
      '',
      ...codeBlock(w.templateDiff, 'diff'),
      '',
      '</details>',
      '',
    );
  }
  if (w.steps.length > 0) {
    out.push(
      '<details><summary>Rollout steps</summary>',
      '',
      ...table(['#', 'at', 'step', 'old', 'new', 'total'], stepRows(w)),
      '',
      '</details>',
      '',
    );
  }
  return out;
}

/** The other objects the dry run waited on: one row each, and the failures' messages. */
function objectsSection(objects: readonly ObjectPlan[], options: PlanRenderOptions): string[] {
  if (objects.length === 0) return [];
  const out = ['### Other objects', ''];
  out.push(
    ...table(
      ['Object', 'Manifest', 'Prediction'],
      objects.map((o) => [
        codeSpan(ref(o)),
        o.file ? fileLink(o.file, o.line, options.blobUrl) : DASH,
        objectPrediction(o),
      ]),
    ),
    '',
  );
  for (const o of objects.filter((x) => x.prediction.result === 'fails'))
    out.push(`**Predicted failure of ${codeSpan(ref(o))}:** ${escapeMarkdown(o.prediction.message)}`, '');
  return out;
}

/** The plan as plain text lines (action log, CLI). */
export function renderPlanText(plan: Plan): string[] {
  const out: string[] = [
    heading(plan).replace(/^\S+ /, ''),
    `capacity: ${plan.capacity.description}`,
    // Invalid input: nothing was planned, no registry asked.
    ...(plan.verdict === 'invalid'
      ? []
      : [`images: ${imagesSummary(plan.images)}`, ...imageLines(plan.images).map((l) => `  ${l}`)]),
  ];
  for (const e of plan.errors) {
    const where = location(e.file, e.line);
    out.push(`  ${where ? `${where}: ` : ''}error: ${e.message}`);
  }
  for (const w of plan.workloads) {
    const p =
      w.prediction.result === 'succeeds'
        ? `succeeds in ${formatSeconds(w.durationSeconds)}`
        : w.prediction.result === 'unknown'
          ? w.prediction.message
          : `FAILS: ${w.prediction.reason ?? ''} ${w.prediction.message}`.trim();
    out.push(
      `${ref(w)}: ${w.change}, ${w.steps.length} step(s), peak ${w.peakPods} pods (+${w.surgeReached}), ` +
        `min available ${w.minAvailable}/${w.replicas}, extra ${formatCapacity(w.extraCapacity)}; ${p}`,
    );
    for (const f of w.lint) out.push(`  warning: ${f.message}`);
  }
  for (const o of plan.objects) {
    const p = o.prediction;
    const said =
      p.result === 'ready'
        ? `ready in ${formatSeconds(p.afterSeconds)}`
        : p.result === 'skipped'
          ? 'not waited on'
          : `FAILS: ${p.reason ? `${p.reason} ` : ''}${p.message}`;
    out.push(`${ref(o)}: ${said}`);
  }
  return out;
}
