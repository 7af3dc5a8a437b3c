import { ApiError } from '../../../k8s/apiError.js';
import type { Pod } from '../../../k8s/objects.js';
import { setPodScheduled } from '../scheduler/scheduler.js';
import type { Simulation } from '../simulation.js';
import { decodeBody } from './body.js';
import type { ApiReply } from './resources.js';

/**
 * `POST .../pods/<name>/binding` and `POST .../namespaces/<ns>/bindings`: a custom scheduler binds
 * a pod to a node, as kube-apiserver's BindingREST does
 * (https://github.com/kubernetes/kubernetes/blob/release-1.32/pkg/registry/core/pod/storage/storage.go,
 * Create, assignPod, setPodNodeName): the node name and PodScheduled=True are written, the
 * binding's annotations copied onto the pod; a bound or deleting pod is refused. The simulated
 * scheduler then counts the pod on that node (it schedules only pods without a node).
 */
export function bindPod(
  simulation: Simulation,
  namespace: string,
  podName: string | undefined,
  method: string,
  body: Buffer,
  contentType: string,
): ApiReply {
  if (method !== 'POST')
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const binding = decodeBody(body, contentType, 'Binding') as {
    metadata?: { name?: string; annotations?: Record<string, string> };
    target?: { kind?: string; name?: string };
  };
  const name = binding.metadata?.name ?? '';
  if (podName !== undefined && name !== podName)
    throw ApiError.badRequest('name in URL does not match name in Binding object');
  // validation.ValidatePodBinding, returned as a plain aggregate error: a 500 as upstream answers it.
  const kind = binding.target?.kind ?? '';
  if (kind !== '' && kind !== 'Node')
    throw internal(`target.kind: Unsupported value: "${kind}": supported values: "Node", "<empty>"`);
  const node = binding.target?.name ?? '';
  if (node === '') throw internal('target.name: Required value');
  const pod = simulation.store.get<Pod>('Pod', namespace, name);
  if (!pod) throw ApiError.notFound('pods', name);
  if (pod.metadata.deletionTimestamp) throw internal(`pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec?.nodeName)
    throw new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on pods "${name}": pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
      { name, kind: 'pods' },
    );
  if ((pod.spec as { schedulingGates?: unknown[] } | undefined)?.schedulingGates?.length)
    throw internal(`pod ${name} has non-empty .spec.schedulingGates`);
  const annotations = binding.metadata?.annotations;
  const next: Pod = {
    ...pod,
    metadata: annotations
      ? { ...pod.metadata, annotations: { ...pod.metadata.annotations, ...annotations } }
      : pod.metadata,
    spec: { ...pod.spec!, nodeName: node },
    status: {
      ...(pod.status ?? {}),
      conditions: setPodScheduled(
        pod.status?.conditions,
        { type: 'PodScheduled', status: 'True' },
        simulation.clock.now(),
      ),
    },
  };
  simulation.store.update('Pod', next);
  simulation.settle();
  return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
}

function internal(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
}
