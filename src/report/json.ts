/**
 * The JSON result of `--output json` (README "As a CLI"): exactly one object, contract fields first
 * in a stable order, extension fields after them, durations rounded to 0.1 s, undefined omitted.
 */
import { exitCodeFor } from '../gate/result.js';
import type { GateResult, WorkloadResult } from '../gate/result.js';
import { round1 } from './format.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const RESULT_KEYS = [
  'result',
  'workloads',
  'errors',
  'exitCode',
  'warnings',
  'applied',
  'objects',
  'phases',
  'simulated',
];
const WORKLOAD_KEYS = [
  'kind',
  'namespace',
  'name',
  'result',
  'revision',
  'rolledBackTo',
  'reason',
  'message',
  'durationSeconds',
  'detectedAfterSeconds',
  'previousRevision',
  'rollbackMessage',
  'rolledBackToTemplate',
  'evidence',
  'timeline',
  'progress',
];
const ERROR_KEYS = ['file', 'line', 'message'];
const EVIDENCE_KEYS = [
  'pod',
  'container',
  'image',
  'reason',
  'message',
  'restartCount',
  'events',
  'logs',
  'file',
  'line',
];
const TIMELINE_KEYS = ['t', 'oldReady', 'newReady', 'note', 'templates'];
const TEMPLATE_PODS_KEYS = ['template', 'ready', 'unavailable'];
const PHASE_KEYS = ['name', 'seconds'];
const APPLIED_KEYS = ['kind', 'namespace', 'name', 'action', 'file', 'line'];
const OBJECT_KEYS = [
  'kind',
  'apiVersion',
  'namespace',
  'name',
  'status',
  'result',
  'reason',
  'message',
  'waitedSeconds',
  'conditions',
  'events',
];
const CONDITION_KEYS = ['type', 'status', 'reason', 'message'];

/**
 * Copies `obj` with `keys` first in that order, then any other keys alphabetically (so fields
 * added to the types later still appear, deterministically), dropping undefined values.
 */
function ordered(obj: object, keys: readonly string[], convert: (key: string, value: unknown) => Json = plain): Json {
  const record = obj as Record<string, unknown>;
  const rest = Object.keys(record)
    .filter((k) => !keys.includes(k))
    .sort();
  const out: { [key: string]: Json } = {};
  for (const key of [...keys, ...rest]) {
    const value = record[key];
    if (value !== undefined) out[key] = convert(key, value);
  }
  return out;
}

/** Plain data as JSON: arrays and objects recursively with sorted keys, non-finite numbers as null. */
function plain(_key: string, value: unknown): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map((v) => plain('', v ?? null));
  if (typeof value === 'object') return ordered(value, [], plain);
  return null;
}

function seconds(value: unknown): Json {
  return typeof value === 'number' && Number.isFinite(value) ? round1(value) : plain('', value);
}

function listOf(value: unknown, keys: readonly string[], convert?: (key: string, value: unknown) => Json): Json {
  return Array.isArray(value) ? value.map((item) => ordered(item as object, keys, convert)) : plain('', value);
}

function workloadJson(w: WorkloadResult): Json {
  return ordered(w, WORKLOAD_KEYS, (key, value) => {
    switch (key) {
      case 'durationSeconds':
      case 'detectedAfterSeconds':
        return seconds(value);
      case 'evidence':
        return listOf(value, EVIDENCE_KEYS);
      case 'timeline':
        return listOf(value, TIMELINE_KEYS, (k, v) =>
          k === 't' ? seconds(v) : k === 'templates' ? listOf(v, TEMPLATE_PODS_KEYS) : plain(k, v),
        );
      default:
        return plain(key, value);
    }
  });
}

/**
 * The JSON result as a plain object with the key order of the contract: `result`, `workloads`,
 * `errors`, then the extensions `exitCode`, `warnings`, `applied`, `objects`, `phases`, `simulated`.
 */
export function toJsonResult(result: GateResult): Json {
  const withExit = { ...result, exitCode: exitCodeFor(result.result) };
  return ordered(withExit, RESULT_KEYS, (key, value) => {
    switch (key) {
      case 'workloads':
        return (value as WorkloadResult[]).map(workloadJson);
      case 'errors':
      case 'warnings':
        return listOf(value, ERROR_KEYS);
      case 'applied':
        return listOf(value, APPLIED_KEYS);
      case 'objects':
        return listOf(value, OBJECT_KEYS, (k, v) =>
          k === 'waitedSeconds' ? seconds(v) : k === 'conditions' ? listOf(v, CONDITION_KEYS) : plain(k, v),
        );
      case 'phases':
        return listOf(value, PHASE_KEYS, (k, v) => (k === 'seconds' ? seconds(v) : plain(k, v)));
      default:
        return plain(key, value);
    }
  });
}

/** Options of {@link renderJson}. */
export interface JsonOptions {
  /** Spaces of indentation; 0 gives one compact line (as for the `json` action output). Default 2. */
  indent?: number;
}

/** The JSON result printed by `--output json`: exactly one JSON object, no trailing newline. */
export function renderJson(result: GateResult, options: JsonOptions = {}): string {
  const indent = options.indent ?? 2;
  return JSON.stringify(toJsonResult(result), null, indent > 0 ? indent : undefined);
}
