/**
 * What the judge sees: one observation of a Deployment and its children, plus what the gate
 * knows about its own apply. Both are plain data so the judge stays a pure function.
 */
import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  KubeEvent,
  Pod,
  ReplicaSet,
  StatefulSet,
} from '../k8s/objects.js';
import type { RestartBaseline } from './restarts.js';

/**
 * One observation of a workload's rollout (the same shape as the port's WorkloadObservation).
 *
 * `replicaSets` are the ReplicaSets selected by (or owned by) the Deployment; `pods` and `events`
 * are those of these ReplicaSets. The judge filters by controller uid itself, so passing a little
 * more than needed (e.g. everything in the namespace matching the selector) is harmless.
 */
export interface WorkloadSnapshot {
  /** The Deployment (a Deployment's snapshot); undefined = not found (yet). */
  deployment?: Deployment;
  /** The StatefulSet or DaemonSet (those kinds' snapshots); undefined = not found (yet). */
  workload?: StatefulSet | DaemonSet;
  replicaSets: ReplicaSet[];
  /** The ControllerRevisions of a StatefulSet or DaemonSet. */
  revisions?: ControllerRevision[];
  pods: Pod[];
  events: KubeEvent[];
}

/**
 * The pods of the revision being rolled out (a Deployment's new ReplicaSet, a StatefulSet's
 * update revision, a DaemonSet's current hash) and the events about them: what the pod-level
 * detectors read, whatever the kind of workload.
 */
export interface RevisionPods {
  pods: Pod[];
  events: KubeEvent[];
}

/** How a workload's rollout is moving: what the stall and timeout detectors read. */
export interface ProgressView {
  /** `deployment "web"`, `statefulset "db"`, ... */
  label: string;
  /** kubectl's status line without its newline. */
  line: string;
  /** `2 of 3 updated, 1 ready, 1 available` */
  counts: string;
  /** The counts whose change is progress (updated/ready/available; not the desired number). */
  moved: string;
  /** The controller's own last sign of progress (a Deployment's Progressing lastUpdateTime), if any. */
  progressAt?: number;
}

/** What the gate knows about the change it is judging. */
export interface RolloutContext {
  /**
   * When the gate sent the change (the apply, or the rollback patch), in ms. The gate's timeout,
   * the stall window's earliest start, and the freshness of the Progressing condition are
   * measured from here.
   */
  appliedAt: number;
  /** `metadata.generation` returned by the apply; success needs `status.observedGeneration >= this`. */
  appliedGeneration?: number;
  /** The Deployment's revision before the apply (informational, used in messages). */
  baselineRevision?: number;
  /** The Deployment name, for messages while it does not exist yet. */
  name?: string;
  /**
   * `'rollback'` while verifying a rollback: messages say so. The stale-condition rule (only
   * Progressing conditions updated at or after `appliedAt` count) applies in both modes.
   */
  mode?: 'rollout' | 'rollback';
  /**
   * The last time (ms) the gate itself saw updated/ready/available replicas change, if it tracks
   * that across observations. The stall window starts at the latest of this, `appliedAt` and the
   * Progressing condition's lastUpdateTime.
   */
  lastProgressAt?: number;
  /**
   * Restart counts of the pods that existed when the change was sent (restarts.ts). Restarts and
   * back-offs of those pods count only from then on; pods absent from it count fully. Absent:
   * every pod counts fully.
   */
  restartBaseline?: RestartBaseline;
}
