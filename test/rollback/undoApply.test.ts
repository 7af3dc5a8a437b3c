import { describe, expect, it } from '@jest/globals';
import type { Deployment } from '../../src/k8s/objects.js';
import { undoApplyConfiguration } from '../../src/rollback/undoApply.js';
import { deployment, template } from '../rollout/builders.js';

/** A managedFields entry as a real API server writes it. */
function entry(manager: string, operation: 'Apply' | 'Update', fieldsV1: Record<string, unknown>) {
  return { manager, operation, apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1 };
}

const GATE_FIELDS = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} }, 'f:annotations': { '.': {}, 'f:team': {}, 'f:note': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:selector': { 'f:matchLabels': { 'f:app': {} } },
    'f:template': {
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {} } } },
    },
  },
};

function live(extra: Partial<Deployment['metadata']> = {}, fields: Record<string, unknown> = GATE_FIELDS): Deployment {
  const d = deployment({ image: 'web:4', revision: 4, resourceVersion: '4242' });
  d.metadata.labels = { app: 'web' };
  d.spec.replicas = 7;
  d.metadata.annotations = {
    'deployment.kubernetes.io/revision': '4',
    'rollout-gate.dev/last-good-revision': '1/h1',
    team: 'shop',
    note: 'v4',
    owner: 'argo',
  };
  d.metadata.managedFields = [
    entry('rollout-gate', 'Apply', fields),
    entry('argocd-controller', 'Apply', { 'f:metadata': { 'f:annotations': { 'f:owner': {} } } }),
  ];
  Object.assign(d.metadata, extra);
  return d;
}

describe('undoApplyConfiguration', () => {
  it("keeps every field the gate applied at its live value, swaps the template, carries kubectl's annotations", () => {
    const restored = {
      team: 'shop',
      note: 'v1',
      owner: 'someone',
      'rollout-gate.dev/lock': 'stale/2026-01-01T00:00:00Z',
    };
    const config = undoApplyConfiguration(live(), template('web:1'), {
      'deployment.kubernetes.io/revision': '4',
      ...restored,
    });
    expect(config).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'default',
        resourceVersion: '4242',
        labels: { app: 'web' },
        // Not the controller's revision, not the gate's own bookkeeping, not argo's annotation.
        annotations: { team: 'shop', note: 'v1' },
      },
      spec: { replicas: 7, selector: { matchLabels: { app: 'web' } }, template: template('web:1') },
    });
  });

  it('never carries replicas the gate does not own (an HPA does)', () => {
    const fields = structuredClone(GATE_FIELDS) as { 'f:spec': Record<string, unknown> };
    delete fields['f:spec']['f:replicas'];
    const config = undoApplyConfiguration(live({}, fields), template('web:1'), {});
    expect(config.spec).toEqual({ selector: { matchLabels: { app: 'web' } }, template: template('web:1') });
    expect(config.metadata.annotations).toBeUndefined();
  });
});
