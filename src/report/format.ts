/** Small formatting helpers shared by the report renderers (pure). */
import type { WorkloadResult } from '../gate/result.js';

/** Rounds to 0.1 (the precision of every duration in the reports), never returning -0. */
export function round1(n: number): number {
  const r = Math.round(n * 10) / 10;
  return Object.is(r, -0) ? 0 : r;
}

/** `41.5s`: seconds with exactly one decimal. */
export function formatSeconds(n: number): string {
  return `${round1(n).toFixed(1)}s`;
}

/**
 * `deployment/web`, or `deployment/web -n prod` outside the default namespace: the reference a user
 * can paste after `kubectl describe`.
 */
export function workloadRef(w: { kind: string; namespace?: string; name: string }): string {
  const ref = `${w.kind.toLowerCase()}/${w.name}`;
  return w.namespace && w.namespace !== 'default' ? `${ref} -n ${w.namespace}` : ref;
}

/** `k8s/web.yaml:12`, `k8s/web.yaml`, or undefined when the file is unknown. */
export function location(file: string | undefined, line: number | undefined): string | undefined {
  if (!file) return undefined;
  // Line 0 means the problem is about the whole file (unreadable, empty, matches nothing).
  return line === undefined || line <= 0 ? file : `${file}:${line}`;
}

/** `1 deployment`, `2 deployments`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What to call the run's workloads: "deployment" when they all are, else "workload". */
export function workloadNoun(workloads: ReadonlyArray<{ kind: string }>): string {
  return workloads.every((w) => w.kind === 'Deployment') ? 'deployment' : 'workload';
}

/**
 * Whether the workload itself failed (as opposed to being rolled back only because another
 * workload of the same run failed): it has a failure reason or a detection time.
 */
export function failedItself(w: WorkloadResult): boolean {
  if (w.result !== 'failed' && w.result !== 'rolled-back') return false;
  return w.reason !== undefined || w.detectedAfterSeconds !== undefined || w.result === 'failed';
}

/**
 * Where a rollback returned, naming the template before numbers: `nginx:1.14.2, the last good
 * template (revision 1, now revision 3: an undo re-adds it as the newest revision)`. kubectl's undo
 * copies the old template into a new revision, so the number alone reads like a new deploy
 * (https://github.com/kubernetes/kubectl/blob/master/pkg/polymorphichelpers/rollback.go).
 * `image` formats each image (a code span in markdown).
 */
export function restoredTemplateText(
  w: Pick<WorkloadResult, 'rolledBackTo' | 'rolledBackToTemplate'>,
  image: (ref: string) => string = (ref) => ref,
): string {
  const images = (w.rolledBackToTemplate?.images ?? []).map(image).join(', ');
  const from = w.rolledBackToTemplate?.revision;
  const to = w.rolledBackTo;
  const what = images ? `${images}, the last good template` : 'the last good template';
  if (from !== undefined && to !== undefined && from !== to)
    return `${what} (revision ${from}, now revision ${to}: an undo re-adds it as the newest revision)`;
  const revision = to ?? from;
  return revision === undefined ? what : `${what} (revision ${revision})`;
}

/** Seconds the rollback took: total duration minus the detection time, when both are known. */
export function rollbackSeconds(w: WorkloadResult): number | undefined {
  if (w.detectedAfterSeconds === undefined) return undefined;
  const s = w.durationSeconds - w.detectedAfterSeconds;
  return s >= 0 ? s : undefined;
}

/** The first workload that failed itself, else the first rolled back or failed one, else the first. */
export function primaryWorkload(workloads: readonly WorkloadResult[]): WorkloadResult | undefined {
  return workloads.find(failedItself) ?? workloads.find((w) => w.result === 'rolled-back') ?? workloads[0];
}
