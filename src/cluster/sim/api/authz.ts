import { ApiError } from '../../../k8s/apiError.js';
import {
  authorize,
  DEFAULT_GRANTS,
  forbidden,
  requestAttributes,
  type Permissions,
  type PolicyRule,
  type ResourceAttributes,
} from '../../../k8s/rbac/authorize.js';
import type { Simulation } from '../simulation.js';
import { decodeBody } from './body.js';
import type { ApiReply } from './resources.js';
import type { Route } from './router.js';

/**
 * Authorization for `serve` with a scenario `permissions` block: every request on a resource is
 * authorized as the scenario's user, as kube-apiserver's WithAuthorization filter does before any
 * handler runs, and refused with its 403 Status. Discovery, /version, /openapi and health are
 * allowed to everyone (system:discovery), and so are SelfSubjectAccessReview and
 * SelfSubjectRulesReview (system:basic-user), served here so `kubectl auth can-i` works.
 */

const REVIEWS = '/apis/authorization.k8s.io/v1/';

/** The review a path addresses, if any. */
export function reviewKind(pathname: string): 'access' | 'rules' | undefined {
  if (pathname === `${REVIEWS}selfsubjectaccessreviews`) return 'access';
  if (pathname === `${REVIEWS}selfsubjectrulesreviews`) return 'rules';
  return undefined;
}

/** The verb of a request on a resource (the API server's RequestInfo). */
export function verbOf(method: string, name: string | undefined, watching: boolean): string {
  switch (method) {
    case 'GET':
      return name !== undefined ? 'get' : watching ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return name !== undefined ? 'delete' : 'deletecollection';
    default:
      return 'other';
  }
}

/**
 * Authorizes one request on a resource; throws the API server's 403. A list or watch by
 * `metadata.name` field selector is authorized for that name, as RequestInfo does; a server-side
 * apply of an object that does not exist is also authorized as a create (handlers/patch.go).
 */
export function authorizeRequest(
  permissions: Permissions | undefined,
  simulation: Simulation,
  route: Extract<Route, { type: 'resource' }>,
  method: string,
  query: URLSearchParams,
  contentType: string,
  watching: boolean,
): void {
  if (!permissions) return;
  const verb = verbOf(method, route.name, watching);
  const byField = /(?:^|,)metadata\.name==?([^,]+)/.exec(query.get('fieldSelector') ?? '')?.[1];
  const name = verb === 'list' || verb === 'watch' ? byField : route.name;
  const attrs = requestAttributes({
    verb,
    group: route.info.group,
    resource: route.info.plural,
    ...(route.subresource ? { subresource: route.subresource } : {}),
    ...(route.namespace ? { namespace: route.namespace } : {}),
    ...(name ? { name } : {}),
  });
  const check = (a: ResourceAttributes): void => {
    if (!authorize(permissions, a)) throw forbidden(permissions.user, a);
  };
  check(attrs);
  const applying = verb === 'patch' && contentType.startsWith('application/apply-patch');
  if (applying && !route.subresource && !simulation.store.get(route.info.kind, route.namespace, route.name ?? ''))
    check({ ...attrs, verb: 'create' });
}

/** Serves a SelfSubjectAccessReview or SelfSubjectRulesReview (POST only). */
export function serveReview(
  kind: 'access' | 'rules',
  permissions: Permissions | undefined,
  method: string,
  body: Buffer,
  contentType: string,
): ApiReply {
  if (method !== 'POST')
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  // A protobuf review arrives here already as JSON (server.ts, ./protobuf/).
  const review = decodeBody(body, contentType, 'review') as { spec?: Record<string, unknown> };
  const spec = review?.spec ?? {};
  const base = { apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec };
  if (kind === 'rules') {
    const namespace = typeof spec.namespace === 'string' ? spec.namespace : '';
    return {
      status: 201,
      body: { kind: 'SelfSubjectRulesReview', ...base, status: rulesFor(permissions, namespace) },
    };
  }
  const attrs = spec.resourceAttributes as Partial<ResourceAttributes> | undefined;
  const path = spec.nonResourceAttributes as { verb?: string; path?: string } | undefined;
  let allowed = true;
  if (permissions && attrs)
    allowed = authorize(permissions, {
      verb: attrs.verb ?? '',
      group: attrs.group ?? '',
      resource: attrs.resource ?? '',
      ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
      ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
      ...(attrs.name ? { name: attrs.name } : {}),
    });
  else if (permissions && path) allowed = authorize(permissions, { verb: path.verb ?? '', path: path.path ?? '' });
  // RBAC gives no reason for a plain "no" (kubectl then prints just `no`).
  return { status: 201, body: { kind: 'SelfSubjectAccessReview', ...base, status: { allowed } } };
}

/** What the user may do in `namespace` (cluster-wide grants, that namespace's, the defaults). */
function rulesFor(permissions: Permissions | undefined, namespace: string): Record<string, unknown> {
  const rules: PolicyRule[] = permissions
    ? [
        ...DEFAULT_GRANTS,
        ...permissions.roles
          .filter((g) => g.namespace === undefined || g.namespace === namespace)
          .flatMap((g) => g.rules),
      ]
    : [
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        { verbs: ['*'], nonResourceURLs: ['*'] },
      ];
  return {
    resourceRules: rules
      .filter((r) => (r.resources ?? []).length > 0)
      .map(({ verbs, apiGroups, resources, resourceNames }) => ({
        verbs,
        ...(apiGroups ? { apiGroups } : {}),
        ...(resources ? { resources } : {}),
        ...(resourceNames ? { resourceNames } : {}),
      })),
    nonResourceRules: rules
      .filter((r) => (r.nonResourceURLs ?? []).length > 0)
      .map(({ verbs, nonResourceURLs }) => ({ verbs, nonResourceURLs })),
    incomplete: false,
  };
}
