import { describe, it, expect } from '@jest/globals';
import { formatResultLine } from '../../src/report/text.js';
import type { GateResult, WorkloadResult } from '../../src/gate/result.js';

const workload = (name: string, result: WorkloadResult['result'], reason?: string): WorkloadResult => ({
  kind: 'Deployment',
  namespace: 'default',
  name,
  result,
  ...(reason ? { reason } : {}),
  message: 'm',
  durationSeconds: 1,
});

describe('the result line of a run that failed for a reason of its own', () => {
  it('says a cancelled run was cancelled and how many Deployments it rolled back', () => {
    const result: GateResult = {
      result: 'failed',
      reason: 'Cancelled',
      workloads: [workload('web', 'rolled-back'), workload('api', 'rolled-back')],
      errors: [],
    };
    expect(formatResultLine(result)).toBe(
      '✖ Result: failed — the run was cancelled; 2 deployments rolled back (exit code 3)',
    );
    expect(formatResultLine({ ...result, workloads: [] })).toBe(
      '✖ Result: failed — the run was cancelled (exit code 3)',
    );
  });

  it('names the Deployments another gate run holds', () => {
    const result: GateResult = {
      result: 'failed',
      reason: 'Locked',
      workloads: [workload('web', 'failed', 'Locked')],
      errors: [],
    };
    expect(formatResultLine(result)).toBe(
      '✖ Result: failed — deployment/web locked by another gate run, nothing applied (exit code 3)',
    );
  });
});
