import { Simulation } from '../../../src/cluster/sim/simulation.js';
import { ReplicaSetController } from '../../../src/cluster/sim/controllers/replicaset/replicaSetController.js';
import { Scheduler } from '../../../src/cluster/sim/scheduler/scheduler.js';
import { newNodes, type NodeCapacity } from '../../../src/cluster/sim/scheduler/nodes.js';
import { Kubelet } from '../../../src/cluster/sim/kubelet/kubelet.js';
import type { ImageBehaviour } from '../../../src/cluster/sim/kubelet/types.js';
import type { Container, KubeEvent, Pod, ReplicaSet } from '../../../src/k8s/objects.js';

/** A simulated cluster with only the ReplicaSet controller, the scheduler and the kubelet. */
export interface Cluster {
  sim: Simulation;
  kubelet: Kubelet;
}

export function cluster(
  options: { seed?: number; nodes?: number; capacity?: NodeCapacity; images?: Record<string, ImageBehaviour> } = {},
): Cluster {
  const images = options.images ?? {};
  const sim = new Simulation(
    [
      (ctx) => new ReplicaSetController(ctx),
      (ctx) => new Scheduler(ctx),
      (ctx) => new Kubelet(ctx, { imageBehaviour: (image) => images[image] ?? {} }),
    ],
    { seed: options.seed ?? 7 },
  );
  sim.store.create('Namespace', { metadata: { name: 'default' } });
  for (const node of newNodes(options.nodes ?? 3, options.capacity)) sim.store.create('Node', node);
  sim.settle();
  return { sim, kubelet: sim.controller<Kubelet>('kubelet') };
}

export function replicaSet(
  name: string,
  replicas: number,
  container: Partial<Container> = {},
  extra: { minReadySeconds?: number } = {},
): ReplicaSet {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      ...(extra.minReadySeconds ? { minReadySeconds: extra.minReadySeconds } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.25', ...container }] },
      },
    },
  };
}

export function podsOf(sim: Simulation, rsName: string): Pod[] {
  const rs = sim.store.get<ReplicaSet>('ReplicaSet', 'default', rsName);
  return rs ? sim.store.listOwnedBy<Pod>('Pod', rs.metadata.uid!) : [];
}

export function eventsOf(sim: Simulation, name: string): KubeEvent[] {
  return sim.store.list<KubeEvent>('Event', 'default').filter((e) => e.involvedObject.name === name);
}

export function rsStatus(sim: Simulation, name: string): ReplicaSet['status'] {
  return sim.store.get<ReplicaSet>('ReplicaSet', 'default', name)?.status;
}

/** Seconds since the simulation started (the clock starts at 2026-01-01T00:00:00Z). */
export const T0 = Date.UTC(2026, 0, 1);
export const at = (seconds: number): number => T0 + seconds * 1000;
export const elapsed = (sim: Simulation): number => (sim.clock.now() - T0) / 1000;

/** Advances to the absolute simulated second `seconds`. */
export function advanceTo(sim: Simulation, seconds: number): void {
  sim.advance(at(seconds) - sim.clock.now());
}
