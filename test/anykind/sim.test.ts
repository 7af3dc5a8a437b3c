/**
 * Issue 10 in the simulator: every built-in kind stored generically, CRDs served with their
 * conditions, plausible statuses for kinds without a controller, and the gate's two new steps
 * (resolving kinds before anything is applied; waiting until a CRD is Established), on the
 * virtual clock at and just past their boundaries.
 */
import { describe, expect, test } from '@jest/globals';
import { applyObject } from '../../src/cluster/sim/applyObject.js';
import { createSimulatedCluster, defaultScenario, type SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import { applyManifests, ApplyError } from '../../src/gate/applyManifests.js';
import { CRD_ESTABLISHED_TIMEOUT_MS } from '../../src/gate/crdEstablished.js';
import { resolveKinds } from '../../src/gate/resolveKinds.js';
import type { CustomResourceDefinition } from '../../src/k8s/crd.js';
import type { Deployment, KubeObject } from '../../src/k8s/objects.js';
import type { ManifestDocument } from '../../src/manifest/index.js';
import { deployment } from '../gate/support.js';

const T = '2026-01-01T00:00:00Z';

function widgetCrd(
  o: { name?: string; kind?: string; plural?: string; scope?: string; shortNames?: string[] } = {},
): CustomResourceDefinition {
  const plural = o.plural ?? 'widgets';
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: o.name ?? `${plural}.example.com` },
    spec: {
      group: 'example.com',
      scope: o.scope ?? 'Namespaced',
      names: { plural, singular: plural.slice(0, -1), kind: o.kind ?? 'Widget', shortNames: o.shortNames ?? ['wg'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          // A v1 CRD needs a schema (a real API server refuses one without): this one keeps any field.
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

function widget(name: string, spec: Record<string, unknown> = { size: 1 }): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec };
}

function apply(parts: SimulatedClusterParts, obj: KubeObject): KubeObject {
  const { object } = applyObject(parts.simulation.store, obj, { manager: 'test', force: true, time: T });
  parts.simulation.settle();
  return object;
}

function doc(object: KubeObject, line: number): ManifestDocument {
  return { file: 'k8s/all.yaml', line, object, imageLines: {} };
}

describe('generic storage of built-in kinds without a controller', () => {
  test('an Ingress gets uid, resourceVersion, creationTimestamp, generation; generation moves on spec changes only', () => {
    const parts = createSimulatedCluster();
    const events: string[] = [];
    parts.simulation.store.watch(
      (e) => e.kind === 'Ingress' && events.push(`${e.type} ${e.object.metadata.generation}`),
    );
    const ingress: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'shop', namespace: 'default' },
      spec: { defaultBackend: { service: { name: 'shop', port: { number: 80 } } } },
    };
    const created = apply(parts, ingress);
    expect(created.metadata).toMatchObject({ generation: 1, creationTimestamp: expect.any(String) });
    expect(created.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    const labelled = apply(parts, { ...ingress, metadata: { ...ingress.metadata, labels: { team: 'a' } } });
    expect(labelled.metadata.generation).toBe(1);
    expect(Number(labelled.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    const moved = apply(parts, {
      ...ingress,
      metadata: { ...ingress.metadata, labels: { team: 'a' } },
      spec: { defaultBackend: { service: { name: 'shop', port: { number: 8080 } } } },
    });
    expect(moved.metadata.generation).toBe(2);
    expect(events).toEqual(['ADDED 1', 'MODIFIED 1', 'MODIFIED 2']);
  });

  test('kinds without a spec have no generation; cluster-scoped kinds have no namespace', () => {
    const parts = createSimulatedCluster();
    const role = apply(parts, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:shop', namespace: 'stray' },
      rules: [],
    });
    expect(role.metadata.generation).toBeUndefined();
    expect(role.metadata.namespace).toBeUndefined();
  });

  test('HPA is served in autoscaling/v2 and v1; a removed version is not', () => {
    const kinds = createSimulatedCluster().simulation.store.kinds;
    expect(kinds.lookup('autoscaling/v2', 'HorizontalPodAutoscaler')?.plural).toBe('horizontalpodautoscalers');
    expect(kinds.lookup('autoscaling/v1', 'HorizontalPodAutoscaler')?.plural).toBe('horizontalpodautoscalers');
    expect(kinds.lookup('autoscaling/v2beta2', 'HorizontalPodAutoscaler')).toBeUndefined();
    expect(kinds.lookup('example.com/v1', 'Widget')).toBeUndefined();
  });

  test('garbage collection: removing an owner removes what it controls, whatever the kinds', () => {
    const parts = createSimulatedCluster();
    apply(parts, widgetCrd());
    const owner = apply(parts, widget('w'));
    apply(parts, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'w-config',
        namespace: 'default',
        ownerReferences: [
          { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: owner.metadata.uid!, controller: true },
        ],
      },
    });
    parts.simulation.store.delete('Widget', 'default', 'w');
    parts.simulation.settle();
    expect(parts.simulation.store.get('ConfigMap', 'default', 'w-config')).toBeUndefined();
  });
});

describe('CustomResourceDefinitions', () => {
  test('accepted: NamesAccepted and Established True, the kind is served; deleting the CRD removes it and its objects', () => {
    const parts = createSimulatedCluster();
    const store = parts.simulation.store;
    apply(parts, widgetCrd());
    const crd = store.get<CustomResourceDefinition>('CustomResourceDefinition', undefined, 'widgets.example.com')!;
    expect(crd.status).toEqual({
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: T,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: T,
        },
      ],
      acceptedNames: {
        plural: 'widgets',
        singular: 'widget',
        kind: 'Widget',
        listKind: 'WidgetList',
        shortNames: ['wg'],
      },
      storedVersions: ['v1'],
    });
    const w = apply(parts, widget('w'));
    expect(w.metadata.generation).toBe(1);
    expect(apply(parts, widget('w', { size: 2 })).metadata.generation).toBe(2);
    store.delete('CustomResourceDefinition', undefined, 'widgets.example.com');
    parts.simulation.settle();
    expect(store.kinds.lookup('example.com/v1', 'Widget')).toBeUndefined();
    expect(store.kinds.has('Widget')).toBe(false);
  });

  test('a kind already defined in the group: NamesAccepted False with the naming controller message, not served', () => {
    const parts = createSimulatedCluster();
    apply(parts, widgetCrd());
    apply(parts, widgetCrd({ plural: 'gizmos', kind: 'Widget', shortNames: [] }));
    const crd = parts.simulation.store.get<CustomResourceDefinition>(
      'CustomResourceDefinition',
      undefined,
      'gizmos.example.com',
    )!;
    expect(crd.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['NamesAccepted', 'False', 'KindConflict', '"Widget" is already in use'],
      ['Established', 'False', 'NotAccepted', 'not all names are accepted'],
    ]);
    expect(parts.simulation.store.kinds.byResource('example.com', 'gizmos')).toBeUndefined();
  });

  test('metadata.name must be <plural>.<group>, as the API server validates', () => {
    const parts = createSimulatedCluster();
    expect(() => apply(parts, widgetCrd({ name: 'widget.example.com' }))).toThrow(
      'metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group',
    );
  });
});

describe('plausible status for built-in kinds without a controller', () => {
  test('PDB counts the ready pods its selector matches; PVC is Bound; HPA scales the target to its minimum', () => {
    const parts = createSimulatedCluster(defaultScenario(), {
      objects: [deployment('shop', 'nginx:1.27', { replicas: 2 })],
    });
    const store = parts.simulation.store;
    const pdb = (minAvailable: number): KubeObject => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'shop', namespace: 'default' },
      spec: { minAvailable, selector: { matchLabels: { app: 'shop' } } },
    });
    apply(parts, pdb(1));
    expect(store.get('PodDisruptionBudget', 'default', 'shop')!.status).toMatchObject({
      expectedPods: 2,
      currentHealthy: 2,
      desiredHealthy: 1,
      disruptionsAllowed: 1,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' }],
    });
    // At the boundary: as many ready pods as required leaves no disruption allowed.
    apply(parts, pdb(2));
    expect(store.get('PodDisruptionBudget', 'default', 'shop')!.status).toMatchObject({
      observedGeneration: 2,
      desiredHealthy: 2,
      disruptionsAllowed: 0,
      conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }],
    });
    apply(parts, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    expect(store.get('PersistentVolumeClaim', 'default', 'data')!.status).toEqual({
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '1Gi' },
    });
    apply(parts, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'shop', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop' },
        minReplicas: 3,
        maxReplicas: 5,
      },
    });
    // The HPA has its own controller now (controllers/hpa): first reconciled one sync period (15 s)
    // after it is created; below minReplicas it scales the target up without asking for metrics.
    expect(store.get('HorizontalPodAutoscaler', 'default', 'shop')!.status).toBeUndefined();
    parts.simulation.advance(15_000);
    expect(store.get('HorizontalPodAutoscaler', 'default', 'shop')!.status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 3,
      conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale' }],
    });
    expect(store.get<Deployment>('Deployment', 'default', 'shop')!.spec.replicas).toBe(3);
  });
});

describe('resolveKinds: before anything is applied', () => {
  test('CRD in the run defines its kind; scope decides the namespace; an unknown kind is an error at its line', async () => {
    const { cluster } = createSimulatedCluster();
    const clusterScoped = widgetCrd({ plural: 'gizmos', kind: 'Gizmo', scope: 'Cluster', shortNames: [] });
    const docs = [
      doc(widgetCrd(), 1),
      doc(clusterScoped, 20),
      doc({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }, 40),
      doc({ apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'g', namespace: 'x' } }, 45),
      doc({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'd' } }, 50),
      doc({ apiVersion: 'example.com/v2', kind: 'Widget', metadata: { name: 'v2' } }, 55),
      doc({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' } }, 60),
    ];
    const errors = await resolveKinds(cluster, docs, { namespace: 'shop' });
    expect(docs[2]!.object.metadata.namespace).toBe('shop');
    expect(docs[3]!.object.metadata.namespace).toBeUndefined();
    const suffix =
      ': the cluster does not serve it (ensure CRDs are installed first, or apply its CustomResourceDefinition in the same run)';
    expect(errors).toEqual([
      { file: 'k8s/all.yaml', line: 50, message: `no matches for kind "Gadget" in version "example.com/v1"${suffix}` },
      { file: 'k8s/all.yaml', line: 55, message: `no matches for kind "Widget" in version "example.com/v2"${suffix}` },
      {
        file: 'k8s/all.yaml',
        line: 60,
        message: 'duplicate Widget "w" in namespace "shop": also defined at k8s/all.yaml:40',
      },
    ]);
    expect(cluster.simulation.store.list('CustomResourceDefinition')).toEqual([]);
  });
});

describe('applyManifests waits until a CRD is Established (deadline on the virtual clock)', () => {
  const docs = [doc(widgetCrd(), 1), doc(widget('w'), 30)];

  test('Established exactly at the deadline: its custom resource is applied after it', async () => {
    const parts = createSimulatedCluster();
    const start = parts.simulation.clock.now();
    parts.simulation.pause('crd', start + CRD_ESTABLISHED_TIMEOUT_MS);
    const outcome = await applyManifests(parts.cluster, docs, { force: false });
    expect(outcome.applied.map((a) => `${a.kind}/${a.name} ${a.action}`)).toEqual([
      'CustomResourceDefinition/widgets.example.com created',
      'Widget/w created',
    ]);
    expect(parts.simulation.clock.now() - start).toBe(CRD_ESTABLISHED_TIMEOUT_MS);
  });

  test('1 ms past the deadline: the run stops at the CRD with its conditions, the custom resource is not sent', async () => {
    const parts = createSimulatedCluster();
    const start = parts.simulation.clock.now();
    parts.simulation.pause('crd', start + CRD_ESTABLISHED_TIMEOUT_MS + 1);
    const err = await applyManifests(parts.cluster, docs, { force: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyError);
    expect((err as ApplyError).message).toBe(
      'CustomResourceDefinition/widgets.example.com: CustomResourceDefinition "widgets.example.com" ' +
        'was not Established within 60s; conditions: none yet',
    );
    expect((err as ApplyError).appliedBefore).toEqual([]);
    expect(parts.simulation.clock.now() - start).toBe(CRD_ESTABLISHED_TIMEOUT_MS);
    // One apply (the CRD); the Widget was never sent.
    expect(parts.cluster.requestCounts().PATCH).toBe(1);
  });

  test('Established but not yet in discovery (a real API server lags): waits until discovery serves the kind', async () => {
    const parts = createSimulatedCluster();
    const clock = parts.simulation.clock;
    const start = clock.now();
    const inner = parts.cluster;
    const lagging = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'resolve')
          return (apiVersion: string, kind: string) =>
            kind === 'Widget' && clock.now() < start + 1_000
              ? Promise.resolve(undefined)
              : target.resolve(apiVersion, kind);
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const outcome = await applyManifests(lagging, docs, { force: false });
    expect(outcome.applied.map((a) => a.kind)).toEqual(['CustomResourceDefinition', 'Widget']);
    expect(clock.now() - start).toBe(1_000); // two polls of 500 ms
  });

  test('names not accepted: fails at once with the API server message', async () => {
    const parts = createSimulatedCluster();
    apply(parts, widgetCrd());
    const start = parts.simulation.clock.now();
    const clash = widgetCrd({ plural: 'gizmos', kind: 'Widget', shortNames: [] });
    const err = (await applyManifests(parts.cluster, [doc(clash, 1)], { force: false }).catch(
      (e: unknown) => e,
    )) as ApplyError;
    expect(err.cause.message).toBe(
      'CustomResourceDefinition "gizmos.example.com": names not accepted (KindConflict): "Widget" is already in use',
    );
    expect(parts.simulation.clock.now()).toBe(start);
  });
});

describe('scenario objects', () => {
  test('a CRD and its custom resource exist before the run', () => {
    const parts = createSimulatedCluster(defaultScenario(), { objects: [widgetCrd(), widget('pre')] });
    expect(parts.simulation.store.get('Widget', 'default', 'pre')).toMatchObject({ spec: { size: 1 } });
  });
});
