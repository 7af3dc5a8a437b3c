/**
 * The permission planner (src/gate/permissions/plan.ts): the exact list a folder needs, in the order
 * first needed, deduplicated, with what each is for and which ones the run can do without.
 */
import { describe, expect, test } from '@jest/globals';
import { builtinResource } from '../../src/k8s/builtinResources.js';
import { crdDefines, isCrd } from '../../src/k8s/crd.js';
import { canICommand } from '../../src/k8s/rbac/canI.js';
import { neededPermissions, type Need, type PlannedDocument } from '../../src/gate/permissions/plan.js';
import { loadManifests } from '../../src/manifest/index.js';
import { ROOT } from '../cli/support.js';

function planned(pattern: string): PlannedDocument[] {
  const { documents, errors } = loadManifests({
    patterns: [pattern],
    cwd: ROOT,
    defaultNamespace: 'default',
    images: [],
  });
  expect(errors).toEqual([]);
  const crds = documents.map((d) => d.object).filter(isCrd);
  return documents.map((d) => {
    const { apiVersion = '', kind = '' } = d.object;
    const builtin = builtinResource(apiVersion, kind);
    const mapping = builtin
      ? { plural: builtin.plural, namespaced: builtin.namespaced }
      : crds.map((c) => crdDefines(c, apiVersion, kind)).find(Boolean)!;
    return { ...d, mapping };
  });
}

/** A need as one line: the can-i command with its name, `(if absent)` and `(optional)` markers. */
const show = (n: Need): string =>
  canICommand(n.attrs) + (n.whenAbsent ? ' (if absent)' : '') + (n.withoutIt ? ' (optional)' : '');

describe('neededPermissions', () => {
  test('examples/rbac/app-v2.yaml: a ConfigMap, a Service and a Deployment in shop', () => {
    const needs = neededPermissions(planned('examples/rbac/app-v2.yaml'), {
      rollback: 'on-failure',
      onNoGoodRevision: 'leave',
    });
    expect(needs.map(show)).toEqual([
      'kubectl auth can-i get configmaps/web-config -n shop',
      'kubectl auth can-i patch configmaps/web-config -n shop',
      'kubectl auth can-i create configmaps/web-config -n shop (if absent)',
      'kubectl auth can-i get services/web -n shop',
      'kubectl auth can-i patch services/web -n shop',
      'kubectl auth can-i create services/web -n shop (if absent)',
      'kubectl auth can-i get deployments.apps/web -n shop',
      'kubectl auth can-i patch deployments.apps/web -n shop',
      'kubectl auth can-i create deployments.apps/web -n shop (if absent)',
      'kubectl auth can-i list deployments.apps -n shop',
      'kubectl auth can-i watch deployments.apps -n shop',
      'kubectl auth can-i list replicasets.apps -n shop',
      'kubectl auth can-i watch replicasets.apps -n shop',
      'kubectl auth can-i list pods -n shop',
      'kubectl auth can-i watch pods -n shop',
      'kubectl auth can-i list events -n shop',
      'kubectl auth can-i watch events -n shop',
      'kubectl auth can-i get pods --subresource=log -n shop (optional)',
      'kubectl auth can-i get leases.coordination.k8s.io/rollout-gate.web -n shop (optional)',
      'kubectl auth can-i create leases.coordination.k8s.io -n shop (optional)',
      'kubectl auth can-i update leases.coordination.k8s.io/rollout-gate.web -n shop (optional)',
    ]);
    expect(needs.find((n) => n.attrs.verb === 'patch' && n.attrs.resource === 'deployments')).toMatchObject({
      why: ['apply deployment "web"'],
      file: 'examples/rbac/app-v2.yaml',
      line: 22,
    });
  });

  test('a typical folder with a CRD: cluster-scoped kinds at the cluster scope; delete only when the gate deletes', () => {
    const docs = planned('test/fixtures/anykind/k8s');
    const leave = neededPermissions(docs, { rollback: 'on-failure', onNoGoodRevision: 'leave' }).map(show);
    const del = neededPermissions(docs, { rollback: 'on-failure', onNoGoodRevision: 'delete' }).map(show);
    const never = neededPermissions(docs, { rollback: 'never', onNoGoodRevision: 'delete' }).map(show);
    expect(leave).toContain(
      'kubectl auth can-i get customresourcedefinitions.apiextensions.k8s.io/widgets.example.com --all-namespaces',
    );
    expect(leave).toContain(
      'kubectl auth can-i patch clusterroles.rbac.authorization.k8s.io/shop:widget-viewer --all-namespaces',
    );
    expect(leave).toContain('kubectl auth can-i patch widgets.example.com/shop-widget -n default');
    expect(leave.filter((l) => l.includes(' delete '))).toEqual([]);
    expect(del.filter((l) => !leave.includes(l))).toEqual([
      'kubectl auth can-i delete deployments.apps/shop -n default',
    ]);
    expect(never).toEqual(leave);
    // One line per question: no duplicates.
    expect(new Set(leave).size).toBe(leave.length);
  });

  test('a need that is unconditional anywhere is unconditional', () => {
    // The Deployment's own get is both "apply" (required) and nothing optional: required it stays.
    const needs = neededPermissions(planned('examples/rbac/app-v2.yaml'), {
      rollback: 'on-failure',
      onNoGoodRevision: 'leave',
    });
    expect(needs.filter((n) => n.withoutIt).map((n) => n.attrs.resource)).toEqual([
      'pods',
      'leases',
      'leases',
      'leases',
    ]);
  });
});
