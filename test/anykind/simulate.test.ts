/**
 * Issue 10: a typical k8s/ folder (Deployment, Service, Ingress, HPA, PDB, ServiceAccount, Role,
 * RoleBinding, ClusterRole, ConfigMap, CronJob, a CRD and its custom resource) applied whole with
 * `--simulate`; a kind nobody serves is refused before anything is applied.
 */
import { describe, expect, test } from '@jest/globals';
import { runPlan } from '../../src/app/runPlan.js';
import { cli, onlyJson, ROOT } from '../cli/support.js';

const FOLDER = 'test/fixtures/anykind/k8s';

describe('run --simulate on a typical k8s/ folder', () => {
  test('every kind is applied, the CRD before its Widget, namespaces as scoped; exit 0', async () => {
    const run = await cli(['run', '--simulate', '-f', FOLDER, '-o', 'json'], ROOT);
    const json = onlyJson(run.stdout);
    expect(json.errors).toEqual([]);
    expect(json.result).toBe('succeeded');
    expect(run.code).toBe(0);
    const applied = (json.applied as Array<Record<string, unknown>>).map((a) =>
      [a.kind, a.namespace ?? '-', a.name, a.action, `${String(a.file).replace(`${FOLDER}/`, '')}:${a.line}`].join(' '),
    );
    // The full apply order is src/manifest/order.ts's; what matters here: the CRD comes before its Widget.
    const index = (kind: string) => applied.findIndex((a) => a.startsWith(`${kind} `));
    expect(index('CustomResourceDefinition')).toBeLessThan(index('Widget'));
    expect([...applied].sort()).toEqual(
      [
        'CustomResourceDefinition - widgets.example.com created widget-crd.yaml:1',
        'ConfigMap default shop-config created configmap.yaml:1',
        'ServiceAccount default shop created rbac.yaml:1',
        'Service default shop created service.yaml:1',
        'Deployment default shop created deployment.yaml:1',
        'Widget default shop-widget created app-widget.yaml:1',
        'HorizontalPodAutoscaler default shop created hpa.yaml:1',
        'Ingress default shop created ingress.yaml:1',
        'PodDisruptionBudget default shop created pdb.yaml:1',
        'Role default shop-reader created rbac.yaml:6',
        'RoleBinding default shop-reader created rbac.yaml:15',
        'ClusterRole - shop:widget-viewer created rbac.yaml:27',
        'CronJob default shop-report created cronjob.yaml:1',
      ].sort(),
    );
  });
});

describe('the pull-request dry run (runPlan) on the same folder', () => {
  const request = (manifests: string[]) => ({
    manifests,
    images: [],
    simulate: true,
    timeout: '10m',
    rollback: 'on-failure' as const,
    onNoGoodRevision: 'leave' as const,
    forceConflicts: false,
    cwd: ROOT,
  });

  test('plans the Deployment of a folder holding every kind', async () => {
    const { plan } = await runPlan(request([FOLDER]));
    expect(plan.errors).toEqual([]);
    expect(plan.workloads.map((w) => [w.name, w.change])).toEqual([['shop', 'create']]);
    // Not invalid: every kind is accepted. Risky only because the fixture's Deployment has no probe and no requests.
    expect(plan.verdict).toBe('risky');
  });

  test('a custom resource without its CRD: invalid at its line', async () => {
    const { plan } = await runPlan(request([`${FOLDER}/app-widget.yaml`]));
    expect(plan.verdict).toBe('invalid');
    expect(plan.errors).toEqual([
      {
        file: `${FOLDER}/app-widget.yaml`,
        line: 1,
        message:
          'no matches for kind "Widget" in version "example.com/v1": the cluster does not serve it ' +
          '(ensure CRDs are installed first, or apply its CustomResourceDefinition in the same run)',
      },
    ]);
  });
});
