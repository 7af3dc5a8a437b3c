import type { KubeObject } from '../objects.js';
import type { PolicyRule, RoleGrant } from './authorize.js';

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

interface RbacObject extends KubeObject {
  rules?: PolicyRule[];
  roleRef?: { kind?: string; name?: string };
  subjects?: Subject[];
}

/**
 * The groups the API server puts a user in: a ServiceAccount's token authenticates as
 * `system:serviceaccount:<ns>:<name>` in `system:serviceaccounts` and `system:serviceaccounts:<ns>`
 * (k8s.io/apiserver/pkg/authentication/serviceaccount/util.go); everyone authenticated is in
 * `system:authenticated`.
 */
export function groupsOf(user: string): string[] {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  return sa
    ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`, 'system:authenticated']
    : ['system:authenticated'];
}

/** appliesToUser of plugin/pkg/auth/authorizer/rbac/rbac.go. */
export function subjectMatches(subject: Subject, user: string, bindingNamespace: string | undefined): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user;
    case 'Group':
      return groupsOf(user).includes(subject.name ?? '');
    case 'ServiceAccount':
      return user === `system:serviceaccount:${subject.namespace ?? bindingNamespace ?? ''}:${subject.name ?? ''}`;
    default:
      return false;
  }
}

/**
 * What `user` is granted by a set of RBAC objects (a Role file): each RoleBinding naming the user
 * grants its Role's (or ClusterRole's) rules in the binding's namespace, each ClusterRoleBinding its
 * ClusterRole's rules cluster-wide. Roles nobody binds to the user grant nothing, as on a cluster;
 * a binding to a role not in the objects grants nothing either.
 */
export function grantsFor(objects: readonly KubeObject[], user: string): RoleGrant[] {
  const rbac = objects.filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1') as RbacObject[];
  const find = (kind: string, name: string | undefined, namespace?: string): RbacObject | undefined =>
    rbac.find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (kind === 'ClusterRole' || (o.metadata.namespace ?? 'default') === namespace),
    );
  const grants: RoleGrant[] = [];
  for (const binding of rbac) {
    if (binding.kind !== 'RoleBinding' && binding.kind !== 'ClusterRoleBinding') continue;
    const namespace = binding.kind === 'RoleBinding' ? (binding.metadata.namespace ?? 'default') : undefined;
    if (!(binding.subjects ?? []).some((s) => subjectMatches(s, user, namespace))) continue;
    const ref = binding.roleRef ?? {};
    const role =
      ref.kind === 'Role' && namespace !== undefined
        ? find('Role', ref.name, namespace)
        : ref.kind === 'ClusterRole'
          ? find('ClusterRole', ref.name)
          : undefined;
    if (role) grants.push({ ...(namespace !== undefined ? { namespace } : {}), rules: role.rules ?? [] });
  }
  return grants;
}
