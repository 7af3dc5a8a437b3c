/**
 * A cluster that cannot answer access reviews (the review forbidden, or not served): the real
 * adapter says so (undefined), and the preflight warns once and lets the run go on.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from '@jest/globals';
import { KubeCluster } from '../../src/cluster/kube/kubeCluster.js';
import type { ClusterClient } from '../../src/cluster/port.js';
import { MemoryLog } from '../../src/gate/gateLog.js';
import { runGate } from '../../src/gate/runGate.js';
import { DEFAULT_POLICY } from '../../src/rollout/policy.js';
import { createSimulatedCluster, defaultScenario } from '../../src/cluster/sim/index.js';
import { deployment, documents } from '../gate/support.js';

describe('KubeCluster.accessReview', () => {
  test.each([
    [403, 'Forbidden'],
    [404, 'NotFound'],
  ])('a %i answer to the review is "cannot say" (undefined)', async (code, reason) => {
    const server = createServer((req, res) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code, message: reason }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: {} }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
    let cluster: KubeCluster | undefined;
    try {
      cluster = KubeCluster.fromOptions({ kubeconfigContent: kubeconfig });
      expect(await cluster.accessReview({ verb: 'get', group: '', resource: 'pods', namespace: 'default' })).toBe(
        undefined,
      );
      expect(cluster.requestCounts()).toEqual({ POST: 1 });
    } finally {
      await cluster?.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('the preflight when the cluster cannot answer', () => {
  test('one warning, and the run goes on', async () => {
    const parts = createSimulatedCluster(defaultScenario(), { objects: [deployment('web', 'web:1')] });
    const unanswered: ClusterClient = new Proxy(parts.cluster, {
      get(target, prop, receiver) {
        if (prop === 'accessReview') return async () => undefined;
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const log = new MemoryLog();
    const result = await runGate(
      unanswered,
      {
        documents: documents([deployment('web', 'web:2')]),
        policy: DEFAULT_POLICY,
        rollback: 'on-failure',
        rollbackTimeoutSeconds: 300,
        onNoGoodRevision: 'leave',
        force: false,
      },
      log,
    );
    expect(log.lines.filter((l) => l.startsWith('warning:'))).toEqual([
      'warning: the cluster does not answer SelfSubjectAccessReviews for this identity: permissions are not checked before the apply',
    ]);
    expect(result.result).toBe('succeeded');
  });
});
