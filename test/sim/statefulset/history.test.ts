/**
 * The StatefulSet's ControllerRevision history (stateful_set_control.go getStatefulSetRevisions and
 * truncateHistory): one revision per distinct template, an old template renumbered rather than
 * duplicated, and the revisions beyond revisionHistoryLimit deleted oldest first, never a live one.
 */
import { describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import type { ControllerRevision } from '../../../src/cluster/sim/controllers/history/controllerHistory.js';
import { createSimulatedCluster, parseScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import type { StatefulSet } from '../../../src/k8s/statefulSet.js';
import { statefulSetStatus } from '../../../src/rollout/statusViewer.js';

function start(revisionHistoryLimit: number): Simulation {
  const scenario = parseScenario(dump({ seed: 3, images: { default: { pullSeconds: 1, startSeconds: 1 } } }));
  const { simulation: sim } = createSimulatedCluster(scenario);
  sim.store.create<StatefulSet>('StatefulSet', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      revisionHistoryLimit,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'app:1' }] } },
    },
  });
  roll(sim);
  return sim;
}

const web = (sim: Simulation) => sim.store.mustGet<StatefulSet>('StatefulSet', 'default', 'web');

function roll(sim: Simulation): void {
  expect(sim.runUntil(() => statefulSetStatus(web(sim)).done, 5 * 60_000)).toBe(true);
}

function setImage(sim: Simulation, image: string): void {
  const next = structuredClone(web(sim));
  next.spec.template.spec!.containers[0]!.image = image;
  sim.store.update('StatefulSet', next);
  roll(sim);
}

/** `<revision> <image>` of every ControllerRevision, by revision. */
function history(sim: Simulation): string[] {
  return sim.store
    .list<ControllerRevision>('ControllerRevision', 'default')
    .sort((a, b) => a.revision - b.revision)
    .map((r) => {
      const data = r.data as { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
      return `${r.revision} ${data.spec.template.spec.containers[0]!.image}`;
    });
}

describe('StatefulSet revision history', () => {
  it('keeps one revision per template and renumbers a template that comes back', () => {
    const sim = start(10);
    setImage(sim, 'app:2');
    setImage(sim, 'app:3');
    expect(history(sim)).toEqual(['1 app:1', '2 app:2', '3 app:3']);
    setImage(sim, 'app:1');
    expect(history(sim)).toEqual(['2 app:2', '3 app:3', '4 app:1']);
    expect(web(sim).status?.collisionCount).toBe(0);
  });

  it('truncates to revisionHistoryLimit non-live revisions, oldest first', () => {
    const sim = start(1);
    setImage(sim, 'app:2');
    setImage(sim, 'app:3');
    setImage(sim, 'app:4');
    // Live: the current (= update) revision app:4; history: one more, the newest of the rest.
    expect(history(sim)).toEqual(['3 app:3', '4 app:4']);
  });

  it('with revisionHistoryLimit 0 keeps only what pods and the status still name', () => {
    const sim = start(0);
    setImage(sim, 'app:2');
    expect(history(sim)).toEqual(['2 app:2']);
  });
});
