import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ApiError } from '../../../src/k8s/apiError.js';
import type { Deployment } from '../../../src/k8s/objects.js';
import { validateDeployment, withDeploymentDefaults } from '../../../src/k8s/validation/deployment.js';

/** A valid, defaulted Deployment; `patch` then mutates it (validation always sees defaulted objects). */
function deployment(patch: (d: Deployment) => void = () => {}): Deployment {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
  const defaulted = withDeploymentDefaults(d);
  patch(defaulted);
  return defaulted;
}

const messages = (d: Deployment, old?: Deployment): string[] =>
  validateDeployment(d, old).map((c) => `${c.field}: ${c.message}`);

const PERCENT =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

describe('withDeploymentDefaults', () => {
  test('applies §1 defaults to a copy', () => {
    const raw = deployment();
    const input: Deployment = { metadata: { name: 'x' }, spec: { template: {} } };
    const d = withDeploymentDefaults(input);
    expect(input.spec.replicas).toBeUndefined();
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(d.spec.template.spec?.restartPolicy).toBe('Always');
    expect(validateDeployment(raw)).toEqual([]);
  });

  test('defaults each fencepost independently and adds no rollingUpdate for Recreate', () => {
    const one = withDeploymentDefaults({
      metadata: {},
      spec: { template: {}, strategy: { rollingUpdate: { maxSurge: 0 } } },
    });
    expect(one.spec.strategy?.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: '25%' });
    const recreate = withDeploymentDefaults({ metadata: {}, spec: { template: {}, strategy: { type: 'Recreate' } } });
    expect(recreate.spec.strategy).toEqual({ type: 'Recreate' });
  });
});

describe('validateDeployment: every row of spec §14, exact text', () => {
  const rows: Array<[string, (d: Deployment) => void, string[]]> = [
    [
      'replicas < 0',
      (d) => (d.spec.replicas = -1),
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'selector nil (and so the template labels match nothing)',
      (d) => delete d.spec.selector,
      [
        'spec.selector: Required value',
        'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'empty selector',
      (d) => (d.spec.selector = {}),
      ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
    ],
    [
      'selector cannot be converted',
      (d) => (d.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Like', values: ['web'] }] }),
      [
        'spec.selector.matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator',
        'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Like","values":["web"]}]}: invalid label selector',
      ],
    ],
    [
      'template labels do not satisfy the selector',
      (d) => (d.spec.template.metadata!.labels = { tier: 'x', app: 'other' }),
      [
        'spec.template.metadata.labels: Invalid value: {"app":"other","tier":"x"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'restartPolicy not Always',
      (d) => (d.spec.template.spec!.restartPolicy = 'OnFailure'),
      ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
    [
      'activeDeadlineSeconds set',
      (d) => (d.spec.template.spec!.activeDeadlineSeconds = 30),
      ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported'],
    ],
    [
      'Recreate with rollingUpdate',
      (d) => (d.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }),
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
    [
      'RollingUpdate without rollingUpdate',
      (d) => delete d.spec.strategy!.rollingUpdate,
      ['spec.strategy.rollingUpdate: Required value: this should be defaulted and never be nil'],
    ],
    [
      'unknown strategy type',
      (d) => (d.spec.strategy = { type: 'BlueGreen' }),
      [
        'spec.strategy: Unsupported value: {"Type":"BlueGreen","RollingUpdate":null}: supported values: "Recreate", "RollingUpdate"',
      ],
    ],
    [
      'maxUnavailable not a percent string',
      (d) => (d.spec.strategy!.rollingUpdate!.maxUnavailable = '5'),
      [`spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "5": ${PERCENT}`],
    ],
    [
      'maxSurge not a percent string',
      (d) => (d.spec.strategy!.rollingUpdate!.maxSurge = 'abc'),
      [`spec.strategy.rollingUpdate.maxSurge: Invalid value: "abc": ${PERCENT}`],
    ],
    [
      'negative ints',
      (d) => (d.spec.strategy!.rollingUpdate = { maxUnavailable: -1, maxSurge: -2 }),
      [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0',
        'spec.strategy.rollingUpdate.maxSurge: Invalid value: -2: must be greater than or equal to 0',
      ],
    ],
    [
      'both 0',
      (d) => (d.spec.strategy!.rollingUpdate = { maxUnavailable: 0, maxSurge: 0 }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
    ],
    [
      'both "0%" (raw values, value printed quoted)',
      (d) => (d.spec.strategy!.rollingUpdate = { maxUnavailable: '0%', maxSurge: 0 }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'],
    ],
    [
      'maxUnavailable percent > 100',
      (d) => (d.spec.strategy!.rollingUpdate!.maxUnavailable = '101%'),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "101%": must not be greater than 100%'],
    ],
    [
      'minReadySeconds < 0',
      (d) => (d.spec.minReadySeconds = -1),
      ['spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'revisionHistoryLimit < 0',
      (d) => (d.spec.revisionHistoryLimit = -1),
      ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'progressDeadlineSeconds < 0 (also not above minReadySeconds)',
      (d) => (d.spec.progressDeadlineSeconds = -1),
      [
        'spec.progressDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0',
        'spec.progressDeadlineSeconds: Invalid value: -1: must be greater than minReadySeconds',
      ],
    ],
    [
      'progressDeadlineSeconds <= minReadySeconds',
      (d) => Object.assign(d.spec, { minReadySeconds: 30, progressDeadlineSeconds: 30 }),
      ['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds'],
    ],
  ];
  test.each(rows)('%s', (_name, patch, expected) => {
    expect(messages(deployment(patch))).toEqual(expected);
  });

  test('maxSurge has no 100% cap; 1% with maxSurge 0 passes (raw values, not fenceposts)', () => {
    expect(
      messages(deployment((d) => (d.spec.strategy!.rollingUpdate = { maxSurge: '300%', maxUnavailable: 0 }))),
    ).toEqual([]);
    expect(
      messages(deployment((d) => (d.spec.strategy!.rollingUpdate = { maxSurge: 0, maxUnavailable: '1%' }))),
    ).toEqual([]);
  });

  test('an invalid percent string counts as its Atoi value (0) in the both-zero check', () => {
    expect(
      messages(deployment((d) => (d.spec.strategy!.rollingUpdate = { maxSurge: 0, maxUnavailable: 'x' }))),
    ).toEqual([
      `spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "x": ${PERCENT}`,
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "x": may not be 0 when `maxSurge` is 0',
    ]);
  });

  test('selector immutability on update, after the spec errors', () => {
    const old = deployment();
    const changed = deployment((d) => (d.spec.selector = { matchLabels: { app: 'web2' } }));
    expect(messages(changed, old)).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
      'spec.selector: Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable',
    ]);
    const both = deployment((d) => {
      d.spec.selector = { matchLabels: { app: 'web2' } };
      d.spec.template.metadata!.labels = { app: 'web2' };
    });
    expect(messages(both, old)).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable',
    ]);
    expect(
      messages(
        deployment((d) => (d.spec.replicas = 5)),
        old,
      ),
    ).toEqual([]);
  });

  test('several errors keep the Go order and build the apiserver message', () => {
    const d = deployment((d) => {
      d.spec.replicas = -1;
      d.spec.strategy!.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 };
    });
    const causes = validateDeployment(d);
    expect(causes[0]).toEqual({
      reason: 'FieldValueInvalid',
      field: 'spec.replicas',
      message: 'Invalid value: -1: must be greater than or equal to 0',
    });
    expect(ApiError.invalid('Deployment', 'apps', 'web', causes).message).toBe(
      'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, ' +
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0]',
    );
  });
});

describe('validateDeployment: metadata and containers', () => {
  test('metadata.name required and a DNS-1123 subdomain', () => {
    expect(validateDeployment(deployment((d) => delete d.metadata.name))).toEqual([
      {
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      },
    ]);
    expect(messages(deployment((d) => (d.metadata.name = 'Web_1')))).toEqual([
      'metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, ' +
        "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    expect(messages(deployment((d) => (d.metadata.name = 'a'.repeat(254))))[0]).toBe(
      `metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`,
    );
  });

  test('label keys and values', () => {
    expect(messages(deployment((d) => (d.metadata.labels = { 'bad key': 'ok', team: 'a b' })))).toEqual([
      "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', " +
        "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for " +
        "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'metadata.labels[team]: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric ' +
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  " +
        "or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
  });

  test('containers required, with names and images; names unique across init and regular containers', () => {
    expect(messages(deployment((d) => (d.spec.template.spec!.containers = [])))).toEqual([
      'spec.template.spec.containers: Required value',
    ]);
    expect(
      messages(
        deployment((d) => {
          d.spec.template.spec!.containers = [
            { name: '', image: '' },
            { name: 'Web', image: 'x' },
            { name: 'a', image: 'a' },
          ];
          d.spec.template.spec!.initContainers = [{ name: 'a', image: 'b' }];
        }),
      ),
    ).toEqual([
      'spec.template.spec.containers[0].name: Required value',
      'spec.template.spec.containers[0].image: Required value',
      'spec.template.spec.containers[1].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case ' +
        "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " +
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.template.spec.initContainers[0].name: Duplicate value: "a"',
    ]);
  });

  test('an unknown pod restartPolicy fails both the pod and the ReplicaSet check', () => {
    expect(messages(deployment((d) => (d.spec.template.spec!.restartPolicy = 'Sometimes')))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always"',
    ]);
  });
});

describe('upstream-derived vectors (test/fixtures/k8s-vectors.json)', () => {
  const vectors = JSON.parse(readFileSync('test/fixtures/k8s-vectors.json', 'utf8')) as {
    groups: Record<string, Array<{ name: string; input: Record<string, unknown>; expected: { fieldError?: string } }>>;
  };
  const validation = Object.values(vectors.groups)
    .flat()
    .filter((v) => v.name.startsWith('validation:'));
  test('there are validation vectors', () => expect(validation.length).toBeGreaterThanOrEqual(4));
  test.each(validation.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const input = v.input;
    const build = (selector?: unknown): Deployment =>
      deployment((d) => {
        if (input['spec.strategy.rollingUpdate'])
          d.spec.strategy!.rollingUpdate = input['spec.strategy.rollingUpdate'] as object;
        if (input['spec.strategy.rollingUpdate.maxSurge'] !== undefined) {
          d.spec.strategy!.rollingUpdate!.maxSurge = input['spec.strategy.rollingUpdate.maxSurge'] as string;
        }
        if (input['spec.selector']) d.spec.selector = input['spec.selector'] as Deployment['spec']['selector'];
        if (input['spec.template.metadata.labels'])
          d.spec.template.metadata!.labels = input['spec.template.metadata.labels'] as Record<string, string>;
        if (selector) {
          d.spec.selector = selector as Deployment['spec']['selector'];
          d.spec.template.metadata!.labels = (selector as { matchLabels: Record<string, string> }).matchLabels;
        }
      });
    const got = input.newSelector ? messages(build(input.newSelector), build(input.oldSelector)) : messages(build());
    expect(got).toContain(v.expected.fieldError);
  });
});
