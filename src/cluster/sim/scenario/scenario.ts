import type { ImageBehaviour } from '../kubelet/types.js';
import type { Permissions } from '../../../k8s/rbac/authorize.js';

/**
 * The simulated-cluster scenario file (design.md §3.3). Everything is optional: an empty
 * scenario is a healthy 3-node cluster where every image exists.
 */
/** The behaviour of one image reference: the kubelet's own description of an image. */
export type ImageSpec = ImageBehaviour;

export interface NodeSpec {
  count: number;
  capacity: { cpu: string; memory: string; pods: number };
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
  images: Record<string, ImageSpec> & { default: ImageSpec };
  /** Manifest paths, resolved relative to the scenario file. */
  objects: string[];
  faults: FaultSpec;
  permissions?: ScenarioPermissions;
  /** Seed of the simulation's random source (names, uids). */
  seed: number;
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
  };
}

/** The behaviour of one image reference: its own entry merged over `default`. */
export function imageSpecFor(scenario: Scenario, image: string): ImageSpec {
  return { ...DEFAULT_IMAGE, ...scenario.images.default, ...(scenario.images[image] ?? {}) };
}
