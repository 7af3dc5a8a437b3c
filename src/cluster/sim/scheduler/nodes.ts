import type { Node } from '../../../k8s/objects.js';
import type { NodeSpec } from '../scenario/scenario.js';
import type { Taint } from './taints.js';
import { DAEMON_ENDPOINTS, healthyNodeConditions, nodeInfo } from '../kubelet/nodeStatus.js';

export interface NodeCapacity {
  cpu?: string | number;
  memory?: string;
  pods?: string | number;
}

/** The default node of the scenario file: 4 CPUs, 8Gi, 110 pods (README "The simulated cluster"). */
export const DEFAULT_NODE_CAPACITY: Required<NodeCapacity> = { cpu: '4', memory: '8Gi', pods: 110 };

/**
 * A Ready Node object the way a kubelet registers one, with capacity = allocatable, for scenarios and tests.
 * `index` gives it a stable InternalIP.
 */
export function newNode(
  name: string,
  capacity: NodeCapacity = {},
  index = 0,
  extra: { labels?: Record<string, string>; taints?: Taint[]; now?: number } = {},
): Node {
  const c = { ...DEFAULT_NODE_CAPACITY, ...capacity };
  const resources = { cpu: String(c.cpu), memory: String(c.memory), pods: String(c.pods) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { ...(extra.labels ?? {}), 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
    },
    spec: extra.taints && extra.taints.length > 0 ? { taints: extra.taints.map((t) => ({ ...t })) } : {},
    status: {
      capacity: { ...resources },
      allocatable: { ...resources },
      addresses: [
        { type: 'InternalIP', address: `10.0.${Math.floor(index / 250)}.${(index % 250) + 2}` },
        { type: 'Hostname', address: name },
      ],
      // What the kubelet posts at registration (../kubelet/nodeStatus.ts), stamped with the creation time.
      conditions: healthyNodeConditions(extra.now),
      daemonEndpoints: DAEMON_ENDPOINTS,
      nodeInfo: nodeInfo(name),
    },
  };
}

/** `node-1` … `node-<count>`, all with the same capacity. */
export function newNodes(count: number, capacity: NodeCapacity = {}): Node[] {
  return Array.from({ length: count }, (_, i) => newNode(`node-${i + 1}`, capacity, i));
}

/** The scenario's nodes (`nodes:` and its `pools:`), InternalIPs numbered across all of them; `now` stamps their conditions. */
export function scenarioNodes(spec: NodeSpec, now?: number): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < spec.count; i++)
    out.push(newNode(`node-${i + 1}`, spec.capacity, out.length, { labels: spec.labels, taints: spec.taints, now }));
  for (const pool of spec.pools ?? []) {
    for (let i = 0; i < pool.count; i++)
      out.push(
        newNode(`${pool.name}-${i + 1}`, pool.capacity, out.length, { labels: pool.labels, taints: pool.taints, now }),
      );
  }
  return out;
}
