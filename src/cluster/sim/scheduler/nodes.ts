import type { Node } from '../../../k8s/objects.js';

export interface NodeCapacity {
  cpu?: string | number;
  memory?: string;
  pods?: string | number;
}

/** The default node of the scenario file: 4 CPUs, 8Gi, 110 pods (design.md §3.3). */
export const DEFAULT_NODE_CAPACITY: Required<NodeCapacity> = { cpu: '4', memory: '8Gi', pods: 110 };

/**
 * A Ready Node object the way a kubelet registers one, with capacity = allocatable, for scenarios and tests.
 * `index` gives it a stable InternalIP.
 */
export function newNode(name: string, capacity: NodeCapacity = {}, index = 0): Node {
  const c = { ...DEFAULT_NODE_CAPACITY, ...capacity };
  const resources = { cpu: String(c.cpu), memory: String(c.memory), pods: String(c.pods) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: {
      capacity: { ...resources },
      allocatable: { ...resources },
      addresses: [
        { type: 'InternalIP', address: `10.0.${Math.floor(index / 250)}.${(index % 250) + 2}` },
        { type: 'Hostname', address: name },
      ],
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
    },
  };
}

/** `node-1` … `node-<count>`, all with the same capacity. */
export function newNodes(count: number, capacity: NodeCapacity = {}): Node[] {
  return Array.from({ length: count }, (_, i) => newNode(`node-${i + 1}`, capacity, i));
}
