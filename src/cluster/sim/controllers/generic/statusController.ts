import { selectorMatches } from '../../../../k8s/labels.js';
import { clone, rfc3339 } from '../../../../k8s/meta.js';
import type { IntOrString, KubeObject, LabelSelector, Pod } from '../../../../k8s/objects.js';
import { getScaledValueFromIntOrPercent } from '../deployment/intOrPercent.js';
import { isPodReady, isPodTerminating } from '../replicaset/podUtil.js';
import type { StoreEvent } from '../../store/objectStore.js';
import type { Controller, ControllerContext } from '../controller.js';

interface PodDisruptionBudget extends KubeObject {
  spec?: { minAvailable?: IntOrString; maxUnavailable?: IntOrString; selector?: LabelSelector };
}

/**
 * A plausible status for built-in kinds whose real controller the simulator does not run, where a
 * real cluster shows one (the gate's health checks read these):
 * - PodDisruptionBudget: the disruption controller's counts over the pods its selector matches
 *   (pkg/controller/disruption/disruption.go); the expected count is the matching pods (upstream
 *   asks the pods' controllers for their scale when maxUnavailable or a percentage is used).
 * - PersistentVolumeClaim: Bound at once, with the requested capacity (a default dynamic provisioner).
 * - Service of type LoadBalancer: an ingress address from 203.0.113.0/24 (TEST-NET-3), as a bare-metal
 *   load balancer (MetalLB, cloud-provider-kind) gives one, so it is Current as on a cloud.
 * Ingress gets no address: no ingress controller runs (kstatus calls it Current without one).
 */
export class GenericStatusController implements Controller {
  readonly name = 'generic-status';

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(event: StoreEvent): string[] {
    const { kind, object } = event;
    const ns = object.metadata.namespace ?? '';
    switch (kind) {
      case 'PodDisruptionBudget':
      case 'PersistentVolumeClaim':
        return event.type === 'DELETED' ? [] : [`${kind}/${ns}/${object.metadata.name}`];
      case 'Service':
        return event.type !== 'DELETED' && (object.spec as { type?: string } | undefined)?.type === 'LoadBalancer'
          ? [`${kind}/${ns}/${object.metadata.name}`]
          : [];
      case 'Pod':
        return this.ctx.store
          .list('PodDisruptionBudget', ns)
          .map((pdb) => `PodDisruptionBudget/${ns}/${pdb.metadata.name}`);
      default:
        return [];
    }
  }

  sync(key: string): void {
    const [kind, namespace, name] = key.split('/') as [string, string, string];
    const obj = this.ctx.store.get(kind, namespace, name);
    if (!obj) return;
    const status =
      kind === 'PodDisruptionBudget'
        ? this.pdbStatus(obj as PodDisruptionBudget)
        : kind === 'PersistentVolumeClaim'
          ? pvcStatus(obj)
          : loadBalancerStatus(obj);
    this.ctx.store.update(kind, { ...clone(obj), status }, { subresource: 'status' });
  }

  private pdbStatus(pdb: PodDisruptionBudget): Record<string, unknown> {
    const spec = pdb.spec ?? {};
    const pods = this.ctx.store
      .list<Pod>('Pod', pdb.metadata.namespace)
      .filter((p) => spec.selector && selectorMatches(spec.selector, p.metadata.labels) && !isPodTerminating(p));
    const expectedPods = pods.length;
    const currentHealthy = pods.filter(isPodReady).length;
    let desiredHealthy = 0;
    try {
      if (spec.maxUnavailable !== undefined)
        desiredHealthy = Math.max(
          0,
          expectedPods - getScaledValueFromIntOrPercent(spec.maxUnavailable, expectedPods, true),
        );
      else if (spec.minAvailable !== undefined)
        desiredHealthy = getScaledValueFromIntOrPercent(spec.minAvailable, expectedPods, true);
    } catch {
      desiredHealthy = expectedPods;
    }
    const disruptionsAllowed = Math.max(0, currentHealthy - desiredHealthy);
    const previous = (
      pdb.status as { conditions?: Array<{ status?: string; lastTransitionTime?: string }> } | undefined
    )?.conditions?.[0];
    const conditionStatus = disruptionsAllowed > 0 ? 'True' : 'False';
    return {
      observedGeneration: pdb.metadata.generation ?? 1,
      disruptionsAllowed,
      currentHealthy,
      desiredHealthy,
      expectedPods,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: conditionStatus,
          reason: disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods',
          message: '',
          observedGeneration: pdb.metadata.generation ?? 1,
          lastTransitionTime:
            previous?.status === conditionStatus && previous.lastTransitionTime
              ? previous.lastTransitionTime
              : this.now(),
        },
      ],
    };
  }

  private now(): string {
    return rfc3339(this.ctx.clock.now());
  }
}

/** The address of a LoadBalancer Service: stable per Service, from its cluster IP's last octets. */
function loadBalancerStatus(svc: KubeObject): Record<string, unknown> {
  const clusterIP = (svc.spec as { clusterIP?: string } | undefined)?.clusterIP ?? '';
  const last = Number(clusterIP.split('.').pop()) || 1;
  return { loadBalancer: { ingress: [{ ip: `203.0.113.${Math.min(254, Math.max(1, last))}`, ipMode: 'VIP' }] } };
}

function pvcStatus(pvc: KubeObject): Record<string, unknown> {
  const spec = (pvc.spec ?? {}) as { accessModes?: string[]; resources?: { requests?: { storage?: string } } };
  const storage = spec.resources?.requests?.storage;
  return {
    phase: 'Bound',
    ...(spec.accessModes ? { accessModes: spec.accessModes } : {}),
    ...(storage ? { capacity: { storage } } : {}),
  };
}
