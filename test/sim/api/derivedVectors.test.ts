/**
 * The `derived.examples` vectors of test/fixtures/k8s-vectors.json that concern the API server
 * and kubectl (the controller ones run in test/sim/deployment/vectorsSync.test.ts): validation
 * field errors, checked as functions and through real kubectl against the facade, and the undo
 * example's kubectl output and renumbering.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { createSimulatedCluster, type SimulatedClusterParts } from '../../../src/cluster/sim/index.js';
import { validateDeployment, withDeploymentDefaults } from '../../../src/k8s/validation/deployment.js';
import type { Deployment, ReplicaSet } from '../../../src/k8s/objects.js';
import { Kubectl } from './harness.js';

interface Vector {
  name: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
}
const all = JSON.parse(readFileSync(new URL('../../fixtures/k8s-vectors.json', import.meta.url), 'utf8')) as {
  groups: Record<string, Vector[]>;
};
const derived = all.groups['derived.examples']!;
const vector = (name: string): Vector => derived.find((v) => v.name === name)!;

function web(patch: (d: Deployment) => void = () => undefined): Deployment {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
  patch(d);
  return d;
}

/** The Deployment each validation vector describes (input keys are field paths). */
const cases: Record<string, { obj: Deployment; old?: Deployment }> = {
  'validation: both fenceposts zero': {
    obj: web((d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } })),
  },
  'validation: selector does not match template': {
    obj: web((d) => (d.spec.template.metadata = { labels: { app: 'other' } })),
  },
  'validation: selector immutable': {
    old: web(),
    obj: web((d) => {
      d.spec.selector = { matchLabels: { app: 'web2' } };
      d.spec.template.metadata = { labels: { app: 'web2' } };
    }),
  },
  'validation: bad percent string': {
    obj: web(
      (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'abc', maxUnavailable: '25%' } }),
    ),
  },
};

describe('derived.examples: validation field errors', () => {
  it('covers every validation vector', () => {
    expect(
      derived
        .filter((v) => v.name.startsWith('validation:'))
        .map((v) => v.name)
        .sort(),
    ).toEqual(Object.keys(cases).sort());
  });
  for (const [name, { obj, old }] of Object.entries(cases)) {
    it(name, () => {
      const causes = validateDeployment(withDeploymentDefaults(obj), old && withDeploymentDefaults(old));
      expect(causes.map((c) => `${c.field}: ${c.message}`)).toEqual([vector(name).expected.fieldError]);
    });
  }
});

describe('derived.examples through real kubectl against serve', () => {
  let parts: SimulatedClusterParts;
  let server: ApiServerHandle;
  let kubectl: Kubectl;
  beforeAll(async () => {
    parts = createSimulatedCluster();
    server = await startApiServer({ simulation: parts.simulation, port: 0, speed: 0 });
    kubectl = new Kubectl(server.kubeconfig());
  });
  afterAll(async () => {
    kubectl.cleanup();
    await server.close();
  });

  it('validation: both fenceposts zero -> kubectl prints the invalid error and exits 1', async () => {
    const file = kubectl.file('zero.json', JSON.stringify(cases['validation: both fenceposts zero']!.obj));
    const r = await kubectl.run('create', '-f', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(vector('validation: both fenceposts zero').expected.kubectlStderr);
  });

  it('undo renumbers revisions: kubectl output, revision 3 with history "1", rollout history 2 and 3', async () => {
    const v = vector('undo renumbers revisions');
    const advance = () => parts.simulation.advance(30_000);
    expect((await kubectl.run('create', '-f', kubectl.file('web.json', JSON.stringify(web())))).code).toBe(0);
    advance();
    expect((await kubectl.run('set', 'image', 'deployment/web', 'web=nginx:1.28')).code).toBe(0);
    advance();
    const undo = await kubectl.run('rollout', 'undo', 'deployment/web');
    expect(undo.stdout).toBe(v.expected.kubectlStdout);
    advance();
    const d = parts.simulation.store.get<Deployment>('Deployment', 'default', 'web')!;
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe(v.expected.deploymentRevisionAnnotation);
    const rss = parts.simulation.store.list<ReplicaSet>('ReplicaSet', 'default');
    const byImage = (image: string) =>
      rss.find((rs) => rs.spec.template.spec?.containers[0]?.image === image)!.metadata.annotations!;
    expect(byImage('nginx:1.27')['deployment.kubernetes.io/revision']).toBe('3');
    expect(byImage('nginx:1.27')['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(byImage('nginx:1.28')['deployment.kubernetes.io/revision']).toBe('2');
    // kubectl's history table (https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/history.go) listing exactly the vector's revisions.
    const rows = (v.expected.rolloutHistoryRevisions as number[]).map((r) => `${String(r).padEnd(10)}<none>\n`);
    const history = await kubectl.run('rollout', 'history', 'deployment/web');
    expect(history.stdout).toBe(`deployment.apps/web \nREVISION  CHANGE-CAUSE\n${rows.join('')}\n`);
  });
});
