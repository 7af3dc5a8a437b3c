/**
 * Every window and threshold of the judge, with its default and the reason for it.
 *
 * Windows are compared strictly: a detector fails once `now - since > window`, so at exactly the
 * window the rollout is still progressing and one millisecond later it has failed.
 */
import type { Deployment } from '../k8s/objects.js';

/** The judge's knobs. All durations are in seconds. */
export interface GatePolicy {
  /** The gate's own time budget for one rollout, from apply to success (default 600 = `10m`). */
  timeoutSeconds: number;
  /**
   * How long a new pod may sit in `ErrImagePull`/`ImagePullBackOff` before the rollout fails
   * (default 30). A registry answer of "not found"/"unauthorized" fails at once instead. 30 s
   * covers one flaky pull: the kubelet retries after 10 s, then 20 s (krane#819, kubedog's budget).
   */
  imagePullGraceSeconds: number;
  /** Restart count of a new pod's container at which the rollout fails (default 3). */
  crashLoopRestarts: number;
  /**
   * Whether a single `CrashLoopBackOff` of a new pod fails at once (default true, as krane does;
   * README "What the gate judges"). With false, only `crashLoopRestarts` applies.
   */
  crashLoopFailsAtOnce: boolean;
  /** How long a new pod may stay `PodScheduled=False/Unschedulable` (default 60). */
  unschedulableGraceSeconds: number;
  /** How long updated/ready/available replicas may stay unchanged before `Stalled` (default 180). */
  stallSeconds: number;
  /**
   * How long a new pod may sit in `CreateContainerConfigError` (default 20: a ConfigMap or Secret
   * applied in the same run may land a moment later). The kubelet's transient
   * `failed to sync ... cache` never fails (krane `pod.rb`).
   */
  configErrorGraceSeconds: number;
  /**
   * How long every pod of the new revision must have been Ready, containers running, before the
   * rollout succeeds (default 10; 0 = kubectl's rule alone). See stability.ts. 10 s exceeds the
   * time a crashing container takes to exit after it starts: the simulator's `startSeconds`
   * (default 1) and the usual real cases (a bad flag, a missing variable or file, a refused
   * connection at boot) exit within a few seconds; the kubelet reports the exit within its ~1 s
   * PLEG relist. Longer windows catch slower crashes but delay every success by that much, and
   * only when the last new pods became ready at the end of the rollout.
   */
  stableSeconds: number;
}

/** Defaults (see each field). */
export const DEFAULT_POLICY: Readonly<GatePolicy> = Object.freeze({
  timeoutSeconds: 600,
  imagePullGraceSeconds: 30,
  crashLoopRestarts: 3,
  crashLoopFailsAtOnce: true,
  unschedulableGraceSeconds: 60,
  stallSeconds: 180,
  configErrorGraceSeconds: 20,
  stableSeconds: 10,
});

const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };

/**
 * Parses a duration into seconds: Go-style `1h30m`, `10m`, `90s`, `1.5h`, `500ms`, or a bare
 * number of seconds (`45`). Throws an Error naming the input and the accepted forms.
 */
export function parseDuration(text: string): number {
  const input = text.trim();
  const fail = (why: string): never => {
    throw new Error(`invalid duration ${JSON.stringify(text)}: ${why}; use e.g. 45, 90s, 10m or 1h30m`);
  };
  if (input === '') fail('it is empty');
  if (/^\d+(\.\d+)?$/.test(input)) return Number(input);
  if (input.startsWith('-')) fail('it is negative');
  const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = part.exec(input)) !== null) {
    total += Number(match[1]) * UNIT_SECONDS[match[2]!]!;
    consumed = part.lastIndex;
  }
  if (consumed !== input.length) fail(`unexpected ${JSON.stringify(input.slice(consumed))}`);
  return Math.round(total * 1000) / 1000;
}

/** Formats seconds compactly (`600` → `10m`, `90` → `1m30s`, `5400` → `1h30m`). */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${trimNumber(seconds)}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = trimNumber(seconds % 60);
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s !== '0' ? `${s}s` : ''}`;
}

function trimNumber(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** Throws when a policy value is negative or not a number (caller-supplied inputs). */
export function validatePolicy(policy: GatePolicy): void {
  for (const [key, value] of Object.entries(policy)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      throw new Error(`invalid ${key}: ${value} (must be a number >= 0)`);
    }
  }
}

/**
 * Warnings about a policy that cannot work well with this Deployment (peers.md idea 10: timeout
 * versus progressDeadlineSeconds confusion, kubernetes#129959).
 */
export function policyWarnings(policy: GatePolicy, deployment: Deployment): string[] {
  const name = deployment.metadata.name ?? '';
  const warnings: string[] = [];
  const pds = deployment.spec.progressDeadlineSeconds ?? 600;
  if (policy.timeoutSeconds < pds) {
    warnings.push(
      `deployment "${name}": the gate timeout (${formatDuration(policy.timeoutSeconds)}) is shorter than ` +
        `progressDeadlineSeconds (${pds}s); the gate gives up before Kubernetes would report ProgressDeadlineExceeded`,
    );
  }
  if (policy.stallSeconds >= policy.timeoutSeconds) {
    warnings.push(
      `deployment "${name}": the stall window (${formatDuration(policy.stallSeconds)}) is not shorter than the ` +
        `timeout (${formatDuration(policy.timeoutSeconds)}), so a stall is only ever reported as Timeout`,
    );
  }
  const minReady = deployment.spec.minReadySeconds ?? 0;
  if (minReady >= policy.stallSeconds) {
    warnings.push(
      `deployment "${name}": minReadySeconds (${minReady}) is not shorter than the stall window ` +
        `(${formatDuration(policy.stallSeconds)}); healthy rollouts may be reported as Stalled`,
    );
  }
  if (deployment.spec.revisionHistoryLimit === 0) {
    warnings.push(
      `deployment "${name}": revisionHistoryLimit is 0, so no old ReplicaSet is kept; a rollback can only use the ` +
        `template the gate stored when the last rollout succeeded`,
    );
  }
  if (deployment.spec.paused) {
    warnings.push(`deployment "${name}" is paused; it will not roll out until it is resumed`);
  }
  return warnings;
}
