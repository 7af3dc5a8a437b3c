/**
 * Issue 10: a typical k8s/ folder (Deployment, Service, Ingress, HPA, PDB, ServiceAccount, Role,
 * RoleBinding, ClusterRole, ConfigMap, CronJob, a CRD and its custom resource) applied whole with
 * `--simulate`; a kind nobody serves is refused before anything is applied.
 */
import { describe, expect, test } from '@jest/globals';
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
