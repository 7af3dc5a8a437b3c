/** ReplicationControllers: the ReplicaSet controller's rules over a map selector (pkg/controller/replication). */
import { describe, expect, test } from '@jest/globals';
import { applyObject } from '../../../src/cluster/sim/applyObject.js';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import { rfc3339 } from '../../../src/k8s/meta.js';
import type { KubeObject, Pod } from '../../../src/k8s/objects.js';

type Rc = KubeObject & {
  spec: { replicas: number; selector: Record<string, string> };
  status?: Record<string, unknown>;
};

describe('ReplicationController', () => {
  test('defaults its selector and labels from the template, runs its pods, scales down with events, adopts an orphan', () => {
    const { simulation } = createSimulatedCluster();
    const store = simulation.store;
    const apply = (obj: KubeObject) => {
      applyObject(store, obj, { manager: 'kubectl', force: false, time: rfc3339(simulation.clock.now()) });
      simulation.settle();
    };
    apply({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy', namespace: 'default' },
      spec: {
        replicas: 3,
        template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
      },
    });
    const rc = () => store.mustGet<Rc>('ReplicationController', 'default', 'legacy');
    expect(rc().spec.selector).toEqual({ app: 'legacy' });
    expect(rc().metadata.labels).toEqual({ app: 'legacy' });
    simulation.advance(5_000);
    const pods = () => store.list<Pod>('Pod', 'default').filter((p) => !p.metadata.deletionTimestamp);
    expect(pods().map((p) => p.metadata.ownerReferences)).toEqual(
      Array(3).fill([
        {
          apiVersion: 'v1',
          kind: 'ReplicationController',
          name: 'legacy',
          uid: rc().metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]),
    );
    expect(rc().status).toEqual({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    apply({ ...rc(), spec: { ...rc().spec, replicas: 1 } } as KubeObject);
    const deletions = simulation.events
      .eventsFor(rc())
      .filter((e) => e.reason === 'SuccessfulDelete')
      .map((e) => e.source?.component);
    expect(deletions).toEqual(['replication-controller', 'replication-controller']);
    simulation.advance(60_000);
    expect(pods()).toHaveLength(1);
    // An orphan pod with the selector's labels is adopted, and, one pod too many, deleted at once
    // (the unscheduled pod ranks first for deletion).
    store.create('Pod', {
      metadata: { name: 'stray', namespace: 'default', labels: { app: 'legacy' } },
      spec: { containers: [{ name: 'c', image: 'x:1' }] },
    });
    // A pod of other labels is no business of it (equality-based: app=legacy only).
    store.create('Pod', {
      metadata: { name: 'bystander', namespace: 'default', labels: { app: 'other' } },
      spec: { containers: [{ name: 'c', image: 'x:1' }] },
    });
    simulation.settle();
    expect(store.mustGet<Pod>('Pod', 'default', 'bystander').metadata.ownerReferences).toBeUndefined();
    expect(store.get('Pod', 'default', 'stray')).toBeUndefined();
    expect(simulation.events.eventsFor(rc()).map((e) => e.message)).toContain('Deleted pod: stray');
    expect(
      pods()
        .map((p) => p.metadata.name)
        .filter((n) => n !== 'bystander'),
    ).toHaveLength(1);
  });
});
