/**
 * Issue 11, the gate part: StatefulSets and DaemonSets over their life on the simulated cluster,
 * each verdict checked against what the scenario planted (the image), never against another run:
 * a typo'd image is rolled back to the last good template (a StatefulSet's stuck pod replaced),
 * a good image succeeds, the next deploy after a rollback succeeds (no conflict with the gate's own
 * undo), several kinds in one run are rolled back together, OnDelete is said, not waited on.
 */
import { describe, expect, test } from '@jest/globals';
import { controllerOf } from '../../src/k8s/meta.js';
import { gateLeaseName, type Lease } from '../../src/k8s/lease.js';
import type { DaemonSet, KubeObject, Pod, StatefulSet } from '../../src/k8s/objects.js';
import type { SimulatedClusterParts } from '../../src/cluster/sim/index.js';
import { deployment, gate, simulate, state } from './support.js';

const SCENARIO = 'images:\n  "db:typo": { pull: missing }\n  "agent:crash": { crash: true, readySeconds: 5 }\n';

function statefulSet(
  image: string,
  o: { strategy?: 'OnDelete'; annotations?: Record<string, string> } = {},
): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default', ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      replicas: 3,
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      ...(o.strategy ? { updateStrategy: { type: o.strategy } } : {}),
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image }] } },
    },
  };
}

function daemonSet(image: string): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image }] } },
    },
  };
}

/** The live workload's image, and the images of its pods that are Ready (the oracle's view). */
function live(parts: SimulatedClusterParts, kind: 'StatefulSet' | 'DaemonSet', name: string) {
  const store = parts.simulation.store;
  const w = store.get<StatefulSet | DaemonSet>(kind, 'default', name)!;
  const pods = store
    .list<Pod>('Pod', 'default')
    .filter((p) => controllerOf(p)?.uid === w.metadata.uid && !p.metadata.deletionTimestamp);
  const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  return {
    image: w.spec.template.spec!.containers[0]!.image,
    pods: pods.length,
    readyImages: [...new Set(ready.map((p) => p.spec!.containers[0]!.image))],
    ready: ready.length,
  };
}

function lease(parts: SimulatedClusterParts, kind: 'StatefulSet' | 'DaemonSet', name: string): Lease | undefined {
  return parts.simulation.store.get<Lease>('Lease', 'default', gateLeaseName(name, kind));
}

describe('a StatefulSet over its life', () => {
  test('typo rolled back (stuck pod replaced, every pod Ready on the good image), then the next good deploy succeeds', async () => {
    const parts = simulate(SCENARIO, [statefulSet('db:1')]);
    const bad = await gate(parts, [statefulSet('db:typo')]);
    expect(bad.result.result).toBe('rolled-back');
    expect(bad.result.workloads.map((w) => [w.kind, w.name, w.result, w.reason])).toEqual([
      ['StatefulSet', 'db', 'rolled-back', 'ErrImagePull'],
    ]);
    expect(bad.log.lines.some((l) => l.includes('deleted pod "db-2", stuck on the failed revision'))).toBe(true);
    expect(live(parts, 'StatefulSet', 'db')).toEqual({ image: 'db:1', pods: 3, readyImages: ['db:1'], ready: 3 });
    // The Lease of the StatefulSet (not the Deployment's name) holds the restored template as last good.
    expect(lease(parts, 'StatefulSet', 'db')?.metadata.annotations?.['rollout-gate.dev/last-good-template']).toContain(
      '"image":"db:1"',
    );

    const good = await gate(parts, [statefulSet('db:2')]);
    expect(good.result.result).toBe('succeeded');
    expect(good.result.workloads.map((w) => [w.name, w.result])).toEqual([['db', 'succeeded']]);
    expect(good.result.drift ?? []).toEqual([]);
    expect(live(parts, 'StatefulSet', 'db')).toEqual({ image: 'db:2', pods: 3, readyImages: ['db:2'], ready: 3 });
  });

  test('OnDelete cannot be rolled out: the run says so; annotated wait "false" it is applied and not waited on', async () => {
    const parts = simulate(SCENARIO, [statefulSet('db:1', { strategy: 'OnDelete' })]);
    const refused = await gate(parts, [statefulSet('db:2', { strategy: 'OnDelete' })]);
    expect(refused.result.workloads.map((w) => [w.result, w.reason])).toEqual([['rolled-back', 'OnDelete']]);
    expect(refused.result.workloads[0]!.message).toContain('uses updateStrategy OnDelete');
    expect(live(parts, 'StatefulSet', 'db').image).toBe('db:1');

    const annotations = { 'rollout-gate.dev/wait': 'false' };
    const applied = await gate(parts, [statefulSet('db:2', { strategy: 'OnDelete', annotations })]);
    expect(applied.result.result).toBe('succeeded');
    expect(applied.result.workloads[0]!.message).toBe(
      'statefulset "db" applied, not waited on (annotation rollout-gate.dev/wait: "false")',
    );
    // The template is applied; the pods keep running the old image until someone deletes them.
    expect(live(parts, 'StatefulSet', 'db')).toMatchObject({ image: 'db:2', readyImages: ['db:1'] });
  });
});

describe('a DaemonSet over its life', () => {
  test('a crashing image is rolled back on every node, a good one then rolls out', async () => {
    const parts = simulate(SCENARIO, [daemonSet('agent:1')]);
    const bad = await gate(parts, [daemonSet('agent:crash')]);
    expect(bad.result.workloads.map((w) => [w.kind, w.result, w.reason])).toEqual([
      ['DaemonSet', 'rolled-back', 'CrashLoopBackOff'],
    ]);
    expect(live(parts, 'DaemonSet', 'agent')).toEqual({
      image: 'agent:1',
      pods: 3,
      readyImages: ['agent:1'],
      ready: 3,
    });
    const good = await gate(parts, [daemonSet('agent:2')]);
    expect(good.result.result).toBe('succeeded');
    expect(live(parts, 'DaemonSet', 'agent')).toEqual({
      image: 'agent:2',
      pods: 3,
      readyImages: ['agent:2'],
      ready: 3,
    });
  });
});

describe('several kinds in one run', () => {
  test('a StatefulSet that fails rolls back the Deployment and the DaemonSet the run changed, together', async () => {
    const objects: KubeObject[] = [deployment('web', 'web:1'), statefulSet('db:1'), daemonSet('agent:1')];
    const parts = simulate(SCENARIO, objects);
    const run = await gate(parts, [deployment('web', 'web:2'), statefulSet('db:typo'), daemonSet('agent:2')]);
    expect(run.result.result).toBe('rolled-back');
    expect(run.result.workloads.map((w) => [w.kind, w.name, w.result])).toEqual([
      ['Deployment', 'web', 'rolled-back'],
      ['StatefulSet', 'db', 'rolled-back'],
      ['DaemonSet', 'agent', 'rolled-back'],
    ]);
    expect(state(parts, 'web').image).toBe('web:1');
    expect(live(parts, 'StatefulSet', 'db').readyImages).toEqual(['db:1']);
    expect(live(parts, 'DaemonSet', 'agent').readyImages).toEqual(['agent:1']);
  });
});
