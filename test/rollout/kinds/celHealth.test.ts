import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../../src/k8s/objects.js';
import { compileHealthChecks, type HealthCheckExprs } from '../../../src/rollout/kinds/celHealth.js';
import { computeHealth } from '../../../src/rollout/kinds/generic.js';

/** Flux's own example (RFC-0009): a cert-manager Certificate judged by Issuing, then Ready. */
const certificate: HealthCheckExprs = {
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  inProgress:
    "status.conditions.filter(e, e.type == 'Issuing').all(e, e.observedGeneration == metadata.generation && e.status == 'True')",
  failed:
    "status.conditions.filter(e, e.type == 'Ready').all(e, e.observedGeneration == metadata.generation && e.status == 'False')",
  current:
    "status.conditions.filter(e, e.type == 'Ready').all(e, e.observedGeneration == metadata.generation && e.status == 'True')",
};
const NOW = Date.parse('2026-11-30T10:00:00Z');
const cert = (
  conditions: unknown[],
  meta: Record<string, unknown> = {},
  status: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: 'tls', namespace: 'shop', generation: 2, ...meta },
  status: { conditions, ...status },
});
const c = (type: string, status: string) => ({ type, status, observedGeneration: 2 });

describe('custom health rules (Flux healthCheckExprs)', () => {
  const { checks, errors } = compileHealthChecks([certificate]);

  it('compiles Flux expressions unchanged', () => {
    expect(errors).toEqual([]);
  });

  it('evaluates inProgress, failed, current in that order: the first true one decides', () => {
    expect(computeHealth(cert([c('Issuing', 'True'), c('Ready', 'False')]), NOW, checks)).toEqual({
      status: 'InProgress',
      reason: 'HealthCheckInProgress',
      message: `inProgress expression is true: ${certificate.inProgress}`,
    });
    expect(computeHealth(cert([c('Issuing', 'False'), c('Ready', 'False')]), NOW, checks)).toEqual({
      status: 'Failed',
      reason: 'HealthCheckFailed',
      message: `failed expression is true: ${certificate.failed}`,
    });
    expect(computeHealth(cert([c('Issuing', 'False'), c('Ready', 'True')]), NOW, checks)).toEqual({
      status: 'Current',
      reason: '',
      message: `current expression is true: ${certificate.current}`,
    });
  });

  it('is InProgress when no expression is true', () => {
    const stale = cert([{ type: 'Ready', status: 'True', observedGeneration: 1 }, c('Issuing', 'False')]);
    // Ready is True but for generation 1; Issuing False does not match inProgress; nothing matches.
    // (filter().all() over an empty list is true, so Issuing must be present and False here.)
    expect(computeHealth(stale, NOW, checks)).toEqual({
      status: 'InProgress',
      reason: 'HealthCheckInProgress',
      message: 'no health expression is true yet',
    });
  });

  it('checks deletion and generation before the expressions, as Flux does', () => {
    const ready = [c('Issuing', 'False'), c('Ready', 'True')];
    expect(computeHealth(cert(ready, { deletionTimestamp: '2026-11-30T09:00:00Z' }), NOW, checks).status).toBe(
      'Terminating',
    );
    expect(computeHealth(cert(ready, {}, { observedGeneration: 1 }), NOW, checks)).toEqual({
      status: 'InProgress',
      reason: 'LatestGenerationNotObserved',
      message: 'Certificate generation is 2, but latest observed generation is 1',
    });
  });

  it('applies to the group and kind whatever the version, and to nothing else', () => {
    const v1beta1 = { ...cert([c('Issuing', 'False'), c('Ready', 'False')]), apiVersion: 'cert-manager.io/v1beta1' };
    expect(computeHealth(v1beta1, NOW, checks).status).toBe('Failed');
    const other = { ...cert([c('Ready', 'False')]), apiVersion: 'acme.example.com/v1' };
    // Without a rule, kstatus's Ready convention applies: False is InProgress, not Failed.
    expect(computeHealth(other, NOW, checks).status).toBe('InProgress');
  });

  it('waits, saying why, when an expression reads a field that is not there yet or is not a bool', () => {
    const { checks: phase } = compileHealthChecks([
      { apiVersion: 'db.example/v1', kind: 'Database', current: "status.phase == 'Running'", failed: 'status.retries' },
    ]);
    const db = (status: Record<string, unknown>): KubeObject => ({
      apiVersion: 'db.example/v1',
      kind: 'Database',
      metadata: { name: 'db' },
      status,
    });
    expect(computeHealth(db({ retries: 1 }), NOW, phase)).toEqual({
      status: 'InProgress',
      reason: 'HealthCheckError',
      message: 'failed expression gave number, not bool: status.retries',
    });
    expect(computeHealth(db({}), NOW, phase)).toEqual({
      status: 'InProgress',
      reason: 'HealthCheckError',
      message: 'failed expression: No such key: retries',
    });
  });

  it('accepts Kubernetes-style optional field access', () => {
    const { checks: optional, errors: none } = compileHealthChecks([
      { apiVersion: 'x.io/v1', kind: 'Thing', current: "status.?conditions.orValue([]).exists(c, c.type == 'Ready')" },
    ]);
    expect(none).toEqual([]);
    const thing: KubeObject = { apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 't' }, status: {} };
    expect(computeHealth(thing, NOW, optional).reason).toBe('HealthCheckInProgress');
  });

  it('reports every rule that does not compile or lacks a field, at once', () => {
    const { errors: problems } = compileHealthChecks([
      { apiVersion: 'a.io/v1', kind: 'A', current: 'status.ready ==' },
      { apiVersion: '', kind: 'B', current: '' },
    ]);
    expect(problems).toEqual([
      'health check A (a.io/v1): current: Unexpected token: EOF',
      'health check B (?): apiVersion is required',
      'health check B (?): current is required',
    ]);
  });
});
