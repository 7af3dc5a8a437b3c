/**
 * The scenario `permissions` block (README "The simulated cluster" extension): inline roles and Role files with
 * their bindings, every problem listed at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { loadScenario } from '../../src/app/connect.js';
import { parseScenario, ScenarioError } from '../../src/cluster/sim/index.js';
import { ROOT } from '../cli/support.js';

describe('permissions in a scenario', () => {
  test('inline roles: namespaced and cluster-wide', () => {
    const scenario = parseScenario(`
permissions:
  user: system:serviceaccount:ci:deployer
  roles:
    - namespace: shop
      rules:
        - { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "patch"] }
    - rules:
        - { nonResourceURLs: ["/metrics"], verbs: ["get"] }
`);
    expect(scenario.permissions).toEqual({
      user: 'system:serviceaccount:ci:deployer',
      files: [],
      roles: [
        { namespace: 'shop', rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }] },
        { rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] },
      ],
    });
  });

  test('no block: no permissions (everything allowed)', () => {
    expect(parseScenario('seed: 3').permissions).toBeUndefined();
  });

  test('every problem at once', () => {
    let error: unknown;
    try {
      parseScenario(`
permissions:
  roles:
    - namespace: Shop_1
      rules:
        - { resources: ["pods"], verbs: [] }
        - { apiGroups: [""], resources: ["pods"], nonResourceURLs: ["/x"], verbs: ["get"], names: ["a"] }
    - extra: 1
  files: "role.yaml"
`);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message.split('\n')).toEqual([
      'invalid scenario:',
      '  - permissions.user: required (the identity of every request, e.g. system:serviceaccount:ci:deployer)',
      '  - permissions.files: must be a list of Role YAML paths (relative to the scenario file)',
      '  - permissions.roles[0].namespace: must be a namespace name, got "Shop_1"',
      '  - permissions.roles[0].rules[0].verbs: required (at least one verb, or "*")',
      '  - permissions.roles[0].rules[0].apiGroups: required with resources ("" is the core group)',
      '  - permissions.roles[0].rules[1].names: unknown field (expected one of: verbs, apiGroups, resources, resourceNames, nonResourceURLs)',
      '  - permissions.roles[0].rules[1]: needs resources (with apiGroups) or nonResourceURLs, not both',
      '  - permissions.roles[1].extra: unknown field (expected namespace, rules)',
      '  - permissions.roles[1].rules: required, a list of RBAC rules such as { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] }',
    ]);
  });

  test('files: the Role file binds its rules to the user; a file binding nothing to the user is an error', () => {
    const loaded = loadScenario({ scenario: 'examples/rbac/scenario.yaml', cwd: ROOT });
    expect(loaded.errors).toEqual([]);
    expect(loaded.scenario.permissions!.roles).toHaveLength(1);
    expect(loaded.scenario.permissions!.roles[0]!.namespace).toBe('shop');

    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-perms-'));
    try {
      // The same Role file, for a user it binds nothing to.
      writeFileSync(join(dir, 's.yaml'), `permissions:\n  user: someone\n  files: [${ROOT}/examples/rbac/role.yaml]\n`);
      const other = loadScenario({ scenario: join(dir, 's.yaml'), cwd: '/' });
      expect(other.errors.map((e) => e.message)).toEqual([
        'permissions.files: no RoleBinding or ClusterRoleBinding there binds a role to user "someone"',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
