import { beforeEach, describe, expect, it } from '@jest/globals';
import { SeededRandom } from '../../../src/clock/seededRandom.js';
import { VirtualClock } from '../../../src/clock/virtualClock.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  claimRevisions,
  controllerRevisionName,
  createRevision,
  findEqualRevisions,
  hashControllerRevision,
  newControllerRevision,
  nextRevision,
  renumberRevision,
  sortRevisions,
  templateOfRevision,
  templatePatch,
  truncateHistory,
  type ControllerRevision,
  type HistoryOwner,
} from '../../../src/cluster/sim/controllers/history/controllerHistory.js';
import { safeEncodeString } from '../../../src/cluster/sim/controllers/deployment/podTemplateHash.js';
import { builtinKinds } from '../../../src/cluster/sim/store/builtinKinds.js';
import { ObjectStore } from '../../../src/cluster/sim/store/objectStore.js';
import type { PodTemplateSpec } from '../../../src/k8s/objects.js';

const parent: HistoryOwner = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
};

function template(image: string): PodTemplateSpec {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } };
}

let store: ObjectStore;
let clock: VirtualClock;
beforeEach(() => {
  clock = new VirtualClock();
  store = new ObjectStore(builtinKinds(), clock, new SeededRandom(1));
  store.create('Namespace', { metadata: { name: 'default' } });
});

describe('ControllerRevision data and names (controller_history.go)', () => {
  it('stores spec.template as a $patch: replace patch with sorted keys and a null creationTimestamp, as getPatch does', () => {
    expect(templatePatch(template('nginx:1.25'))).toBe(
      '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"web"}},' +
        '"spec":{"containers":[{"image":"nginx:1.25","name":"nginx","resources":{}}]}}}}',
    );
  });

  it('hashes with FNV-1 32 (not FNV-1a), the probe as a decimal string', () => {
    // FNV-1 32 test vectors: "" -> 0x811c9dc5, "a" -> 0x050c5d7e (FNV-1a would give 0xe40c292c).
    expect(hashControllerRevision('')).toBe(safeEncodeString(String(0x811c9dc5)));
    expect(hashControllerRevision('a')).toBe(safeEncodeString(String(0x050c5d7e)));
    // The probe "1" hashed after the data: FNV-1 of "a1".
    expect(hashControllerRevision('a', 1)).toBe(hashControllerRevision('a1'));
  });

  it('names revisions <parent>-<hash>, the prefix cut at 223 characters', () => {
    expect(controllerRevisionName('web', 'abc')).toBe('web-abc');
    expect(controllerRevisionName('x'.repeat(230), 'h')).toBe(`${'x'.repeat(223)}-h`);
  });

  it('builds a revision with the template labels, the hash label, a controller reference and the template back', () => {
    const patch = templatePatch(template('nginx:1.25'));
    const revision = newControllerRevision(parent, { app: 'web' }, patch, 1);
    const hash = hashControllerRevision(patch);
    expect(revision.metadata).toEqual({
      name: `web-${hash}`,
      namespace: 'default',
      labels: { app: 'web', [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: 'web',
          uid: 'uid-web',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(revision.revision).toBe(1);
    expect(templateOfRevision(revision)).toEqual({
      metadata: { creationTimestamp: null, labels: { app: 'web' } },
      spec: { containers: [{ image: 'nginx:1.25', name: 'nginx', resources: {} }] },
    });
  });
});

describe('history bookkeeping', () => {
  function stored(image: string, number: number): ControllerRevision {
    const revision = newControllerRevision(parent, { app: 'web' }, templatePatch(template(image)), number, 0);
    return createRevision(store, parent, revision, 0).revision;
  }

  it('returns an existing equal revision instead of a duplicate', () => {
    const first = stored('nginx:1.25', 1);
    const again = createRevision(
      store,
      parent,
      newControllerRevision(parent, { app: 'web' }, templatePatch(template('nginx:1.25')), 2, 0),
      0,
    );
    expect(again.revision.metadata.name).toBe(first.metadata.name);
    expect(again.revision.revision).toBe(1);
    expect(again.collisionCount).toBe(0);
    expect(store.list('ControllerRevision', 'default')).toHaveLength(1);
  });

  it('on a name taken by a different revision, bumps the collision count and takes the next name', () => {
    const mine = newControllerRevision(parent, { app: 'web' }, templatePatch(template('nginx:1.25')), 1, 0);
    // Someone else's revision already has the name this one hashes to.
    store.create('ControllerRevision', { ...mine, data: { other: true } } as ControllerRevision);
    const created = createRevision(store, parent, mine, 0);
    expect(created.collisionCount).toBe(1);
    const hash = hashControllerRevision(templatePatch(template('nginx:1.25')), 1);
    expect(created.revision.metadata.name).toBe(`web-${hash}`);
    expect(created.revision.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]).toBe(hash);
  });

  it('renumbers an old revision that becomes current again, and finds it by equality', () => {
    const one = stored('nginx:1.25', 1);
    stored('nginx:1.26', 2);
    const revisions = claimRevisions(store, parent, { matchLabels: { app: 'web' } });
    expect(nextRevision(revisions)).toBe(3);
    const needle = newControllerRevision(parent, { app: 'web' }, templatePatch(template('nginx:1.25')), 3, 0);
    const [equal] = findEqualRevisions(revisions, needle);
    expect(equal?.metadata.name).toBe(one.metadata.name);
    const renumbered = renumberRevision(store, equal!, 3);
    expect(renumbered.revision).toBe(3);
    expect(
      sortRevisions(claimRevisions(store, parent, { matchLabels: { app: 'web' } })).map((r) => r.revision),
    ).toEqual([2, 3]);
  });

  it("adopts orphans its selector matches, never another controller's revision", () => {
    store.create('ControllerRevision', {
      metadata: { name: 'orphan', namespace: 'default', labels: { app: 'web' } },
      revision: 1,
    } as ControllerRevision);
    store.create('ControllerRevision', {
      metadata: {
        name: 'theirs',
        namespace: 'default',
        labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'x', uid: 'other', controller: true }],
      },
      revision: 1,
    } as ControllerRevision);
    store.create('ControllerRevision', {
      metadata: { name: 'unrelated', namespace: 'default', labels: { app: 'db' } },
      revision: 1,
    } as ControllerRevision);
    const claimed = claimRevisions(store, parent, { matchLabels: { app: 'web' } });
    expect(claimed.map((r) => r.metadata.name)).toEqual(['orphan']);
    expect(
      store.get<ControllerRevision>('ControllerRevision', 'default', 'orphan')?.metadata.ownerReferences?.[0]?.uid,
    ).toBe('uid-web');
  });

  it('truncates the oldest beyond the limit, keeping live revisions', () => {
    const revisions = [1, 2, 3, 4].map((n) => stored(`nginx:1.${n}`, n));
    truncateHistory(store, revisions, new Set([revisions[0]!.metadata.name!, revisions[3]!.metadata.name!]), 1);
    // Live: 1 and 4. Of the rest (2, 3) one is kept: the newest.
    expect(
      sortRevisions(store.list<ControllerRevision>('ControllerRevision', 'default')).map((r) => r.revision),
    ).toEqual([1, 3, 4]);
  });
});
