import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { load, YAMLException } from 'js-yaml';
import type { InputError } from '../gate/result.js';
import { compileHealthChecks, type HealthCheckExprs, type HealthChecks } from '../rollout/kinds/index.js';

const RULE_KEYS = ['apiVersion', 'kind', 'current', 'inProgress', 'failed'] as const;

/**
 * Reads `--health-checks <file>` (action input `health-checks`): a YAML list of custom health
 * rules in the shape of Flux's Kustomization `spec.healthCheckExprs`, so a team's existing
 * expressions work unchanged:
 * ```yaml
 * - apiVersion: example.com/v1
 *   kind: Database
 *   current: status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')
 *   failed: status.conditions.exists(c, c.type == 'Ready' && c.status == 'False' && c.reason == 'Failed')
 * ```
 * Every problem (unreadable file, bad YAML, unknown field, an expression that does not compile)
 * is an input error at the file and line of the rule or of its field: nothing is applied.
 */
export function loadHealthChecks(path: string, cwd: string): { checks?: HealthChecks; errors: InputError[] } {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (err) {
    return { errors: [{ file: path, message: `health checks: cannot read ${path}: ${(err as Error).message}` }] };
  }
  let doc: unknown;
  try {
    doc = load(text, { filename: path });
  } catch (err) {
    if (err instanceof YAMLException)
      return { errors: [{ file: path, line: (err.mark?.line ?? 0) + 1, message: `invalid YAML: ${err.reason}` }] };
    throw err;
  }
  if (!Array.isArray(doc))
    return {
      errors: [
        {
          file: path,
          line: 1,
          message:
            'health checks must be a YAML list of rules such as - { apiVersion: example.com/v1, kind: Database, current: "..." }',
        },
      ],
    };
  const lines = itemLines(text);
  const errors: InputError[] = [];
  const rules: HealthCheckExprs[] = [];
  doc.forEach((item, i) => {
    const at = (key?: string): number => lineOfKey(text, lines, i, key);
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      errors.push({ file: path, line: at(), message: `health check ${i + 1}: must be a mapping` });
      return;
    }
    const map = item as Record<string, unknown>;
    let ok = true;
    for (const key of Object.keys(map)) {
      if (!(RULE_KEYS as readonly string[]).includes(key)) {
        errors.push({
          file: path,
          line: at(key),
          message: `health check ${i + 1}: unknown field "${key}" (expected one of: ${RULE_KEYS.join(', ')})`,
        });
        ok = false;
      } else if (typeof map[key] !== 'string') {
        errors.push({ file: path, line: at(key), message: `health check ${i + 1}: ${key} must be a string` });
        ok = false;
      }
    }
    if (!ok) return;
    const rule = map as unknown as HealthCheckExprs;
    for (const message of compileHealthChecks([rule]).errors) {
      const key = RULE_KEYS.find((k) => message.includes(`: ${k}: `) || message.includes(`: ${k} is required`));
      errors.push({ file: path, line: at(key), message });
    }
    rules.push(rule);
  });
  if (errors.length > 0) return { errors };
  return { checks: compileHealthChecks(rules).checks, errors: [] };
}

/** 1-based lines where the top-level list's items start (`- ...` at column 0). */
function itemLines(text: string): number[] {
  const out: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^-(\s|$)/.test(line)) out.push(i + 1);
  });
  return out;
}

/** The line of `key` inside item `index` (block style), else the item's own line. */
function lineOfKey(text: string, items: number[], index: number, key: string | undefined): number {
  const start = items[index] ?? 1;
  if (!key) return start;
  const end = items[index + 1] ?? Infinity;
  const all = text.split('\n');
  for (let n = start; n < Math.min(end, all.length + 1); n++) {
    if (new RegExp(`^(-\\s+|\\s+)${key}\\s*:`).test(all[n - 1]!)) return n;
  }
  return start;
}
