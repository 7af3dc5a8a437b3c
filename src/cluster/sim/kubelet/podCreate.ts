import type { Condition, KubeObject, Pod } from '../../../k8s/objects.js';
import { quantityMilliValue } from '../../../k8s/quantity.js';

/**
 * The pod strategy's PrepareForCreate (pkg/registry/core/pod/strategy.go): a new pod is stored
 * `Pending` with its QoS class, and a pod with scheduling gates carries `PodScheduled=False/SchedulingGated`,
 * so `kubectl get pods -w` shows `Pending` (or `SchedulingGated`) from the first ADDED event, as on a
 * real cluster. (The API server drops a status sent with the create; here a given status is kept, so
 * fixtures can create pods in any state.)
 */
export function preparePodForCreate(obj: KubeObject): void {
  const pod = obj as Pod;
  const status = (pod.status ??= {} as NonNullable<Pod['status']>);
  status.phase ??= 'Pending';
  (status as { qosClass?: string }).qosClass ??= podQos(pod);
  if ((pod.spec?.schedulingGates as unknown[] | undefined)?.length && !status.conditions?.length) {
    const gated: Condition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'SchedulingGated',
      message: 'Scheduling is blocked due to non-empty scheduling gates',
    };
    status.conditions = [gated];
  }
}

type Resources = { requests?: Record<string, string | number>; limits?: Record<string, string | number> };

/**
 * GetPodQOS (pkg/apis/core/helper/qos/qos.go): BestEffort without any cpu/memory request or limit;
 * Guaranteed when every container limits both and the summed requests equal the summed limits;
 * Burstable otherwise. Requests default to limits (SetDefaults_Pod), as here.
 */
export function podQos(pod: Pod): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Array<{
    resources?: Resources;
  }>;
  for (const c of containers) {
    const found = new Set<string>();
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const name of ['cpu', 'memory']) {
      const r = req[name] ?? lim[name];
      if (r !== undefined && quantityMilliValue(r) !== 0)
        requests.set(name, (requests.get(name) ?? 0) + quantityMilliValue(r));
      const l = lim[name];
      if (l !== undefined && quantityMilliValue(l) !== 0) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0) + quantityMilliValue(l));
      }
    }
    if (found.size !== 2) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed && requests.size === limits.size && [...requests].every(([k, v]) => limits.get(k) === v))
    return 'Guaranteed';
  return 'Burstable';
}
