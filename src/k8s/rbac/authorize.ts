import { ApiError } from '../apiError.js';

/**
 * RBAC as kube-apiserver evaluates it, for the simulator's `permissions` (scenario) and for tests:
 * rule matching from pkg/apis/rbac/v1/evaluation_helpers.go and plugin/pkg/auth/authorizer/rbac/rbac.go
 * (RuleAllows), the default grants every authenticated user has (system:discovery,
 * system:basic-user, system:public-info-viewer: plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go),
 * and the 403 text of k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go (forbiddenMessage).
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/rbac/v1/evaluation_helpers.go
 */

/** rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** The rules of one Role bound in `namespace`, or of a ClusterRole bound cluster-wide (no namespace). */
export interface RoleGrant {
  namespace?: string;
  rules: PolicyRule[];
}

/** Who the requests come from and what that identity is bound to. */
export interface Permissions {
  user: string;
  roles: RoleGrant[];
}

/** A request as the authorizer sees it (authorizer.Attributes). */
export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

export interface ResourceAttributes {
  verb: string;
  /** '' for core. */
  group: string;
  /** Plural, e.g. `deployments`. */
  resource: string;
  subresource?: string;
  /** Absent (or '') for cluster-scoped requests and lists across namespaces. */
  namespace?: string;
  name?: string;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export function isResourceRequest(attrs: RequestAttributes): attrs is ResourceAttributes {
  return 'resource' in attrs;
}

/** VerbMatches: `*` or the verb itself. */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === '*' || v === verb);
}

/** APIGroupMatches: `*` or the group itself ('' is the core group). */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === '*' || g === group);
}

/**
 * ResourceMatches: `*`, the combined `resource/subresource`, or `*\/subresource`. A plain
 * `pods` does not grant `pods/log`: subresources are named on their own.
 */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string | undefined): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (!subresource) continue;
    if (r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** ResourceNameMatches: no names means every name; else the request's name must be listed (a list has none). */
export function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.some((n) => n === (name ?? ''));
}

/** NonResourceURLMatches: `*`, the path itself, or a prefix ending in `*`. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))),
  );
}

/** RuleAllows of rbac.go. */
export function ruleAllows(attrs: RequestAttributes, rule: PolicyRule): boolean {
  if (!isResourceRequest(attrs)) return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.path);
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  return (
    verbMatches(rule, attrs.verb) &&
    apiGroupMatches(rule, attrs.group) &&
    resourceMatches(rule, combined, attrs.subresource) &&
    resourceNameMatches(rule, attrs.name)
  );
}

/**
 * What every authenticated identity may do whatever its bindings (the default ClusterRoleBindings
 * to system:authenticated): discovery and health (system:discovery, system:public-info-viewer), and
 * asking what it may do (system:basic-user).
 */
export const DEFAULT_GRANTS: readonly PolicyRule[] = [
  {
    verbs: ['get'],
    nonResourceURLs: [
      '/api',
      '/api/*',
      '/apis',
      '/apis/*',
      '/healthz',
      '/livez',
      '/openapi',
      '/openapi/*',
      '/readyz',
      '/version',
      '/version/',
    ],
  },
  {
    verbs: ['create'],
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];

/**
 * The RBAC decision: allowed when a cluster-wide grant, a grant of the request's namespace, or a
 * default grant has a matching rule. A Role bound in a namespace never allows cluster-scoped requests
 * (nor lists across namespaces). The attributes are taken as given: see {@link requestAttributes}
 * for how a request's namespace is found.
 */
export function authorize(permissions: Permissions, attrs: RequestAttributes): boolean {
  if (DEFAULT_GRANTS.some((rule) => ruleAllows(attrs, rule))) return true;
  const namespace = isResourceRequest(attrs) ? (attrs.namespace ?? '') : '';
  return permissions.roles.some(
    (grant) =>
      (grant.namespace === undefined || (namespace !== '' && grant.namespace === namespace)) &&
      grant.rules.some((rule) => ruleAllows(attrs, rule)),
  );
}

/**
 * The attributes of a request on a resource as the API server's RequestInfo derives them: a
 * Namespace object is in its own namespace (`GET /api/v1/namespaces/shop` is in namespace `shop`,
 * so a Role there may read it). A create (POST) has no name: its callers give none.
 */
export function requestAttributes(attrs: ResourceAttributes): ResourceAttributes {
  const { namespace, name, subresource, ...rest } = attrs;
  const ownNamespace = attrs.group === '' && attrs.resource === 'namespaces' && name ? name : namespace;
  return {
    ...rest,
    ...(subresource ? { subresource } : {}),
    ...(ownNamespace ? { namespace: ownNamespace } : {}),
    ...(name ? { name } : {}),
  };
}

/** `deployments.apps`, `pods`: how API messages name a resource (schema.GroupResource.String). */
export function groupResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** forbiddenMessage of responsewriters/errors.go (with its HTML-escaping sanitizer). */
export function forbiddenMessage(user: string, attrs: RequestAttributes): string {
  const q = JSON.stringify;
  let text: string;
  if (!isResourceRequest(attrs)) text = `User ${q(user)} cannot ${attrs.verb} path ${q(attrs.path)}`;
  else {
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const head = `User ${q(user)} cannot ${attrs.verb} resource ${q(resource)} in API group ${q(attrs.group)}`;
    text = attrs.namespace ? `${head} in the namespace ${q(attrs.namespace)}` : `${head} at the cluster scope`;
  }
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

/**
 * The 403 kube-apiserver answers (apierrors.NewForbidden): `<resource>.<group> "<name>" is
 * forbidden: <forbiddenMessage>`, details naming the group, the resource (as `kind`) and the name.
 */
export function forbidden(user: string, attrs: RequestAttributes): ApiError {
  const message = forbiddenMessage(user, attrs);
  if (!isResourceRequest(attrs)) return new ApiError(403, 'Forbidden', `forbidden: ${message}`, {});
  const qualified = groupResource(attrs.group, attrs.resource);
  const name = attrs.name ?? '';
  return new ApiError(
    403,
    'Forbidden',
    name ? `${qualified} ${JSON.stringify(name)} is forbidden: ${message}` : `${qualified} is forbidden: ${message}`,
    { ...(name ? { name } : {}), ...(attrs.group ? { group: attrs.group } : {}), kind: attrs.resource },
  );
}
