import { describe, it, expect } from '@jest/globals';
import { Annotations, type Deployment, type Pod, type ReplicaSet } from '../../../src/k8s/objects.js';
import { rfc3339 } from '../../../src/k8s/meta.js';
import {
  cleanupUnhealthyReplicas,
  reconcileNewReplicaSet,
  reconcileOldReplicaSets,
  scaleDownOldReplicaSetsForRollingUpdate,
} from '../../../src/cluster/sim/controllers/deployment/rolling.js';
import {
  oldPodsRunning,
  scaleDownOldReplicaSetsForRecreate,
} from '../../../src/cluster/sim/controllers/deployment/recreate.js';
import { syncDeploymentWith } from '../../../src/cluster/sim/controllers/deployment/sync.js';
import { calculateStatus } from '../../../src/cluster/sim/controllers/deployment/status.js';
import { FakeIO, NOW, loadGroups, newDeployment, newRS } from './fakeIO.js';

const groups = loadGroups();

describe('rolling.reconcileNewReplicaSet', () => {
  for (const v of groups['rolling.reconcileNewReplicaSet']!) {
    it(v.name, () => {
      const d = newDeployment({
        replicas: v.input.deploymentReplicas,
        maxSurge: v.input.maxSurge,
        maxUnavailable: v.input.maxUnavailable,
      });
      const newOne = newRS({ name: 'foo-new', specReplicas: v.input.newRSReplicas });
      const oldOne = newRS({ name: 'foo-old', specReplicas: v.input.oldRSReplicas });
      const io = new FakeIO(NOW, [newOne, oldOne]);
      expect(reconcileNewReplicaSet(io, [newOne, oldOne], newOne, d)).toBe(v.expected.scaled);
      const updates = io.actions.filter((a) => a.verb === 'update');
      if (v.expected.newRSReplicasAfter === null) expect(updates).toEqual([]);
      else expect(updates.map((a) => [a.name, a.replicas])).toEqual([['foo-new', v.expected.newRSReplicasAfter]]);
    });
  }
});

describe('rolling.reconcileOldReplicaSets', () => {
  for (const v of groups['rolling.reconcileOldReplicaSets']!) {
    it(v.name, () => {
      const d = newDeployment({
        replicas: v.input.deploymentReplicas,
        maxSurge: v.input.maxSurge,
        maxUnavailable: v.input.maxUnavailable,
      });
      const oldOne = newRS({ name: 'foo-old', ...v.input.oldRS, createdAt: 'now-1m' });
      const newOne = newRS({ name: 'foo-new', ...v.input.newRS, createdAt: 'now' });
      const io = new FakeIO(NOW, [oldOne, newOne]);
      io.failRSUpdates = v.input.rsUpdateFails === true;
      if (v.expected.errorReturned) {
        // 2026 upstream: errors of cleanup / scale-down surface instead of being swallowed.
        expect(() => reconcileOldReplicaSets(io, [newOne, oldOne], [oldOne], newOne, d)).toThrow('fake error');
        return;
      }
      expect(reconcileOldReplicaSets(io, [newOne, oldOne], [oldOne], newOne, d)).toBe(v.expected.scaled);
      const after = io.sizeOf('foo-old', v.input.oldRS.specReplicas);
      if (v.expected.oldRSReplicasAfter === null) expect(after).toBe(v.input.oldRS.specReplicas);
      else expect(after).toBe(v.expected.oldRSReplicasAfter);
    });
  }
});

describe('rolling.cleanupUnhealthyReplicas', () => {
  for (const v of groups['rolling.cleanupUnhealthyReplicas']!) {
    it(v.name, () => {
      const d = newDeployment(v.input.deployment);
      const oldOne = newRS({ name: 'foo-old', ...v.input.oldRS });
      const io = new FakeIO(NOW, [oldOne]);
      const got = cleanupUnhealthyReplicas(io, [oldOne], d, v.input.maxCleanupCount);
      expect(got.count).toBe(v.expected.cleanupCount);
      expect(got.oldRSs[0]!.spec.replicas).toBe(v.expected.oldRSReplicasAfter);
    });
  }
});

describe('rolling.scaleDownOldReplicaSetsForRollingUpdate', () => {
  for (const v of groups['rolling.scaleDownOldReplicaSetsForRollingUpdate']!) {
    it(v.name, () => {
      const d = newDeployment({
        replicas: v.input.deploymentReplicas,
        maxSurge: v.input.maxSurge,
        maxUnavailable: v.input.maxUnavailable,
      });
      const oldOne = newRS({ name: 'foo-old', ...v.input.oldRS });
      const io = new FakeIO(NOW, [oldOne]);
      const scaled = scaleDownOldReplicaSetsForRollingUpdate(io, [oldOne], [oldOne], d);
      expect(scaled > 0).toBe(v.expected.scaled);
      const after = io.sizeOf('foo-old', v.input.oldRS.specReplicas);
      expect(after).toBe(v.expected.oldRSReplicasAfter ?? v.input.oldRS.specReplicas);
    });
  }
});

/**
 * The 2026 "status on scale error" tables: a synced Deployment (revision annotations in place,
 * desired-replicas = spec so it is no scaling event) whose stored status already matches the RS
 * counts, with Progressing=ReplicaSetUpdated last updated 1h ago or now; the RS write fails.
 */
function scaleErrorFixture(
  input: any,
  oldRS: ReplicaSet | undefined,
  newOne: ReplicaSet | undefined,
  strategy: string,
) {
  const dIn = input.deployment;
  const d: Deployment = newDeployment({
    replicas: dIn.replicas,
    maxSurge: dIn.maxSurge,
    maxUnavailable: dIn.maxUnavailable,
    strategy,
    progressDeadlineSeconds: dIn.progressDeadlineSeconds,
    generation: dIn.generation,
  });
  const maxReplicas = strategy === 'Recreate' ? dIn.replicas : dIn.replicas + dIn.maxSurge;
  const annotate = (rs: ReplicaSet, rev: string) => {
    rs.metadata.annotations = {
      [Annotations.revision]: rev,
      [Annotations.desiredReplicas]: String(dIn.replicas),
      [Annotations.maxReplicas]: String(maxReplicas),
    };
  };
  if (oldRS) {
    annotate(oldRS, '1');
    oldRS.spec.template = { ...oldRS.spec.template, spec: { containers: [{ name: 'app', image: 'foo:v0' }] } };
  }
  if (newOne) annotate(newOne, '2');
  d.metadata.annotations = { [Annotations.revision]: newOne ? '2' : '1' };
  const expired = dIn.progressingLastUpdate === '1h ago' || input.progressExpired === true;
  const lastUpdate = rfc3339(expired ? NOW - 3_600_000 : NOW);
  const rsList = [oldRS, newOne].filter((r): r is ReplicaSet => !!r);
  const stored = calculateStatus(
    rsList,
    newOne,
    { ...d, metadata: { ...d.metadata, generation: dIn.observedGeneration } },
    NOW,
  );
  stored.conditions = [
    ...(stored.conditions ?? []),
    {
      type: 'Progressing',
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: 'x',
      lastUpdateTime: lastUpdate,
      lastTransitionTime: lastUpdate,
    },
  ];
  d.status = stored;
  const io = new FakeIO(NOW, rsList);
  io.failRSUpdates = input.rsUpdateFails;
  io.failStatusUpdates = input.statusUpdateFails;
  return { d, io, rsList };
}

function checkScaleErrorOutcome(v: any, io: FakeIO, run: () => void): void {
  let error: unknown;
  try {
    run();
  } catch (err) {
    error = err;
  }
  expect(error !== undefined).toBe(v.expected.errorReturned);
  const first = io.actions.find((a) => a.verb === 'update');
  expect(first && `scale ${first.name} to ${first.replicas}`).toBe(v.expected.firstAction);
  const statusWrites = io.actions.filter((a) => a.verb === 'update-status');
  expect(statusWrites.length > 0).toBe(v.expected.statusWritten);
  const written = statusWrites[statusWrites.length - 1]!.object as Deployment;
  expect(written.status?.observedGeneration).toBe(v.expected.observedGeneration);
  const progressing = written.status?.conditions?.find((c) => c.type === 'Progressing');
  expect(progressing?.reason).toBe(v.expected.progressingReason);
  if (v.expected.progressingStatus) expect(progressing?.status).toBe(v.expected.progressingStatus);
}

describe('rolling.rolloutRolling_statusOnScaleError', () => {
  for (const v of groups['rolling.rolloutRolling_statusOnScaleError']!) {
    it(v.name, () => {
      const oldOne = newRS({
        name: 'oldRS',
        specReplicas: v.input.oldRS.specReplicas,
        statusReplicas: v.input.oldRS.statusReplicas,
        availableReplicas: v.input.oldRS.available,
        readyReplicas: v.input.oldRS.available,
        createdAt: 'now-2h',
        observedGeneration: 1,
      });
      const newOne = newRS({
        name: 'newRS',
        specReplicas: v.input.newRS.specReplicas,
        statusReplicas: v.input.newRS.statusReplicas,
        availableReplicas: v.input.newRS.available,
        readyReplicas: v.input.newRS.available,
        createdAt: 'now-1h',
        observedGeneration: 1,
      });
      const { d, io, rsList } = scaleErrorFixture(v.input, oldOne, newOne, 'RollingUpdate');
      checkScaleErrorOutcome(v, io, () => syncDeploymentWith(io, d, rsList, () => new Map()));
    });
  }
});

describe('recreate.rolloutRecreate_statusOnScaleError', () => {
  for (const v of groups['recreate.rolloutRecreate_statusOnScaleError']!) {
    it(v.name, () => {
      const n = v.input.oldRSReplicas;
      const oldOne = newRS({
        name: 'oldRS',
        specReplicas: n,
        statusReplicas: n,
        availableReplicas: n,
        readyReplicas: n,
        createdAt: 'now-2h',
        observedGeneration: 1,
      });
      const newOne = v.input.hasNewRS
        ? newRS({ name: 'newRS', specReplicas: 0, createdAt: 'now-1h', observedGeneration: 1 })
        : undefined;
      const { d, io, rsList } = scaleErrorFixture(v.input, oldOne, newOne, 'Recreate');
      checkScaleErrorOutcome(v, io, () => syncDeploymentWith(io, d, rsList, () => new Map()));
    });
  }
});

describe('recreate.oldPodsRunning', () => {
  for (const v of groups['recreate.oldPodsRunning']!) {
    it(v.name, () => {
      const oldRSs = (v.input.oldRSs as any[]).map((r, i) =>
        newRS({
          name: r.name ?? `rs-${i}`,
          uid: r.uid,
          specReplicas: r.specReplicas,
          statusReplicas: r.statusReplicas,
        }),
      );
      const podMap = new Map<string, Pod[]>();
      for (const [uid, pods] of Object.entries(v.input.podMap as Record<string, Array<{ phase: string }>>)) {
        podMap.set(
          uid,
          pods.map((p, i) => ({
            metadata: { name: `${uid}-${i}` },
            spec: { containers: [] },
            status: { phase: p.phase as any },
          })),
        );
      }
      expect(oldPodsRunning(v.input.newRS, oldRSs, podMap)).toBe(v.expected.oldPodsRunning);
    });
  }
});

describe('recreate.scaleDownOldReplicaSets', () => {
  for (const v of groups['recreate.scaleDownOldReplicaSets']!) {
    it(v.name, () => {
      const d = newDeployment({ replicas: v.input.deployment.replicas, strategy: 'Recreate' });
      const oldRSs = (v.input.oldRSSizes as number[]).map((n, i) => newRS({ name: `old-${i}`, specReplicas: n }));
      const io = new FakeIO(NOW, oldRSs);
      expect(scaleDownOldReplicaSetsForRecreate(io, oldRSs, d)).toBe(true);
      expect(oldRSs.map((rs) => rs.spec.replicas)).toEqual(v.expected.oldRSSizesAfter);
    });
  }
});
