import { ApiError } from '../../../k8s/apiError.js';
import { rfc3339 } from '../../../k8s/meta.js';
import type { KubeObject, Node, Pod } from '../../../k8s/objects.js';
import { usageOf, type ContainerUsage, SCRAPE_MS } from '../kubelet/usage.js';
import type { Simulation } from '../simulation.js';
import type { KindInfo, KindRegistry } from '../store/kinds.js';
import { parseSelection, selects } from './query.js';
import type { ApiReply, ApiRequest, ResourceTarget } from './resources.js';

/**
 * `metrics.k8s.io/v1beta1`, what metrics-server serves (https://github.com/kubernetes-sigs/metrics-server,
 * types in k8s.io/metrics/pkg/apis/metrics/v1beta1): PodMetrics per running pod and NodeMetrics per
 * node, from the simulated usage (../kubelet/usage.ts) at the latest 15 s scrape. Read-only (get,
 * list), so `kubectl top pod|node` and the HPA's resource metrics work as on a cluster with
 * metrics-server. A pod whose containers were not running at the last scrape has no metrics yet.
 */
export const METRICS_GROUP = 'metrics.k8s.io';
const API_VERSION = 'metrics.k8s.io/v1beta1';

/** The two kinds, registered for discovery (`kubectl top` checks the group is served) and routing. */
export function registerMetricsKinds(registry: KindRegistry): void {
  const base = { group: METRICS_GROUP, apiVersion: API_VERSION, verbs: ['get', 'list'] };
  registry.register({ ...base, kind: 'PodMetrics', plural: 'pods', namespaced: true });
  registry.register({ ...base, kind: 'NodeMetrics', plural: 'nodes', namespaced: false });
}

export function serveMetrics(simulation: Simulation, target: ResourceTarget, req: ApiRequest): ApiReply {
  if (req.method !== 'GET' || target.subresource !== undefined)
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
  const model = usageOf(simulation);
  const now = simulation.clock.now();
  const at = model?.scrapedAt(now) ?? now;
  const nodes = target.info.kind === 'NodeMetrics';
  const sourceKind = nodes ? 'Node' : 'Pod';
  const objects = target.name
    ? [simulation.store.get(sourceKind, target.namespace, target.name)].filter((o): o is KubeObject => o !== undefined)
    : simulation.store
        .list(sourceKind, target.namespace)
        .filter((o) => selects(parseSelection(sourceInfo(simulation, sourceKind), target.namespace, req.query), o));
  const items: KubeObject[] = [];
  for (const obj of objects) {
    const item = nodes
      ? nodeMetrics(simulation, obj as Node, at)
      : podMetrics(obj as Pod, model?.podUsage(obj as Pod, at), at);
    if (item) items.push(item);
  }
  if (target.name) {
    if (items.length === 0) {
      const what = nodes ? target.name : `${target.namespace}/${target.name}`;
      throw new ApiError(404, 'NotFound', `${target.info.plural}.${METRICS_GROUP} "${what}" not found`, {
        name: target.name,
        group: METRICS_GROUP,
        kind: target.info.plural,
      });
    }
    return { status: 200, body: items[0] };
  }
  return {
    status: 200,
    body: { kind: `${target.info.kind}List`, apiVersion: API_VERSION, metadata: {}, items },
  };

  function nodeMetrics(sim: Simulation, node: Node, time: number): KubeObject {
    let cpu = 0;
    let memory = 0;
    for (const pod of sim.store.list<Pod>('Pod')) {
      if (pod.spec?.nodeName !== node.metadata.name) continue;
      for (const c of model?.podUsage(pod, time) ?? []) {
        cpu += c.cpu;
        memory += c.memory;
      }
    }
    return {
      kind: 'NodeMetrics',
      apiVersion: API_VERSION,
      metadata: meta(node, time),
      timestamp: rfc3339(time),
      window: WINDOW,
      usage: usage({ cpu, memory }),
    } as unknown as KubeObject;
  }
}

const WINDOW = `${SCRAPE_MS / 1000}s`;

function podMetrics(pod: Pod, containers: ContainerUsage[] | undefined, time: number): KubeObject | undefined {
  if (!containers) return undefined;
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: { ...meta(pod, time), namespace: pod.metadata.namespace },
    timestamp: rfc3339(time),
    window: WINDOW,
    containers: containers.map((c) => ({ name: c.name, usage: usage(c) })),
  } as unknown as KubeObject;
}

/** metrics-server's metadata: the object's name and labels, created when served. */
function meta(obj: KubeObject, time: number): KubeObject['metadata'] {
  return {
    name: obj.metadata.name,
    creationTimestamp: rfc3339(time),
    ...(obj.metadata.labels ? { labels: obj.metadata.labels } : {}),
  };
}

/** CPU in nanocores and memory in Ki, as metrics-server writes them (`300000000n`, `204800Ki`). */
function usage(c: { cpu: number; memory: number }): Record<string, string> {
  return {
    cpu: c.cpu === 0 ? '0' : `${c.cpu * 1_000_000}n`,
    memory: c.memory === 0 ? '0' : c.memory % 1024 === 0 ? `${c.memory / 1024}Ki` : String(c.memory),
  };
}

function sourceInfo(simulation: Simulation, kind: string): KindInfo {
  return simulation.store.kinds.get(kind);
}
