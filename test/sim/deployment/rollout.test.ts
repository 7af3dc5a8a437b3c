import { describe, it, expect } from '@jest/globals';
import { clone, objectKey, rfc3339 } from '../../../src/k8s/meta.js';
import { Annotations, Labels, type Condition, type Deployment, type ReplicaSet } from '../../../src/k8s/objects.js';
import { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { Controller, ControllerContext } from '../../../src/cluster/sim/controllers/controller.js';
import type { StoreEvent } from '../../../src/cluster/sim/store/objectStore.js';
import { DeploymentController } from '../../../src/cluster/sim/controllers/deployment/deploymentController.js';

/**
 * Test-only stand-in for the ReplicaSet side (controller, scheduler, kubelet): on any RS change it
 * reports spec.replicas pods, all ready and available, after `delayMs` of virtual time. Pods of an
 * image containing "broken" exist but never become ready.
 */
class FakeReplicaSetSide implements Controller {
  readonly name = 'fake-replicaset';
  constructor(
    private readonly ctx: ControllerContext,
    private readonly delayMs: number,
  ) {}

  keysFor(event: StoreEvent): string[] {
    return event.kind === 'ReplicaSet' && event.type !== 'DELETED' ? [objectKey(event.object)] : [];
  }

  sync(key: string): void {
    const apply = () => {
      const [namespace, name] = key.split('/') as [string, string];
      const rs = this.ctx.store.get<ReplicaSet>('ReplicaSet', namespace, name);
      if (!rs) return;
      const replicas = rs.spec.replicas ?? 1;
      const broken = (rs.spec.template.spec?.containers ?? []).some((c) => c.image?.includes('broken'));
      const copy = clone(rs);
      copy.status = {
        replicas,
        fullyLabeledReplicas: replicas,
        readyReplicas: broken ? 0 : replicas,
        availableReplicas: broken ? 0 : replicas,
        terminatingReplicas: 0,
        observedGeneration: rs.metadata.generation,
      };
      this.ctx.store.update('ReplicaSet', copy, { subresource: 'status' });
    };
    if (this.delayMs > 0) this.ctx.clock.after(this.delayMs, `fake rs ${key}`, apply);
    else apply();
  }
}

function newSim(delayMs = 0): Simulation {
  const sim = new Simulation([(ctx) => new DeploymentController(ctx), (ctx) => new FakeReplicaSetSide(ctx, delayMs)]);
  sim.store.create('Namespace', { metadata: { name: 'default' } });
  return sim;
}

function createDeployment(sim: Simulation, patch: (d: Deployment) => void = () => undefined): Deployment {
  const d: Deployment = {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } },
    },
  };
  patch(d);
  const created = sim.store.create('Deployment', d);
  sim.settle();
  return created;
}

function getDeployment(sim: Simulation): Deployment {
  return sim.store.mustGet<Deployment>('Deployment', 'default', 'web');
}

function updateDeployment(sim: Simulation, mutate: (d: Deployment) => void): void {
  const d = clone(getDeployment(sim));
  mutate(d);
  sim.store.update('Deployment', d);
  sim.settle();
}

const setImage = (image: string) => (d: Deployment) => {
  d.spec.template.spec!.containers[0]!.image = image;
};

function replicaSets(sim: Simulation): ReplicaSet[] {
  const uid = getDeployment(sim).metadata.uid!;
  return sim.store
    .listOwnedBy<ReplicaSet>('ReplicaSet', uid)
    .sort(
      (a, b) =>
        Number(a.metadata.annotations?.[Annotations.revision]) - Number(b.metadata.annotations?.[Annotations.revision]),
    );
}

function rsWithImage(sim: Simulation, image: string): ReplicaSet {
  return replicaSets(sim).find((rs) => rs.spec.template.spec?.containers[0]?.image === image)!;
}

function scalingMessages(sim: Simulation): string[] {
  return sim.events
    .eventsFor(getDeployment(sim))
    .filter((e) => e.reason === 'ScalingReplicaSet')
    .map((e) => e.message!);
}

function progressing(sim: Simulation): Condition | undefined {
  return getDeployment(sim).status?.conditions?.find((c) => c.type === 'Progressing');
}

function complete(sim: Simulation): boolean {
  const d = getDeployment(sim);
  const s = d.status ?? {};
  return (
    s.observedGeneration === d.metadata.generation &&
    s.updatedReplicas === d.spec.replicas &&
    s.replicas === d.spec.replicas &&
    s.availableReplicas === d.spec.replicas &&
    progressing(sim)?.reason === 'NewReplicaSetAvailable'
  );
}

/** Records each distinct Progressing (reason, message) the Deployment goes through. */
function watchProgressing(sim: Simulation): Array<[string, string]> {
  const seen: Array<[string, string]> = [];
  sim.store.watch((event) => {
    if (event.kind !== 'Deployment') return;
    const c = (event.object as Deployment).status?.conditions?.find((x) => x.type === 'Progressing');
    if (!c) return;
    const last = seen[seen.length - 1];
    if (!last || last[0] !== c.reason || last[1] !== c.message) seen.push([c.reason!, c.message!]);
  });
  return seen;
}

describe('Deployment controller, whole simulated runs', () => {
  it('rolls 3 replicas at 25%/25% one pod at a time, with upstream events, revisions and conditions', () => {
    const sim = newSim(2000);
    createDeployment(sim);
    expect(sim.runUntil(() => complete(sim), 60_000)).toBe(true);
    const first = replicaSets(sim)[0]!;
    expect(first.metadata.name).toBe(`web-${first.metadata.labels![Labels.podTemplateHash]}`);
    expect(first.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(first.spec.selector.matchLabels).toEqual({
      app: 'web',
      [Labels.podTemplateHash]: first.metadata.labels![Labels.podTemplateHash],
    });
    expect(first.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        uid: getDeployment(sim).metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(getDeployment(sim).metadata.annotations?.[Annotations.revision]).toBe('1');

    const before = scalingMessages(sim).length;
    const conditions = watchProgressing(sim);
    updateDeployment(sim, setImage('nginx:2'));
    expect(sim.runUntil(() => complete(sim), 120_000)).toBe(true);

    const oldName = first.metadata.name!;
    const newRS = rsWithImage(sim, 'nginx:2');
    const newName = newRS.metadata.name!;
    expect(scalingMessages(sim).slice(before)).toEqual([
      `Scaled up replica set ${newName} to 1`,
      `Scaled down replica set ${oldName} to 2 from 3`,
      `Scaled up replica set ${newName} to 2 from 1`,
      `Scaled down replica set ${oldName} to 1 from 2`,
      `Scaled up replica set ${newName} to 3 from 2`,
      `Scaled down replica set ${oldName} to 0 from 1`,
    ]);
    expect(newRS.metadata.annotations).toMatchObject({
      [Annotations.revision]: '2',
      [Annotations.desiredReplicas]: '3',
      [Annotations.maxReplicas]: '4',
    });
    const d = getDeployment(sim);
    expect(d.metadata.annotations?.[Annotations.revision]).toBe('2');
    expect(d.status?.observedGeneration).toBe(d.metadata.generation);
    expect(conditions).toEqual([
      ['NewReplicaSetAvailable', `ReplicaSet "${oldName}" has successfully progressed.`],
      ['NewReplicaSetCreated', `Created new replica set "${newName}"`],
      ['ReplicaSetUpdated', `ReplicaSet "${newName}" is progressing.`],
      ['NewReplicaSetAvailable', `ReplicaSet "${newName}" has successfully progressed.`],
    ]);
    expect(d.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
      message: 'Deployment has minimum availability.',
    });
    expect(d.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      terminatingReplicas: 0,
    });
    expect(d.status?.unavailableReplicas).toBeUndefined(); // 0 is omitted, as the API server serialises it
  });

  /** 3 replicas, surge 1 / unavailable 1, a 60s deadline, then an image whose pods never get ready. */
  function stalledRollout(): { sim: Simulation; lastProgress: number; stuckName: string } {
    const sim = newSim(0);
    createDeployment(sim, (d) => {
      d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
      d.spec.progressDeadlineSeconds = 60;
    });
    sim.advance(10_000);
    updateDeployment(sim, setImage('nginx:broken'));
    const last = progressing(sim)!;
    expect(last.reason).toBe('ReplicaSetUpdated');
    const lastProgress = Date.parse(last.lastUpdateTime!);
    expect(lastProgress).toBe(sim.clock.now());
    return { sim, lastProgress, stuckName: rsWithImage(sim, 'nginx:broken').metadata.name! };
  }

  it('stalls when new pods never become available and times out strictly after progressDeadlineSeconds', () => {
    const { sim, lastProgress, stuckName } = stalledRollout();
    expect([rsWithImage(sim, 'nginx:1').spec.replicas, rsWithImage(sim, 'nginx:broken').spec.replicas]).toEqual([2, 2]);
    expect(getDeployment(sim).status).toMatchObject({
      replicas: 4,
      updatedReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 2,
    });

    // At the deadline: nothing yet. requeueStuckDeployment asked for a sync at deadline + 1s.
    sim.clock.runUntil(lastProgress + 60_000);
    expect(progressing(sim)!.reason).toBe('ReplicaSetUpdated');
    sim.advance(999);
    expect(progressing(sim)!.reason).toBe('ReplicaSetUpdated');
    sim.advance(1);
    expect(progressing(sim)).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${stuckName}" has timed out progressing.`,
      lastUpdateTime: rfc3339(lastProgress + 61_000),
    });
    expect([rsWithImage(sim, 'nginx:1').spec.replicas, rsWithImage(sim, 'nginx:broken').spec.replicas]).toEqual([2, 2]);
    expect(getDeployment(sim).status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    // The timeout is sticky: later syncs keep it.
    sim.advance(600_000);
    expect(progressing(sim)!.reason).toBe('ProgressDeadlineExceeded');
  });

  it('does not time out in a sync exactly at the deadline (strict), only in the rate-limited retry after it', () => {
    const { sim, lastProgress } = stalledRollout();
    sim.clock.runUntil(lastProgress + 60_000);
    sim.context.enqueue('deployment', 'default/web');
    sim.settle();
    expect(progressing(sim)!.reason).toBe('ReplicaSetUpdated');
    // Less than a second left: requeueStuckDeployment re-adds the key rate-limited (workqueue base delay 5ms).
    sim.advance(4);
    expect(progressing(sim)!.reason).toBe('ReplicaSetUpdated');
    sim.advance(1);
    expect(progressing(sim)!.reason).toBe('ProgressDeadlineExceeded');
  });

  it('rolls over to a newer template mid-rollout', () => {
    const sim = newSim(5000);
    createDeployment(sim, (d) => {
      d.spec.replicas = 4;
    });
    expect(sim.runUntil(() => complete(sim), 60_000)).toBe(true);
    updateDeployment(sim, setImage('nginx:2'));
    // Surge 1 / unavailable 1: the new RS is at 2 and the old at 3 before any new pod is ready.
    const mid = rsWithImage(sim, 'nginx:2');
    expect(rsWithImage(sim, 'nginx:1').spec.replicas).toBe(3);
    expect(mid.spec.replicas).toBeGreaterThan(0);
    expect(mid.spec.replicas).toBeLessThan(4);
    updateDeployment(sim, setImage('nginx:3'));
    const latest = rsWithImage(sim, 'nginx:3');
    expect(latest.metadata.annotations?.[Annotations.revision]).toBe('3');
    expect(sim.runUntil(() => complete(sim), 300_000)).toBe(true);
    expect(replicaSets(sim).map((rs) => [rs.spec.template.spec!.containers[0]!.image, rs.spec.replicas])).toEqual([
      ['nginx:1', 0],
      ['nginx:2', 0],
      ['nginx:3', 4],
    ]);
    expect(getDeployment(sim).metadata.annotations?.[Annotations.revision]).toBe('3');
  });

  it('creates no ReplicaSet while paused and exactly one new revision on resume', () => {
    const sim = newSim(1000);
    createDeployment(sim);
    expect(sim.runUntil(() => complete(sim), 60_000)).toBe(true);
    updateDeployment(sim, (d) => {
      d.spec.paused = true;
    });
    expect(progressing(sim)).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
      message: 'Deployment is paused',
    });
    updateDeployment(sim, setImage('nginx:2'));
    sim.advance(10_000);
    updateDeployment(sim, setImage('nginx:3'));
    sim.advance(10_000);
    expect(replicaSets(sim)).toHaveLength(1);
    expect(getDeployment(sim).metadata.annotations?.[Annotations.revision]).toBe('1');
    expect(getDeployment(sim).status?.updatedReplicas).toBeUndefined(); // 0: no new RS while paused
    expect(getDeployment(sim).status?.observedGeneration).toBe(getDeployment(sim).metadata.generation);

    updateDeployment(sim, (d) => {
      d.spec.paused = false;
    });
    expect(sim.runUntil(() => complete(sim), 120_000)).toBe(true);
    expect(replicaSets(sim)).toHaveLength(2);
    expect(rsWithImage(sim, 'nginx:3').metadata.annotations?.[Annotations.revision]).toBe('2');
    expect(getDeployment(sim).metadata.annotations?.[Annotations.revision]).toBe('2');
  });

  it('undo (template set back to revision 1) reuses the old ReplicaSet as revision 3', () => {
    const sim = newSim(1000);
    createDeployment(sim);
    expect(sim.runUntil(() => complete(sim), 60_000)).toBe(true);
    const v1 = replicaSets(sim)[0]!;
    updateDeployment(sim, setImage('nginx:2'));
    expect(sim.runUntil(() => complete(sim), 120_000)).toBe(true);
    // What kubectl rollout undo sends: revision 1's template without the hash label.
    updateDeployment(sim, (d) => {
      const template = clone(v1.spec.template);
      delete template.metadata!.labels![Labels.podTemplateHash];
      d.spec.template = template;
    });
    expect(sim.runUntil(() => complete(sim), 120_000)).toBe(true);
    expect(replicaSets(sim)).toHaveLength(2);
    const reused = sim.store.mustGet<ReplicaSet>('ReplicaSet', 'default', v1.metadata.name!);
    expect(reused.metadata.uid).toBe(v1.metadata.uid);
    expect(reused.spec.replicas).toBe(3);
    expect(reused.metadata.annotations?.[Annotations.revision]).toBe('3');
    expect(reused.metadata.annotations?.[Annotations.revisionHistory]).toBe('1');
    expect(rsWithImage(sim, 'nginx:2').metadata.annotations?.[Annotations.revision]).toBe('2');
    expect(getDeployment(sim).metadata.annotations?.[Annotations.revision]).toBe('3');
  });

  it('legacy rollback annotation (revision 0 = previous) restores the template and clears the annotation', () => {
    const sim = newSim(1000);
    createDeployment(sim);
    expect(sim.runUntil(() => complete(sim), 60_000)).toBe(true);
    updateDeployment(sim, setImage('nginx:2'));
    expect(sim.runUntil(() => complete(sim), 120_000)).toBe(true);
    updateDeployment(sim, (d) => {
      d.metadata.annotations = { ...d.metadata.annotations, [Annotations.rollbackTo]: '0' };
    });
    expect(sim.runUntil(() => complete(sim), 120_000)).toBe(true);
    const d = getDeployment(sim);
    expect(d.spec.template.spec!.containers[0]!.image).toBe('nginx:1');
    expect(d.metadata.annotations?.[Annotations.rollbackTo]).toBeUndefined();
    expect(d.metadata.annotations?.[Annotations.revision]).toBe('3');
    expect(
      sim.events
        .eventsFor(d)
        .filter((e) => e.reason === 'DeploymentRollback')
        .map((e) => e.message),
    ).toEqual(['Rolled back deployment "web" to revision 1']);
    updateDeployment(sim, (x) => {
      x.metadata.annotations = { ...x.metadata.annotations, [Annotations.rollbackTo]: '7' };
    });
    expect(
      sim.events
        .eventsFor(d)
        .filter((e) => e.type === 'Warning')
        .map((e) => [e.reason, e.message]),
    ).toEqual([['DeploymentRollbackRevisionNotFound', 'Unable to find the revision to rollback to.']]);
    expect(getDeployment(sim).metadata.annotations?.[Annotations.rollbackTo]).toBeUndefined();
  });

  it('Recreate scales every old pod away before creating the new ReplicaSet at full size', () => {
    const sim = newSim(3000);
    createDeployment(sim, (d) => {
      d.spec.strategy = { type: 'Recreate' };
    });
    expect(sim.runUntil(() => complete(sim), 60_000)).toBe(true);
    const oldName = replicaSets(sim)[0]!.metadata.name!;
    const before = scalingMessages(sim).length;
    updateDeployment(sim, setImage('nginx:2'));
    expect(replicaSets(sim)).toHaveLength(1); // nothing new until the old pods are gone
    sim.advance(2999);
    expect(replicaSets(sim)).toHaveLength(1);
    sim.advance(1);
    expect(replicaSets(sim)).toHaveLength(2);
    // Recreate has MaxUnavailable 0: Available is False until every new replica is available.
    expect(getDeployment(sim).status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    expect(sim.runUntil(() => complete(sim), 60_000)).toBe(true);
    const newRS = rsWithImage(sim, 'nginx:2');
    expect(scalingMessages(sim).slice(before)).toEqual([
      `Scaled down replica set ${oldName} to 0 from 3`,
      `Scaled up replica set ${newRS.metadata.name} to 3`,
    ]);
    expect(newRS.metadata.annotations).toMatchObject({
      [Annotations.desiredReplicas]: '3',
      [Annotations.maxReplicas]: '3',
    });
  });

  it('scales proportionally when replicas change mid-rollout', () => {
    const sim = newSim(0);
    createDeployment(sim, (d) => {
      d.spec.replicas = 10;
    });
    updateDeployment(sim, setImage('nginx:broken'));
    const oldName = rsWithImage(sim, 'nginx:1').metadata.name!;
    const newName = rsWithImage(sim, 'nginx:broken').metadata.name!;
    // Surge 3 / unavailable 2: new 3 → 5, old 10 → 8, then stuck on the broken pods.
    expect([rsWithImage(sim, 'nginx:1').spec.replicas, rsWithImage(sim, 'nginx:broken').spec.replicas]).toEqual([8, 5]);
    const before = scalingMessages(sim).length;
    updateDeployment(sim, (d) => {
      d.spec.replicas = 20;
    });
    // 13 → 25 allowed: old round(8·25/13) = 15, new round(5·25/13) = 10.
    expect([rsWithImage(sim, 'nginx:1').spec.replicas, rsWithImage(sim, 'nginx:broken').spec.replicas]).toEqual([
      15, 10,
    ]);
    expect(scalingMessages(sim).slice(before)).toEqual([
      `Scaled up replica set ${oldName} to 15 from 8`,
      `Scaled up replica set ${newName} to 10 from 5`,
    ]);
    for (const rs of replicaSets(sim)) {
      expect(rs.metadata.annotations).toMatchObject({
        [Annotations.desiredReplicas]: '20',
        [Annotations.maxReplicas]: '25',
      });
    }
  });

  it('keeps only revisionHistoryLimit old ReplicaSets once a rollout completes', () => {
    const sim = newSim(1000);
    createDeployment(sim, (d) => {
      d.spec.revisionHistoryLimit = 1;
    });
    expect(sim.runUntil(() => complete(sim), 60_000)).toBe(true);
    for (const image of ['nginx:2', 'nginx:3']) {
      updateDeployment(sim, setImage(image));
      expect(sim.runUntil(() => complete(sim), 120_000)).toBe(true);
      sim.advance(5000);
    }
    expect(
      replicaSets(sim).map((rs) => [
        rs.spec.template.spec!.containers[0]!.image,
        rs.metadata.annotations?.[Annotations.revision],
      ]),
    ).toEqual([
      ['nginx:2', '2'],
      ['nginx:3', '3'],
    ]);
  });

  it('warns and only observes the generation for a selector that selects everything', () => {
    const sim = newSim(0);
    createDeployment(sim, (d) => {
      d.spec.selector = {};
    });
    const d = getDeployment(sim);
    expect(replicaSets(sim)).toHaveLength(0);
    expect(d.status?.observedGeneration).toBe(1);
    expect(sim.events.eventsFor(d).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.'],
    ]);
  });
});
