/**
 * One module per kind of workload that rolls out (Deployment, StatefulSet, DaemonSet), each
 * answering the same questions about one observation, as krane composes per-resource predicates:
 * kubectl's status line and whether it is done, whether the controller has seen the change,
 * which pods belong to the revision being rolled out, how the rollout is moving, why it cannot
 * roll out at all, and which detectors run in which order. The judge (judge.ts) is written once
 * against this interface and knows no kind.
 */
import type { Failure } from '../failure.js';
import {
  detectConfigError,
  detectCrashLoop,
  detectImagePull,
  detectInvalidImage,
  type Detector,
  type PodDetector,
} from '../detectors/index.js';
import type { ProgressView, RevisionPods, RolloutContext } from '../snapshot.js';
import type { StatusResult } from '../statusViewer.js';
import type { KubeObject, Pod, PodTemplateSpec } from '../../k8s/objects.js';
import type { WorkloadKind } from '../../k8s/workloadKinds.js';

/** What every workload that rolls out has: a pod template. */
export type RolledOut = KubeObject & { spec: { template: PodTemplateSpec; replicas?: number | null } };

export interface RolloutKind<S> {
  readonly kind: WorkloadKind;
  /** The workload itself in this observation (undefined while it does not exist). */
  object(snapshot: S): RolledOut | undefined;
  /** Whether the workload exists in this observation. */
  exists(snapshot: S): boolean;
  /** The revision number of the current template (the controller's), once it has one. */
  revision(snapshot: S): number | undefined;
  /**
   * Ready pods of the revision being rolled out and of every older one, and the pods of each pod
   * template (ready and not), keyed by the template's hash: what the timeline chart draws.
   */
  readiness(snapshot: S): Readiness;
  /** kubectl's status viewer for the kind (undefined while the workload does not exist). */
  status(snapshot: S, context: RolloutContext): StatusResult | undefined;
  /** kubectl's line without its newline (a "to be created" line while it does not exist). */
  line(snapshot: S, context: RolloutContext): string;
  /** Whether the controller has observed the generation the gate applied. */
  observed(snapshot: S, context: RolloutContext): boolean;
  /** The pods of the revision being rolled out, with the events about them. */
  revisionPods(snapshot: S): RevisionPods;
  /** How the rollout is moving, for the stall and timeout detectors. */
  progress(snapshot: S, context: RolloutContext): ProgressView;
  /** Why waiting is pointless before any detector runs (a paused Deployment, an OnDelete strategy). */
  cannotRollOut(snapshot: S, line: string, context: RolloutContext): Failure | undefined;
  /** The kind's detectors, in judging order. */
  readonly detectors: ReadonlyArray<NamedDetector<S>>;
}

export interface NamedDetector<S> {
  name: string;
  detect: Detector<S>;
}

/** The pods of one pod template in one observation. */
export interface TemplatePodCount {
  /**
   * The template's hash: a Deployment's `pod-template-hash`, a StatefulSet's or DaemonSet's
   * `controller-revision-hash` label value. An undo reuses the old ReplicaSet (or ControllerRevision),
   * so the restored template keeps its hash while its revision number changes.
   */
  hash: string;
  /** The template itself, when its ReplicaSet or ControllerRevision is in the observation. */
  template?: PodTemplateSpec;
  ready: number;
  /** Its live pods that are not Ready (pending, pulling, crashing). */
  unavailable: number;
}

export interface Readiness {
  oldReady: number;
  newReady: number;
  /** Pods per template, in order of first appearance (templates without live pods omitted). */
  templates: TemplatePodCount[];
}

/** A pod's template: its hash label and, when known, the template that hash names. */
export type TemplateOfPod = (pod: Pod) => { hash: string; template?: PodTemplateSpec } | undefined;

function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/**
 * Ready pods among `pods`, and among them those of the revision being rolled out; and every live
 * pod counted under its template (`templateOf`), ready or not.
 */
export function readyCounts(pods: Pod[], revisionPods: Pod[], templateOf?: TemplateOfPod): Readiness {
  const current = new Set(revisionPods.map((p) => p.metadata.uid ?? p.metadata.name));
  let oldReady = 0;
  let newReady = 0;
  const byHash = new Map<string, TemplatePodCount>();
  for (const p of pods) {
    const ready = isReady(p);
    if (ready && current.has(p.metadata.uid ?? p.metadata.name)) newReady++;
    else if (ready) oldReady++;
    const of = templateOf?.(p);
    if (!of || (!ready && p.metadata.deletionTimestamp)) continue;
    const entry = byHash.get(of.hash) ?? {
      hash: of.hash,
      ...(of.template ? { template: of.template } : {}),
      ready: 0,
      unavailable: 0,
    };
    if (ready) entry.ready++;
    else entry.unavailable++;
    byHash.set(of.hash, entry);
  }
  return { oldReady, newReady, templates: [...byHash.values()] };
}

/** A pod-level detector run on the kind's revision pods. */
export function onRevisionPods<S>(
  name: string,
  kind: Pick<RolloutKind<S>, 'revisionPods'>,
  detect: PodDetector,
): NamedDetector<S> {
  return {
    name,
    detect: (snapshot, context, policy, now) => detect(kind.revisionPods(snapshot), context, policy, now),
  };
}

/** The pod-level detectors every kind runs first, in this order: instant causes before windowed ones. */
export function podLevelDetectors<S>(kind: Pick<RolloutKind<S>, 'revisionPods'>): NamedDetector<S>[] {
  return [
    onRevisionPods('invalidImage', kind, detectInvalidImage),
    onRevisionPods('imagePull', kind, detectImagePull),
    onRevisionPods('configError', kind, detectConfigError),
    onRevisionPods('crashLoop', kind, detectCrashLoop),
  ];
}

/** A progress-level detector (stall, timeout) run on the kind's progress view. */
export function onProgress<S>(
  name: string,
  kind: Pick<RolloutKind<S>, 'progress'>,
  detect: Detector<ProgressView>,
): NamedDetector<S> {
  return {
    name,
    detect: (snapshot, context, policy, now) => detect(kind.progress(snapshot, context), context, policy, now),
  };
}

/**
 * Verifying the rollback of an OnDelete StatefulSet or DaemonSet: its pods were never given the
 * failed template (only deleting them would have), so once the controller has seen the restored
 * template there is nothing left to wait for. Undefined otherwise (kubectl's viewer decides).
 */
export function onDeleteRestored(
  workload: { kind?: string; metadata: { name?: string }; spec: { updateStrategy?: { type?: string } } },
  context: RolloutContext,
): StatusResult | undefined {
  if (workload.spec.updateStrategy?.type !== 'OnDelete' || context.mode !== 'rollback') return undefined;
  const kind = (workload.kind ?? '').toLowerCase();
  return {
    message: `${kind} "${workload.metadata.name ?? ''}" template restored (OnDelete: its pods never had the failed one)\n`,
    done: true,
  };
}

/**
 * The gate cannot roll out a StatefulSet or DaemonSet with `updateStrategy: OnDelete`: its
 * controller gives pods the new template only when someone deletes them (kubectl's viewer refuses
 * it too: `rollout status is only available for RollingUpdate strategy type`).
 */
export function onDeleteFailure(kind: 'statefulset' | 'daemonset', name: string, podsHint: string): Failure {
  return {
    reason: 'OnDelete',
    message:
      `${kind} "${name}" uses updateStrategy OnDelete: its pods get the new template only when they are ` +
      `deleted, so the gate cannot roll it out; delete its pods one at a time (${podsHint}) and watch ` +
      `them come back, or switch to updateStrategy RollingUpdate, or annotate it rollout-gate.dev/wait: "false" ` +
      `to apply it without waiting`,
    evidence: [{ reason: 'OnDelete', message: 'rollout status is only available for RollingUpdate strategy type' }],
  };
}
