/**
 * Issue 10, "Health of every applied object" and "Per-object control", end to end on the
 * simulated cluster (virtual clock): a custom resource whose simulated operator (scenario
 * `operators`) makes it Ready later, Stalled, or never; a custom CEL rule; the wait annotation;
 * the Failed tolerance and the run's timeout at and just past their boundaries; a failed Job
 * (its status written by the operators block: the simulator's Job controller is another change).
 */
import { describe, expect, test } from '@jest/globals';
import type { ObjectResult } from '../../src/gate/result.js';
import type { CustomResourceDefinition } from '../../src/k8s/crd.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import { compileHealthChecks } from '../../src/rollout/kinds/index.js';
import { actionOutputs } from '../../src/report/outputs.js';
import { renderJobSummary } from '../../src/report/summary.js';
import { renderTextSummary } from '../../src/report/text.js';
import { at, deployment, gate, simulate, state } from '../gate/support.js';

function databaseCrd(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'databases.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'databases', singular: 'database', kind: 'Database' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

function database(name: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Database',
    metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { size: '1Gi' },
  };
}

/** A scenario whose Database operator writes `steps` (YAML list items, indented). */
function operatorScenario(steps: string, extra = ''): string {
  return `operators:\n  - apiVersion: example.com/v1\n    kind: Database\n${extra}    status:\n${steps}`;
}

const PROVISIONING = `      - after: 0s\n        conditions: [{ type: Ready, status: "False", reason: Provisioning, message: "creating volume" }]\n`;
const READY_AT = (s: string) =>
  `      - after: ${s}\n        conditions: [{ type: Ready, status: "True", reason: Provisioned, message: "database is up" }]\n`;
const STALLED_AT = (s: string) =>
  `      - after: ${s}\n        conditions: [{ type: Ready, status: "False", reason: VolumeFailed, message: "disk quota exceeded" }, { type: Stalled, status: "True", reason: VolumeFailed, message: "disk quota exceeded" }]\n`;

function objectNamed(objects: ObjectResult[] | undefined, kind: string, name: string): ObjectResult | undefined {
  return objects?.find((o) => o.kind === kind && o.name === name);
}

describe('a custom resource its operator makes Ready later', () => {
  test('Ready after 5 s: the run waits for it; waitedSeconds 5.0; everything ready', async () => {
    const parts = simulate(operatorScenario(PROVISIONING + READY_AT('5s')));
    const run = await gate(parts, [databaseCrd(), database('orders')]);
    expect(run.result.result).toBe('succeeded');
    expect(objectNamed(run.result.objects, 'Database', 'orders')).toEqual({
      kind: 'Database',
      apiVersion: 'example.com/v1',
      namespace: 'default',
      name: 'orders',
      status: 'Current',
      result: 'ready',
      message: 'Resource is Ready',
      waitedSeconds: 5,
    });
    expect(objectNamed(run.result.objects, 'CustomResourceDefinition', 'databases.example.com')?.result).toBe('ready');
    expect(parts.cluster.clock.now() - run.start).toBeGreaterThanOrEqual(5_000);
    // The operator wrote observedGeneration as operators do.
    const stored = parts.simulation.store.get('Database', 'default', 'orders') as KubeObject & {
      status?: { observedGeneration?: number };
    };
    expect(stored.status?.observedGeneration).toBe(1);
  });

  test('Ready at exactly the timeout is ready; 1 ms later it times out at the timeout exactly', async () => {
    const onTime = simulate(operatorScenario(PROVISIONING + READY_AT('8s')));
    const ready = await gate(onTime, [databaseCrd(), database('orders')], { policy: { timeoutSeconds: 8 } });
    expect(ready.result.result).toBe('succeeded');
    expect(objectNamed(ready.result.objects, 'Database', 'orders')).toMatchObject({
      result: 'ready',
      waitedSeconds: 8,
    });

    const late = simulate(operatorScenario(PROVISIONING + READY_AT('8001ms')));
    const timedOut = await gate(late, [databaseCrd(), database('orders')], { policy: { timeoutSeconds: 8 } });
    // Nothing was rolled back (no Deployment changed): failed, not rolled-back.
    expect(timedOut.result.result).toBe('failed');
    expect(objectNamed(timedOut.result.objects, 'Database', 'orders')).toEqual({
      kind: 'Database',
      apiVersion: 'example.com/v1',
      namespace: 'default',
      name: 'orders',
      status: 'InProgress',
      result: 'timeout',
      reason: 'Timeout',
      message:
        'Database "orders" (example.com/v1) in namespace default was not ready within the timeout of 8s: ' +
        'InProgress (Provisioning): creating volume; conditions: Ready=False (Provisioning: creating volume)',
      waitedSeconds: 8,
      conditions: [{ type: 'Ready', status: 'False', reason: 'Provisioning', message: 'creating volume' }],
    });
    expect(timedOut.log.lines).toContain(
      `error: ${objectNamed(timedOut.result.objects, 'Database', 'orders')!.message}`,
    );
  });
});

describe('a custom resource that fails', () => {
  test('Stalled fails the run: the changed Deployment is rolled back, the message names the object and its conditions', async () => {
    const parts = simulate(operatorScenario(PROVISIONING + STALLED_AT('3s')), [deployment('web', 'web:1')]);
    const run = await gate(parts, [databaseCrd(), database('orders'), deployment('web', 'web:2')]);
    expect(run.result.result).toBe('rolled-back');
    const db = objectNamed(run.result.objects, 'Database', 'orders')!;
    expect(db).toMatchObject({
      status: 'Failed',
      result: 'failed',
      reason: 'VolumeFailed',
      waitedSeconds: 3,
      conditions: [
        { type: 'Ready', status: 'False', reason: 'VolumeFailed', message: 'disk quota exceeded' },
        { type: 'Stalled', status: 'True', reason: 'VolumeFailed', message: 'disk quota exceeded' },
      ],
    });
    expect(db.message).toBe(
      'Database "orders" (example.com/v1) in namespace default failed: VolumeFailed: disk quota exceeded; ' +
        'conditions: Ready=False (VolumeFailed: disk quota exceeded), Stalled=True (VolumeFailed: disk quota exceeded)',
    );
    // The Deployment was changed by this run and is back on its previous template.
    expect(state(parts, 'web').image).toBe('web:1');
    expect(run.result.workloads).toMatchObject([
      {
        name: 'web',
        result: 'rolled-back',
        message: expect.stringContaining('rolled back because Database/orders failed'),
      },
    ]);
  });

  test('the run stops watching the Deployment when the object fails (rollback on-failure)', async () => {
    // web:slow takes a minute to become ready; the Database fails at 3 s: the rollback starts then.
    const parts = simulate(
      operatorScenario(PROVISIONING + STALLED_AT('3s')) + 'images:\n  "web:slow": { readySeconds: 60 }\n',
      [deployment('web', 'web:1')],
    );
    const run = await gate(parts, [databaseCrd(), database('orders'), deployment('web', 'web:slow')]);
    expect(run.result.result).toBe('rolled-back');
    const watch = run.result.phases?.find((p) => p.name === 'watch');
    expect(watch?.seconds).toBe(3);
  });

  test('with a Deployment rolling out alongside, an object never ready times out at the timeout exactly', async () => {
    // Both loops share one wait (sharedWait.ts): neither moves the virtual clock past the other's deadline.
    const parts = simulate(operatorScenario(PROVISIONING) + 'images:\n  "web:slow": { readySeconds: 60 }\n', [
      deployment('web', 'web:1'),
    ]);
    const run = await gate(parts, [databaseCrd(), database('orders'), deployment('web', 'web:slow')], {
      policy: { timeoutSeconds: 8 },
    });
    expect(run.result.result).toBe('rolled-back');
    expect(objectNamed(run.result.objects, 'Database', 'orders')).toMatchObject({
      result: 'timeout',
      waitedSeconds: 8,
    });
    expect(run.result.phases?.find((p) => p.name === 'watch')?.seconds).toBe(8);
  });

  test('a migration Job that fails (the Job controller, backoffLimit 0) fails the run; the changed Deployment is rolled back', async () => {
    // migrate:1 runs 2 s then exits 1: pulled at 2 s, started at 3 s, failed at 5 s.
    const scenario = 'images:\n  "migrate:1": { runSeconds: 2, exitCode: 1 }\n';
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'default' },
      spec: {
        backoffLimit: 0,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'migrate:1' }] } },
      },
    };
    const parts = simulate(scenario, [deployment('web', 'web:1')]);
    const run = await gate(parts, [job, deployment('web', 'web:2')]);
    expect(run.result.result).toBe('rolled-back');
    expect(run.result.workloads.map((w) => [w.name, w.result])).toEqual([['web', 'rolled-back']]);
    expect(state(parts, 'web').image).toBe('web:1');
    expect(objectNamed(run.result.objects, 'Job', 'migrate')).toMatchObject({
      status: 'Failed',
      result: 'failed',
      reason: 'JobFailed',
      // The pod fails at 5 s; the Job controller sees pod changes 1 s later (as upstream batches them).
      waitedSeconds: 6,
    });
    const message = objectNamed(run.result.objects, 'Job', 'migrate')?.message ?? '';
    expect(message).toMatch(
      /^Job "migrate" \(batch\/v1\) in namespace default failed: JobFailed: Job Failed\. failed: 1\/1; pod migrate-/,
    );
    expect(message).toContain('FailureTarget=True (BackoffLimitExceeded: Job has reached the specified backoff limit)');
    // The failing pod's evidence: found through the Job's SuccessfulCreate event, its exit and logs.
    const failedPod = objectNamed(run.result.objects, 'Job', 'migrate')?.failedPod;
    expect(failedPod).toEqual({
      pod: expect.stringMatching(/^migrate-[a-z0-9]{5}$/),
      container: 'migrate',
      exitCode: 1,
      reason: 'Error',
      logs: [
        'docker.io/library/migrate:1: container migrate started',
        'docker.io/library/migrate:1: fatal error, exiting with code 1',
      ],
    });
    expect(message).toContain(`pod ${failedPod!.pod}: container "migrate" exited with code 1 (Error)`);
    const text = renderTextSummary(run.result);
    const at = text.indexOf(`  pod ${failedPod!.pod}, container migrate: exited with code 1 (Error)`);
    expect(text.slice(at, at + 4)).toEqual([
      `  pod ${failedPod!.pod}, container migrate: exited with code 1 (Error)`,
      '  last 2 log lines of migrate:',
      '    | docker.io/library/migrate:1: container migrate started',
      '    | docker.io/library/migrate:1: fatal error, exiting with code 1',
    ]);
    expect(renderJobSummary(run.result)).toContain(
      `**Failed pod** \`${failedPod!.pod}\`, container \`migrate\`: exited with code 1 (Error)`,
    );
  });

  test('a Job is waited on to completion: the run ends when it completes, not when it starts', async () => {
    const scenario = 'images:\n  "migrate:2": { runSeconds: 6 }\n';
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'default' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'migrate:2' }] } } },
    };
    const run = await gate(simulate(scenario), [job]);
    expect(run.result.result).toBe('succeeded');
    const waited = objectNamed(run.result.objects, 'Job', 'migrate');
    // Pulled at 2 s, started at 3 s, exits 0 at 9 s, Complete 1 s later: not ready before it completed.
    expect(waited).toMatchObject({ status: 'Current', result: 'ready', waitedSeconds: 10 });
  });
});

describe('the Failed tolerance', () => {
  const stalledFromStart = operatorScenario(STALLED_AT('0s'));

  test('with --failed-tolerance 3s a Stalled object fails at 3.0 s exactly, not before', async () => {
    const run = await gate(simulate(stalledFromStart), [databaseCrd(), database('orders')], {
      failedToleranceSeconds: 3,
    });
    expect(objectNamed(run.result.objects, 'Database', 'orders')).toMatchObject({
      result: 'failed',
      reason: 'VolumeFailed',
      waitedSeconds: 3,
    });
  });

  test('at tolerance - 1 ms it is still tolerated: the timeout (2.999 s) ends the run, not the failure', async () => {
    const run = await gate(simulate(stalledFromStart), [databaseCrd(), database('orders')], {
      failedToleranceSeconds: 3,
      policy: { timeoutSeconds: 2.999 },
    });
    expect(objectNamed(run.result.objects, 'Database', 'orders')).toMatchObject({
      status: 'Failed',
      result: 'timeout',
      reason: 'Timeout',
      waitedSeconds: 3,
    });
  });

  test('the annotation overrides the run default; recovering within it is ready', async () => {
    const parts = simulate(operatorScenario(STALLED_AT('0s') + READY_AT('2s')));
    const annotated = database('orders', { 'rollout-gate.dev/failed-tolerance': '3s' });
    const run = await gate(parts, [databaseCrd(), annotated]);
    expect(run.result.result).toBe('succeeded');
    expect(objectNamed(run.result.objects, 'Database', 'orders')).toMatchObject({ result: 'ready', waitedSeconds: 2 });

    // Without tolerance (default 0 s) the same object fails at once.
    const strict = await gate(simulate(operatorScenario(STALLED_AT('0s') + READY_AT('2s'))), [
      databaseCrd(),
      database('orders'),
    ]);
    expect(objectNamed(strict.result.objects, 'Database', 'orders')).toMatchObject({
      result: 'failed',
      waitedSeconds: 0,
    });
  });
});

describe('per-object control', () => {
  test('rollout-gate.dev/wait: "false" skips an object that is never ready', async () => {
    const parts = simulate(operatorScenario(PROVISIONING));
    const run = await gate(parts, [databaseCrd(), database('orders', { 'rollout-gate.dev/wait': 'false' })], {
      policy: { timeoutSeconds: 30 },
    });
    expect(run.result.result).toBe('succeeded');
    expect(objectNamed(run.result.objects, 'Database', 'orders')).toEqual({
      kind: 'Database',
      apiVersion: 'example.com/v1',
      namespace: 'default',
      name: 'orders',
      status: 'Skipped',
      result: 'skipped',
      message: 'not waited on (annotation rollout-gate.dev/wait: "false")',
      waitedSeconds: 0,
    });
    expect(parts.cluster.clock.now() - run.start).toBeLessThan(1_000);
  });

  test('a custom CEL rule decides: current when phase is Running, failed when phase is Error', async () => {
    const { checks, errors } = compileHealthChecks([
      {
        apiVersion: 'example.com/v1',
        kind: 'Database',
        current: "status.?phase.orValue('') == 'Running'",
        failed: "status.?phase.orValue('') == 'Error'",
      },
    ]);
    expect(errors).toEqual([]);
    // No conditions at all: kstatus alone would call it Current at once.
    const phases = (second: string) =>
      operatorScenario(`      - after: 0s\n        phase: Creating\n      - after: 4s\n        phase: ${second}\n`);
    const running = await gate(simulate(phases('Running')), [databaseCrd(), database('orders')], {
      healthChecks: checks,
    });
    expect(objectNamed(running.result.objects, 'Database', 'orders')).toMatchObject({
      result: 'ready',
      waitedSeconds: 4,
      message: "current expression is true: status.?phase.orValue('') == 'Running'",
    });
    const error = await gate(simulate(phases('Error')), [databaseCrd(), database('orders')], { healthChecks: checks });
    expect(objectNamed(error.result.objects, 'Database', 'orders')).toMatchObject({
      result: 'failed',
      reason: 'HealthCheckFailed',
      waitedSeconds: 4,
    });
    // Without the rule the same object is ready at once (no conditions: kstatus's Current).
    const plain = await gate(simulate(phases('Error')), [databaseCrd(), database('orders')]);
    expect(objectNamed(plain.result.objects, 'Database', 'orders')).toMatchObject({
      result: 'ready',
      waitedSeconds: 0,
    });
  });
});

describe('the reports of an object that failed', () => {
  test('text: the object, its conditions and events, the count of objects ready, the result line', async () => {
    const parts = simulate(operatorScenario(PROVISIONING + STALLED_AT('3s')), [deployment('web', 'web:1')]);
    const run = await gate(parts, [databaseCrd(), database('orders'), deployment('web', 'web:2')]);
    const text = renderTextSummary(run.result);
    expect(text).toContain(
      '✖ database/orders failed after 3.0s: VolumeFailed — Database "orders" (example.com/v1) in namespace default failed: ' +
        'VolumeFailed: disk quota exceeded; conditions: Ready=False (VolumeFailed: disk quota exceeded), ' +
        'Stalled=True (VolumeFailed: disk quota exceeded)',
    );
    const at = text.findIndex((l) => l.startsWith('✖ database/orders'));
    expect(text.slice(at + 1, at + 4)).toEqual([
      '  conditions:',
      '    Ready=False (VolumeFailed: disk quota exceeded)',
      '    Stalled=True (VolumeFailed: disk quota exceeded)',
    ]);
    expect(text).toContain('⚠ 1 object ready, 1 not healthy');
    expect(text[text.length - 1]).toBe(
      '↩ Result: rolled-back — database/orders failed; 1 deployment rolled back to its last good revision (exit code 1)',
    );
    const summary = renderJobSummary(run.result);
    expect(summary).toContain('### ❌ `database/orders`: VolumeFailed');
    expect(summary).toContain('| Stalled | True | VolumeFailed | disk quota exceeded |');
    expect(summary).toContain('**Objects:** 1 object ready, 1 not healthy.');
    // The action's reason output: the object's, since no workload failed in its own right.
    expect(actionOutputs(run.result)).toMatchObject({ result: 'rolled-back', reason: 'VolumeFailed' });
  });

  test('events about the object are captured through the port', async () => {
    const parts = simulate(operatorScenario(PROVISIONING + STALLED_AT('3s')));
    // The operator's event, as a real operator records one on its object.
    at(parts, 2, 'operator event', () => {
      const db = parts.simulation.store.get('Database', 'default', 'orders')!;
      parts.simulation.events.record(db, 'Warning', 'ProvisionFailed', 'quota "disk" exceeded', 'database-operator');
    });
    const run = await gate(parts, [databaseCrd(), database('orders')]);
    const db = objectNamed(run.result.objects, 'Database', 'orders')!;
    expect(db.events).toEqual(['Warning ProvisionFailed: quota "disk" exceeded']);
    expect(db.message).toMatch(/; events: Warning ProvisionFailed: quota "disk" exceeded$/);
    expect(renderTextSummary(run.result)).toContain(
      '✖ Result: failed — database/orders failed; nothing to roll back (exit code 3)',
    );
  });
});

describe('built-in kinds are Current promptly in the simulator', () => {
  test('a LoadBalancer Service gets a cluster IP and an ingress address; a PVC is Bound: both ready at the first re-read', async () => {
    const lb: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'shop-lb', namespace: 'default' },
      spec: { type: 'LoadBalancer', selector: { app: 'shop' }, ports: [{ port: 80 }] },
    };
    const pvc: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    const parts = simulate('');
    const run = await gate(parts, [lb, pvc]);
    expect(run.result.result).toBe('succeeded');
    // The apply answered before the controllers wrote their status (as an API server does): read again 1 s later.
    expect(run.result.objects?.map((o) => [o.kind, o.result, o.message, o.waitedSeconds])).toEqual([
      ['Service', 'ready', 'Service is ready', 1],
      ['PersistentVolumeClaim', 'ready', 'PVC is Bound', 1],
    ]);
    const stored = parts.simulation.store.get('Service', 'default', 'shop-lb') as KubeObject & {
      spec: { clusterIP?: string };
      status?: { loadBalancer?: { ingress?: Array<{ ip: string }> } };
    };
    expect(stored.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(stored.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(/^203\.0\.113\.\d+$/);
  });
});
