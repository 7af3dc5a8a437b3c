import { describe, expect, it } from '@jest/globals';
import { applyClashes, managedFieldOwners } from '../../src/k8s/managedFields.js';
import type { KubeObject } from '../../src/k8s/objects.js';

function entry(manager: string, operation: 'Apply' | 'Update', fieldsV1: object, subresource?: string) {
  return {
    manager,
    operation,
    apiVersion: 'apps/v1',
    time: '2026-01-01T00:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1,
    ...(subresource ? { subresource } : {}),
  };
}

const IMAGE = {
  'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } },
};

function object(image: string, team: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { team } },
    spec: { replicas, template: { spec: { containers: [{ name: 'web', image }] } } },
  } as KubeObject;
}

describe('applyClashes', () => {
  const live = object('web:2', 'a', 7);
  live.metadata.managedFields = [
    entry('rollout-gate', 'Apply', { 'f:metadata': { 'f:labels': { 'f:team': {} } } }),
    // The manager's own patch is another owner than its apply (a JSON-patch undo, say).
    entry('rollout-gate', 'Update', IMAGE),
    entry('argocd-controller', 'Apply', { 'f:metadata': { 'f:labels': { 'f:team': {} } } }),
    entry('kube-controller-manager', 'Update', { 'f:spec': { 'f:replicas': {} } }, 'scale'),
    entry('kube-controller-manager', 'Update', { 'f:status': { 'f:replicas': {} } }, 'status'),
  ];

  it('keys owners by manager, operation and subresource; status writers own nothing an apply sets', () => {
    expect(
      [...managedFieldOwners(live).values()].map(
        (o) => `${o.entry.manager} ${o.entry.operation} ${o.entry.subresource ?? ''}`,
      ),
    ).toEqual([
      'rollout-gate Apply ',
      'rollout-gate Update ',
      'argocd-controller Apply ',
      'kube-controller-manager Update scale',
    ]);
  });

  it("names every other owner of a field set to another value, the manager's own Update entry included", () => {
    const clashes = applyClashes(live, object('web:3', 'b', 7), 'rollout-gate');
    expect(clashes.map((c) => [c.field, c.owner.manager, c.owner.operation, c.live, c.applied])).toEqual([
      ['.metadata.labels.team', 'argocd-controller', 'Apply', 'a', 'b'],
      ['.spec.template.spec.containers[name="web"].image', 'rollout-gate', 'Update', 'web:2', 'web:3'],
    ]);
  });

  it('equal values are shared, not clashes; an absent object has none', () => {
    expect(applyClashes(live, object('web:2', 'a', 7), 'rollout-gate')).toEqual([]);
    expect(applyClashes(undefined, object('web:3', 'b', 3), 'rollout-gate')).toEqual([]);
    expect(applyClashes(live, object('web:2', 'a', 3), 'rollout-gate').map((c) => c.owner.subresource)).toEqual([
      'scale',
    ]);
  });
});
