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
import { permissionsFor, type Identity } from './authn.js';
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
const AUTHN = '/apis/authentication.k8s.io/v1/';

/** A review: created, answered, never stored. */
export type Review =
  { kind: 'access' | 'rules' | 'whoami' | 'token' | 'subject' } | { kind: 'local'; namespace: string };

/** The review a path addresses, if any. */
export function reviewKind(pathname: string): Review | undefined {
  if (pathname === `${REVIEWS}selfsubjectaccessreviews`) return { kind: 'access' };
  if (pathname === `${REVIEWS}selfsubjectrulesreviews`) return { kind: 'rules' };
  if (pathname === `${REVIEWS}subjectaccessreviews`) return { kind: 'subject' };
  if (pathname === `${AUTHN}selfsubjectreviews`) return { kind: 'whoami' };
  if (pathname === `${AUTHN}tokenreviews`) return { kind: 'token' };
  const local = /^\/apis\/authorization\.k8s\.io\/v1\/namespaces\/([^/]+)\/localsubjectaccessreviews$/.exec(pathname);
  if (local) return { kind: 'local', namespace: decodeURIComponent(local[1]!) };
  return undefined;
}

/**
 * The create permission a review needs beyond the defaults (SubjectAccessReview, its local
 * form and TokenReview are not granted to every user: system:auth-delegator and admins have them).
 */
export function authorizeReview(review: Review, who: Identity): void {
  const resource = { subject: 'subjectaccessreviews', local: 'localsubjectaccessreviews', token: 'tokenreviews' }[
    review.kind as 'subject' | 'local' | 'token'
  ];
  if (!resource || !who.permissions) return;
  const attrs = {
    verb: 'create',
    group: review.kind === 'token' ? 'authentication.k8s.io' : 'authorization.k8s.io',
    resource,
    ...(review.kind === 'local' ? { namespace: review.namespace } : {}),
  };
  if (!authorize(who.permissions, attrs)) throw forbidden(who.username, attrs);
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

/**
 * Serves a SelfSubjectAccessReview or SelfSubjectRulesReview (as `who`), or a SubjectAccessReview
 * or LocalSubjectAccessReview (as the spec's user and groups), POST only: one RBAC evaluator
 * answers them all (pkg/registry/authorization/subjectaccessreview/rest.go).
 */
export function serveReview(
  review: Review,
  who: Identity,
  scenario: Permissions | undefined,
  method: string,
  body: Buffer,
  contentType: string,
): ApiReply {
  if (method !== 'POST')
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  // A protobuf review arrives here already as JSON (server.ts, ./protobuf/).
  const decoded = decodeBody(body, contentType, 'review') as {
    metadata?: Record<string, unknown>;
    spec?: Record<string, unknown>;
  };
  const spec = decoded?.spec ?? {};
  const base = { apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec };
  if (review.kind === 'rules') {
    const namespace = typeof spec.namespace === 'string' ? spec.namespace : '';
    return {
      status: 201,
      body: { kind: 'SelfSubjectRulesReview', ...base, status: rulesFor(who.permissions, namespace) },
    };
  }
  let permissions = who.permissions;
  let kind = 'SelfSubjectAccessReview';
  let meta: Record<string, unknown> = base.metadata;
  if (review.kind === 'subject' || review.kind === 'local') {
    const user = typeof spec.user === 'string' ? spec.user : '';
    const groups = Array.isArray(spec.groups) ? (spec.groups as string[]) : [];
    if (user === '' && groups.length === 0)
      throw ApiError.badRequest('at least one of user or group must be specified');
    permissions = permissionsFor(user, groups, scenario);
    kind = review.kind === 'local' ? 'LocalSubjectAccessReview' : 'SubjectAccessReview';
    if (review.kind === 'local') {
      const attrs = spec.resourceAttributes as { namespace?: string } | undefined;
      if (attrs && attrs.namespace !== review.namespace)
        throw ApiError.badRequest(`spec.resourceAttributes.namespace must match namespace: ${review.namespace}`);
      meta = { namespace: review.namespace, creationTimestamp: null };
    }
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
  return { status: 201, body: { kind, ...base, metadata: meta, status: { allowed } } };
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
