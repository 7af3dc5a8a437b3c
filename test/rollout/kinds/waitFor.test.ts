import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../../src/k8s/objects.js';
import { judgeWait, readWaitControls, WaitAnnotations } from '../../../src/rollout/kinds/waitFor.js';

const NOW = Date.parse('2026-11-30T10:00:00Z');
/** A Job whose Failed condition is True: kstatus says Failed. */
const failedJob = (annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate', namespace: 'shop', annotations },
  spec: { completions: 1 },
  status: { failed: 2, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
});
const failedHealth = { status: 'Failed', reason: 'JobFailed', message: 'Job Failed. failed: 2/1' };

describe('judgeWait', () => {
  it('fails at once without a tolerance', () => {
    expect(judgeWait(failedJob(), { now: NOW })).toEqual({ state: 'failed', health: failedHealth, failedSince: NOW });
  });

  it('tolerates a Failed state until exactly the window has passed since it began', () => {
    const job = failedJob({ [WaitAnnotations.failedTolerance]: '2m' });
    const began = NOW;
    expect(judgeWait(job, { now: began })).toEqual({ state: 'waiting', health: failedHealth, failedSince: began });
    expect(judgeWait(job, { now: began + 120_000 - 1, failedSince: began })).toEqual({
      state: 'waiting',
      health: failedHealth,
      failedSince: began,
    });
    expect(judgeWait(job, { now: began + 120_000, failedSince: began })).toEqual({
      state: 'failed',
      health: failedHealth,
      failedSince: began,
    });
  });

  it('uses the run default when the object does not say, and the annotation over it', () => {
    expect(
      judgeWait(failedJob(), { now: NOW + 29_999, failedSince: NOW, defaultFailedToleranceMs: 30_000 }).state,
    ).toBe('waiting');
    expect(
      judgeWait(failedJob(), { now: NOW + 30_000, failedSince: NOW, defaultFailedToleranceMs: 30_000 }).state,
    ).toBe('failed');
    const zero = failedJob({ [WaitAnnotations.failedTolerance]: '0s' });
    expect(judgeWait(zero, { now: NOW, defaultFailedToleranceMs: 30_000 }).state).toBe('failed');
  });

  it('ends the Failed streak on any other state (no failedSince to carry)', () => {
    const running: KubeObject = { ...failedJob(), status: { startTime: '2026-11-30T09:59:00Z', active: 1 } };
    // A running Job is waited on to completion (objectHealth.ts jobHealth): waiting, the streak ended.
    expect(judgeWait(running, { now: NOW, failedSince: NOW - 10_000 })).toEqual({
      state: 'waiting',
      health: {
        status: 'InProgress',
        reason: 'JobRunning',
        message: 'Job in progress. success:0, active: 1, failed: 0',
      },
    });
    const pending: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' } };
    expect(judgeWait(pending, { now: NOW, failedSince: NOW - 10_000 })).toEqual({
      state: 'waiting',
      health: { status: 'InProgress', reason: 'NotBound', message: 'PVC is not Bound. phase: unknown' },
    });
  });

  it('waits on an object being deleted', () => {
    const going: KubeObject = { ...failedJob(), metadata: { name: 'm', deletionTimestamp: '2026-11-30T09:00:00Z' } };
    expect(judgeWait(going, { now: NOW }).state).toBe('waiting');
  });

  it('skips an object annotated wait: "false", whatever its health', () => {
    expect(judgeWait(failedJob({ [WaitAnnotations.wait]: 'false' }), { now: NOW })).toEqual({ state: 'skipped' });
    expect(judgeWait(failedJob({ [WaitAnnotations.wait]: 'true' }), { now: NOW }).state).toBe('failed');
  });
});

describe('readWaitControls', () => {
  it('reads both annotations', () => {
    const job = failedJob({ [WaitAnnotations.wait]: 'false', [WaitAnnotations.failedTolerance]: '1m30s' });
    expect(readWaitControls(job)).toEqual({ controls: { wait: false, failedToleranceMs: 90_000 }, errors: [] });
    expect(readWaitControls(failedJob())).toEqual({ controls: { wait: true }, errors: [] });
  });

  it('reports values it does not understand instead of ignoring them', () => {
    const job = failedJob({ [WaitAnnotations.wait]: 'no', [WaitAnnotations.failedTolerance]: 'soon' });
    expect(readWaitControls(job).errors).toEqual([
      'annotation rollout-gate.dev/wait: "no" must be "true" or "false"',
      'annotation rollout-gate.dev/failed-tolerance: invalid duration "soon": unexpected "soon"; use e.g. 45, 90s, 10m or 1h30m',
    ]);
  });
});
