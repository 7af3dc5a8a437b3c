/**
 * Issue 10's object health over HTTP: the gate through its real adapter (client-node) against
 * `serve` over a simulated cluster whose operators (scenario `operators`) make one custom resource
 * Ready later and let another fail with an event: the GETs, the event LIST (eventsFor) and the
 * rollback go over the wire.
 */
import { describe, expect, test } from '@jest/globals';
import { createSimulatedCluster, parseScenario } from '../../src/cluster/sim/index.js';
import type { CustomResourceDefinition } from '../../src/k8s/crd.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import { gateOverHttp } from '../support/servedGate.js';
import { deployment, documents } from '../gate/support.js';

function crd(kind: string, plural: string): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural, singular: plural.slice(0, -1), kind },
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

const cr = (kind: string, name: string): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind,
  metadata: { name, namespace: 'default' },
  spec: { size: 1 },
});

const SCENARIO = `
operators:
  - apiVersion: example.com/v1
    kind: Database
    status:
      - after: 0s
        conditions: [{ type: Ready, status: "False", reason: Provisioning, message: "creating volume" }]
      - after: 5s
        conditions: [{ type: Ready, status: "True", reason: Provisioned, message: "database is up" }]
  - apiVersion: example.com/v1
    kind: Queue
    status:
      - after: 0s
        conditions: [{ type: Ready, status: "False", reason: Creating, message: "creating" }]
      - after: 3s
        conditions: [{ type: Stalled, status: "True", reason: BrokerDown, message: "no broker answers" }]
`;

function parts(objects: KubeObject[] = []) {
  return createSimulatedCluster(parseScenario(SCENARIO, 'scenario.yaml'), { objects, startMs: Date.now() });
}

const input = (objects: KubeObject[]) => ({
  documents: documents(objects),
  policy: { ...DEFAULT_POLICY, timeoutSeconds: 60 },
  rollback: 'on-failure' as const,
  rollbackTimeoutSeconds: 60,
  onNoGoodRevision: 'leave' as const,
  force: false,
});

describe('object health through the real adapter against serve', () => {
  test('a Database Ready after 5 s: the run waits for it and succeeds', async () => {
    const { result } = await gateOverHttp(parts(), input([crd('Database', 'databases'), cr('Database', 'orders')]));
    expect(result.result).toBe('succeeded');
    const db = result.objects!.find((o) => o.kind === 'Database')!;
    expect(db).toMatchObject({ status: 'Current', result: 'ready', message: 'Resource is Ready' });
    // The operator's 5 s count from the Database's creation, during the apply; the wait from the
    // apply's end (over HTTP the rest of the apply takes some simulated time). Read every simulated
    // second at first: seen within about a second of the operator's write.
    expect(db.waitedSeconds).toBeGreaterThan(3);
    expect(db.waitedSeconds).toBeLessThanOrEqual(6.5);
  }, 60_000);

  test('a Queue Stalled at 3 s with an event: the changed Deployment is rolled back, the event is in the result', async () => {
    const served = parts([deployment('web', 'web:1', { replicas: 2 })]);
    // The operator records an event 2 s after the Queue appears, as a real operator would.
    const { clock, store, events } = served.simulation;
    store.watch((e) => {
      if (e.kind !== 'Queue' || e.type !== 'ADDED') return;
      clock.at(clock.now() + 2_000, 'operator event', () => {
        const queue = store.get('Queue', 'default', 'jobs');
        if (queue) events.record(queue, 'Warning', 'BrokerDown', 'dial tcp: connection refused', 'queue-operator');
      });
    });
    const { result } = await gateOverHttp(
      served,
      input([crd('Queue', 'queues'), cr('Queue', 'jobs'), deployment('web', 'web:2', { replicas: 2 })]),
    );
    expect(result.result).toBe('rolled-back');
    const queue = result.objects!.find((o) => o.kind === 'Queue')!;
    expect(queue).toMatchObject({
      status: 'Failed',
      result: 'failed',
      reason: 'BrokerDown',
      conditions: [{ type: 'Stalled', status: 'True', reason: 'BrokerDown', message: 'no broker answers' }],
      events: ['Warning BrokerDown: dial tcp: connection refused'],
    });
    expect(result.workloads).toMatchObject([{ name: 'web', result: 'rolled-back' }]);
    const web = served.simulation.store.get('Deployment', 'default', 'web') as ReturnType<typeof deployment>;
    expect(web.spec.template.spec?.containers[0]?.image).toBe('web:1');
  }, 60_000);
});
