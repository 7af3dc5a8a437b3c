/**
 * The schema validator against the shipped upstream OpenAPI definitions: unknown fields at every
 * depth (struct fields, list items, maps of structs), wrong types, int-or-string, quantities,
 * required fields, enums, free-form and preserve-unknown-fields objects.
 */
import { describe, expect, test } from '@jest/globals';
import { dropFields, schemaForKind, validateAgainstSchema, type Schema } from '../../../src/k8s/schema/index.js';

function deployment(spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.25' }], ...podSpec },
      },
      ...spec,
    },
  };
}

function check(obj: { apiVersion: string; kind: string; [field: string]: unknown }): Array<[string, string]> {
  const found = schemaForKind(obj.apiVersion, obj.kind);
  if (!found) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  return validateAgainstSchema(obj, found.schema, found.name).map((p) => [p.kind, p.message]);
}

describe('schemaForKind', () => {
  test('knows the built-in kinds by apiVersion and kind, and nothing else', () => {
    expect(schemaForKind('apps/v1', 'Deployment')?.name).toBe('io.k8s.api.apps.v1.Deployment');
    expect(schemaForKind('v1', 'Service')?.name).toBe('io.k8s.api.core.v1.Service');
    expect(schemaForKind('networking.k8s.io/v1', 'Ingress')?.name).toBe('io.k8s.api.networking.v1.Ingress');
    expect(schemaForKind('apps/v1beta2', 'Deployment')).toBeUndefined();
    expect(schemaForKind('example.com/v1', 'Widget')).toBeUndefined();
  });
});

describe('validateAgainstSchema', () => {
  test('a valid Deployment has no problems', () => {
    expect(check(deployment())).toEqual([]);
  });

  test('issue 9 #6: replica (a typo) is an unknown field, as strict decoding says', () => {
    const { replicas: _r, ...spec } = deployment().spec;
    expect(check({ ...deployment(), spec: { ...spec, replica: 3 } })).toEqual([
      ['unknown', 'unknown field "spec.replica"'],
    ]);
  });

  test('unknown fields at every depth: top level, metadata, list items, nested structs; case matters', () => {
    const d = {
      ...deployment({ Replicas: 2 }, { containers: [{ name: 'web', image: 'x', imagePullPolcy: 'Always' }] }),
      extra: true,
      metadata: { name: 'web', label: { a: 'b' } },
    };
    expect(check(d)).toEqual([
      ['unknown', 'unknown field "metadata.label"'],
      ['unknown', 'unknown field "spec.template.spec.containers[0].imagePullPolcy"'],
      ['unknown', 'unknown field "spec.Replicas"'],
      ['unknown', 'unknown field "extra"'],
    ]);
  });

  test('wrong types, int32 range, int-or-string and quantities', () => {
    const d = deployment(
      { replicas: '3', paused: 'yes', strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1.5 } } },
      {
        containers: [
          {
            name: 'web',
            image: 'x',
            ports: [{ containerPort: 2 ** 31 }],
            resources: { limits: { cpu: 1, memory: '1 Gi' }, requests: { cpu: '500m', memory: true } },
          },
        ],
      },
    );
    expect(check(d)).toEqual([
      ['type', 'spec.replicas: expected an integer, got the string "3"'],
      [
        'type',
        'spec.template.spec.containers[0].ports[0].containerPort: expected a 32-bit integer (-2147483648 to 2147483647), got the integer 2147483648',
      ],
      [
        'type',
        'spec.template.spec.containers[0].resources.limits[memory]: Invalid value: "1 Gi": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
      ],
      [
        'type',
        'spec.template.spec.containers[0].resources.requests[memory]: expected a quantity (a string or a number), got the boolean true',
      ],
      ['type', 'spec.paused: expected a boolean, got the string "yes"'],
      ['type', 'spec.strategy.rollingUpdate.maxUnavailable: expected an integer or a string, got the number 1.5'],
    ]);
  });

  test("type problems carry the API server's JSON decoding error (Go struct, field path without indices, Go type)", () => {
    const d = deployment(
      { replicas: '3' },
      { containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 2.5 }] }], volumes: 'none' },
    );
    const found = schemaForKind('apps/v1', 'Deployment')!;
    const labels = { ...deployment(), metadata: { name: 'web', labels: { canary: true } } };
    expect(
      [
        ...validateAgainstSchema(d, found.schema, found.name),
        ...validateAgainstSchema(labels, found.schema, found.name),
      ].map((p) => p.decodeError),
    ).toEqual([
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
      'json: cannot unmarshal number 2.5 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32',
      'json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.volumes of type []v1.Volume',
      'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string',
    ]);
  });

  test('label values must be strings (YAML 1.1 reads yes as a boolean)', () => {
    const d = { ...deployment(), metadata: { name: 'web', labels: { canary: true } } };
    expect(check(d)).toEqual([
      ['type', 'metadata.labels[canary]: expected a string, got the boolean true (quote it in YAML)'],
    ]);
  });

  test('required fields of the schema, in list items too', () => {
    const d = deployment({ selector: undefined }, { containers: [{ image: 'x' }] });
    expect(check(d)).toEqual([
      ['required', 'spec.template.spec.containers[0].name: Required value'],
      ['required', 'spec.selector: Required value'],
    ]);
  });

  test('enums: the Go enum values the API server accepts', () => {
    const d = deployment({}, { containers: [{ name: 'web', image: 'x', imagePullPolicy: 'Sometimes' }] });
    expect(check(d)).toEqual([
      [
        'enum',
        'spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      ],
    ]);
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce', 'ReadWriteSometimes'] },
    };
    expect(check(pvc)).toEqual([
      [
        'enum',
        'spec.accessModes[1]: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      ],
    ]);
  });

  test('free-form objects (RawExtension) accept anything; preserve-unknown-fields and embedded resources', () => {
    const revision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1 };
    expect(check({ ...revision, data: { anything: { goes: [1] } } })).toEqual([]);
    const schema: Schema = {
      type: 'object',
      properties: {
        open: { type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true },
        res: {
          type: 'object',
          properties: { spec: { type: 'object' } },
          'x-kubernetes-embedded-resource': true,
        },
        fixed: { type: 'string', enum: ['A', 'B'] },
      },
    };
    const problems = validateAgainstSchema(
      { open: { a: 'x', b: 1 }, res: { apiVersion: 'v1', kind: 'X', metadata: {}, spec: {}, other: 1 }, fixed: 'C' },
      schema,
    );
    expect(problems.map((p) => p.message)).toEqual([
      'unknown field "res.other"',
      'fixed: Unsupported value: "C": supported values: "A", "B"',
    ]);
  });

  test('every built-in kind of the data validates a minimal object of its own', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } };
    expect(check(service)).toEqual([]);
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } }, backofLimit: 1 },
    };
    expect(check(job)).toEqual([['unknown', 'unknown field "spec.backofLimit"']]);
  });

  test('dropFields removes exactly the unknown fields', () => {
    const { replicas: _r, ...spec } = deployment().spec;
    const d = { ...deployment(), spec: { ...spec, replica: 3 } };
    const found = schemaForKind('apps/v1', 'Deployment')!;
    dropFields(d, validateAgainstSchema(d, found.schema, found.name));
    expect(d.spec).toEqual(spec);
  });
});
