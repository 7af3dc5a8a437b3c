import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_RESOURCES } from '../../../src/k8s/builtinResources.js';
import { decodeObject, encodeObject, messageFor } from '../../../src/cluster/sim/api/protobuf/envelope.js';
import { prefersProtobuf } from '../../../src/cluster/sim/api/protobuf/index.js';

const FIXTURES = join(import.meta.dirname, 'protobuf-fixtures');
const names = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.pb'))
  .map((f) => f.slice(0, -3));
const fixtureName = (group: string, version: string, kind: string) => `${group || 'core'}.${version}.${kind}`;

/** decode(encode(x)): the JSON Go prints after a protobuf round trip. */
const canonical = (x: Record<string, unknown>) => decodeObject(encodeObject(x)!);

describe('upstream vectors (./protobuf-fixtures, k8s.io/api v0.32.4 testdata)', () => {
  it.each(names)('%s: decodes to upstream JSON, encodes to upstream bytes, round trips', (name) => {
    const pb = readFileSync(join(FIXTURES, `${name}.pb`));
    const json = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;
    expect(decodeObject(pb)).toEqual(json);
    expect(encodeObject(json)!.toString('hex')).toBe(pb.toString('hex'));
    expect(canonical(json)).toEqual(json);
  });

  it('every built-in kind serve stores has a schema, and a vector but for APIService', () => {
    const missing: string[] = [];
    for (const r of BUILTIN_RESOURCES)
      for (const version of r.versions) {
        const apiVersion = r.group ? `${r.group}/${version}` : version;
        expect([apiVersion, r.kind, messageFor(apiVersion, r.kind) !== undefined]).toEqual([apiVersion, r.kind, true]);
        expect([apiVersion, `${r.kind}List`, messageFor(apiVersion, `${r.kind}List`) !== undefined]).toEqual([
          apiVersion,
          `${r.kind}List`,
          true,
        ]);
        if (!names.includes(fixtureName(r.group, version, r.kind))) missing.push(`${apiVersion} ${r.kind}`);
      }
    // k8s.io/kube-aggregator has no testdata: its round trip is below.
    expect(missing).toEqual(['apiregistration.k8s.io/v1 APIService']);
  });
});

describe('round trips of realistic objects', () => {
  it('APIService', () => {
    const apiService = {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: {
        name: 'v1beta1.metrics.k8s.io',
        creationTimestamp: '2026-11-30T10:00:00Z',
        labels: { k8s: 'metrics' },
      },
      spec: {
        service: { namespace: 'kube-system', name: 'metrics-server', port: 443 },
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
      status: {
        conditions: [
          {
            type: 'Available',
            status: 'True',
            lastTransitionTime: '2026-11-30T10:00:05Z',
            reason: 'Passed',
            message: 'all checks passed',
          },
        ],
      },
    };
    expect(canonical(apiService)).toEqual(apiService);
  });

  it('a Deployment as kubectl writes it: zero values and nulls as encoding/json prints them', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    };
    expect(canonical(deployment)).toEqual(deployment);
    // Absent non-omitempty fields come back as Go prints their zero value.
    const { status: _status, ...bare } = deployment;
    expect(canonical({ ...bare, spec: { ...bare.spec, strategy: undefined } })).toEqual(deployment);
  });

  it('map entries go on the wire sorted by key, as gogo writes them', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { zone: 'eu', color: 'blue', a: '1' },
    };
    // The decoder keeps wire order.
    expect(Object.keys(canonical(configMap).data as object)).toEqual(['a', 'color', 'zone']);
  });

  it('Secret data is base64 in JSON and raw bytes on the wire; a Quantity, an IntOrString, a MicroTime', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', creationTimestamp: null },
      data: { p: 'AAEC/w==' },
    };
    const bytes = encodeObject(secret)!;
    expect(bytes.includes(Buffer.from([0, 1, 2, 255]))).toBe(true);
    expect(canonical(secret)).toEqual(secret);
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', creationTimestamp: null },
      spec: { holderIdentity: 'me', renewTime: '2026-11-30T10:00:00.123456Z', leaseDurationSeconds: 15 },
    };
    expect(canonical(lease)).toEqual(lease);
    const pdb = canonical({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p' },
      spec: { minAvailable: '50%', maxUnavailable: 1 },
    });
    expect(pdb.spec).toEqual({ minAvailable: '50%', maxUnavailable: 1 });
  });
});

/** Non-zero scalars only, so that every generated field survives (zero omitempty fields would not). */
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const text = fc.string({ minLength: 1, maxLength: 20 });
const count = fc.integer({ min: 1, max: 2_147_483_647 });
const labels = fc.dictionary(word, text, { minKeys: 1, maxKeys: 4 });
const time = fc
  .date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
const quantity = fc.constantFrom('100m', '1', '2Gi', '512Mi', '1.5');
const port = fc.oneof(fc.integer({ min: 1, max: 65535 }), word);
const metadata = fc.record(
  {
    name: word,
    namespace: word,
    uid: fc.uuid(),
    generation: fc.integer({ min: 1, max: 2 ** 52 }),
    creationTimestamp: time,
    labels,
    annotations: labels,
    ownerReferences: fc.array(
      fc.record({
        apiVersion: fc.constant('apps/v1'),
        kind: word,
        name: word,
        uid: fc.uuid(),
        controller: fc.boolean(),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    finalizers: fc.array(word, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: ['name'] },
);
const container = fc.record(
  {
    name: word,
    image: text,
    command: fc.array(text, { minLength: 1, maxLength: 3 }),
    env: fc.array(fc.record({ name: word, value: text }), { minLength: 1, maxLength: 3 }),
    ports: fc.array(
      fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }), protocol: fc.constantFrom('TCP', 'UDP') }),
      {
        minLength: 1,
        maxLength: 2,
      },
    ),
    resources: fc.record({ limits: fc.dictionary(fc.constantFrom('cpu', 'memory'), quantity, { minKeys: 1 }) }),
    readinessProbe: fc.record({ httpGet: fc.record({ path: text, port }), periodSeconds: count }),
    securityContext: fc.record({ runAsNonRoot: fc.boolean(), runAsUser: fc.integer({ min: 0, max: 65535 }) }),
  },
  { requiredKeys: ['name', 'image', 'resources'] },
);
const podSpec = fc.record(
  {
    containers: fc.array(container, { minLength: 1, maxLength: 3 }),
    volumes: fc.array(fc.record({ name: word, configMap: fc.record({ name: word, defaultMode: count }) }), {
      minLength: 1,
      maxLength: 2,
    }),
    nodeSelector: labels,
    restartPolicy: fc.constantFrom('Always', 'OnFailure', 'Never'),
    terminationGracePeriodSeconds: fc.integer({ min: 0, max: 600 }),
    serviceAccountName: word,
  },
  { requiredKeys: ['containers'] },
);
const template = fc.record({ metadata: fc.record({ labels }), spec: podSpec });
const condition = fc.record({
  type: word,
  status: fc.constantFrom('True', 'False', 'Unknown'),
  lastTransitionTime: time,
  reason: word,
});

const pod = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata,
  spec: podSpec,
  status: fc.record(
    {
      phase: fc.constantFrom('Pending', 'Running'),
      podIP: word,
      startTime: time,
      conditions: fc.array(condition, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
});
const deployment = fc.record({
  apiVersion: fc.constant('apps/v1'),
  kind: fc.constant('Deployment'),
  metadata,
  spec: fc.record(
    {
      replicas: fc.integer({ min: 0, max: 1000 }),
      selector: fc.record({ matchLabels: labels }),
      template,
      strategy: fc.record({
        type: fc.constant('RollingUpdate'),
        rollingUpdate: fc.record({ maxSurge: port, maxUnavailable: port }),
      }),
      revisionHistoryLimit: fc.integer({ min: 0, max: 20 }),
      progressDeadlineSeconds: count,
      paused: fc.constant(true),
    },
    { requiredKeys: ['selector', 'template'] },
  ),
});
const job = fc.record({
  apiVersion: fc.constant('batch/v1'),
  kind: fc.constant('Job'),
  metadata,
  spec: fc.record(
    {
      parallelism: fc.integer({ min: 0, max: 100 }),
      completions: fc.integer({ min: 0, max: 100 }),
      backoffLimit: fc.integer({ min: 0, max: 10 }),
      activeDeadlineSeconds: count,
      template,
      completionMode: fc.constantFrom('NonIndexed', 'Indexed'),
      suspend: fc.boolean(),
    },
    { requiredKeys: ['template'] },
  ),
  status: fc.record(
    {
      active: count,
      succeeded: count,
      startTime: time,
      conditions: fc.array(condition, { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: [] },
  ),
});

describe('generated objects (fast-check)', () => {
  it.each([
    ['Pod', pod],
    ['Deployment', deployment],
    ['Job', job],
  ] as const)('%s: every field survives, and the Go form is a fixed point with the same bytes', (_kind, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, (object) => {
        const bytes = encodeObject(object)!;
        const back = decodeObject(bytes);
        expect(back).toMatchObject(object);
        expect(canonical(back)).toEqual(back);
        expect(encodeObject(back)!.equals(bytes)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('content negotiation', () => {
  it.each([
    ['application/vnd.kubernetes.protobuf,application/json', true],
    ['application/vnd.kubernetes.protobuf, */*', true],
    ['application/json;q=0.5, application/vnd.kubernetes.protobuf', true],
    ['application/json, application/vnd.kubernetes.protobuf', false],
    ['application/json;as=Table;v=v1;g=meta.k8s.io,application/json', false],
    ['application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json', false],
    ['application/vnd.kubernetes.protobuf;stream=watch', false],
    ['application/vnd.kubernetes.protobuf;q=0,application/json', false],
    ['*/*', false],
    ['', false],
  ])('Accept %j: protobuf %s', (accept, protobuf) => {
    expect(prefersProtobuf(accept)).toBe(protobuf);
  });
});
