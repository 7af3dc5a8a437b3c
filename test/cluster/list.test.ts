/**
 * ClusterClient.list on the in-process adapter (the real one is exercised over HTTP by
 * test/plan/capacity.test.ts): all namespaces, cluster-scoped kinds, field selectors and RBAC.
 */
import { describe, expect, it } from '@jest/globals';
import { createSimulatedCluster, defaultScenario } from '../../src/cluster/sim/index.js';
import { SimulatedCluster } from '../../src/cluster/sim/simulatedCluster.js';
import { NO_FAULTS } from '../../src/cluster/sim/faults/faultInjector.js';
import type { Deployment, Node, Pod } from '../../src/k8s/objects.js';

function deployment(name: string, namespace: string, replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'nginx:1.27' }] } },
    },
  };
}

describe('SimulatedCluster.list', () => {
  const scenario = defaultScenario();
  scenario.nodes.count = 2;
  const parts = createSimulatedCluster(scenario, {
    objects: [deployment('a', 'default', 2), deployment('b', 'team', 1)],
  });

  it('lists every namespace when none is given, and a cluster-scoped kind, with their kind set', async () => {
    const pods = await parts.cluster.list<Pod>('v1', 'Pod', undefined, {
      fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
    });
    expect(pods.map((p) => `${p.metadata.namespace}/${p.metadata.labels?.app}`).sort()).toEqual([
      'default/a',
      'default/a',
      'team/b',
    ]);
    expect(pods.every((p) => p.kind === 'Pod' && p.spec?.nodeName)).toBe(true);
    expect((await parts.cluster.list<Pod>('v1', 'Pod', 'team')).length).toBe(1);
    expect(
      (await parts.cluster.list<Pod>('v1', 'Pod', undefined, { fieldSelector: 'status.phase=Failed' })).length,
    ).toBe(0);
    const nodes = await parts.cluster.list<Node>('v1', 'Node', undefined);
    expect(nodes.map((n) => n.metadata.name)).toEqual(['node-1', 'node-2']);
  });

  it('refuses a field the API server does not select on, and a cluster-wide list without a ClusterRole', async () => {
    await expect(parts.cluster.list('v1', 'Pod', undefined, { fieldSelector: 'spec.priority=1' })).rejects.toThrow(
      'field label not supported: spec.priority',
    );
    const reader = new SimulatedCluster(parts.simulation, () => [], NO_FAULTS, {
      user: 'ci-reader',
      roles: [{ namespace: 'default', rules: [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }] }],
    });
    expect((await reader.list('v1', 'Pod', 'default')).length).toBe(2);
    await expect(reader.list('v1', 'Pod', undefined)).rejects.toThrow(
      'pods is forbidden: User "ci-reader" cannot list resource "pods" in API group "" at the cluster scope',
    );
  });
});
