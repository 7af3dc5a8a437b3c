import { describe, expect, it } from '@jest/globals';
import { clone } from '../../../src/k8s/meta.js';
import type { Pod, ReplicaSet } from '../../../src/k8s/objects.js';
import type { StoreEvent } from '../../../src/cluster/sim/store/objectStore.js';
import { advanceTo, at, cluster, eventsOf, podsOf, replicaSet, rsStatus } from './harness.js';

describe('ReplicaSet controller, whole runs', () => {
  it('creates pods named <rs>-<5 chars> in slow-start batches with SuccessfulCreate events', () => {
    const { sim } = cluster();
    sim.store.create('ReplicaSet', replicaSet('web', 10));
    sim.settle();
    const pods = podsOf(sim, 'web');
    expect(pods).toHaveLength(10);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'ReplicaSet', name: 'web', controller: true }),
      ]);
      expect(p.metadata.labels).toEqual({ app: 'web' });
    }
    const created = eventsOf(sim, 'web').filter((e) => e.reason === 'SuccessfulCreate');
    expect(created.map((e) => e.message)).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`));
  });

  it('stops after a failed batch, sets ReplicaFailure=FailedCreate and clears it once creation works', () => {
    const { sim } = cluster();
    let allowed = 5;
    const realCreate = sim.store.create.bind(sim.store);
    sim.store.create = ((kind: string, obj: never, opts?: never) => {
      if (kind === 'Pod' && allowed-- <= 0)
        throw new Error(
          'pods "web-" is forbidden: exceeded quota: q, requested: pods=1, used: pods=5, limited: pods=5',
        );
      return realCreate(kind, obj, opts);
    }) as typeof sim.store.create;
    sim.store.create('ReplicaSet', replicaSet('web', 10));
    sim.settle();
    // Batches 1, 2, 4: the 4-batch has 2 successes and 2 failures, so 7 calls and 5 pods.
    expect(podsOf(sim, 'web')).toHaveLength(5);
    const failure = rsStatus(sim, 'web')!.conditions!.find((c) => c.type === 'ReplicaFailure')!;
    expect(failure).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    expect(failure.message).toContain('exceeded quota');
    const failed = eventsOf(sim, 'web').find((e) => e.reason === 'FailedCreate')!;
    expect(failed.type).toBe('Warning');
    expect(failed.message).toMatch(/^Error creating: pods "web-" is forbidden: exceeded quota/);
    allowed = 100;
    sim.advance(1000); // rate-limited requeue (5ms, 10ms, …)
    expect(podsOf(sim, 'web')).toHaveLength(10);
    expect(rsStatus(sim, 'web')!.conditions).toBeUndefined();
  });

  it('deletes the most recently ready pods first on scale-down and removes them after the stop time', () => {
    const { sim } = cluster();
    sim.store.create('ReplicaSet', replicaSet('web', 3));
    sim.settle();
    // Old pods ready at t=3s; the new ones ~1000s later, so the log2 buckets of their ready times differ.
    advanceTo(sim, 1000);
    const old = podsOf(sim, 'web').map((p) => p.metadata.name);
    let rs = sim.store.get<ReplicaSet>('ReplicaSet', 'default', 'web')!;
    sim.store.update('ReplicaSet', { ...clone(rs), spec: { ...rs.spec, replicas: 5 } });
    sim.settle();
    advanceTo(sim, 1010);
    const fresh = podsOf(sim, 'web')
      .map((p) => p.metadata.name!)
      .filter((n) => !old.includes(n));
    expect(fresh).toHaveLength(2);
    rs = sim.store.get<ReplicaSet>('ReplicaSet', 'default', 'web')!;
    sim.store.update('ReplicaSet', { ...clone(rs), spec: { ...rs.spec, replicas: 2 } });
    sim.settle();
    const deleted = eventsOf(sim, 'web')
      .filter((e) => e.reason === 'SuccessfulDelete')
      .map((e) => e.message!.replace('Deleted pod: ', ''));
    expect(deleted).toHaveLength(3);
    // The two fresh pods (ready later, younger) go before any of the old ones.
    expect(deleted.slice(0, 2).sort()).toEqual([...fresh].sort());
    const terminating = podsOf(sim, 'web').filter((p) => p.metadata.deletionTimestamp);
    expect(terminating).toHaveLength(3);
    expect(rsStatus(sim, 'web')).toMatchObject({ replicas: 2, terminatingReplicas: 3 });
    // Terminating pods are removed after the kubelet's stop time (1s).
    sim.advance(999);
    expect(podsOf(sim, 'web')).toHaveLength(5);
    sim.advance(1);
    expect(podsOf(sim, 'web')).toHaveLength(2);
    expect(rsStatus(sim, 'web')).toMatchObject({ replicas: 2, terminatingReplicas: 0 });
  });

  it('ranks pods on crowded nodes first (related pods of the same owner)', () => {
    const { sim } = cluster({ nodes: 2 });
    sim.store.create('ReplicaSet', replicaSet('web', 3));
    sim.settle();
    advanceTo(sim, 10);
    const byNode = new Map<string, number>();
    for (const p of podsOf(sim, 'web')) byNode.set(p.spec.nodeName!, (byNode.get(p.spec.nodeName!) ?? 0) + 1);
    const crowded = [...byNode].find(([, n]) => n === 2)![0];
    const rs = sim.store.get<ReplicaSet>('ReplicaSet', 'default', 'web')!;
    sim.store.update('ReplicaSet', { ...clone(rs), spec: { ...rs.spec, replicas: 2 } });
    sim.settle();
    const victim = podsOf(sim, 'web').find((p) => p.metadata.deletionTimestamp)!;
    expect(victim.spec.nodeName).toBe(crowded);
  });

  it('counts availability with minReadySeconds strictly after readyTransition + minReadySeconds', () => {
    const { sim } = cluster();
    sim.store.create('ReplicaSet', replicaSet('web', 2, {}, { minReadySeconds: 10 }));
    sim.settle();
    // pull 2s + start 1s: Ready at t=3s, available strictly after t=13s.
    advanceTo(sim, 3);
    expect(rsStatus(sim, 'web')).toMatchObject({ replicas: 2, readyReplicas: 2 });
    expect(rsStatus(sim, 'web')!.availableReplicas).toBeUndefined();
    advanceTo(sim, 13);
    expect(rsStatus(sim, 'web')!.availableReplicas).toBeUndefined();
    sim.advance(1); // the requeue at readyTransition + minReadySeconds + 1ms
    expect(sim.clock.now()).toBe(at(13) + 1);
    expect(rsStatus(sim, 'web')).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      fullyLabeledReplicas: 2,
      observedGeneration: 1,
    });
  });

  it('is deterministic: same seed, same history', () => {
    const history = (seed: number): string => {
      const { sim } = cluster({ seed, images: { 'web:2': { crash: true } } });
      const events: StoreEvent[] = [];
      sim.store.watch((e) => events.push(e));
      sim.store.create('ReplicaSet', replicaSet('web', 5));
      sim.store.create('ReplicaSet', replicaSet('bad', 2, { image: 'web:2' }));
      sim.settle();
      advanceTo(sim, 120);
      const rs = sim.store.get<ReplicaSet>('ReplicaSet', 'default', 'web')!;
      sim.store.update('ReplicaSet', { ...clone(rs), spec: { ...rs.spec, replicas: 1 } });
      advanceTo(sim, 200);
      return JSON.stringify(events.map((e) => [e.type, e.kind, e.resourceVersion, e.object]));
    };
    const a = history(11);
    expect(history(11)).toBe(a);
    expect(history(12)).not.toBe(a);
  });

  it('adopts a matching orphan pod instead of creating one', () => {
    const { sim } = cluster();
    const orphan: Pod = {
      metadata: { name: 'stray', namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
    };
    sim.store.create('Pod', orphan);
    sim.store.create('ReplicaSet', replicaSet('web', 2));
    sim.settle();
    const pods = podsOf(sim, 'web').map((p) => p.metadata.name);
    expect(pods).toHaveLength(2);
    expect(pods).toContain('stray');
  });

  it('scales 10,000 replicas on 100 nodes to fully available', () => {
    const { sim } = cluster({ nodes: 100, capacity: { cpu: '64', memory: '256Gi', pods: 200 } });
    const started = performance.now();
    sim.store.create('ReplicaSet', replicaSet('big', 10_000));
    const done = sim.runUntil(() => rsStatus(sim, 'big')?.availableReplicas === 10_000, 60_000);
    const ms = performance.now() - started;
    expect(done).toBe(true);
    expect(rsStatus(sim, 'big')).toMatchObject({ replicas: 10_000, readyReplicas: 10_000, availableReplicas: 10_000 });
    process.stdout.write(
      `10,000 replicas available after ${(sim.clock.now() - at(0)) / 1000}s virtual, ${Math.round(ms)}ms real, ${sim.syncs} syncs\n`,
    );
  });
});
