/** The scenario's `images.<ref>.usage` (constant or load curve): parsed to millicores and bytes, refused with the field's path. */
import { describe, expect, test } from '@jest/globals';
import { parseScenario } from '../../../src/cluster/sim/scenario/parseScenario.js';
import { valueAt } from '../../../src/cluster/sim/kubelet/usage.js';

describe('images.<ref>.usage', () => {
  test('a constant and a curve, in millicores and bytes', () => {
    const s = parseScenario(`
images:
  "app:1": { usage: { cpu: 300m, memory: 200Mi } }
  "app:2":
    usage:
      cpu: [{ at: 0s, value: 100m }, { at: 60s, value: 900m }, { at: 2m, value: "1.5" }]
`);
    expect(s.images['app:1']!.usage).toEqual({
      cpu: [{ atMs: 0, value: 300 }],
      memory: [{ atMs: 0, value: 209715200 }],
    });
    const curve = s.images['app:2']!.usage!.cpu!;
    expect(curve).toEqual([
      { atMs: 0, value: 100 },
      { atMs: 60_000, value: 900 },
      { atMs: 120_000, value: 1500 },
    ]);
    // Each value holds from its `at` until the next one.
    expect([0, 59_999, 60_000, 119_999, 120_000, 10 ** 9].map((t) => valueAt(curve, t))).toEqual([
      100, 100, 900, 900, 1500, 1500,
    ]);
  });

  test('every problem is listed with the path of its field', () => {
    expect(() =>
      parseScenario(
        `
images:
  "app:1":
    usage:
      cpu: [{ at: 10s, value: 100m }, { at: 5s, value: lots }, { value: 1 }]
      memory: []
      disk: 1Gi
  "app:2": { usage: 300m }
`,
        'scenario.yaml',
      ),
    ).toThrow(
      [
        'invalid scenario scenario.yaml:',
        '  - images."app:1".usage.disk: unknown field (expected one of: cpu, memory)',
        '  - images."app:1".usage.cpu[0].at: the first step must be at 0s',
        '  - images."app:1".usage.cpu[1].at: must be later than the step before it',
        '  - images."app:1".usage.cpu[1].value: must be a Kubernetes quantity such as "4", "500m" or "8Gi", got "lots"',
        '  - images."app:1".usage.cpu[2].at: required (a duration such as 60s)',
        '  - images."app:1".usage.cpu[2].at: must be later than the step before it',
        '  - images."app:1".usage.memory: must be a quantity such as "300m" or a non-empty list such as [{ at: 0s, value: 300m }]',
        '  - images."app:2".usage: must be a mapping',
      ].join('\n'),
    );
  });
});
