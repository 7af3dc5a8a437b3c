/** The applied objects other than Deployments (their health), as the report renderers show them (pure). */
import type { ObjectCondition, ObjectResult } from '../gate/result.js';
import { plural, workloadRef } from './format.js';

/** Objects that failed or timed out: the ones a report explains. */
export function unhealthyObjects(objects: readonly ObjectResult[] | undefined): ObjectResult[] {
  return (objects ?? []).filter((o) => o.result === 'failed' || o.result === 'timeout');
}

/** `database/orders`, with `-n ns` outside the default namespace (as for workloads). */
export function objectRef(o: ObjectResult): string {
  return workloadRef(o);
}

/** `12 objects ready, 1 skipped`: the one-line count; undefined when the run waited on none. */
export function objectCountLine(objects: readonly ObjectResult[] | undefined): string | undefined {
  if (!objects || objects.length === 0) return undefined;
  const count = (result: ObjectResult['result']) => objects.filter((o) => o.result === result).length;
  const parts = [`${plural(count('ready'), 'object')} ready`];
  const skipped = count('skipped');
  const notWaited = count('not-waited');
  const unhealthy = unhealthyObjects(objects).length;
  if (unhealthy > 0) parts.push(`${unhealthy} not healthy`);
  if (skipped > 0) parts.push(`${skipped} skipped (rollout-gate.dev/wait: "false")`);
  if (notWaited > 0) parts.push(`${notWaited} not waited to the end`);
  return parts.join(', ');
}

/** `Ready=False (Provisioning: creating volume)`. */
export function conditionText(c: ObjectCondition): string {
  const why = [c.reason, c.message].filter(Boolean).join(': ');
  return `${c.type}=${c.status}${why ? ` (${why})` : ''}`;
}
