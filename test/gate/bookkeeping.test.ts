/**
 * The gate's bookkeeping stays off the Deployment's spec path (issue 9 item 5, README "What the gate judges"
 * "Owning what we apply"): its lock and last-good record live on a Lease, so no write of its own
 * bumps the Deployment's generation or lands in a ReplicaSet, and a human's `kubectl rollout undo`
 * (which copies a ReplicaSet's annotations back onto the Deployment) cannot make the record stale.
 */
import { describe, expect, test } from '@jest/globals';
import type { ClusterClient } from '../../src/cluster/port.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import { runGate } from '../../src/gate/runGate.js';
import { ApiError } from '../../src/k8s/apiError.js';
import type { Lease } from '../../src/k8s/lease.js';
import { clone } from '../../src/k8s/meta.js';
import type { Deployment, KubeObject, ReplicaSet } from '../../src/k8s/objects.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import { undoAnnotations, undoTemplate } from '../../src/rollback/undoPatch.js';
import {
  deployment,
  documents,
  gate,
  hashOf,
  LAST_GOOD,
  LAST_GOOD_TEMPLATE,
  leaseOf,
  replicaSets,
  simulate,
  state,
  stored,
} from './support.js';

type Parts = ReturnType<typeof simulate>;

/** Every rollout-gate.dev/* annotation on the Deployment and its ReplicaSets, by object name. */
function gateAnnotations(parts: Parts, name: string): Record<string, string[]> {
  const d = stored(parts, name)!;
  const rss = parts.simulation.store.listOwnedBy<ReplicaSet>('ReplicaSet', d.metadata.uid!);
  const out: Record<string, string[]> = {};
  for (const o of [d, ...rss]) {
    const keys = Object.keys(o.metadata.annotations ?? {}).filter((k) => k.startsWith('rollout-gate.dev/'));
    if (keys.length) out[o.metadata.name!] = keys;
  }
  return out;
}

/** What `kubectl rollout undo --to-revision=<revision>` writes (https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/rollback.go). */
function humanUndo(parts: Parts, name: string, revision: number): void {
  const d = clone(stored(parts, name)!);
  const rs = parts.simulation.store
    .listOwnedBy<ReplicaSet>('ReplicaSet', d.metadata.uid!)
    .find((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'] === String(revision))!;
  d.spec.template = undoTemplate(rs);
  d.metadata.annotations = undoAnnotations(d, rs);
  parts.simulation.store.update('Deployment', d);
  parts.simulation.advance(60_000);
}

describe("the gate's own writes never touch the Deployment's spec path", () => {
  test('a no-op redeploy without change-cause leaves metadata.generation unchanged and says unchanged', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    const generation = stored(parts, 'web')!.metadata.generation;
    for (let i = 0; i < 2; i++) {
      const run = await gate(parts, [deployment('web', 'web:1')]);
      expect(run.result.workloads.map((w) => w.result)).toEqual(['unchanged']);
      expect(stored(parts, 'web')!.metadata.generation).toBe(generation);
    }
    // The record and the released lock are on the Lease, not the Deployment.
    expect(leaseOf(parts, 'web')!.spec!.holderIdentity).toBe('');
    expect(state(parts, 'web').lastGood).toBe(`1/${hashOf(parts, 'web', 1)}`);
    expect(gateAnnotations(parts, 'web')).toEqual({});
  });

  test('no ReplicaSet (nor the Deployment) carries a rollout-gate.dev/* annotation after success, failure and rollback', async () => {
    const parts = simulate('images: { "web:3": { pull: missing }, "web:4": { crash: true } }', [
      deployment('web', 'web:1'),
    ]);
    const success = await gate(parts, [deployment('web', 'web:2')]);
    expect(success.result.result).toBe('succeeded');
    expect(gateAnnotations(parts, 'web')).toEqual({});

    // (A failure left in place first: the apply after a rollback is another helper's fix, issue 9 #1.)
    const failed = await gate(parts, [deployment('web', 'web:4')], { rollback: 'never' });
    expect(failed.result.workloads.map((w) => [w.result, w.reason])).toEqual([['failed', 'CrashLoopBackOff']]);
    parts.simulation.advance(60_000);
    expect(gateAnnotations(parts, 'web')).toEqual({});

    const rolledBack = await gate(parts, [deployment('web', 'web:3')]);
    expect(rolledBack.result.result).toBe('rolled-back');
    parts.simulation.advance(60_000);
    expect(gateAnnotations(parts, 'web')).toEqual({});
    expect(replicaSets(parts, 'web').map((r) => r.split(' ')[1])).toEqual(['web:1', 'web:4', 'web:3', 'web:2']);
  });
});

describe('the last-good record on the Lease', () => {
  test("a human's kubectl rollout undo leaves it as the gate recorded it", async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    await gate(parts, [deployment('web', 'web:2')]);
    const recorded = clone(leaseOf(parts, 'web')!.metadata.annotations);
    expect(recorded![LAST_GOOD]).toBe(`2/${hashOf(parts, 'web', 2)}`);

    humanUndo(parts, 'web', 1);
    expect(state(parts, 'web')).toMatchObject({ image: 'web:1', revision: '3' });
    expect(leaseOf(parts, 'web')!.metadata.annotations).toEqual(recorded);
    expect(gateAnnotations(parts, 'web')).toEqual({});
  });

  test('revisionHistoryLimit 0 cannot remove it: the stored template restores the good revision', async () => {
    const rhl = { revisionHistoryLimit: 0 };
    const parts = simulate('images: { "web:2": { pull: missing } }', [deployment('web', 'web:1', rhl)]);
    await gate(parts, [deployment('web', 'web:1', rhl)]);
    expect(JSON.parse(leaseOf(parts, 'web')!.metadata.annotations![LAST_GOOD_TEMPLATE]!).spec.containers[0].image).toBe(
      'web:1',
    );
    const run = await gate(parts, [deployment('web', 'web:2', rhl)]);
    expect(run.result.result).toBe('rolled-back');
    expect(state(parts, 'web').image).toBe('web:1');
  });

  test('legacy annotations of an earlier version on the Deployment are read, never written again', async () => {
    const parts = simulate('images: { "web:2": { pull: missing } }', [deployment('web', 'web:1')]);
    const good = hashOf(parts, 'web', 1)!;
    // An earlier version recorded revision 1 on the Deployment; then someone broke it (not fully available).
    const d = clone(stored(parts, 'web')!);
    d.metadata.annotations = { ...d.metadata.annotations, [LAST_GOOD]: `1/${good}` };
    d.spec.template.spec!.containers[0]!.image = 'web:broken';
    parts.simulation.store.update('Deployment', d);
    parts.simulation.advance(5_000);

    const run = await gate(parts, [deployment('web', 'web:2')]);
    expect(run.result.result).toBe('rolled-back');
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      `rolling deployment "web" back to web:1, the template of revision 1 (ReplicaSet web-${good}): the last revision the gate saw fully available (recorded 1/${good})`,
    );
    expect(state(parts, 'web').image).toBe('web:1');
    // The legacy value stays as it was (kept through the undo; the controller copied it into the
    // ReplicaSets made while it was there), and nothing else is written on the Deployment.
    expect(new Set(Object.values(gateAnnotations(parts, 'web')).flat())).toEqual(new Set([LAST_GOOD]));
    expect(stored(parts, 'web')!.metadata.annotations![LAST_GOOD]).toBe(`1/${good}`);
  });

  test('a record of an earlier Deployment of the same name (deleted, created again) is not used', async () => {
    const parts = simulate('images: { "web:9": { pull: missing } }', [deployment('web', 'web:1')]);
    await gate(parts, [deployment('web', 'web:2')]);
    expect(state(parts, 'web').lastGood).toBeDefined();
    parts.simulation.store.delete('Deployment', 'default', 'web');
    parts.simulation.advance(60_000);
    // A new Deployment of that name, whose first image never works: nothing good to return to.
    const run = await gate(parts, [deployment('web', 'web:9')]);
    expect(run.result.workloads.map((w) => [w.result, w.reason])).toEqual([['failed', 'ErrImagePull']]);
    expect(run.result.workloads[0]!.rollbackMessage).toBe(
      'deployment "web" was created by this run and has no good revision to return to; left as it is',
    );
    expect((stored(parts, 'web') as Deployment).spec.template.spec!.containers[0]!.image).toBe('web:9');
  });
});

describe('an identity that may deploy but not use Leases (RBAC of earlier versions)', () => {
  test('deploys anyway, warning once per Deployment how to get the lock and record back', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    const forbidden = (name: string) =>
      new ApiError(
        403,
        'Forbidden',
        `leases.coordination.k8s.io "${name}" is forbidden: User "system:serviceaccount:ci:deployer" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "default"`,
      );
    const cluster = Object.create(parts.cluster) as ClusterClient;
    cluster.get = <T extends KubeObject>(apiVersion: string, kind: string, ns: string | undefined, name: string) =>
      kind === 'Lease' ? Promise.reject(forbidden(name)) : parts.cluster.get<T>(apiVersion, kind, ns, name);
    const log = new MemoryLog();
    const result = await runGate(
      cluster,
      {
        documents: documents([deployment('web', 'web:2')]),
        rollback: 'on-failure',
        rollbackTimeoutSeconds: 300,
        onNoGoodRevision: 'leave',
        force: false,
        policy: DEFAULT_POLICY,
      },
      log,
    );
    expect(result.result).toBe('succeeded');
    expect(log.lines.filter((l) => l.startsWith('warning:'))).toEqual([
      `warning: cannot use the Lease rollout-gate.web in namespace "default" (${forbidden('rollout-gate.web').message}): deploying without the lock against a concurrent run and without a recorded last good revision; allow get, create and update on leases.coordination.k8s.io in that namespace`,
      `warning: could not record the last good revision of deployment "web": ${forbidden('rollout-gate.web').message}`,
    ]);
    expect(leaseOf(parts, 'web')).toBeUndefined();
    expect(gateAnnotations(parts, 'web')).toEqual({});
  });
});

describe('a Deployment in a namespace this run creates', () => {
  const inShop = (): KubeObject[] => {
    const d = deployment('web', 'web:1');
    d.metadata.namespace = 'shop';
    return [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, d];
  };
  const input = (objects: KubeObject[]) => ({
    documents: documents(objects),
    rollback: 'on-failure' as const,
    rollbackTimeoutSeconds: 300,
    onNoGoodRevision: 'leave' as const,
    force: false,
    policy: DEFAULT_POLICY,
  });

  test('is leased right after the apply created its namespace (refused until then), and its last good is recorded', async () => {
    const parts = simulate('');
    const log = new MemoryLog();
    let heldWhileWatching: string | undefined;
    // 1 s after the apply (the rollout takes longer): who holds the Lease.
    parts.simulation.clock.after(1_000, 'look', () => {
      heldWhileWatching = parts.simulation.store.get<Lease>('Lease', 'shop', 'rollout-gate.web')?.spec?.holderIdentity;
    });
    const result = await runGate(parts.cluster, { ...input(inShop()), lockHolder: 'ci-run-7' }, log);
    expect([result.result, result.errors]).toEqual(['succeeded', []]);
    expect(log.lines).toContain(
      'namespace "shop" does not exist yet: the Lease of deployment "web" is taken once the apply created it',
    );
    expect(heldWhileWatching).toBe('ci-run-7');
    expect(log.lines.filter((l) => l.startsWith('warning:'))).toEqual([]);
    const lease = parts.simulation.store.get<KubeObject>('Lease', 'shop', 'rollout-gate.web');
    expect(lease?.metadata.annotations?.[LAST_GOOD]).toMatch(/^1\//);
  });

  test('a namespace nobody creates is the apply error at the Deployment, nothing applied', async () => {
    const parts = simulate('');
    const [, d] = inShop();
    const result = await runGate(parts.cluster, input([d!]), new MemoryLog());
    expect([result.result, result.errors]).toEqual([
      'failed',
      [{ file: 'k8s/app.yaml', line: 1, message: 'namespaces "shop" not found' }],
    ]);
    expect(result.applied).toEqual([]);
  });
});
