import type { KubeObject } from '../../k8s/objects.js';
import { parseDuration } from '../policy.js';
import type { HealthChecks } from './celHealth.js';
import { computeHealth } from './generic.js';
import type { Health } from './health.js';

/**
 * Per-object control of the wait, as annotations on the object in the manifest:
 * * `rollout-gate.dev/wait: "false"`: apply it, never wait on it (kapp's
 *   `kapp.k14s.io/disable-wait`, Argo CD's health ignore): for objects whose controller is not
 *   in this cluster, or whose health nobody can promise during a deploy;
 * * `rollout-gate.dev/failed-tolerance: "2m"`: a Failed state fails the run only once it has
 *   lasted that long (a custom resource whose operator reports Failed while a dependency comes
 *   up; users ask kapp and Helm for this). The run-wide default comes from the caller.
 */
export const WaitAnnotations = {
  wait: 'rollout-gate.dev/wait',
  failedTolerance: 'rollout-gate.dev/failed-tolerance',
} as const;

export interface WaitControls {
  wait: boolean;
  /** From the annotation; undefined: the run's default. */
  failedToleranceMs?: number;
}

/**
 * Reads the annotations; a value that is not understood is an error for the manifest loader to
 * report with the object's file:line (nothing applied), never silently ignored.
 */
export function readWaitControls(object: KubeObject): { controls: WaitControls; errors: string[] } {
  const annotations = object.metadata.annotations ?? {};
  const errors: string[] = [];
  const controls: WaitControls = { wait: true };
  const wait = annotations[WaitAnnotations.wait];
  if (wait === 'false') controls.wait = false;
  else if (wait !== undefined && wait !== 'true')
    errors.push(`annotation ${WaitAnnotations.wait}: ${JSON.stringify(wait)} must be "true" or "false"`);
  const tolerance = annotations[WaitAnnotations.failedTolerance];
  if (tolerance !== undefined) {
    try {
      controls.failedToleranceMs = parseDuration(String(tolerance)) * 1000;
    } catch (err) {
      errors.push(`annotation ${WaitAnnotations.failedTolerance}: ${(err as Error).message}`);
    }
  }
  return { controls, errors };
}

/** What the gate does with one applied object at one observation. */
export type WaitVerdict =
  /** Not waited on (`rollout-gate.dev/wait: "false"`). */
  | { state: 'skipped' }
  | { state: 'ready'; health: Health }
  /** Keep waiting. `failedSince` is set while a Failed state is being tolerated: pass it back next time. */
  | { state: 'waiting'; health: Health; failedSince?: number }
  | { state: 'failed'; health: Health; failedSince: number };

export interface WaitOptions {
  now: number;
  /** When the object was first seen Failed in the current streak (from the previous verdict); undefined if it was not. */
  failedSince?: number;
  /** How long a Failed state is tolerated when the object does not say (default 0: fail at once). */
  defaultFailedToleranceMs?: number;
  checks?: HealthChecks;
}

/**
 * Judges one observation of an object the run applied. Pure: time is `now`, and the start of a
 * Failed streak is carried by the caller. A Failed state fails once it has lasted the tolerance
 * (at `failedSince + tolerance` exactly); any other state ends the streak. Terminating is waited
 * on: the object is going away, not ready.
 */
export function judgeWait(object: KubeObject, options: WaitOptions): WaitVerdict {
  const { controls } = readWaitControls(object);
  if (!controls.wait) return { state: 'skipped' };
  const health = computeHealth(object, options.now, options.checks);
  if (health.status === 'Current') return { state: 'ready', health };
  if (health.status !== 'Failed') return { state: 'waiting', health };
  const failedSince = options.failedSince ?? options.now;
  const tolerance = controls.failedToleranceMs ?? options.defaultFailedToleranceMs ?? 0;
  if (options.now - failedSince >= tolerance) return { state: 'failed', health, failedSince };
  return { state: 'waiting', health, failedSince };
}
