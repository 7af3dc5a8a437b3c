import { describe, it, expect } from '@jest/globals';
import { formatResultLine, renderTextSummary } from '../../src/report/text.js';
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

  it('says what failed when no workload was judged (the cluster could not be reached)', () => {
    const result: GateResult = {
      result: 'failed',
      workloads: [],
      errors: [{ message: 'cannot use the Kubernetes API' }],
    };
    expect(formatResultLine(result)).toBe('✖ Result: failed — 1 error, nothing was applied (exit code 3)');
  });

  it('prints a whole-file problem without a line number', () => {
    const result: GateResult = {
      result: 'invalid',
      workloads: [],
      errors: [{ file: 'k8s/empty.yaml', line: 0, message: 'the file is empty' }],
    };
    expect(renderTextSummary(result)).toContain('  k8s/empty.yaml: the file is empty');
  });
});
