import { describe, expect, it } from '@jest/globals';
import { SeededRandom } from '../../../src/clock/seededRandom.js';
import { VirtualClock } from '../../../src/clock/virtualClock.js';
import { builtinKinds } from '../../../src/cluster/sim/store/builtinKinds.js';
import { ObjectStore, type StoreEvent } from '../../../src/cluster/sim/store/objectStore.js';
import { ApiError } from '../../../src/k8s/apiError.js';
import type { Deployment, Pod, ReplicaSet } from '../../../src/k8s/objects.js';

function newStore(): { store: ObjectStore; clock: VirtualClock; events: StoreEvent[] } {
  const clock = new VirtualClock();
  const store = new ObjectStore(builtinKinds(), clock, new SeededRandom(1));
  const events: StoreEvent[] = [];
  store.watch((e) => events.push(e));
  store.create('Namespace', { metadata: { name: 'default' } });
  return { store, clock, events };
}

function deployment(name = 'web'): Deployment {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
    },
  };
}

function pod(name: string, owner?: ReplicaSet): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      ...(owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: owner.metadata.name!,
                uid: owner.metadata.uid!,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
  };
}

const edit = <T>(obj: T, change: (o: T) => void): T => {
  const copy = structuredClone(obj);
  change(copy);
  return copy;
};

describe('ObjectStore generation rules', () => {
  it('starts a Deployment at generation 1 and bumps it on a spec change', () => {
    const { store } = newStore();
    const d = store.create('Deployment', deployment());
    expect(d.metadata.generation).toBe(1);
    const scaled = store.update(
      'Deployment',
      edit(d, (x) => (x.spec.replicas = 5)),
    );
    expect(scaled.metadata.generation).toBe(2);
  });

  it('does not bump a Deployment whose defaulted field an apply removed and the defaults put back (key order moved)', () => {
    const { store } = newStore();
    const d = store.create('Deployment', deployment());
    const c = d.spec.template.spec!.containers[0]!;
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    // The field is dropped (an applier stopped owning it), the defaults add it back at the end.
    const dropped = edit(d, (x) => delete x.spec.template.spec!.containers[0]!.imagePullPolicy);
    const stored = store.update('Deployment', dropped);
    expect(Object.keys(stored.spec.template.spec!.containers[0]!).slice(-1)).toEqual(['imagePullPolicy']);
    expect(stored.metadata.generation).toBe(1);
  });

  it('bumps a Deployment on an annotation change, but not on a label change', () => {
    const { store } = newStore();
    const d = store.create('Deployment', deployment());
    const annotated = store.update(
      'Deployment',
      edit(d, (x) => (x.metadata.annotations = { 'kubernetes.io/change-cause': 'v2' })),
    );
    expect(annotated.metadata.generation).toBe(2);
    const labelled = store.update(
      'Deployment',
      edit(annotated, (x) => (x.metadata.labels = { team: 'a' })),
    );
    expect(labelled.metadata.generation).toBe(2);
  });

  it('never bumps generation on a status write, which keeps the spec', () => {
    const { store } = newStore();
    const d = store.create('Deployment', deployment());
    const written = store.update(
      'Deployment',
      edit(d, (x) => {
        x.status = { observedGeneration: 1, replicas: 2 };
        x.spec.replicas = 9; // ignored: the status subresource owns only status (and, for Deployments, annotations)
      }),
      { subresource: 'status' },
    );
    expect(written.metadata.generation).toBe(1);
    expect(written.spec.replicas).toBe(2);
    expect(written.status).toEqual({ observedGeneration: 1, replicas: 2 });
  });

  it('persists annotations written through the Deployment status subresource (the revision)', () => {
    const { store } = newStore();
    const d = store.create('Deployment', deployment());
    const written = store.update(
      'Deployment',
      edit(d, (x) => (x.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' })),
      { subresource: 'status' },
    );
    expect(written.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '1' });
    expect(written.metadata.generation).toBe(1);
    expect(store.get<Deployment>('Deployment', 'default', 'web')!.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1',
    });
  });

  it('keeps status on a main-resource write and treats an identical write as a no-op', () => {
    const { store, events } = newStore();
    const d = store.create('Deployment', deployment());
    const withStatus = store.update('Deployment', { ...d, status: { replicas: 2 } }, { subresource: 'status' });
    const before = events.length;
    const same = store.update(
      'Deployment',
      edit(withStatus, (x: Deployment) => delete (x as { status?: unknown }).status),
    );
    expect(same).toBe(withStatus);
    expect(same.status).toEqual({ replicas: 2 });
    expect(events.length).toBe(before);
  });

  it('hands out new versions without touching the previous ones', () => {
    const { store } = newStore();
    const d = store.create('Deployment', deployment());
    const input = edit(d, (x) => (x.spec.replicas = 3));
    const next = store.update('Deployment', input);
    input.spec.template.spec!.containers[0]!.image = 'changed-after-write';
    expect(d.spec.replicas).toBe(2);
    expect(next.spec.template.spec!.containers[0]!.image).toBe('nginx:1.25');
  });
});

describe('ObjectStore resourceVersion preconditions', () => {
  it('answers 409 Conflict with the API server message when the resourceVersion is stale', () => {
    const { store } = newStore();
    const d = store.create('Deployment', deployment());
    store.update(
      'Deployment',
      edit(d, (x) => (x.spec.replicas = 3)),
    );
    let caught: unknown;
    try {
      store.update(
        'Deployment',
        edit(d, (x) => (x.spec.replicas = 4)),
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).code).toBe(409);
    expect((caught as ApiError).message).toBe(
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('applies a write without a resourceVersion to the latest version', () => {
    const { store } = newStore();
    const d = store.create('Deployment', deployment());
    store.update(
      'Deployment',
      edit(d, (x) => (x.spec.replicas = 3)),
    );
    const unconditional = store.update(
      'Deployment',
      edit(d, (x) => {
        x.spec.replicas = 4;
        delete x.metadata.resourceVersion;
      }),
    );
    expect(unconditional.spec.replicas).toBe(4);
  });

  it('checks delete preconditions on resourceVersion and uid', () => {
    const { store } = newStore();
    const p = store.create('Pod', pod('p'));
    expect(() => store.delete('Pod', 'default', 'p', { resourceVersion: '1' })).toThrow(/the object has been modified/);
    expect(() => store.delete('Pod', 'default', 'p', { uid: 'other' })).toThrow(
      `Precondition failed: UID in precondition: other, UID in object meta: ${p.metadata.uid}`,
    );
  });

  it('numbers every change with increasing resourceVersions, seen by watchers in order', () => {
    const { store, events } = newStore();
    const d = store.create('Deployment', deployment());
    store.update(
      'Deployment',
      edit(d, (x) => (x.spec.replicas = 3)),
    );
    const versions = events.map((e) => e.resourceVersion);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(events.map((e) => Number(e.object.metadata.resourceVersion))).toEqual(versions);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
  });
});

describe('ObjectStore deletion', () => {
  it('deletes pods gracefully: deletionTimestamp now + grace, removed only by remove()', () => {
    const { store, clock } = newStore();
    store.create('Pod', { ...pod('p'), spec: { ...pod('p').spec, terminationGracePeriodSeconds: 10 } });
    const marked = store.delete<Pod>('Pod', 'default', 'p');
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(10);
    expect(marked.metadata.deletionTimestamp).toBe(new Date(clock.now() + 10_000).toISOString().replace('.000Z', 'Z'));
    expect(store.get('Pod', 'default', 'p')).toBe(marked);
    expect(store.delete('Pod', 'default', 'p')).toBe(marked); // a second delete changes nothing
    store.remove('Pod', 'default', 'p');
    expect(store.get('Pod', 'default', 'p')).toBeUndefined();
  });

  it('removes at once with a zero grace period', () => {
    const { store, events } = newStore();
    store.create('Pod', pod('p'));
    store.delete('Pod', 'default', 'p', { gracePeriodSeconds: 0 });
    expect(store.get('Pod', 'default', 'p')).toBeUndefined();
    expect(events.at(-1)!.type).toBe('DELETED');
  });

  it('garbage-collects controller-owned dependents in the background', () => {
    const { store } = newStore();
    const rs = store.create<ReplicaSet>('ReplicaSet', {
      metadata: { name: 'web-1', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      },
    });
    store.create('Pod', pod('a', rs));
    store.create('Pod', pod('b', rs));
    store.create('Pod', pod('stranger'));
    expect(store.listOwnedBy('Pod', rs.metadata.uid!).map((p) => p.metadata.name)).toEqual(['a', 'b']);
    store.delete('ReplicaSet', 'default', 'web-1');
    expect(store.get('ReplicaSet', 'default', 'web-1')).toBeUndefined();
    // Pods are deleted gracefully: marked, not yet gone.
    expect(store.get<Pod>('Pod', 'default', 'a')!.metadata.deletionTimestamp).toBeDefined();
    expect(store.get<Pod>('Pod', 'default', 'b')!.metadata.deletionTimestamp).toBeDefined();
    expect(store.get<Pod>('Pod', 'default', 'stranger')!.metadata.deletionTimestamp).toBeUndefined();
  });
});

describe('ObjectStore watch resume', () => {
  it('returns the changes after a resourceVersion, in order', () => {
    const { store } = newStore();
    const d = store.create('Deployment', deployment());
    const from = Number(d.metadata.resourceVersion);
    store.update(
      'Deployment',
      edit(d, (x) => (x.spec.replicas = 3)),
    );
    store.create('Pod', pod('p'));
    const changes = store.changesSince(from)!;
    expect(changes.map((c) => [c.type, c.kind])).toEqual([
      ['MODIFIED', 'Deployment'],
      ['ADDED', 'Pod'],
    ]);
    expect(store.changesSince(store.resourceVersion())).toEqual([]);
  });

  it('expires: a version older than the retained history gives undefined (410 Gone)', () => {
    const { store } = newStore();
    const first = store.create('Pod', pod('p'));
    const start = Number(first.metadata.resourceVersion);
    expect(store.changesSince(start - 1)).toHaveLength(1);
    for (let i = 0; i < 40_001; i++)
      store.update('Pod', {
        ...store.get<Pod>('Pod', 'default', 'p')!,
        metadata: { ...store.get<Pod>('Pod', 'default', 'p')!.metadata, labels: { n: String(i) } },
      });
    expect(store.changesSince(start)).toBeUndefined();
    const recent = store.resourceVersion() - 100;
    expect(store.changesSince(recent)).toHaveLength(100);
  });
});

describe('ObjectStore listing', () => {
  it('lists sorted by namespace and name, and reflects writes after a cached listing', () => {
    const { store } = newStore();
    store.create('Node', { metadata: { name: 'node-b' } });
    store.create('Node', { metadata: { name: 'node-a' } });
    const first = store.list('Node');
    expect(first.map((n) => n.metadata.name)).toEqual(['node-a', 'node-b']);
    first.pop(); // callers may change the array they get
    store.create('Node', { metadata: { name: 'node-0' } });
    expect(store.list('Node').map((n) => n.metadata.name)).toEqual(['node-0', 'node-a', 'node-b']);
    store.remove('Node', undefined, 'node-a');
    expect(store.list('Node').map((n) => n.metadata.name)).toEqual(['node-0', 'node-b']);
  });

  it('generates names from generateName with the safe alphabet', () => {
    const { store } = newStore();
    const p = store.create<Pod>('Pod', {
      metadata: { generateName: 'web-', namespace: 'default' },
      spec: { containers: [{ name: 'a', image: 'x' }] },
    });
    expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(p.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
