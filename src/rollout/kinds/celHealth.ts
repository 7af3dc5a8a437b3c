import { Environment } from '@marcbachmann/cel-js';
import { apiGroupOf } from '../../k8s/meta.js';
import type { KubeObject } from '../../k8s/objects.js';
import { current, failed, inProgress, type Health, type HealthStatus, type JsonObject } from './health.js';

/**
 * A custom health rule for one kind, in the shape of Flux's Kustomization `healthCheckExprs`
 * (RFC-0009, https://github.com/fluxcd/flux2/tree/main/rfcs/0009-custom-health-checks), so a
 * team's existing expressions work here unchanged. Each expression is CEL over the object
 * itself (`status`, `metadata`, `spec` are variables) and must answer a bool.
 */
export interface HealthCheckExprs {
  apiVersion: string;
  kind: string;
  /** The object reached its desired state. Required. */
  current: string;
  inProgress?: string;
  failed?: string;
}

/** The compiled rules of a run, looked up by API group and kind (the version does not matter, as in Flux). */
export interface HealthChecks {
  forObject(object: Pick<KubeObject, 'apiVersion' | 'kind'>): CompiledHealthCheck | undefined;
}

export interface CompiledHealthCheck {
  /** The status of the first expression that is true, in Flux's order inProgress, failed, current; else InProgress. */
  evaluate(object: JsonObject): Health;
}

/** CEL as Kubernetes uses it: fields are dynamic, `.?` optional access is allowed. */
const environment = new Environment({
  unlistedVariablesAreDyn: true,
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
});

type Compiled = (context: JsonObject) => unknown;
const ORDER = ['inProgress', 'failed', 'current'] as const;
const STATUS: Record<(typeof ORDER)[number], HealthStatus> = {
  inProgress: 'InProgress',
  failed: 'Failed',
  current: 'Current',
};

/** The first line of a CEL error (the rest is a caret drawing of the expression). */
function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
}

function compileOne(
  rule: HealthCheckExprs,
): { check: CompiledHealthCheck; errors: string[] } | { check?: undefined; errors: string[] } {
  const errors: string[] = [];
  const name = `${rule.kind || '?'} (${rule.apiVersion || '?'})`;
  if (!rule.apiVersion) errors.push(`health check ${name}: apiVersion is required`);
  if (!rule.kind) errors.push(`health check ${name}: kind is required`);
  if (!rule.current) errors.push(`health check ${name}: current is required`);
  const compiled: Array<{ key: (typeof ORDER)[number]; source: string; run: Compiled }> = [];
  for (const key of ORDER) {
    const source = rule[key];
    if (!source) continue;
    try {
      compiled.push({ key, source, run: environment.parse(source) as Compiled });
    } catch (err) {
      errors.push(`health check ${name}: ${key}: ${firstLine(err)}`);
    }
  }
  if (errors.length > 0) return { errors };
  const evaluate = (object: JsonObject): Health => {
    for (const { key, source, run } of compiled) {
      let value: unknown;
      try {
        value = run(object);
      } catch (err) {
        // Flux keeps waiting (the status is Unknown) until its timeout; say why meanwhile.
        return inProgress('HealthCheckError', `${key} expression: ${firstLine(err)}`);
      }
      if (typeof value !== 'boolean')
        return inProgress('HealthCheckError', `${key} expression gave ${typeof value}, not bool: ${source}`);
      if (!value) continue;
      const message = `${key} expression is true: ${source}`;
      if (STATUS[key] === 'Current') return current(message);
      return STATUS[key] === 'Failed'
        ? failed('HealthCheckFailed', message)
        : inProgress('HealthCheckInProgress', message);
    }
    return inProgress('HealthCheckInProgress', 'no health expression is true yet');
  };
  return { check: { evaluate }, errors: [] };
}

/**
 * Compiles every rule; a rule that does not parse, or lacks a field, is an error (an input
 * problem, reported before anything is applied). A later rule for the same group and kind wins.
 */
export function compileHealthChecks(rules: readonly HealthCheckExprs[]): { checks: HealthChecks; errors: string[] } {
  const byGroupKind = new Map<string, CompiledHealthCheck>();
  const errors: string[] = [];
  for (const rule of rules) {
    const result = compileOne(rule);
    errors.push(...result.errors);
    if (result.check) byGroupKind.set(`${apiGroupOf(rule.apiVersion)}/${rule.kind}`, result.check);
  }
  return {
    checks: { forObject: (o) => byGroupKind.get(`${apiGroupOf(o.apiVersion)}/${o.kind ?? ''}`) },
    errors,
  };
}
