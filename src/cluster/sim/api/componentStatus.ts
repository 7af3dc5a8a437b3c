import { ApiError } from '../../../k8s/apiError.js';
import type { KubeObject } from '../../../k8s/objects.js';
import type { KindInfo } from '../store/kinds.js';
import type { ApiReply } from './resources.js';
import { toTable, type IncludeObject } from './table.js';

/**
 * `componentstatuses` (v1, deprecated since v1.19, get and list only): the health of the control
 * plane as kube-apiserver probes it
 * (https://github.com/kubernetes/kubernetes/blob/release-1.32/pkg/registry/core/componentstatus/rest.go).
 * The simulated scheduler, controller manager and store are always up: every component is Healthy
 * with the message `ok`. Served without being stored, like the reviews.
 */
export const COMPONENT_STATUS: KindInfo = {
  kind: 'ComponentStatus',
  plural: 'componentstatuses',
  group: '',
  apiVersion: 'v1',
  namespaced: false,
  verbs: ['get', 'list'],
  shortNames: ['cs'],
};

/** The warning every request on the resource carries (the API's deprecation, installer.go). */
export const DEPRECATED = 'v1 ComponentStatus is deprecated in v1.19+';

const COMPONENTS = ['scheduler', 'controller-manager', 'etcd-0'];

function componentStatus(name: string): KubeObject {
  return {
    kind: 'ComponentStatus',
    apiVersion: 'v1',
    metadata: { name },
    conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }],
  } as KubeObject;
}

/** `GET /api/v1/componentstatuses[/<name>]`, as JSON or as the Table kubectl asks for. */
export function serveComponentStatuses(
  method: string,
  name: string | undefined,
  now: number,
  table: IncludeObject | undefined,
): ApiReply {
  if (method !== 'GET')
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const items = COMPONENTS.filter((c) => name === undefined || c === name).map(componentStatus);
  if (name !== undefined && items.length === 0) throw ApiError.notFound('componentstatuses', name);
  // The deprecation warning is the server's (server.ts): it goes on failures too.
  if (table) return { status: 200, body: toTable('ComponentStatus', items, now, { include: table }) };
  if (name !== undefined) return { status: 200, body: items[0] };
  return { status: 200, body: { kind: 'ComponentStatusList', apiVersion: 'v1', metadata: {}, items } };
}
