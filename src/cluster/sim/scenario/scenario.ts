import type { ImageBehaviour } from '../kubelet/types.js';
import type { Taint } from '../scheduler/taints.js';
import type { Permissions } from '../../../k8s/rbac/authorize.js';

/**
 * The simulated-cluster scenario file (README "The simulated cluster"). Everything is optional: an empty
 * scenario is a healthy 3-node cluster where every image exists.
 */
/** The behaviour of one image reference: the kubelet's own description of an image. */
export type ImageSpec = ImageBehaviour;

export interface NodeCapacitySpec {
  cpu: string;
  memory: string;
  pods: number;
}

/**
 * The cluster's nodes: `count` nodes `node-1` … `node-<count>`, plus named pools whose nodes are
 * `<pool>-1` … `<pool>-<count>`. Labels are added to the ones every kubelet registers
 * (`kubernetes.io/hostname`, `kubernetes.io/os`); taints are the node's `spec.taints`.
 */
export interface NodeSpec {
  count: number;
  capacity: NodeCapacitySpec;
  labels?: Record<string, string>;
  taints?: Taint[];
  pools?: NodePoolSpec[];
}

/** A named group of nodes (`nodes.pools[]`); capacity defaults to `nodes.capacity`. */
export interface NodePoolSpec {
  name: string;
  count: number;
  capacity: NodeCapacitySpec;
  labels?: Record<string, string>;
  taints?: Taint[];
}

/** The names of the scenario's nodes, in creation order. */
export function scenarioNodeNames(nodes: NodeSpec): string[] {
  const names = Array.from({ length: nodes.count }, (_, i) => `node-${i + 1}`);
  for (const pool of nodes.pools ?? []) for (let i = 1; i <= pool.count; i++) names.push(`${pool.name}-${i}`);
  return names;
}

/**
 * One timed cluster-chaos event (`faults.chaos`). `atMs` counts from the scenario's time origin: the
 * moment `createSimulatedCluster` returns, i.e. after the pre-existing objects rolled out, which is
 * when the gate applies. See src/cluster/sim/chaos/chaos.ts for the model.
 */
export type ChaosEvent =
  | { atMs: number; loseNode: string; evictAfterMs: number }
  | { atMs: number; evictPods: { selector: string; namespace: string; count: number } }
  | { atMs: number; pauseController: 'deployment' | 'replicaset' | 'scheduler'; forMs: number };

export interface FaultSpec {
  /** Fraction of API requests (0..1) that fail with 429/500/503 or a connection reset. */
  apiErrorRate: number;
  /** Watch streams are dropped this often (seconds); 0 = never. */
  watchDropEverySeconds: number;
  seed: number;
  /** Timed cluster-chaos events; absent/empty = no chaos. */
  chaos?: ChaosEvent[];
}

/** One status an operator writes, `afterMs` from the object's creation or latest generation change. */
export interface OperatorStep {
  afterMs: number;
  /** Fields written over `.status` (conditions, phase, ...); observedGeneration is the operator's. */
  status: Record<string, unknown>;
}

/**
 * A simulated operator (`operators`): the controller of a custom resource kind the simulator does
 * not run, as a timeline of statuses (controllers/operator/operatorController.ts).
 */
export interface OperatorSpec {
  apiVersion: string;
  kind: string;
  /** Only this object (any namespace); every object of the kind when absent. */
  name?: string;
  steps: OperatorStep[];
}

/**
 * `permissions`: the identity every request comes from and what it is granted (RBAC). Absent:
 * everything is allowed. `roles` are given inline; `files` (Role YAML with its bindings, relative
 * to the scenario) are turned into more `roles` by the scenario loader (src/app/connect.ts).
 */
export interface ScenarioPermissions extends Permissions {
  files: string[];
}

export interface Scenario {
  nodes: NodeSpec;
  /**
   * Whether the file wrote `nodes` itself; otherwise `nodes` holds the default 3 × 4 CPU, which the
   * PR plan must not pass off as a cluster's capacity.
   */
  nodesDeclared?: boolean;
  images: Record<string, ImageSpec> & { default: ImageSpec };
  /** Manifest paths, resolved relative to the scenario file. */
  objects: string[];
  faults: FaultSpec;
  permissions?: ScenarioPermissions;
  /** Seed of the simulation's random source (names, uids). */
  seed: number;
  /** Simulated operators of custom resource kinds. */
  operators: OperatorSpec[];
  /** Where the scenario came from (for error messages). */
  source?: string;
}

export const DEFAULT_IMAGE: Required<Pick<ImageSpec, 'pullSeconds' | 'startSeconds' | 'readySeconds'>> = {
  pullSeconds: 2,
  startSeconds: 1,
  readySeconds: 0,
};

export function defaultScenario(): Scenario {
  return {
    nodes: { count: 3, capacity: { cpu: '4', memory: '8Gi', pods: 110 } },
    images: { default: { ...DEFAULT_IMAGE } },
    objects: [],
    faults: { apiErrorRate: 0, watchDropEverySeconds: 0, seed: 1 },
    seed: 1,
    operators: [],
  };
}

/** The behaviour of one image reference: its own entry merged over `default`. */
export function imageSpecFor(scenario: Scenario, image: string): ImageSpec {
  return { ...DEFAULT_IMAGE, ...scenario.images.default, ...(scenario.images[image] ?? {}) };
}
