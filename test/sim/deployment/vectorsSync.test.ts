import { describe, it, expect } from '@jest/globals';
import { Annotations, type Condition, type Deployment, type ReplicaSet } from '../../../src/k8s/objects.js';
import { parseTime, rfc3339 } from '../../../src/k8s/meta.js';
import { scale } from '../../../src/cluster/sim/controllers/deployment/scale.js';
import { cleanupDeployment } from '../../../src/cluster/sim/controllers/deployment/cleanup.js';
import {
  rolloutStatus,
  stuckDeploymentRequeueAfter,
} from '../../../src/cluster/sim/controllers/deployment/progress.js';
import {
  maxSurge,
  maxUnavailable,
  minAvailable,
  resolveFenceposts,
} from '../../../src/cluster/sim/controllers/deployment/fenceposts.js';
import { rolloutRolling } from '../../../src/cluster/sim/controllers/deployment/rolling.js';
import { syncDeploymentWith } from '../../../src/cluster/sim/controllers/deployment/sync.js';
import { FakeIO, NOW, baseTemplate, loadGroups, newDeployment, newRS } from './fakeIO.js';

const groups = loadGroups();

describe('sync.scale', () => {
  for (const v of groups['sync.scale']!) {
    it(v.name, () => {
      const d = newDeployment({
        replicas: v.input.deployment.replicas,
        maxSurge: v.input.deployment.maxSurge,
        maxUnavailable: v.input.deployment.maxUnavailable,
      });
      const build = (r: any) =>
        newRS({
          name: r.name,
          specReplicas: r.specReplicas,
          createdAt: r.createdAt,
          availableReplicas: r.availableReplicas,
          annotations: r.annotations,
        });
      const newOne = v.input.newRS ? build(v.input.newRS) : undefined;
      const oldRSs = (v.input.oldRSs as any[]).map(build);
      const io = new FakeIO(NOW, [...oldRSs, ...(newOne ? [newOne] : [])]);
      scale(io, d, newOne, oldRSs);
      const initial = new Map(
        [...oldRSs, ...(newOne ? [newOne] : [])].map((rs) => [rs.metadata.name!, rs.spec.replicas!]),
      );
      const sizes = Object.fromEntries([...initial].map(([name, n]) => [name, io.sizeOf(name, n)]));
      expect(sizes).toEqual(v.expected.sizes);
    });
  }
});

function cleanupRS(r: any): ReplicaSet {
  return newRS({
    name: r.name,
    specReplicas: r.specReplicas,
    statusReplicas: r.statusReplicas,
    deleting: r.deleting,
    createdAt: r.createdAt ?? 'now',
    annotations: r.revision ? { [Annotations.revision]: r.revision } : null,
  });
}

describe('sync.cleanupDeployment', () => {
  for (const v of groups['sync.cleanupDeployment']!) {
    it(v.name, () => {
      const d = newDeployment({ revisionHistoryLimit: v.input.revisionHistoryLimit });
      const oldRSs = (v.input.oldRSs as any[]).map(cleanupRS);
      const io = new FakeIO(NOW, oldRSs);
      expect(cleanupDeployment(io, oldRSs, d).length).toBe(v.expected.deletions);
    });
  }
});

describe('sync.cleanupDeploymentOrder', () => {
  for (const v of groups['sync.cleanupDeploymentOrder']!) {
    it(v.name, () => {
      const d = newDeployment({ revisionHistoryLimit: v.input.revisionHistoryLimit });
      const oldRSs = (v.input.oldRSs as any[]).map(cleanupRS);
      const io = new FakeIO(NOW, oldRSs);
      expect(
        cleanupDeployment(io, oldRSs, d)
          .map((rs) => rs.metadata.name)
          .sort(),
      ).toEqual(v.expected.deletedNames);
    });
  }
});

/** A Deployment from the progress vectors' shape (strategy, deadline, replicas, stored status + conditions). */
function progressDeployment(input: any): Deployment {
  const d = newDeployment({
    name: input.name,
    strategy: input.strategy,
    replicas: input.specReplicas,
    progressDeadlineSeconds: input.progressDeadlineSeconds,
    generation: input.generation,
  });
  d.status = { ...input.status, conditions: (input.conditions as Condition[]).map((c) => ({ ...c })) };
  return d;
}

/**
 * RFC3339 with nanoseconds to ms. The virtual clock counts milliseconds, so a sub-millisecond part
 * ("…59.000000001Z": strictly after :59) is kept as 1µs, the smallest step a double still holds here.
 */
function parseNanoTime(text: string): number {
  const m = /\.(\d+)Z$/.exec(text);
  const base = parseTime(text.replace(/\.\d+Z$/, 'Z'))!;
  if (!m) return base;
  const ns = Number(m[1]!.padEnd(9, '0'));
  return base + (ns % 1_000_000 === 0 ? ns / 1_000_000 : Math.max(ns / 1_000_000, 0.001));
}

describe('progress.requeueStuckDeployment', () => {
  for (const v of groups['progress.requeueStuckDeployment']!) {
    it(v.name, () => {
      const d = progressDeployment(v.input.deployment);
      const now = v.input.now === null ? NOW : parseNanoTime(v.input.now);
      const after = stuckDeploymentRequeueAfter(d, v.input.newStatus, now);
      expect(after <= 0 ? after : after / 1000).toBe(v.expected.requeueAfterSeconds);
    });
  }
});

describe('progress.syncRolloutStatus', () => {
  for (const v of groups['progress.syncRolloutStatus']!) {
    it(v.name, () => {
      const d = progressDeployment(v.input.deployment);
      const build = (r: any) =>
        newRS({
          name: r.name,
          specReplicas: r.specReplicas,
          statusReplicas: r.statusReplicas,
          availableReplicas: r.availableReplicas,
        });
      const newOne = v.input.newRS ? build(v.input.newRS) : undefined;
      const all = [...(v.input['allRSs(excluding newRS)'] as any[]).map(build), newOne];
      const status = rolloutStatus(all, newOne, d, NOW);
      const got = status.conditions?.find((c) => c.type === 'Progressing');
      if (v.expected.progressing === null) {
        expect(got).toBeUndefined();
        return;
      }
      expect({ status: got?.status, reason: got?.reason }).toEqual(v.expected.progressing);
      if (v.expected.message_derived !== null) expect(got?.message).toBe(v.expected.message_derived);
      // timestamps_derived, e.g. "LTT kept = …, LUT = now", "LTT = now, LUT = now", "unchanged …".
      const before = (v.input.deployment.conditions as Condition[]).find((c) => c.type === 'Progressing');
      const words: string = v.expected.timestamps_derived;
      const now = rfc3339(NOW);
      if (words.startsWith('unchanged')) {
        expect([got?.lastUpdateTime, got?.lastTransitionTime]).toEqual([
          before?.lastUpdateTime,
          before?.lastTransitionTime,
        ]);
      } else {
        expect(got?.lastTransitionTime).toBe(words.includes('LTT kept') ? before?.lastTransitionTime : now);
        expect(got?.lastUpdateTime).toBe(now);
      }
    });
  }
});

describe('derived.examples (deployment controller)', () => {
  const examples = groups['derived.examples']!;
  for (const v of examples.filter((e) => e.name.startsWith('default 25%/25% at replicas='))) {
    it(v.name, () => {
      const d = newDeployment({
        replicas: v.input.replicas,
        maxSurge: v.input.maxSurge,
        maxUnavailable: v.input.maxUnavailable,
      });
      expect({
        maxSurge: maxSurge(d),
        maxUnavailableResolved: resolveFenceposts(v.input.maxSurge, v.input.maxUnavailable, v.input.replicas)
          .unavailable,
        'MaxUnavailable(d)': maxUnavailable(d),
        minAvailable: minAvailable(d),
        maxReplicasAnnotation: v.input.replicas + maxSurge(d),
      }).toEqual(v.expected);
    });
  }

  const byName = (name: string) => examples.find((e) => e.name === name)!;

  it(byName('first rolling sync after template change (10 replicas, defaults)').name, () => {
    const v = byName('first rolling sync after template change (10 replicas, defaults)');
    const d = newDeployment({
      replicas: 10,
      maxSurge: '25%',
      maxUnavailable: '25%',
      progressDeadlineSeconds: 600,
      generation: 2,
    });
    d.metadata.annotations = { [Annotations.revision]: '1' };
    d.spec.template = { ...baseTemplate(), spec: { containers: [{ name: 'app', image: 'foo:v2' }] } };
    const old = newRS({
      name: 'foo-old',
      specReplicas: 10,
      statusReplicas: 10,
      availableReplicas: v.input.oldRS.availableReplicas,
      readyReplicas: 10,
      createdAt: 'now-1h',
      annotations: {
        [Annotations.revision]: '1',
        [Annotations.desiredReplicas]: '10',
        [Annotations.maxReplicas]: '13',
      },
    });
    const io = new FakeIO(NOW, [old]);
    syncDeploymentWith(io, d, io.list(), () => new Map());
    const created = io.actions.find((a) => a.verb === 'create')!.object as ReplicaSet;
    expect(created.spec.replicas).toBe(v.expected.newRSCreatedWith);
    expect(created.metadata.annotations).toEqual(v.expected.newRSAnnotations);
    expect(io.sizeOf('foo-old', 10)).toBe(v.expected.oldRSScaledTo);
    const name = created.metadata.name!;
    expect(io.events.map((e) => e.message)).toEqual(
      (v.expected.eventsInOrder as string[]).map((m) => m.replace('<new>', name).replace('<old>', 'foo-old')),
    );
    const firstStatus = io.actions.find((a) => a.verb === 'update-status')!.object as Deployment;
    const progressing = firstStatus.status!.conditions!.find((c) => c.type === 'Progressing')!;
    expect({ status: progressing.status, reason: progressing.reason, message: progressing.message }).toEqual({
      ...v.expected.progressing,
      message: v.expected.progressing.message.replace('<new>', name),
    });
  });

  it(byName('second scale-up step').name, () => {
    const d = newDeployment({ replicas: 10, maxSurge: 3, maxUnavailable: 2 });
    const ann = { [Annotations.desiredReplicas]: '10', [Annotations.maxReplicas]: '13' };
    const old = newRS({
      name: 'foo-old',
      specReplicas: 8,
      statusReplicas: 8,
      availableReplicas: 8,
      createdAt: 'now-1h',
      annotations: { ...ann, [Annotations.revision]: '1' },
    });
    old.spec.template = { ...baseTemplate(), spec: { containers: [{ name: 'app', image: 'foo:v0' }] } };
    const fresh = newRS({
      name: 'foo-new',
      specReplicas: 3,
      statusReplicas: 3,
      availableReplicas: 3,
      createdAt: 'now',
      annotations: { ...ann, [Annotations.revision]: '2' },
    });
    d.metadata.annotations = { [Annotations.revision]: '2' };
    const io = new FakeIO(NOW, [old, fresh]);
    // Sync A: scale-up only (returns early), 3 → min(13 − 11, 7) = +2.
    rolloutRolling(io, d, io.list());
    expect(io.actions.filter((a) => a.verb === 'update').map((a) => [a.name, a.replicas])).toEqual([['foo-new', 5]]);
    // Sync B: new RS at 5 (3 available) stays (13 ≥ 13); maxScaledDown = 13 − 8 − 2 = 3 → old 8 → 5.
    io.actions.length = 0;
    rolloutRolling(io, d, io.list());
    expect(io.actions.filter((a) => a.verb === 'update').map((a) => [a.name, a.replicas])).toEqual([['foo-old', 5]]);
  });

  it(byName('undo renumbers revisions').name, () => {
    const v = byName('undo renumbers revisions');
    // kubectl's stdout is kubectl's business; the controller part: the reused RS is renumbered.
    const templateA = baseTemplate();
    const templateB = { ...baseTemplate(), spec: { containers: [{ name: 'app', image: 'foo:v2' }] } };
    const d = newDeployment({ name: 'web', replicas: 3, maxSurge: 1, maxUnavailable: 0, progressDeadlineSeconds: 600 });
    d.metadata.annotations = { [Annotations.revision]: '2' };
    d.spec.template = templateA; // what `rollout undo` patches in
    const ann = { [Annotations.desiredReplicas]: '3', [Annotations.maxReplicas]: '4' };
    const a = newRS({
      name: 'web-a',
      specReplicas: 0,
      createdAt: 'now-2h',
      template: templateA,
      annotations: { ...ann, [Annotations.revision]: '1' },
    });
    const b = newRS({
      name: 'web-b',
      specReplicas: 3,
      statusReplicas: 3,
      availableReplicas: 3,
      createdAt: 'now-1h',
      template: templateB,
      annotations: { ...ann, [Annotations.revision]: '2' },
    });
    const io = new FakeIO(NOW, [a, b]);
    syncDeploymentWith(io, structuredClone(d), io.list(), () => new Map());
    // The next pass syncs the Deployment's revision from the renumbered RS.
    syncDeploymentWith(io, structuredClone(d), io.list(), () => new Map());
    const after = v.expected.afterControllerSync;
    expect(io.rs.get('web-a')!.metadata.annotations?.[Annotations.revision]).toBe(after['web-a'].revision);
    expect(io.rs.get('web-a')!.metadata.annotations?.[Annotations.revisionHistory]).toBe(
      after['web-a']['revision-history'],
    );
    expect(io.rs.get('web-b')!.metadata.annotations?.[Annotations.revision]).toBe(after['web-b'].revision);
    expect(io.deployment!.metadata.annotations?.[Annotations.revision]).toBe(v.expected.deploymentRevisionAnnotation);
    const revisions = [...io.rs.values()].map((rs) => Number(rs.metadata.annotations?.[Annotations.revision])).sort();
    expect(revisions).toEqual(v.expected.rolloutHistoryRevisions);
  });
});
