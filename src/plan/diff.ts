/**
 * A readable unified-style diff of two pod templates (pure): both sides are normalised (no
 * pod-template-hash, no server defaults that would only add noise), printed as YAML with sorted
 * keys, and compared line by line.
 */
import { dump } from 'js-yaml';
import type { PodTemplateSpec } from '../k8s/objects.js';

const PROBE_DEFAULTS: Record<string, unknown> = {
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
};
const CONTAINER_DEFAULTS: Record<string, unknown> = {
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
};
const POD_DEFAULTS: Record<string, unknown> = {
  restartPolicy: 'Always',
  dnsPolicy: 'ClusterFirst',
  schedulerName: 'default-scheduler',
  terminationGracePeriodSeconds: 30,
};

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

function dropDefaults(obj: Record<string, unknown>, defaults: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(defaults)) if (obj[k] === v) delete obj[k];
  for (const [k, v] of Object.entries(obj)) if (isEmptyObject(v) || v === null) delete obj[k];
}

/** The template without the hash label and the defaults an API server fills in. */
export function normaliseTemplate(template: PodTemplateSpec | undefined): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(template ?? {})) as Record<string, unknown> & PodTemplateSpec;
  const meta = (copy.metadata ?? {}) as Record<string, unknown>;
  const labels = meta.labels as Record<string, string> | undefined;
  if (labels) delete labels['pod-template-hash'];
  delete meta.creationTimestamp;
  dropDefaults(meta, {});
  if (isEmptyObject(meta)) delete copy.metadata;
  const spec = (copy.spec ?? {}) as Record<string, unknown>;
  for (const list of ['containers', 'initContainers']) {
    for (const c of (spec[list] as Array<Record<string, unknown>> | undefined) ?? []) {
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const p = c[probe] as Record<string, unknown> | undefined;
        if (p) dropDefaults(p, PROBE_DEFAULTS);
      }
      for (const port of (c.ports as Array<Record<string, unknown>> | undefined) ?? []) {
        if (port.protocol === 'TCP') delete port.protocol;
      }
      dropDefaults(c, CONTAINER_DEFAULTS);
    }
  }
  dropDefaults(spec, POD_DEFAULTS);
  return copy;
}

function yamlLines(template: PodTemplateSpec | undefined): string[] {
  if (template === undefined) return [];
  const text = dump(normaliseTemplate(template), { sortKeys: true, lineWidth: -1, noRefs: true });
  return text.replace(/\n$/, '').split('\n');
}

/** Longest-common-subsequence edit script of two line lists: ' ', '-' and '+' lines. */
export function diffLines(a: readonly string[], b: readonly string[]): string[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push(` ${a[i]}`);
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push(`-${a[i++]}`);
    else out.push(`+${b[j++]}`);
  }
  while (i < n) out.push(`-${a[i++]}`);
  while (j < m) out.push(`+${b[j++]}`);
  return out;
}

/** Keeps `context` unchanged lines around each change; elided runs become one `@@ … @@` line. */
export function withContext(script: readonly string[], context = 3): string[] {
  const changed = script.map((l) => !l.startsWith(' '));
  if (!changed.includes(true)) return [];
  const keep = script.map((_, i) => {
    for (let k = Math.max(0, i - context); k <= Math.min(script.length - 1, i + context); k++)
      if (changed[k]) return true;
    return false;
  });
  const out: string[] = [];
  let skipped = 0;
  script.forEach((line, i) => {
    if (keep[i]) {
      if (skipped > 0) out.push(`@@ ${skipped} unchanged line${skipped === 1 ? '' : 's'} @@`);
      skipped = 0;
      out.push(line);
    } else skipped++;
  });
  if (skipped > 0) out.push(`@@ ${skipped} unchanged line${skipped === 1 ? '' : 's'} @@`);
  return out;
}

/** The template diff, empty when the templates are equal (ignoring the hash and server defaults). */
export function templateDiff(before: PodTemplateSpec | undefined, after: PodTemplateSpec | undefined): string[] {
  return withContext(diffLines(yamlLines(before), yamlLines(after)));
}
