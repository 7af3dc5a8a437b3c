/** Builders of the HPA tests: a Deployment with CPU requests, an autoscaling/v2 HPA on it, a cluster from a scenario. */
import { createSimulatedCluster, parseScenario, type SimulatedClusterParts } from '../../../src/cluster/sim/index.js';
import type { HorizontalPodAutoscaler } from '../../../src/cluster/sim/controllers/hpa/types.js';
import type { Deployment, KubeEvent, KubeObject } from '../../../src/k8s/objects.js';
import { deployment } from '../../gate/support.js';

/** `web` with `replicas` pods requesting 200m CPU each (no replicas: the HPA owns the count). */
export function web(image: string, replicas?: number): Deployment {
  const d = deployment('web', image, { cpu: '200m', maxSurge: 1, maxUnavailable: 0 });
  if (replicas === undefined) delete (d.spec as { replicas?: number }).replicas;
  else d.spec.replicas = replicas;
  return d;
}

export function hpa(
  target: { kind: string; name: string; apiVersion?: string },
  o: { min?: number; max: number; cpu?: number; behavior?: HorizontalPodAutoscaler['spec']['behavior'] },
): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: target.name, namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: target.apiVersion ?? 'apps/v1', kind: target.kind, name: target.name },
      ...(o.min !== undefined ? { minReplicas: o.min } : {}),
      maxReplicas: o.max,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: o.cpu ?? 50 } },
        },
      ],
      ...(o.behavior ? { behavior: o.behavior } : {}),
    },
  };
}

export function start(scenario: string, objects: KubeObject[]): SimulatedClusterParts {
  return createSimulatedCluster(parseScenario(scenario), { objects });
}

export function hpaOf(parts: SimulatedClusterParts, name = 'web'): HorizontalPodAutoscaler {
  return parts.simulation.store.mustGet<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', 'default', name);
}

export function replicasOf(parts: SimulatedClusterParts, name = 'web'): number {
  return parts.simulation.store.mustGet<Deployment>('Deployment', 'default', name).spec.replicas ?? 1;
}

/** The HPA's events, `reason: message`, oldest first. */
export function hpaEvents(parts: SimulatedClusterParts, name = 'web'): string[] {
  return parts.simulation.events.eventsFor(hpaOf(parts, name)).map((e: KubeEvent) => `${e.reason}: ${e.message}`);
}
