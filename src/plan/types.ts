/** The PR dry run's data: what buildPlan reads (from a simulated rollout) and what it reports. */
import type { InputError, ObjectResult, WorkloadResult } from '../gate/result.js';
import type { WorkloadKind } from '../k8s/workloadKinds.js';
import type { ImageCheck } from '../registry/types.js';
import type { PlannedWorkload } from './kinds.js';

/** One workload as the simulated rollout saw it: before, after, and what happened in between. */
export interface PlanWorkloadInput {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** Manifest file and line of the workload (for links and annotations). */
  file?: string;
  line?: number;
  /** Line of each container's `image:` in `file`, by container name. */
  imageLines?: Record<string, number>;
  /** The workload before the change (undefined: the change creates it). */
  before?: PlannedWorkload;
  /** The workload as the change leaves it (as stored, defaults applied, status as simulated). */
  after: PlannedWorkload;
  /** ReplicaSets of a Deployment before the change, with their sizes (none for other kinds). */
  replicaSetsBefore: Array<{ name: string; replicas: number }>;
  /** Name of the ReplicaSet of the new template (when the controller created or reused one). */
  newReplicaSet?: string;
  /** The controller's ScalingReplicaSet events of the rollout, `t` in seconds since apply, in order. */
  scalingEvents: Array<{ t: number; message: string }>;
  /**
   * As observed during the rollout (`t` seconds since apply): available replicas, the workload's
   * pods that were not terminating, and what those pods requested together.
   */
  availability: Array<{ t: number; available: number; pods?: number; requests?: Capacity }>;
  /** The workload's pods before the change and what they requested together. */
  podsBefore?: { pods: number; requests: Capacity };
  /** The gate's verdict on the simulated rollout (absent when the apply itself was rejected). */
  outcome?: WorkloadResult;
  /** Why the simulated cluster rejected the apply (an immutable selector, a quota, ...). */
  applyError?: string;
}

/** Any other applied object the simulated run waited on (a Job, a custom resource, ...), and where it is. */
export type PlanObjectInput = ObjectResult & { file?: string; line?: number };

export interface PlanInput {
  workloads: PlanWorkloadInput[];
  /** The other applied objects and the simulated run's verdict on each. */
  objects?: PlanObjectInput[];
  /** The gate's timeout (seconds), for the progressDeadlineSeconds lint. */
  timeoutSeconds: number;
  /** Where the baseline came from ("manifests in base/", "cluster https://...", "scenario objects"). */
  baselineSource: string;
  /** Which capacity the simulated cluster was given; absent reads as `unknown`. */
  capacity?: CapacityAssumption;
  /** What the images' registries said; absent reads as not asked. */
  images?: PlanImages;
}

/**
 * The images of the planned manifests against their registries. A registry's `not-found` or
 * `unauthorized` made the simulated kubelet fail the pull (ErrImagePull); `not-checked` leaves the
 * rollouts that use the image unpredicted; an image the scenario file names is the scenario's.
 */
export interface PlanImages {
  /** false: the check is off (`check-images: false`), every image the scenario does not name pulls. */
  checked: boolean;
  /** One answer per distinct image asked, in manifest order. */
  results: ImageCheck[];
  /** Images the scenario file names: the scenario decides, no registry was asked. */
  fromScenario: string[];
  /** Side remarks (a docker config that could not be read). */
  notes: string[];
}

/**
 * Where the simulated cluster's nodes came from: the live cluster's nodes with what its running
 * pods leave free, the scenario's `nodes`, or nowhere (then they do not limit, and no rollout is
 * predicted Unschedulable: the plan says capacity is not known instead).
 */
export interface CapacityAssumption {
  source: 'live' | 'scenario' | 'unknown';
  /** One phrase for the header: `5 nodes of the live cluster, free cpu 12.5, memory 40Gi`. */
  description: string;
}

/** One scaling step of the simulated rollout. */
export interface RolloutStep {
  t: number;
  /** `up` or `down`. */
  direction: 'up' | 'down';
  /** `new` when the new ReplicaSet was scaled, `old` otherwise. */
  replicaSet: 'new' | 'old';
  replicaSetName: string;
  to: number;
  /** Replicas (spec) of old and new ReplicaSets after the step. */
  oldReplicas: number;
  newReplicas: number;
}

/** A risky setting, with where it is. */
export interface LintFinding {
  rule:
    | 'no-readiness-probe'
    | 'max-unavailable-all'
    | 'revision-history-zero'
    | 'progress-deadline-over-timeout'
    | 'selector-changed'
    | 'mutable-image-tag'
    | 'missing-requests'
    | 'recreate-strategy';
  message: string;
  file?: string;
  line?: number;
}

export interface Capacity {
  /** Millicores; undefined when a container requests no CPU. */
  cpuMilli?: number;
  /** Bytes; undefined when a container requests no memory. */
  memoryBytes?: number;
}

export interface WorkloadPlan {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  file?: string;
  line?: number;
  change: 'create' | 'update' | 'unchanged' | 'scale';
  replicasBefore: number;
  replicas: number;
  strategy: string;
  /** Unified-style diff of the pod template (empty when unchanged). */
  templateDiff: string[];
  steps: RolloutStep[];
  /** Most pods at one time (a Deployment: spec replicas of all its ReplicaSets; else pods observed). */
  peakPods: number;
  /** Pods above the desired count at the peak (the surge actually reached). */
  surgeReached: number;
  /** Desired minus the fewest available replicas during the rollout (the unavailability actually reached). */
  unavailableReached: number;
  minAvailable: number;
  /** Requests at the peak minus the requests before the change. */
  extraCapacity: Capacity;
  /** Simulated time from apply to the verdict. */
  durationSeconds: number;
  /**
   * `unknown`: the simulated rollout could not place its pods, but the cluster's capacity is not
   * known (no cluster, no scenario nodes), so no Unschedulable verdict is made up.
   */
  /**
   * `unknown` with reason `ImagesNotChecked`: it would succeed if its images exist, but a registry
   * could not be asked (no network, rate limit, timeout).
   */
  prediction: {
    result: 'succeeds' | 'fails' | 'unknown';
    reason?: string;
    message: string;
    detectedAfterSeconds?: number;
  };
  lint: LintFinding[];
}

/** The prediction for an applied object that is not a rolled-out workload (kstatus health). */
export interface ObjectPlan {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  file?: string;
  line?: number;
  prediction: {
    /** `skipped`: not waited on (`rollout-gate.dev/wait: "false"`). */
    result: 'ready' | 'fails' | 'skipped';
    reason?: string;
    message: string;
    /** Simulated seconds from the apply to the verdict. */
    afterSeconds: number;
  };
}

export interface Plan {
  /** `fails` when any simulated rollout or object fails, `risky` when only lint findings, else `ok`. */
  verdict: 'ok' | 'risky' | 'fails' | 'invalid';
  workloads: WorkloadPlan[];
  /** Every other applied object the dry run waited on (Jobs, custom resources, ...). */
  objects: ObjectPlan[];
  errors: InputError[];
  baselineSource: string;
  capacity: CapacityAssumption;
  images: PlanImages;
}
