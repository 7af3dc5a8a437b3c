import type { Container, Node, Pod } from '../../../k8s/objects.js';
import { quantityMilliValue, quantityValue } from '../../../k8s/quantity.js';

/**
 * Resource arithmetic of the scheduler's NodeResourcesFit plugin
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/scheduler/framework/plugins/noderesources/fit.go,
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/api/v1/resource/helpers.go PodRequests).
 */
export interface Resources {
  /** millicores */
  cpu: number;
  /** bytes */
  memory: number;
}

/** Requests used for scoring when a pod requests nothing (`schedutil.DefaultMilliCPURequest`/`DefaultMemoryRequest`). */
export const NON_ZERO_DEFAULT: Resources = { cpu: 100, memory: 200 * 1024 * 1024 };

function safe(parse: (q: string | number) => number, q: string | number | undefined): number {
  if (q === undefined) return 0;
  try {
    return parse(q);
  } catch {
    return 0; // the API server rejects bad quantities; never let one break scheduling
  }
}

/** A container's requests; a limit without a request defaults the request (API defaulting). */
function containerRequests(c: Container): Resources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  return {
    cpu: safe(quantityMilliValue, req.cpu ?? lim.cpu),
    memory: safe(quantityValue, req.memory ?? lim.memory),
  };
}

/**
 * `PodRequests`: the sum over containers, raised to the largest init container (init containers run one
 * at a time before the app containers); restartable (sidecar) init containers add to both.
 */
export function podRequests(pod: Pod): Resources {
  const sum: Resources = { cpu: 0, memory: 0 };
  for (const c of pod.spec?.containers ?? []) {
    const r = containerRequests(c);
    sum.cpu += r.cpu;
    sum.memory += r.memory;
  }
  const sidecars: Resources = { cpu: 0, memory: 0 };
  const initMax: Resources = { cpu: 0, memory: 0 };
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      sidecars.cpu += r.cpu;
      sidecars.memory += r.memory;
      sum.cpu += r.cpu;
      sum.memory += r.memory;
    } else {
      // A regular init container runs alongside the sidecars started before it.
      initMax.cpu = Math.max(initMax.cpu, r.cpu + sidecars.cpu);
      initMax.memory = Math.max(initMax.memory, r.memory + sidecars.memory);
    }
  }
  return { cpu: Math.max(sum.cpu, initMax.cpu), memory: Math.max(sum.memory, initMax.memory) };
}

/** Requests for scoring: zero cpu/memory requests count as the non-zero defaults (per container, simplified per pod). */
export function nonZeroRequests(req: Resources): Resources {
  return { cpu: req.cpu || NON_ZERO_DEFAULT.cpu, memory: req.memory || NON_ZERO_DEFAULT.memory };
}

export interface Allocatable extends Resources {
  pods: number;
}

/** `status.allocatable` (falling back to `status.capacity`); missing pods means the kubelet default 110. */
export function nodeAllocatable(node: Node): Allocatable {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    cpu: safe(quantityMilliValue, a.cpu),
    memory: safe(quantityValue, a.memory),
    pods: a.pods === undefined ? 110 : safe(quantityValue, a.pods),
  };
}
