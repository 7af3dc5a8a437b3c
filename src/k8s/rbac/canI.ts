import { groupResource, type ResourceAttributes } from './authorize.js';

/**
 * The `kubectl auth can-i` command that asks the API server the same question (a
 * SelfSubjectAccessReview with these attributes), for a cluster admin to run as the identity:
 * `kubectl auth can-i patch deployments.apps -n shop`, `kubectl auth can-i get pods --subresource=log -n shop`.
 * A cluster-scoped question needs `--all-namespaces`: without it kubectl sends the kubeconfig's
 * namespace, which a RoleBinding there could answer wrongly (kubectl/pkg/cmd/auth/cani.go).
 */
export function canICommand(attrs: ResourceAttributes): string {
  const target = groupResource(attrs.group, attrs.resource) + (attrs.name ? `/${attrs.name}` : '');
  return [
    'kubectl auth can-i',
    attrs.verb,
    target,
    ...(attrs.subresource ? [`--subresource=${attrs.subresource}`] : []),
    attrs.namespace ? `-n ${attrs.namespace}` : '--all-namespaces',
  ].join(' ');
}
