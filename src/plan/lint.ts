/** Risky workload settings, found before merge (pure). */
import type { Container, Deployment, IntOrString } from '../k8s/objects.js';
import { WORKLOAD_KINDS, workloadLabel, type WorkloadKind } from '../k8s/workloadKinds.js';
import { desiredReplicas, maxUnavailable, type PlannedWorkload } from './kinds.js';
import type { LintFinding } from './types.js';

/** Where the findings point: the Deployment's line, or a container's image line. */
export interface LintLocation {
  file?: string;
  line?: number;
  imageLines?: Record<string, number>;
}

/** Is the image reference mutable: `:latest`, or no tag and no digest? */
export function mutableImage(image: string): boolean {
  if (image.includes('@')) return false;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 || image.slice(colon + 1) === 'latest';
}

function isAll(value: IntOrString | undefined, replicas: number): boolean {
  if (value === undefined) return false;
  if (typeof value === 'number') return replicas > 0 && value >= replicas;
  const m = /^(\d+)%$/.exec(value);
  if (m) return Number(m[1]) >= 100;
  return /^\d+$/.test(value) && replicas > 0 && Number(value) >= replicas;
}

/**
 * The lint of risky settings: no readiness probe, maxUnavailable of all replicas, revision
 * history 0, a selector change against the baseline, mutable image tags, missing resource
 * requests; for Deployments also progressDeadlineSeconds beyond the gate's timeout and the
 * Recreate strategy.
 */
export function lintWorkload(
  kind: WorkloadKind,
  after: PlannedWorkload,
  before: PlannedWorkload | undefined,
  timeoutSeconds: number,
  where: LintLocation = {},
): LintFinding[] {
  const label = workloadLabel({ kind, name: after.metadata.name ?? '' });
  const at = { ...(where.file ? { file: where.file } : {}), ...(where.line ? { line: where.line } : {}) };
  const atImage = (c: Container) => {
    const line = where.imageLines?.[c.name];
    return line && where.file ? { file: where.file, line } : at;
  };
  const findings: LintFinding[] = [];
  const spec = after.spec;
  const replicas = desiredReplicas(kind, after);
  const containers = spec.template.spec?.containers ?? [];
  for (const c of containers) {
    if (!c.readinessProbe)
      findings.push({
        rule: 'no-readiness-probe',
        message: `${label}: container "${c.name}" has no readinessProbe, so a pod counts as ready as soon as it starts and a broken version can replace every pod`,
        ...atImage(c),
      });
  }
  for (const c of [...(spec.template.spec?.initContainers ?? []), ...containers]) {
    if (c.image && mutableImage(c.image))
      findings.push({
        rule: 'mutable-image-tag',
        message: `${label}: container "${c.name}" uses ${c.image.includes(':') ? 'the mutable tag' : 'no tag (latest) in'} "${c.image}"; the rollout is not reproducible and a rollback may not restore the old code`,
        ...atImage(c),
      });
    const requests = c.resources?.requests ?? {};
    const missing = ['cpu', 'memory'].filter((r) => requests[r] === undefined);
    if (missing.length > 0)
      findings.push({
        rule: 'missing-requests',
        message: `${label}: container "${c.name}" requests no ${missing.join(' and no ')}; the scheduler cannot reserve room for the surge`,
        ...atImage(c),
      });
  }
  const unavailable = maxUnavailable(kind, after);
  if (kind === 'Deployment' && ((after as Deployment).spec.strategy?.type ?? 'RollingUpdate') === 'Recreate')
    findings.push({
      rule: 'recreate-strategy',
      message: `${label}: strategy Recreate stops every old pod before a new one starts (downtime on every change)`,
      ...at,
    });
  else if (isAll(unavailable, replicas))
    findings.push({
      rule: 'max-unavailable-all',
      message: `${label}: maxUnavailable ${String(unavailable)} lets the rollout take every replica down at once`,
      ...at,
    });
  if (spec.revisionHistoryLimit === 0)
    findings.push({
      rule: 'revision-history-zero',
      message: `${label}: revisionHistoryLimit 0 keeps no old ${WORKLOAD_KINDS[kind].history}; kubectl rollout undo has nothing to return to`,
      ...at,
    });
  const pds = kind === 'Deployment' ? ((after as Deployment).spec.progressDeadlineSeconds ?? 600) : 0;
  if (pds > timeoutSeconds)
    findings.push({
      rule: 'progress-deadline-over-timeout',
      message: `${label}: progressDeadlineSeconds (${pds}s) is longer than the gate's timeout (${timeoutSeconds}s); Kubernetes would never report ProgressDeadlineExceeded before the gate gives up`,
      ...at,
    });
  if (before && JSON.stringify(sortKeys(before.spec.selector)) !== JSON.stringify(sortKeys(spec.selector)))
    findings.push({
      rule: 'selector-changed',
      message: `${label}: the selector changes (${JSON.stringify(before.spec.selector?.matchLabels ?? before.spec.selector)} → ${JSON.stringify(spec.selector?.matchLabels ?? spec.selector)}); selectors are immutable in apps/v1, the apply will be rejected (delete and recreate orphans the old pods)`,
      ...at,
    });
  return findings;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}
