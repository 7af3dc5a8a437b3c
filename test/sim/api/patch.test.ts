import { describe, it, expect } from '@jest/globals';
import { applyJsonPatch } from '../../../src/cluster/sim/patch/jsonPatch.js';
import { applyMergePatch } from '../../../src/cluster/sim/patch/mergePatch.js';
import { applyStrategicMergePatch } from '../../../src/cluster/sim/patch/strategicMerge.js';
import { serverSideApply, trackUpdate } from '../../../src/cluster/sim/patch/serverSideApply.js';
import { PatchError } from '../../../src/cluster/sim/patch/patchError.js';
import { ApiError } from '../../../src/k8s/apiError.js';
import type { KubeObject } from '../../../src/k8s/objects.js';

describe('applyJsonPatch (RFC 6902)', () => {
  it('adds, removes, replaces, moves, copies and tests, with pointer escaping', () => {
    const doc = { a: { 'b/c': 1, 'd~e': 2 }, list: [1, 2, 3] };
    const out = applyJsonPatch(doc, [
      { op: 'test', path: '/a/b~1c', value: 1 },
      { op: 'replace', path: '/a/d~0e', value: 20 },
      { op: 'add', path: '/list/1', value: 9 },
      { op: 'add', path: '/list/-', value: 4 },
      { op: 'remove', path: '/list/0' },
      { op: 'copy', from: '/a/d~0e', path: '/copied' },
      { op: 'move', from: '/a/b~1c', path: '/moved' },
    ]);
    expect(out).toEqual({ a: { 'd~e': 20 }, list: [9, 2, 3, 4], copied: 20, moved: 1 });
    expect(doc).toEqual({ a: { 'b/c': 1, 'd~e': 2 }, list: [1, 2, 3] });
  });

  it("applies kubectl rollout undo's patch (replace template and annotations)", () => {
    const dep = {
      metadata: { name: 'x', annotations: { 'deployment.kubernetes.io/revision': '2', other: 'dropped' } },
      spec: {
        replicas: 2,
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'img:2' }] } },
      },
    };
    const undo = [
      {
        op: 'replace',
        path: '/spec/template',
        value: {
          metadata: { creationTimestamp: null, labels: { app: 'x' } },
          spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: {} }] },
        },
      },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2' } },
    ];
    expect(applyJsonPatch(dep, undo)).toEqual({
      metadata: { name: 'x', annotations: { 'deployment.kubernetes.io/revision': '2' } },
      spec: {
        replicas: 2,
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'x' } },
          spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: {} }] },
        },
      },
    });
  });

  it('fails atomically on a failed test or a missing path', () => {
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(
      new PatchError('apply', 'testing value /a failed: test failed'),
    );
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }])).toThrow(PatchError);
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/a/x/y' }])).toThrow(PatchError);
    expect(() => applyJsonPatch({ a: [1] }, [{ op: 'add', path: '/a/5', value: 2 }])).toThrow(PatchError);
    expect(() => applyJsonPatch({}, { op: 'add' })).toThrow(PatchError);
  });
});

describe('applyMergePatch (RFC 7386)', () => {
  it('merges maps, deletes on null and replaces arrays (RFC 7386 appendix A cases)', () => {
    expect(applyMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(applyMergePatch({ a: 'b', b: 'c' }, { a: null })).toEqual({ b: 'c' });
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(applyMergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } })).toEqual({ a: { b: 'd' } });
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(applyMergePatch([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
    expect(applyMergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });

  it("scales through kubectl scale's patch", () => {
    expect(applyMergePatch({ spec: { replicas: 2 }, status: { replicas: 2 } }, { spec: { replicas: 3 } })).toEqual({
      spec: { replicas: 3 },
      status: { replicas: 2 },
    });
  });
});

describe('applyStrategicMergePatch', () => {
  const dep = {
    metadata: { name: 'x', finalizers: ['a'] },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'c',
              image: 'img:1',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
            },
            { name: 'sidecar', image: 'side:1', args: ['--a', '--b'] },
          ],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };

  it("applies kubectl set image's real body (merge by name, $setElementOrder)", () => {
    const body = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'c' }, { name: 'sidecar' }],
            containers: [{ image: 'img:2', name: 'c' }],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(dep, body);
    expect(out.spec.template.spec.containers).toEqual([
      {
        name: 'c',
        image: 'img:2',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'sidecar', image: 'side:1', args: ['--a', '--b'] },
    ]);
  });

  it('merges nested keyed lists, replaces atomic lists, deletes with null and $patch: delete', () => {
    const out = applyStrategicMergePatch(dep, {
      metadata: { finalizers: ['b'] },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'c',
                ports: [{ containerPort: 8080 }],
                env: [
                  { name: 'A', $patch: 'delete' },
                  { name: 'C', value: '3' },
                ],
              },
              { name: 'sidecar', args: ['--c'], image: null },
            ],
            tolerations: [{ key: 'z', operator: 'Exists' }],
          },
        },
      },
    });
    expect(out).toEqual({
      metadata: { name: 'x', finalizers: ['a', 'b'] },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'c',
                image: 'img:1',
                ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 8080 }],
                env: [
                  { name: 'B', value: '2' },
                  { name: 'C', value: '3' },
                ],
              },
              { name: 'sidecar', args: ['--c'] },
            ],
            tolerations: [{ key: 'z', operator: 'Exists' }],
          },
        },
      },
    });
  });

  it('honours $patch: replace, $retainKeys, $deleteFromPrimitiveList and $setElementOrder reordering', () => {
    expect(
      applyStrategicMergePatch(
        { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
        {
          spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
        },
      ),
    ).toEqual({ spec: { strategy: { type: 'Recreate' } } });
    expect(
      applyStrategicMergePatch(
        { spec: { selector: { a: '1', b: '2' } } },
        { spec: { selector: { $patch: 'replace', c: '3' } } },
      ),
    ).toEqual({ spec: { selector: { c: '3' } } });
    expect(
      applyStrategicMergePatch(
        { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
        { spec: { containers: [{ $patch: 'replace' }, { name: 'z' }] } },
      ),
    ).toEqual({ spec: { containers: [{ name: 'z' }] } });
    expect(
      applyStrategicMergePatch(
        { metadata: { finalizers: ['a', 'b', 'c'] } },
        { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
      ),
    ).toEqual({ metadata: { finalizers: ['a', 'c'] } });
    expect(
      applyStrategicMergePatch(
        { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } },
        {
          spec: {
            '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }],
            containers: [{ name: 'a', image: 'x' }],
          },
        },
      ),
    ).toEqual({ spec: { containers: [{ name: 'c' }, { name: 'a', image: 'x' }, { name: 'b' }] } });
    expect(
      applyStrategicMergePatch({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { $patch: 'delete' } } }),
    ).toEqual({ metadata: {} });
  });

  it('rejects items without their merge key', () => {
    expect(() =>
      applyStrategicMergePatch(dep, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }),
    ).toThrow(new PatchError('apply', 'map: {"image":"x"} does not contain declared merge key: name'));
  });
});

describe('serverSideApply', () => {
  const time = '2026-01-01T00:00:00Z';
  const applied = (replicas: number, image = 'img:1'): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { replicas, template: { spec: { containers: [{ name: 'c', image }] } } },
  });

  it('creates, records Apply ownership and removes fields it no longer applies', () => {
    const first = serverSideApply(
      undefined,
      { ...applied(2), metadata: { ...applied(2).metadata, annotations: { a: '1' } } },
      { manager: 'ci', force: false, apiVersion: 'apps/v1', time },
    );
    expect(first.metadata.managedFields).toEqual([
      {
        manager: 'ci',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:annotations': { 'f:a': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:template': {
              'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:name': {}, 'f:image': {} } } },
            },
          },
        },
      },
    ]);
    const second = serverSideApply(first, applied(3), { manager: 'ci', force: false, apiVersion: 'apps/v1', time });
    expect(second.metadata.annotations).toEqual({});
    expect((second.spec as { replicas: number }).replicas).toBe(3);
  });

  it('conflicts with another manager that owns a changed field, unless forced', () => {
    const created = trackUpdate(undefined, applied(2), {
      manager: 'kubectl-client-side-apply',
      apiVersion: 'apps/v1',
      time,
    });
    expect(() =>
      serverSideApply(created, applied(2), { manager: 'kubectl', force: false, apiVersion: 'apps/v1', time }),
    ).not.toThrow();
    let error: unknown;
    try {
      serverSideApply(created, applied(5), { manager: 'kubectl', force: false, apiVersion: 'apps/v1', time });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      reason: 'Conflict',
      details: {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-client-side-apply" using apps/v1',
            field: '.spec.replicas',
          },
        ],
      },
      code: 409,
    });
    const forced = serverSideApply(created, applied(5, 'img:2'), {
      manager: 'kubectl',
      force: true,
      apiVersion: 'apps/v1',
      time,
    });
    expect((forced.spec as { replicas: number }).replicas).toBe(5);
    const managers = (
      forced.metadata.managedFields as Array<{ manager: string; fieldsV1: Record<string, unknown> }>
    ).map((m) => m.manager);
    expect(managers).toEqual(['kubectl-client-side-apply', 'kubectl']);
    const csa = (forced.metadata.managedFields as Array<{ fieldsV1: { 'f:spec'?: Record<string, unknown> } }>)[0]!;
    expect(csa.fieldsV1['f:spec']?.['f:replicas']).toBeUndefined();
  });

  it('lists every conflicting field', () => {
    const created = trackUpdate(undefined, applied(2), { manager: 'other', apiVersion: 'apps/v1', time });
    expect(() =>
      serverSideApply(created, applied(3, 'img:9'), { manager: 'kubectl', force: false, apiVersion: 'apps/v1', time }),
    ).toThrow(
      'Apply failed with 2 conflicts: conflicts with "other" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="c"].image',
    );
  });
});
