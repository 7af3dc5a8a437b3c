/**
 * Issue 10 through the CLI: the typical k8s/ folder with every object in the JSON `objects`,
 * `--health-checks` (a rule that decides; a file that does not compile: exit 2 at file:line,
 * nothing applied), `--failed-tolerance`, and the wait annotations checked at load.
 */
import { describe, expect, test } from '@jest/globals';
import { cli, onlyJson, ROOT } from '../cli/support.js';

const FOLDER = 'test/fixtures/anykind/k8s';
const HEALTH = 'test/fixtures/anykind/health';

type Json = Record<string, unknown>;

describe('run --simulate, the objects of the JSON result', () => {
  test('the typical folder: every applied object but the Deployment is in `objects`, every one ready', async () => {
    const run = await cli(['run', '--simulate', '-f', FOLDER, '-o', 'json'], ROOT);
    const json = onlyJson(run.stdout);
    expect(run.code).toBe(0);
    const objects = json.objects as Json[];
    expect(objects.map((o) => `${o.kind}/${o.name} ${o.status} ${o.result}`).sort()).toEqual(
      [
        'CustomResourceDefinition/widgets.example.com Current ready',
        'ClusterRole/shop:widget-viewer Current ready',
        'ServiceAccount/shop Current ready',
        'Role/shop-reader Current ready',
        'RoleBinding/shop-reader Current ready',
        'ConfigMap/shop-config Current ready',
        'Service/shop Current ready',
        'CronJob/shop-report Current ready',
        'HorizontalPodAutoscaler/shop Current ready',
        'PodDisruptionBudget/shop Current ready',
        'Ingress/shop Current ready',
        'Widget/shop-widget Current ready',
      ].sort(),
    );
    // Config is Current at once; the PDB once the pods it protects are ready (a few seconds in).
    expect(objects.find((o) => o.kind === 'ConfigMap')).toMatchObject({ waitedSeconds: 0 });
    expect(objects.find((o) => o.kind === 'CustomResourceDefinition')).toMatchObject({
      waitedSeconds: 0,
      message: 'CRD is established',
    });
    expect((objects.find((o) => o.kind === 'PodDisruptionBudget')!.waitedSeconds as number) > 0).toBe(true);
    expect(Object.keys(json).indexOf('objects')).toBe(Object.keys(json).indexOf('applied') + 1);
  });

  test('--health-checks: the Widget waits for its rule (phase Running at 6 s)', async () => {
    const run = await cli(
      [
        'run',
        '--simulate',
        '-f',
        FOLDER,
        '--scenario',
        `${HEALTH}/scenario.yaml`,
        '--health-checks',
        `${HEALTH}/rules.yaml`,
        '-o',
        'json',
      ],
      ROOT,
    );
    const json = onlyJson(run.stdout);
    expect(run.code).toBe(0);
    expect((json.objects as Json[]).find((o) => o.kind === 'Widget')).toEqual({
      kind: 'Widget',
      apiVersion: 'example.com/v1',
      namespace: 'default',
      name: 'shop-widget',
      status: 'Current',
      result: 'ready',
      message: "current expression is true: status.?phase.orValue('') == 'Running'",
      waitedSeconds: 6,
    });
  });
});

describe('invalid health input: exit 2, nothing applied', () => {
  test('a health check that does not compile, and an unknown field: file:line of each', async () => {
    const run = await cli(
      ['run', '--simulate', '-f', FOLDER, '--health-checks', `${HEALTH}/bad-cel.yaml`, '-o', 'json'],
      ROOT,
    );
    const json = onlyJson(run.stdout);
    expect(run.code).toBe(2);
    expect(json.result).toBe('invalid');
    expect(json.applied).toBeUndefined();
    const errors = json.errors as Json[];
    expect(errors.map((e) => `${e.file}:${e.line}`)).toEqual([`${HEALTH}/bad-cel.yaml:9`]);
    expect(errors[0]!.message).toBe(
      'health check 2: unknown field "unknown" (expected one of: apiVersion, kind, current, inProgress, failed)',
    );

    // Without the unknown field the CEL error is reported at the line of `current:`.
    const fixed = await cli(
      ['run', '--simulate', '-f', FOLDER, '--health-checks', `${HEALTH}/bad-cel-only.yaml`, '-o', 'json'],
      ROOT,
    );
    expect(fixed.code).toBe(2);
    const only = onlyJson(fixed.stdout).errors as Json[];
    expect(only).toHaveLength(1);
    expect(`${only[0]!.file}:${only[0]!.line}`).toBe(`${HEALTH}/bad-cel-only.yaml:8`);
    expect(only[0]!.message).toMatch(/^health check Database \(example\.com\/v1\): current: /);
  });

  test('--failed-tolerance that is not a duration', async () => {
    const run = await cli(['run', '--simulate', '-f', FOLDER, '--failed-tolerance', 'soon', '-o', 'json'], ROOT);
    expect(run.code).toBe(2);
    expect((onlyJson(run.stdout).errors as Json[])[0]!.message).toMatch(/^failed-tolerance: invalid duration "soon"/);
  });

  test('wait annotations the gate does not understand: file:line of each annotation', async () => {
    const file = `${HEALTH}/bad-annotation.yaml`;
    const run = await cli(['run', '--simulate', '-f', file, '-o', 'json'], ROOT);
    expect(run.code).toBe(2);
    expect(onlyJson(run.stdout).errors).toEqual([
      {
        file,
        line: 6,
        message: 'ConfigMap "shop-config": annotation rollout-gate.dev/wait: "no" must be "true" or "false"',
      },
      {
        file,
        line: 7,
        message: expect.stringMatching(
          /^ConfigMap "shop-config": annotation rollout-gate\.dev\/failed-tolerance: invalid duration "soon"/,
        ),
      },
    ]);
  });
});
