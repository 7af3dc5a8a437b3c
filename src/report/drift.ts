/** Drift lines: a field someone else changed that the gate's apply took over (pure). */
import type { DriftRecord } from '../gate/result.js';
import { workloadRef } from './format.js';

/** A value as a person reads it: strings bare, absent as `<unset>`, anything else as JSON. */
export function driftValue(value: unknown): string {
  if (value === undefined) return '<unset>';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * `drift: deployment/web: .spec.template.spec.containers[name="web"].image was set to nginx:1.16
 * by "kubectl-set" (Update); the manifests set nginx:1.17`.
 */
export function formatDrift(d: DriftRecord): string {
  return (
    `drift: ${workloadRef(d)}: ${d.field} was set to ${driftValue(d.live)} by "${d.manager}" (${d.operation}); ` +
    `the manifests set ${driftValue(d.applied)}`
  );
}
