/**
 * The DaemonSet controller's rolling-update decisions (update.go rollingUpdate) and its history
 * (constructHistory, snapshot collisions, cleanupHistory), asserted on exact pods and revisions.
 */
import { describe, expect, it } from '@jest/globals';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import type { DaemonSet } from '../../../src/cluster/sim/controllers/daemonset/daemonSetUtil.js';
import { rollingUpdate } from '../../../src/cluster/sim/controllers/daemonset/update.js';
import { computeHash } from '../../../src/cluster/sim/controllers/deployment/podTemplateHash.js';
import type { ControllerRevision } from '../../../src/cluster/sim/controllers/history/controllerHistory.js';
import { parseScenario } from '../../../src/cluster/sim/scenario/parseScenario.js';
import { newNodes } from '../../../src/cluster/sim/scheduler/nodes.js';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { IntOrString, Pod } from '../../../src/k8s/objects.js';

const NOW = Date.UTC(2026, 0, 1, 0, 10);

function daemonSet(rolling: { maxUnavailable?: IntOrString; maxSurge?: IntOrString }, image = 'agent:2'): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'default', annotations: { 'deprecated.daemonset.template.generation': '2' } },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0, ...rolling } },
    },
  };
}

function daemonPod(node: string, hash: string, ready: boolean): Pod {
  return {
    metadata: { name: `agent-${node}-${hash}`, labels: { 'controller-revision-hash': hash } },
    spec: { nodeName: node, containers: [{ name: 'a' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

describe('rollingUpdate (update.go)', () => {
  const nodes = newNodes(5);
  const allOld = (unready: string[] = []) =>
    new Map(
      nodes.map((n) => [n.metadata.name!, [daemonPod(n.metadata.name!, 'old', !unready.includes(n.metadata.name!))]]),
    );

  it('without surge, deletes as many available old pods as maxUnavailable allows (40% of 5 rounds up to 2)', () => {
    expect(rollingUpdate(daemonSet({ maxUnavailable: '40%' }), nodes, allOld(), 'new', NOW)).toEqual({
      podsToDelete: ['agent-node-1-old', 'agent-node-2-old'],
      nodesToCreate: [],
    });
  });

  it('replaces an unavailable old pod at once, and it uses up the budget', () => {
    expect(rollingUpdate(daemonSet({ maxUnavailable: 1 }), nodes, allOld(['node-4']), 'new', NOW)).toEqual({
      podsToDelete: ['agent-node-4-old'],
      nodesToCreate: [],
    });
  });

  it('counts an unavailable new pod and a node without pods against maxUnavailable', () => {
    const byNode = allOld();
    byNode.set('node-1', [daemonPod('node-1', 'new', false)]);
    byNode.delete('node-2');
    expect(rollingUpdate(daemonSet({ maxUnavailable: 3 }), nodes, byNode, 'new', NOW)).toEqual({
      podsToDelete: ['agent-node-3-old'],
      nodesToCreate: [],
    });
  });

  it('with both 0 (an impossible configuration) accepts one unavailable', () => {
    expect(rollingUpdate(daemonSet({}), nodes, allOld(), 'new', NOW).podsToDelete).toEqual(['agent-node-1-old']);
  });

  it('with surge, creates new pods beside up to maxSurge available old ones and at once beside unavailable ones', () => {
    expect(rollingUpdate(daemonSet({ maxSurge: 1 }), nodes, allOld(['node-5']), 'new', NOW)).toEqual({
      podsToDelete: [],
      nodesToCreate: ['node-5', 'node-1'],
    });
  });

  it('with surge, deletes the old pod once the new one beside it is available, and waits while it is not', () => {
    const byNode = allOld();
    byNode.set('node-1', [daemonPod('node-1', 'old', true), daemonPod('node-1', 'new', true)]);
    byNode.set('node-2', [daemonPod('node-2', 'old', true), daemonPod('node-2', 'new', false)]);
    expect(rollingUpdate(daemonSet({ maxSurge: 2 }), nodes, byNode, 'new', NOW)).toEqual({
      podsToDelete: ['agent-node-1-old'],
      nodesToCreate: ['node-3'],
    });
  });
});

function cluster(): Simulation {
  const { simulation } = createSimulatedCluster(parseScenario('nodes: { count: 2 }'));
  return simulation;
}

function apply(sim: Simulation, image: string, extra: Partial<DaemonSet['spec']> = {}): void {
  const existing = sim.store.get<DaemonSet>('DaemonSet', 'default', 'agent');
  const ds = daemonSet({ maxUnavailable: 1 }, image);
  delete ds.metadata.annotations;
  ds.spec = { ...ds.spec, ...extra };
  if (existing) sim.store.update('DaemonSet', { ...structuredClone(existing), spec: ds.spec });
  else sim.store.create('DaemonSet', ds);
  sim.advance(60_000);
}

const revisions = (sim: Simulation) =>
  sim.store
    .list<ControllerRevision>('ControllerRevision', 'default')
    .map(
      (r) =>
        `${r.revision} ${(r.data as { spec: { template: { spec: { containers: Array<{ image: string }> } } } }).spec.template.spec.containers[0]!.image}`,
    )
    .sort();

describe('DaemonSet history', () => {
  it('renumbers an old revision that becomes current again instead of duplicating it', () => {
    const sim = cluster();
    apply(sim, 'agent:1');
    apply(sim, 'agent:2');
    expect(revisions(sim)).toEqual(['1 agent:1', '2 agent:2']);
    apply(sim, 'agent:1');
    expect(revisions(sim)).toEqual(['2 agent:2', '3 agent:1']);
    const ds = sim.store.mustGet<DaemonSet>('DaemonSet', 'default', 'agent');
    expect(ds.metadata.annotations!['deprecated.daemonset.template.generation']).toBe('3');
    const pods = sim.store.list<Pod>('Pod', 'default');
    expect(pods.map((p) => p.metadata.labels!['pod-template-generation'])).toEqual(['3', '3']);
  });

  it('keeps revisionHistoryLimit old revisions, oldest deleted first', () => {
    const sim = cluster();
    for (const image of ['agent:1', 'agent:2', 'agent:3', 'agent:4']) apply(sim, image, { revisionHistoryLimit: 1 });
    expect(revisions(sim)).toEqual(['3 agent:3', '4 agent:4']);
  });

  it('bumps status.collisionCount when the revision name is taken by other data, and names it anew', () => {
    const sim = cluster();
    const ds = daemonSet({ maxUnavailable: 1 }, 'agent:1');
    delete ds.metadata.annotations;
    const created = sim.store.create('DaemonSet', ds);
    const takenHash = computeHash(created.spec.template, undefined);
    sim.store.create('ControllerRevision', {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: `agent-${takenHash}`, namespace: 'default' },
      data: { spec: { template: { $patch: 'replace' } } },
      revision: 1,
    } as ControllerRevision);
    sim.advance(60_000);
    const after = sim.store.mustGet<DaemonSet>('DaemonSet', 'default', 'agent');
    expect(after.status!.collisionCount).toBe(1);
    const hash = computeHash(after.spec.template, 1);
    expect(hash).not.toBe(takenHash);
    expect(sim.store.get('ControllerRevision', 'default', `agent-${hash}`)).toBeDefined();
    expect(sim.store.list<Pod>('Pod', 'default').map((p) => p.metadata.labels!['controller-revision-hash'])).toEqual([
      hash,
      hash,
    ]);
  });
});

describe('nodes leaving the cluster', () => {
  it('a deleted node leaves desired at once, and its pod goes when PodGC quarantine (40 s) ends', () => {
    const sim = cluster();
    apply(sim, 'agent:1');
    const podOn = (node: string) => sim.store.list<Pod>('Pod', 'default').filter((p) => p.spec.nodeName === node);
    expect(podOn('node-2').length).toBe(1);
    const victim = podOn('node-2')[0]!.metadata.name!;
    sim.store.delete('Node', undefined, 'node-2');
    sim.settle();
    const t0 = sim.clock.now();
    expect(sim.store.mustGet<DaemonSet>('DaemonSet', 'default', 'agent').status).toMatchObject({
      desiredNumberScheduled: 1,
      currentNumberScheduled: 1,
      numberAvailable: 1,
    });
    sim.advance(40_000 - 1);
    expect(podOn('node-2').map((p) => p.metadata.name)).toEqual([victim]);
    sim.advance(1);
    expect(sim.clock.now() - t0).toBe(40_000);
    expect(podOn('node-2')).toEqual([]);
    expect(sim.store.list<Pod>('Pod', 'default').length).toBe(1);
  });
});
