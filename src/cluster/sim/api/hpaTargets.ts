import type { KubeObject } from '../../../k8s/objects.js';

/**
 * The TARGETS column of `kubectl get hpa`: `formatHPAMetrics` of
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
 * (since 1.30 resource metrics carry their name: `cpu: 75%/50%`), at most two metrics then
 * `+ N more...`.
 */
interface Target {
  type?: string;
  averageUtilization?: number;
  averageValue?: string;
  value?: string;
}
interface Current {
  averageUtilization?: number;
  averageValue?: string;
  value?: string;
}
interface Spec {
  type?: string;
  resource?: { name?: string; target?: Target };
  containerResource?: { name?: string; target?: Target };
  pods?: { target?: Target };
  object?: { target?: Target };
  external?: { target?: Target };
}
interface Status {
  resource?: { current?: Current };
  containerResource?: { current?: Current };
  pods?: { current?: Current };
  object?: { current?: Current };
  external?: { current?: Current };
}

const UNKNOWN = '<unknown>';
const MAXIMUM = 2;

export function hpaTargets(hpa: KubeObject): string {
  const specs = ((hpa.spec as { metrics?: Spec[] } | undefined)?.metrics ?? []) as Spec[];
  const statuses = ((hpa.status as { currentMetrics?: Status[] } | undefined)?.currentMetrics ?? []) as Status[];
  if (specs.length === 0) return '<none>';
  const list = specs.map((spec, i) => one(spec, statuses[i]));
  if (list.length > MAXIMUM) return `${list.slice(0, MAXIMUM).join(', ')} + ${list.length - MAXIMUM} more...`;
  return list.join(', ');
}

function one(spec: Spec, status: Status | undefined): string {
  switch (spec.type) {
    case 'External': {
      const t = spec.external?.target ?? {};
      if (t.averageValue !== undefined)
        return `${status?.external?.current?.averageValue ?? UNKNOWN}/${t.averageValue} (avg)`;
      return `${status?.external ? (status.external.current?.value ?? '0') : UNKNOWN}/${t.value ?? '0'}`;
    }
    case 'Pods':
      return `${status?.pods ? (status.pods.current?.averageValue ?? '0') : UNKNOWN}/${spec.pods?.target?.averageValue ?? '0'}`;
    case 'Object': {
      const t = spec.object?.target ?? {};
      if (t.averageValue !== undefined)
        return `${status?.object?.current?.averageValue ?? UNKNOWN}/${t.averageValue} (avg)`;
      return `${status?.object ? (status.object.current?.value ?? '0') : UNKNOWN}/${t.value ?? '0'}`;
    }
    case 'Resource':
      return resource(spec.resource, status?.resource);
    case 'ContainerResource':
      return resource(spec.containerResource, status?.containerResource);
    default:
      return '<unknown type>';
  }
}

function resource(
  spec: { name?: string; target?: Target } | undefined,
  status: { current?: Current } | undefined,
): string {
  const name = spec?.name ?? '';
  const t = spec?.target ?? {};
  if (t.averageValue !== undefined)
    return `${name}: ${status ? (status.current?.averageValue ?? '0') : UNKNOWN}/${t.averageValue}`;
  const current = status?.current?.averageUtilization !== undefined ? `${status.current.averageUtilization}%` : UNKNOWN;
  const target = t.averageUtilization !== undefined ? `${t.averageUtilization}%` : '<auto>';
  return `${name}: ${current}/${target}`;
}
