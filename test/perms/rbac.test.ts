/**
 * RBAC rule matching as kube-apiserver does it (pkg/apis/rbac/v1/evaluation_helpers.go, rbac.go
 * RuleAllows), at the edges: `*` verbs, groups and resources, resourceNames, subresources and
 * `*\/subresource`, nonResourceURLs with a trailing `*`; bindings to users, groups and service
 * accounts; the 403 text; the `kubectl auth can-i` commands.
 */
import { describe, expect, test } from '@jest/globals';
import {
  authorize,
  forbidden,
  requestAttributes,
  ruleAllows,
  type PolicyRule,
  type RequestAttributes,
} from '../../src/k8s/rbac/authorize.js';
import { grantsFor } from '../../src/k8s/rbac/bindings.js';
import { canICommand } from '../../src/k8s/rbac/canI.js';
import type { KubeObject } from '../../src/k8s/objects.js';

const get = (resource: string, more: Partial<RequestAttributes> = {}): RequestAttributes => ({
  verb: 'get',
  group: '',
  resource,
  namespace: 'shop',
  ...more,
});

describe('ruleAllows', () => {
  const cases: Array<[string, PolicyRule, RequestAttributes, boolean]> = [
    ['exact verb, group, resource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, get('pods'), true],
    ['another verb', { verbs: ['list'], apiGroups: [''], resources: ['pods'] }, get('pods'), false],
    ['verb *', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, get('pods'), true],
    ['verbs are case-sensitive', { verbs: ['GET'], apiGroups: [''], resources: ['pods'] }, get('pods'), false],
    ['group * covers core', { verbs: ['get'], apiGroups: ['*'], resources: ['pods'] }, get('pods'), true],
    ['core group is "" only', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, get('pods'), false],
    ['no apiGroups matches nothing', { verbs: ['get'], resources: ['pods'] }, get('pods'), false],
    ['resource *', { verbs: ['get'], apiGroups: [''], resources: ['*'] }, get('pods'), true],
    [
      'resource * covers subresources',
      { verbs: ['get'], apiGroups: [''], resources: ['*'] },
      get('pods', { subresource: 'log' }),
      true,
    ],
    [
      'pods does not cover pods/log',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      get('pods', { subresource: 'log' }),
      false,
    ],
    [
      'pods/log covers pods/log',
      { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
      get('pods', { subresource: 'log' }),
      true,
    ],
    ['pods/log does not cover pods', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, get('pods'), false],
    [
      '*/scale covers deployments/scale',
      { verbs: ['patch'], apiGroups: ['apps'], resources: ['*/scale'] },
      { verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'shop' },
      true,
    ],
    [
      '*/scale does not cover deployments',
      { verbs: ['patch'], apiGroups: ['apps'], resources: ['*/scale'] },
      { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'shop' },
      false,
    ],
    [
      '*/scale does not cover pods/log (suffix and length)',
      { verbs: ['get'], apiGroups: [''], resources: ['*/scale'] },
      get('pods', { subresource: 'log' }),
      false,
    ],
    [
      '*/scale does not cover a subresource "le" that merely ends it',
      { verbs: ['get'], apiGroups: [''], resources: ['*/scale'] },
      get('pods', { subresource: 'le' }),
      false,
    ],
    [
      'resourceNames: a listed name',
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
      get('configmaps', { name: 'a' }),
      true,
    ],
    [
      'resourceNames: another name',
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
      get('configmaps', { name: 'b' }),
      false,
    ],
    [
      'resourceNames: a list (no name) is not covered',
      { verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
      { verb: 'list', group: '', resource: 'configmaps', namespace: 'shop' },
      false,
    ],
    [
      'resourceNames: empty list means every name',
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [] },
      get('configmaps', { name: 'b' }),
      true,
    ],
    [
      'nonResourceURLs: exact',
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      { verb: 'get', path: '/healthz' },
      true,
    ],
    [
      'nonResourceURLs: prefix *',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      { verb: 'get', path: '/apis/apps/v1' },
      true,
    ],
    [
      'nonResourceURLs: no * is no prefix',
      { verbs: ['get'], nonResourceURLs: ['/apis'] },
      { verb: 'get', path: '/apis/apps' },
      false,
    ],
    [
      'a resource rule never covers a path',
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      { verb: 'get', path: '/metrics' },
      false,
    ],
    ['a path rule never covers a resource', { verbs: ['*'], nonResourceURLs: ['*'] }, get('pods'), false],
  ];
  test.each(cases)('%s', (_name, rule, attrs, allowed) => {
    expect(ruleAllows(attrs, rule)).toBe(allowed);
  });
});

describe('authorize (bindings by namespace, default grants)', () => {
  const permissions = {
    user: 'system:serviceaccount:ci:deployer',
    roles: [
      { namespace: 'shop', rules: [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] }] },
      { rules: [{ verbs: ['get'], apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'] }] },
    ],
  };
  test('a Role grants in its namespace only; never at the cluster scope', () => {
    const deployments = { verb: 'get', group: 'apps', resource: 'deployments', name: 'web' };
    expect(authorize(permissions, { ...deployments, namespace: 'shop' })).toBe(true);
    expect(authorize(permissions, { ...deployments, namespace: 'other' })).toBe(false);
    expect(authorize(permissions, { verb: 'get', group: 'apps', resource: 'deployments' })).toBe(false);
  });
  test('a cluster-wide grant covers every namespace and the cluster scope', () => {
    const crd = { verb: 'get', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', name: 'x' };
    expect(authorize(permissions, crd)).toBe(true);
    expect(authorize(permissions, { ...crd, namespace: 'any' })).toBe(true);
  });
  test('everyone may ask what it may do, read discovery and health; nothing more', () => {
    const none = { user: 'u', roles: [] };
    const review = { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' };
    expect(authorize(none, review)).toBe(true);
    expect(authorize(none, { verb: 'get', path: '/apis/apps/v1' })).toBe(true);
    expect(authorize(none, { verb: 'get', path: '/version' })).toBe(true);
    expect(authorize(none, { verb: 'post', path: '/version' })).toBe(false);
    expect(authorize(none, { verb: 'get', path: '/metrics' })).toBe(false);
    expect(authorize(none, { ...review, resource: 'subjectaccessreviews' })).toBe(false);
  });
  test('a Namespace object is in its own namespace (RequestInfo)', () => {
    const role = {
      user: 'u',
      roles: [{ namespace: 'shop', rules: [{ verbs: ['get'], apiGroups: [''], resources: ['namespaces'] }] }],
    };
    const attrs = requestAttributes({ verb: 'get', group: '', resource: 'namespaces', name: 'shop' });
    expect(attrs).toEqual({ verb: 'get', group: '', resource: 'namespaces', namespace: 'shop', name: 'shop' });
    expect(authorize(role, attrs)).toBe(true);
    expect(authorize(role, requestAttributes({ verb: 'get', group: '', resource: 'namespaces', name: 'other' }))).toBe(
      false,
    );
  });
});

describe('the 403 of kube-apiserver (responsewriters/errors.go forbiddenMessage, apierrors.NewForbidden)', () => {
  const user = 'system:serviceaccount:ci:deployer';
  test('a named object in a namespace', () => {
    expect(
      forbidden(user, {
        verb: 'patch',
        group: 'apps',
        resource: 'deployments',
        namespace: 'shop',
        name: 'web',
      }).toStatus(),
    ).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'deployments.apps "web" is forbidden: User "system:serviceaccount:ci:deployer" cannot patch resource "deployments" in API group "apps" in the namespace "shop"',
      reason: 'Forbidden',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 403,
    });
  });
  test('a list in the core group: no name, group ""', () => {
    const err = forbidden(user, { verb: 'list', group: '', resource: 'pods', namespace: 'shop' });
    expect(err.message).toBe(
      'pods is forbidden: User "system:serviceaccount:ci:deployer" cannot list resource "pods" in API group "" in the namespace "shop"',
    );
    expect(err.details).toEqual({ kind: 'pods' });
  });
  test('a subresource and the cluster scope', () => {
    expect(
      forbidden(user, { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'shop', name: 'p' })
        .message,
    ).toBe(
      'pods "p" is forbidden: User "system:serviceaccount:ci:deployer" cannot get resource "pods/log" in API group "" in the namespace "shop"',
    );
    expect(
      forbidden(user, { verb: 'create', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' }).message,
    ).toBe(
      'customresourcedefinitions.apiextensions.k8s.io is forbidden: User "system:serviceaccount:ci:deployer" cannot create resource "customresourcedefinitions" in API group "apiextensions.k8s.io" at the cluster scope',
    );
  });
  test('a path', () => {
    expect(forbidden(user, { verb: 'get', path: '/metrics' }).message).toBe(
      'forbidden: User "system:serviceaccount:ci:deployer" cannot get path "/metrics"',
    );
  });
});

describe('kubectl auth can-i commands', () => {
  test.each([
    [
      { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'shop' },
      'kubectl auth can-i patch deployments.apps -n shop',
    ],
    [{ verb: 'list', group: '', resource: 'pods', namespace: 'shop' }, 'kubectl auth can-i list pods -n shop'],
    [
      { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'shop' },
      'kubectl auth can-i get pods --subresource=log -n shop',
    ],
    [
      { verb: 'get', group: 'coordination.k8s.io', resource: 'leases', namespace: 'shop', name: 'rollout-gate.web' },
      'kubectl auth can-i get leases.coordination.k8s.io/rollout-gate.web -n shop',
    ],
    [
      { verb: 'create', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
      'kubectl auth can-i create customresourcedefinitions.apiextensions.k8s.io --all-namespaces',
    ],
  ])('%j', (attrs, line) => {
    expect(canICommand(attrs)).toBe(line);
  });
});

describe('grantsFor (a Role file and its bindings)', () => {
  const role = (kind: string, name: string, namespace?: string): KubeObject =>
    ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind,
      metadata: { name, ...(namespace ? { namespace } : {}) },
      rules: [{ verbs: ['get'], apiGroups: [''], resources: [name] }],
    }) as KubeObject;
  const binding = (kind: string, roleKind: string, roleName: string, subject: object, namespace?: string): KubeObject =>
    ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind,
      metadata: { name: 'b', ...(namespace ? { namespace } : {}) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
      subjects: [subject],
    }) as KubeObject;
  const sa = { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' };
  const user = 'system:serviceaccount:ci:deployer';
  test('RoleBinding of a Role, of a ClusterRole; ClusterRoleBinding; subjects by user, group, service account', () => {
    const objects = [
      role('Role', 'configmaps', 'shop'),
      role('ClusterRole', 'secrets'),
      role('ClusterRole', 'nodes'),
      binding('RoleBinding', 'Role', 'configmaps', sa, 'shop'),
      binding('RoleBinding', 'ClusterRole', 'secrets', { kind: 'Group', name: 'system:serviceaccounts:ci' }, 'web'),
      binding('ClusterRoleBinding', 'ClusterRole', 'nodes', { kind: 'User', name: user }),
      // Not this identity, or no such role: nothing.
      binding('RoleBinding', 'Role', 'configmaps', { ...sa, name: 'other' }, 'shop'),
      binding('RoleBinding', 'Role', 'missing', sa, 'shop'),
      binding('RoleBinding', 'Role', 'configmaps', sa, 'elsewhere'),
    ];
    expect(grantsFor(objects, user).map((g) => [g.namespace, g.rules[0]!.resources![0]])).toEqual([
      ['shop', 'configmaps'],
      ['web', 'secrets'],
      [undefined, 'nodes'],
    ]);
  });
});
