import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { createSimulatedCluster, parseScenario } from '../../../src/cluster/sim/index.js';
import type { Job } from '../../../src/cluster/sim/controllers/job/types.js';
import type { KubeEvent, KubeObject, Pod } from '../../../src/k8s/objects.js';
import { ROOT } from '../../cli/support.js';

/**
 * examples/migration-job-fails on the simulator alone: the migration image runs 3 s and exits 1, so with
 * backoffLimit 2 the Job creates three pods (the replacements 10 s and 20 s after each failure, measured
 * from the container's finishedAt) and fails with BackoffLimitExceeded when the third failure is counted.
 */
const dir = `${ROOT}/examples/migration-job-fails`;

function run() {
  const scenario = parseScenario(readFileSync(`${dir}/scenario.yaml`, 'utf8'), 'scenario.yaml');
  const { simulation: sim, kubelet } = createSimulatedCluster(scenario);
  const t0 = sim.clock.now();
  const manifest = load(readFileSync(`${dir}/migrate.yaml`, 'utf8')) as KubeObject;
  sim.store.create('Job', { ...manifest, metadata: { ...manifest.metadata, namespace: 'default' } });
  const job = () => sim.store.get<Job>('Job', 'default', 'migrate-db')!;
  const failed = () => job().status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ?? false;
  return { sim, kubelet, t0, job, failed };
}

describe('examples/migration-job-fails', () => {
  it('fails with BackoffLimitExceeded after three pods and the 10 s and 20 s back-offs', () => {
    const { sim, kubelet, t0, job, failed } = run();
    expect(sim.runUntil(failed, 10 * 60_000)).toBe(true);
    const at = (iso: string | undefined) => (Date.parse(iso!) - t0) / 1000;
    const pods = sim.store
      .list<Pod>('Pod', 'default')
      .sort((a, b) => a.metadata.creationTimestamp!.localeCompare(b.metadata.creationTimestamp!));
    // Created at 0 s; pulled 2 s, started 1 s, exits after 3 s (6 s); +10 s -> 16 s; exits 20 s; +20 s -> 40 s.
    expect(pods.map((p) => at(p.metadata.creationTimestamp))).toEqual([0, 16, 40]);
    expect(pods.map((p) => at(p.status!.containerStatuses![0]!.state.terminated!.finishedAt))).toEqual([6, 20, 44]);
    for (const p of pods) expect(p.status?.phase).toBe('Failed');
    const status = job().status!;
    expect(status).toMatchObject({ failed: 3, terminating: 0, ready: 0, uncountedTerminatedPods: {} });
    expect(status.active).toBeUndefined();
    expect(status.completionTime).toBeUndefined();
    // The third failure is counted at 45 s (pod changes reach the Job controller batched by 1 s).
    expect(status.conditions!.map((c) => [c.type, c.status, c.reason, c.message, at(c.lastTransitionTime)])).toEqual([
      ['FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', 45],
      ['Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', 45],
    ]);
    const events = sim.store
      .list<KubeEvent>('Event', 'default')
      .filter((e) => e.involvedObject.kind === 'Job')
      .map(
        (e) =>
          `${e.type} ${e.reason} ${e.source?.component}: ${(e.message ?? '').replace(/migrate-db-[a-z0-9]{5}/, 'migrate-db-*')}`,
      );
    expect(events).toEqual([
      'Normal SuccessfulCreate job-controller: Created pod: migrate-db-*',
      'Normal SuccessfulCreate job-controller: Created pod: migrate-db-*',
      'Normal SuccessfulCreate job-controller: Created pod: migrate-db-*',
      'Warning BackoffLimitExceeded job-controller: Job has reached the specified backoff limit',
    ]);
    expect(kubelet.logs('default', pods[0]!.metadata.name!)).toEqual([
      'applying migration 0042_add_orders_index',
      'ERROR: relation "orders" does not exist',
      'ghcr.io/acme/shop-migrations:42: fatal error, exiting with code 1',
    ]);
  });

  it('is still running one millisecond before the third failure is counted', () => {
    const { sim, t0, failed, job } = run();
    sim.advance(t0 + 45_000 - 1 - sim.clock.now());
    expect(failed()).toBe(false);
    expect(job().status?.failed).toBe(2);
    sim.advance(1);
    expect(failed()).toBe(true);
  });
});
