/** The GitHub Action outputs of README "Inputs and outputs", as plain strings (pure; main.ts sets them). */
import type { GateResult } from '../gate/result.js';
import { primaryWorkload } from './format.js';
import { renderJson } from './json.js';
import { unhealthyObjects } from './objects.js';

/** The names of the action outputs, in the order of action.yml. */
export const OUTPUT_NAMES = ['result', 'revision', 'rolled-back-to', 'reason', 'json'] as const;

/** One action output name. */
export type OutputName = (typeof OUTPUT_NAMES)[number];

/**
 * The action outputs: `result` (the overall result), `revision`, `rolled-back-to` and `reason` of
 * the first failing workload (else the first workload; empty strings when absent; the reason of the
 * first object that failed or timed out when no workload says one), and `json`, the
 * whole JSON result on one line.
 */
export function actionOutputs(result: GateResult): Record<OutputName, string> {
  const w = primaryWorkload(result.workloads);
  const text = (v: number | string | undefined): string => (v === undefined ? '' : String(v));
  return {
    result: result.result,
    revision: text(w?.revision),
    'rolled-back-to': text(w?.rolledBackTo),
    reason: text(w?.reason ?? unhealthyObjects(result.objects)[0]?.reason),
    json: renderJson(result, { indent: 0 }),
  };
}
