/**
 * The simulated API server refuses what a real one refuses for DaemonSets (ValidateDaemonSetSpec,
 * ValidateRollingUpdateDaemonSet): exact messages, as `kubectl apply` prints them.
 */
import { describe, expect, it } from '@jest/globals';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import { parseScenario } from '../../../src/cluster/sim/scenario/parseScenario.js';

function create(spec: Record<string, unknown>): string {
  const { simulation } = createSimulatedCluster(parseScenario('nodes: { count: 1 }'));
  try {
    simulation.store.create('DaemonSet', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } },
        ...spec,
      },
    });
    return 'created';
  } catch (err) {
    return (err as Error).message;
  }
}

describe('DaemonSet validation', () => {
  it('accepts the defaults, OnDelete, and maxSurge with maxUnavailable 0', () => {
    expect(create({})).toBe('created');
    expect(create({ updateStrategy: { type: 'OnDelete' } })).toBe('created');
    expect(
      create({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }),
    ).toBe('created');
  });

  it('refuses maxSurge beside the defaulted maxUnavailable 1', () => {
    expect(create({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } })).toBe(
      'DaemonSet.apps "agent" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero',
    );
  });

  it('refuses both 0, percentages over 100% and an unknown strategy', () => {
    expect(create({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } })).toBe(
      'DaemonSet.apps "agent" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    );
    expect(create({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } } })).toBe(
      'DaemonSet.apps "agent" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    );
    expect(create({ updateStrategy: { type: 'Recreate' } })).toMatch(
      /^DaemonSet.apps "agent" is invalid: spec.updateStrategy: Unsupported value: .*: supported values: "RollingUpdate", "OnDelete"$/,
    );
  });

  it('refuses a selector that does not match the template labels, and an empty one', () => {
    expect(create({ selector: { matchLabels: { app: 'other' } } })).toBe(
      'DaemonSet.apps "agent" is invalid: spec.template.metadata.labels: Invalid value: {"app":"agent"}: `selector` does not match template `labels`',
    );
    expect(create({ selector: {} })).toBe(
      'DaemonSet.apps "agent" is invalid: spec.selector: Invalid value: {}: empty selector is invalid for daemonset',
    );
  });

  it('refuses a restartPolicy other than Always and activeDeadlineSeconds', () => {
    const template = (extra: Record<string, unknown>) => ({
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'a', image: 'agent:1' }], ...extra },
      },
    });
    expect(create(template({ restartPolicy: 'Never' }))).toBe(
      'DaemonSet.apps "agent" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    );
    expect(create(template({ activeDeadlineSeconds: 10 }))).toBe(
      'DaemonSet.apps "agent" is invalid: spec.template.spec.activeDeadlineSeconds: Invalid value: 10: activeDeadlineSeconds must be nil for daemonsets',
    );
  });
});
