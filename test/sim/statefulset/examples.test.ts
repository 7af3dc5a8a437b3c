/**
 * The StatefulSet examples (examples/statefulset-typo, examples/statefulset-canary) on the
 * simulated cluster alone, without the gate: the scenario's objects come up rolled out, and the
 * update behaves as a real cluster does (stuck at ordinal 2 for the typo; web-2 only for the canary).
 */
import { describe, expect, it } from '@jest/globals';
import { loadScenario } from '../../../src/app/connect.js';
import { createSimulatedCluster, type Simulation } from '../../../src/cluster/sim/index.js';
import {
  templateOfRevision,
  type ControllerRevision,
} from '../../../src/cluster/sim/controllers/history/controllerHistory.js';
import { applyStrategicMergePatch } from '../../../src/cluster/sim/patch/strategicMerge.js';
import { loadManifests } from '../../../src/manifest/index.js';
import type { Pod } from '../../../src/k8s/objects.js';
import type { StatefulSet } from '../../../src/k8s/statefulSet.js';
import { statefulSetStatus } from '../../../src/rollout/statusViewer.js';

function start(example: string): Simulation {
  const { scenario, objects, errors } = loadScenario({ scenario: `examples/${example}/scenario.yaml`, cwd: '.' });
  expect(errors).toEqual([]);
  return createSimulatedCluster(scenario, { objects: objects.map((d) => d.object) }).simulation;
}

/** `kubectl apply` of the example's new manifest: the StatefulSet's spec replaced. */
function applyUpdate(sim: Simulation, example: string): void {
  const { documents } = loadManifests({ patterns: [`examples/${example}/web-v2.yaml`], cwd: '.' });
  const next = structuredClone(sim.store.mustGet<StatefulSet>('StatefulSet', 'default', 'web'));
  next.spec = structuredClone((documents[0]!.object as StatefulSet).spec);
  sim.store.update('StatefulSet', next);
}

const web = (sim: Simulation) => sim.store.mustGet<StatefulSet>('StatefulSet', 'default', 'web');
const pods = (sim: Simulation) =>
  sim.store.list<Pod>('Pod', 'default').map((p) => {
    const waiting = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
    return `${p.metadata.name} ${p.spec.containers[0]!.image} ${waiting ?? p.status?.phase}`;
  });

describe('examples/statefulset-typo', () => {
  it('is stuck at ordinal 2 with web-1 and web-0 untouched; undo plus deleting the stuck pod recovers', () => {
    const sim = start('statefulset-typo');
    expect(statefulSetStatus(web(sim)).message).toBe(
      'partitioned roll out complete: 3 new pods have been updated...\n',
    );
    const good = web(sim).status!.currentRevision!;
    const uids = sim.store.list<Pod>('Pod', 'default').map((p) => p.metadata.uid);
    expect(sim.store.list('PersistentVolumeClaim', 'default').map((c) => c.metadata.name)).toEqual([
      'www-web-0',
      'www-web-1',
      'www-web-2',
    ]);

    applyUpdate(sim, 'statefulset-typo');
    sim.advance(10 * 60_000);
    expect(pods(sim)).toEqual([
      'web-0 registry.k8s.io/nginx-slim:0.24 Running',
      'web-1 registry.k8s.io/nginx-slim:0.24 Running',
      'web-2 registry.k8s.io/nginx-slim:0.244 ImagePullBackOff',
    ]);
    expect(
      sim.store
        .list<Pod>('Pod', 'default')
        .map((p) => p.metadata.uid)
        .slice(0, 2),
    ).toEqual(uids.slice(0, 2));
    expect(statefulSetStatus(web(sim)).message).toBe('Waiting for 1 pods to be ready...\n');

    // kubectl rollout undo: the good revision's data ($patch: replace on the template).
    const revision = sim.store
      .list<ControllerRevision>('ControllerRevision', 'default')
      .find((r) => r.metadata.name === good)!;
    sim.store.update('StatefulSet', applyStrategicMergePatch(web(sim), revision.data));
    sim.advance(5 * 60_000);
    expect(pods(sim)[2]).toBe('web-2 registry.k8s.io/nginx-slim:0.244 ImagePullBackOff');

    sim.store.delete('Pod', 'default', 'web-2');
    sim.runUntil(() => statefulSetStatus(web(sim)).done, 60_000);
    expect(pods(sim)).toEqual([
      'web-0 registry.k8s.io/nginx-slim:0.24 Running',
      'web-1 registry.k8s.io/nginx-slim:0.24 Running',
      'web-2 registry.k8s.io/nginx-slim:0.24 Running',
    ]);
    const status = web(sim).status!;
    expect([status.currentRevision, status.updateRevision, status.readyReplicas]).toEqual([good, good, 3]);
    const renumbered = sim.store.get<ControllerRevision>('ControllerRevision', 'default', good)!;
    expect(renumbered.revision).toBe(3);
    expect(templateOfRevision(renumbered)?.spec?.containers[0]!.image).toBe('registry.k8s.io/nginx-slim:0.24');
  });
});

describe('examples/statefulset-canary', () => {
  it('updates web-2 only and kubectl calls the partitioned rollout complete', () => {
    const sim = start('statefulset-canary');
    applyUpdate(sim, 'statefulset-canary');
    expect(sim.runUntil(() => statefulSetStatus(web(sim)).done, 5 * 60_000)).toBe(true);
    expect(statefulSetStatus(web(sim)).message).toBe(
      'partitioned roll out complete: 1 new pods have been updated...\n',
    );
    expect(pods(sim)).toEqual([
      'web-0 registry.k8s.io/nginx-slim:0.24 Running',
      'web-1 registry.k8s.io/nginx-slim:0.24 Running',
      'web-2 registry.k8s.io/nginx-slim:0.25 Running',
    ]);
    expect(web(sim).status!.currentRevision).not.toBe(web(sim).status!.updateRevision);
  });
});
