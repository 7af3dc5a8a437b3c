/**
 * The capacity the PR plan predicts against (I/O through the port, read only): a live cluster's
 * Nodes with what its running pods leave free, the scenario's nodes, or, with neither, nodes that
 * do not limit, said as "not known" so no Unschedulable verdict is made up.
 */
import type { ClusterClient } from '../cluster/port.js';
import { liveNodes, newNodes, type Scenario } from '../cluster/sim/index.js';
import { ApiError } from '../k8s/apiError.js';
import type { Node, Pod } from '../k8s/objects.js';
import { UNKNOWN_CAPACITY } from '../plan/buildPlan.js';
import { formatBytes } from '../plan/render.js';
import type { CapacityAssumption } from '../plan/types.js';
import { plural } from '../report/format.js';

/** The capacity the plan assumes, and the nodes to give the simulated cluster (absent: the scenario's). */
export interface PlannedCapacity {
  assumption: CapacityAssumption;
  nodes?: Node[];
}

/** `kubectl describe node`'s list of the pods that hold resources: every pod not finished. */
const NOT_TERMINATED = 'status.phase!=Succeeded,status.phase!=Failed';

/**
 * The live cluster's Nodes and what its running pods leave free on each (two LISTs, read only).
 * A cluster that will not say (no permission to list nodes or pods cluster-wide) leaves the
 * capacity unknown, which is said, rather than guessed.
 */
export async function readLiveCapacity(cluster: ClusterClient, recreated: Set<string>): Promise<PlannedCapacity> {
  let nodes: Node[];
  let pods: Pod[];
  try {
    nodes = await cluster.list<Node>('v1', 'Node', undefined);
    pods = await cluster.list<Pod>('v1', 'Pod', undefined, { fieldSelector: NOT_TERMINATED });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return {
      assumption: {
        source: 'unknown',
        description: `not known (cannot list the nodes and pods of ${cluster.describe()}: ${err.message}), so nodes do not limit and no Unschedulable is predicted`,
      },
      nodes: unboundedNodes(),
    };
  }
  const live = liveNodes(
    nodes,
    pods.filter((p) => !recreated.has(p.metadata.uid ?? '')),
  );
  const cordoned = live.cordoned > 0 ? ` (${live.cordoned} cordoned)` : '';
  return {
    assumption: {
      source: 'live',
      description:
        `${plural(live.nodes.length, 'node')} of the live cluster${cordoned}, ` +
        `free cpu ${Math.round(live.freeCpuMilli) / 1000}, memory ${formatBytes(live.freeMemoryBytes)}`,
    },
    nodes: live.nodes,
  };
}

/**
 * Nodes that never run out (no cluster, no scenario nodes): the default three, each far larger than
 * any rollout, so the simulated scheduler does not limit and the rollout's own behaviour shows.
 */
function unboundedNodes(): Node[] {
  return newNodes(3, { cpu: '100000', memory: '1Pi', pods: 1_000_000 });
}

/** `3 nodes × 4 CPU / 8Gi of the scenario`, with its pools. */
function describeScenarioNodes(scenario: Scenario): string {
  const n = scenario.nodes;
  const groups = [
    ...(n.count > 0 || !n.pools?.length
      ? [`${plural(n.count, 'node')} × ${n.capacity.cpu} CPU / ${n.capacity.memory}`]
      : []),
    ...(n.pools ?? []).map(
      (p) => `pool ${p.name}: ${plural(p.count, 'node')} × ${p.capacity.cpu} CPU / ${p.capacity.memory}`,
    ),
  ];
  return `${groups.join(', ')} of the scenario`;
}

/** Before any cluster is read: the scenario's nodes when it names any, else not known. */
export function scenarioCapacity(scenario: Scenario): PlannedCapacity {
  return scenario.nodesDeclared
    ? { assumption: { source: 'scenario', description: describeScenarioNodes(scenario) } }
    : { assumption: UNKNOWN_CAPACITY, nodes: unboundedNodes() };
}
