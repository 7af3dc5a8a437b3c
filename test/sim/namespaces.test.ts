/**
 * Namespaces as kube-apiserver has them (issue 9 #7): the four system namespaces exist from the
 * start, a namespaced object in a namespace that does not exist is refused with the
 * NamespaceLifecycle admission's 404, and a scenario's `objects` may bring their own Namespace.
 */
import { describe, expect, test } from '@jest/globals';
import { ApiError } from '../../src/k8s/apiError.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import { createSimulatedCluster, initialNamespaces } from '../../src/cluster/sim/index.js';
import { defaultScenario } from '../../src/cluster/sim/scenario/scenario.js';

const configMap = (namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace },
  data: { mode: 'fast' },
});

describe('namespaces of the simulated cluster', () => {
  test('default, kube-node-lease, kube-public and kube-system exist from the start, and nothing else', () => {
    const { simulation } = createSimulatedCluster(defaultScenario());
    expect(simulation.store.list('Namespace').map((n) => n.metadata.name)).toEqual([...initialNamespaces]);
    expect(initialNamespaces).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });

  test('an object in a missing namespace: 404 namespaces "shop2" not found, through the in-process adapter', async () => {
    const { cluster, simulation } = createSimulatedCluster(defaultScenario());
    const refused = await cluster
      .apply(configMap('shop2'), { fieldManager: 'rollout-gate', force: true })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).toStatus()).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "shop2" not found',
      details: { name: 'shop2', kind: 'namespaces' },
    });
    expect(simulation.store.list('ConfigMap', 'shop2')).toEqual([]);
    // Once the namespace is applied, the same object is accepted.
    await cluster.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop2' } },
      { fieldManager: 'rollout-gate', force: true },
    );
    await cluster.apply(configMap('shop2'), { fieldManager: 'rollout-gate', force: true });
    expect(simulation.store.list('ConfigMap', 'shop2').map((c) => c.metadata.name)).toEqual(['settings']);
  });

  test("a scenario's objects get their namespaces, and may declare them (in any order) without a clash", () => {
    const namespace: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team', labels: { a: 'b' } },
    };
    const { simulation } = createSimulatedCluster(defaultScenario(), {
      objects: [configMap('team'), namespace, configMap('implied')],
    });
    const names = simulation.store.list('Namespace').map((n) => n.metadata.name);
    expect(names).toEqual(['default', 'implied', 'kube-node-lease', 'kube-public', 'kube-system', 'team']);
    expect(simulation.store.get('Namespace', undefined, 'team')!.metadata.labels).toEqual({ a: 'b' });
  });
});
