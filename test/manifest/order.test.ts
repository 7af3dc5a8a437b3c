import { describe, expect, it, test } from '@jest/globals';
import {
  APPLY_ORDER,
  applyRankOf,
  crdDependencies,
  CUSTOM_RESOURCE_RANK,
  sortForApply,
} from '../../src/manifest/order.js';
import type { ManifestDocument } from '../../src/manifest/types.js';

const doc = (kind: string, name: string, apiVersion?: string, spec?: unknown): ManifestDocument => ({
  file: 'f.yaml',
  line: 1,
  object: { ...(apiVersion ? { apiVersion } : {}), kind, metadata: { name }, ...(spec ? { spec } : {}) },
  imageLines: {},
});
const names = (docs: ManifestDocument[]) => docs.map((d) => d.object.metadata.name);

test('apply order by kind, stable within a rank', () => {
  const input = [
    doc('Deployment', 'a'),
    doc('Service', 's'),
    doc('ConfigMap', 'c1'),
    doc('Deployment', 'b'),
    doc('Secret', 'x'),
    doc('Namespace', 'ns'),
    doc('PersistentVolumeClaim', 'p'),
    doc('ServiceAccount', 'sa'),
    doc('ConfigMap', 'c2'),
  ];
  // ServiceAccount before Secret/ConfigMap (one rank: input order), then PVC, Service, workloads.
  expect(names(sortForApply(input))).toEqual(['ns', 'sa', 'c1', 'x', 'c2', 'p', 's', 'a', 'b']);
  expect(input[0]!.object.metadata.name).toBe('a'); // input untouched
});

test('a typical team folder applies in the order issue 10 asks for', () => {
  const input = [
    doc('ValidatingWebhookConfiguration', 'vwc', 'admissionregistration.k8s.io/v1'),
    doc('Widget', 'w1', 'example.com/v1'),
    doc('Ingress', 'ing', 'networking.k8s.io/v1'),
    doc('PodDisruptionBudget', 'pdb', 'policy/v1'),
    doc('HorizontalPodAutoscaler', 'hpa', 'autoscaling/v2'),
    doc('CronJob', 'cron', 'batch/v1'),
    doc('Deployment', 'web', 'apps/v1'),
    doc('Service', 'svc', 'v1'),
    doc('ConfigMap', 'cm', 'v1'),
    doc('RoleBinding', 'rb', 'rbac.authorization.k8s.io/v1'),
    doc('Role', 'role', 'rbac.authorization.k8s.io/v1'),
    doc('ServiceAccount', 'sa', 'v1'),
    doc('ClusterRoleBinding', 'crb', 'rbac.authorization.k8s.io/v1'),
    doc('ClusterRole', 'cr', 'rbac.authorization.k8s.io/v1'),
    doc('PriorityClass', 'pc', 'scheduling.k8s.io/v1'),
    doc('CustomResourceDefinition', 'crd', 'apiextensions.k8s.io/v1'),
    doc('Namespace', 'ns', 'v1'),
  ];
  expect(names(sortForApply(input))).toEqual([
    'ns',
    'crd',
    'pc',
    'cr',
    'crb',
    'sa',
    'role',
    'rb',
    'cm',
    'svc',
    'cron',
    'web',
    'pdb',
    'hpa',
    'ing',
    'w1',
    'vwc',
  ]);
});

describe('applyRankOf', () => {
  it('knows a kind only in its own API groups: a Knative Service is a custom resource', () => {
    expect(applyRankOf({ apiVersion: 'v1', kind: 'Service' })?.rank).toBe(27);
    expect(applyRankOf({ apiVersion: 'serving.knative.dev/v1', kind: 'Service' })).toBeUndefined();
    expect(applyRankOf({ apiVersion: 'extensions/v1beta1', kind: 'Ingress' })?.rank).toBe(41);
    expect(applyRankOf({ kind: 'Deployment' })?.rank).toBe(30);
  });

  it('puts custom resources after every CRD and config and before every webhook', () => {
    const rank = (kind: string) => APPLY_ORDER.find((e) => e.kind === kind)!.rank;
    expect(rank('CustomResourceDefinition')).toBeLessThan(CUSTOM_RESOURCE_RANK);
    expect(rank('Ingress')).toBeLessThan(CUSTOM_RESOURCE_RANK);
    for (const kind of ['APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'])
      expect(rank(kind)).toBeGreaterThan(CUSTOM_RESOURCE_RANK);
  });

  it('gives every entry a reason and lists each kind once', () => {
    const kinds = APPLY_ORDER.map((e) => e.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const entry of APPLY_ORDER) expect(entry.why.length).toBeGreaterThan(10);
  });

  it("agrees with Helm's InstallOrder wherever it does not say otherwise", () => {
    // Helm pkg/release/v1/util/kind_sorter.go InstallOrder, minus the List kinds and the
    // removed PodSecurityPolicy. Our deliberate differences are documented in order.ts:
    // PDB and HPA after workloads; NetworkPolicy and the quota kinds after cluster config;
    // IngressClass with cluster config; workloads one rank (input order).
    const chains = [
      ['Namespace', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'Service', 'Deployment', 'Ingress'],
      ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'Deployment'],
      ['ServiceAccount', 'Secret', 'PersistentVolumeClaim', 'Service', 'Job', 'Ingress', 'APIService'],
      ['APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    ];
    const rank = (kind: string) => applyRankOf({ kind })!.rank;
    for (const chain of chains)
      for (const [i, kind] of chain.entries()) if (i > 0) expect(rank(chain[i - 1]!)).toBeLessThan(rank(kind));
  });
});

describe('crdDependencies', () => {
  const crd = (name: string, group: string, kind: string) =>
    doc('CustomResourceDefinition', name, 'apiextensions.k8s.io/v1', { group, names: { kind, plural: 'x' } });

  it('pairs each CRD of the run with the custom resources of its group and kind', () => {
    const widgets = crd('widgets.example.com', 'example.com', 'Widget');
    const gadgets = crd('gadgets.example.com', 'example.com', 'Gadget');
    const unused = crd('things.other.io', 'other.io', 'Thing');
    const w1 = doc('Widget', 'w1', 'example.com/v1');
    const w2 = doc('Widget', 'w2', 'example.com/v1beta1');
    const g1 = doc('Gadget', 'g1', 'example.com/v1');
    const foreign = doc('Widget', 'f', 'other.io/v1'); // same kind, other group: its CRD is not in the run
    const deps = crdDependencies([w1, widgets, g1, gadgets, unused, w2, foreign, doc('Deployment', 'd', 'apps/v1')]);
    expect(deps.map((d) => [d.crd.object.metadata.name, names(d.resources)])).toEqual([
      ['widgets.example.com', ['w1', 'w2']],
      ['gadgets.example.com', ['g1']],
    ]);
  });

  it('ignores CRD documents without group or kind (validation reports them)', () => {
    const broken = doc('CustomResourceDefinition', 'broken', 'apiextensions.k8s.io/v1', { names: {} });
    expect(crdDependencies([broken, doc('Widget', 'w', 'example.com/v1')])).toEqual([]);
  });
});
