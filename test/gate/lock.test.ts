/**
 * The Lease lock (src/gate/lock.ts) and its name/time rules (src/k8s/lease.ts): races between two
 * runs (create 409 AlreadyExists, conditional update 409 Conflict), a write whose answer was lost,
 * and Lease names that stay valid and distinct for any Deployment name.
 */
import { describe, expect, test } from '@jest/globals';
import type { ClusterClient } from '../../src/cluster/port.js';
import { acquireLock, LEASE_DURATION_SECONDS, releaseLock, renewLock } from '../../src/gate/lock.js';
import { RetryingCluster } from '../../src/gate/retryingCluster.js';
import { ApiError } from '../../src/k8s/apiError.js';
import { gateLeaseName, leaseExpiry, microTime, type Lease } from '../../src/k8s/lease.js';
import { isDNS1123Subdomain } from '../../src/k8s/validation/names.js';
import { deployment, leaseOf, simulate } from './support.js';

const web = { namespace: 'default', name: 'web' };

/** The cluster, with `before` run ahead of the first call of `method` (another run sneaking in). */
function racing(cluster: ClusterClient, method: 'create' | 'replace', before: () => Promise<unknown>): ClusterClient {
  const wrapped = Object.create(cluster) as ClusterClient;
  let done = false;
  wrapped[method] = async <T extends Lease>(obj: T, manager: string): Promise<T> => {
    if (!done) {
      done = true;
      await before();
    }
    return cluster[method](obj, manager) as Promise<T>;
  };
  return wrapped;
}

describe('acquireLock', () => {
  test('creates the Lease with client-go fields: holder, 60 s, acquire = renew = now, no transitions', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    const now = parts.cluster.clock.now();
    const outcome = await acquireLock(parts.cluster, web, 'run-a');
    expect(outcome.state).toBe('held');
    expect(leaseOf(parts, 'web')).toMatchObject({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'rollout-gate.web',
        namespace: 'default',
        labels: { 'app.kubernetes.io/managed-by': 'rollout-gate' },
        annotations: { 'rollout-gate.dev/deployment': 'web' },
      },
      spec: {
        holderIdentity: 'run-a',
        leaseDurationSeconds: LEASE_DURATION_SECONDS,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      },
    });
    // metav1.MicroTime: RFC 3339 with six fractional digits.
    expect(microTime(now)).toBe(new Date(now).toISOString().replace(/Z$/, '000Z'));
    expect(microTime(now)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  test('two runs creating it at once: the loser gets 409 AlreadyExists, re-reads, and is Locked', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    const now = parts.cluster.clock.now();
    const outcome = await acquireLock(
      racing(parts.cluster, 'create', () => acquireLock(parts.cluster, web, 'run-b')),
      web,
      'run-a',
    );
    expect(outcome).toEqual({
      state: 'locked',
      hold: { holder: 'run-b', lease: 'rollout-gate.web', expiresAt: now + 60_000 },
    });
    expect(leaseOf(parts, 'web')!.spec!.holderIdentity).toBe('run-b');
  });

  test('two runs taking a released Lease at once: the loser gets 409 Conflict, re-reads, and is Locked', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    await acquireLock(parts.cluster, web, 'run-0');
    await releaseLock(parts.cluster, web, 'run-0');
    const outcome = await acquireLock(
      racing(parts.cluster, 'replace', () => acquireLock(parts.cluster, web, 'run-b')),
      web,
      'run-a',
    );
    expect(outcome).toMatchObject({ state: 'locked', hold: { holder: 'run-b' } });
    expect(leaseOf(parts, 'web')!.spec).toMatchObject({ holderIdentity: 'run-b', leaseTransitions: 1 });
  });

  test('a create whose answer was lost: the retry sees 409 AlreadyExists, re-reads, and finds it its own', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    const lossy = Object.create(parts.cluster) as ClusterClient;
    let lost = false;
    lossy.create = async <T extends Lease>(obj: T, manager: string): Promise<T> => {
      const created = await parts.cluster.create(obj, manager);
      if (lost) return created;
      lost = true;
      throw new ApiError(0, 'Unknown', 'read ECONNRESET');
    };
    const outcome = await acquireLock(new RetryingCluster(lossy), web, 'run-a');
    expect(outcome.state).toBe('held');
    expect(leaseOf(parts, 'web')!.spec).toMatchObject({ holderIdentity: 'run-a', leaseTransitions: 0 });
  });

  test('at the boundary: held one millisecond before renewTime + 60 s, free at it', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    await acquireLock(parts.cluster, web, 'run-a');
    parts.simulation.advance(59_999);
    expect((await acquireLock(parts.cluster, web, 'run-b')).state).toBe('locked');
    parts.simulation.advance(1);
    expect((await acquireLock(parts.cluster, web, 'run-b')).state).toBe('held');
    // The first run finds out when it next renews, and releases nothing of run-b's.
    expect(await renewLock(parts.cluster, web, 'run-a')).toBe(false);
    await releaseLock(parts.cluster, web, 'run-a');
    expect(leaseOf(parts, 'web')!.spec).toMatchObject({ holderIdentity: 'run-b', leaseTransitions: 1 });
  });

  test('released as client-go releases: no holder, 1 s, free to take at once', async () => {
    const parts = simulate('', [deployment('web', 'web:1')]);
    await acquireLock(parts.cluster, web, 'run-a');
    expect(await releaseLock(parts.cluster, web, 'run-a')).toBe(true);
    expect(leaseOf(parts, 'web')!.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(leaseExpiry(leaseOf(parts, 'web'))).toBeUndefined();
    expect((await acquireLock(parts.cluster, web, 'run-b')).state).toBe('held');
  });
});

describe('gateLeaseName', () => {
  test('rollout-gate.<name> while it fits in 253 characters', () => {
    expect(gateLeaseName('web')).toBe('rollout-gate.web');
    const fits = 'a'.repeat(240);
    expect(gateLeaseName(fits)).toBe(`rollout-gate.${fits}`);
  });

  test('longer: the head plus a hash, exactly 253 characters, valid, distinct for names sharing a head', () => {
    const head = 'a'.repeat(240);
    const one = gateLeaseName(`${head}-one`);
    const two = gateLeaseName(`${head}-two`);
    expect(one).toHaveLength(253);
    expect(two).toHaveLength(253);
    expect(one).not.toBe(two);
    expect(one.startsWith(`rollout-gate.${'a'.repeat(229)}-`)).toBe(true);
    expect(isDNS1123Subdomain(one)).toEqual([]);
  });

  test('a cut that ends a DNS label on "." or "-" drops it, so the name stays a valid subdomain', () => {
    const name = `${'a'.repeat(228)}.b${'c'.repeat(20)}`;
    const lease = gateLeaseName(name);
    expect(lease).toMatch(/^rollout-gate\.a{228}-[0-9a-f]{10}$/);
    expect(isDNS1123Subdomain(lease)).toEqual([]);
  });
});
