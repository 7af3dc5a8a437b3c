/**
 * One rule (issue 9): `run --simulate` and `run` against `serve` give the same result for the same
 * inputs. Each case runs through the CLI twice: in-process on the built-in simulated cluster, and
 * through the real adapter over HTTP against the simulated API server built from the same scenario.
 * Exit code, result, errors (file, line, message) and each workload's verdict must be equal, and
 * what the cluster holds afterwards (which objects exist) too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { loadScenario } from '../../src/app/connect.js';
import { startApiServer } from '../../src/cluster/sim/api/server.js';
import { createSimulatedCluster, type Simulation } from '../../src/cluster/sim/index.js';
import { cli, onlyJson, ROOT } from './support.js';

const DIR = join(ROOT, 'test/fixtures/parity');
const tmp = mkdtempSync(join(tmpdir(), 'rollout-gate-parity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Outcome {
  code: number;
  result: unknown;
  errors: unknown;
  workloads: unknown;
  /** `Kind namespace/name` of the objects the run left in the cluster's namespaces besides kube-*. */
  stored: string[];
}

function essentials(code: number, stdout: string, stored: string[]): Outcome {
  const json = onlyJson(stdout);
  const workloads = (json.workloads as Array<Record<string, unknown>>).map((w) => ({
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
    result: w.result,
    revision: w.revision,
    rolledBackTo: w.rolledBackTo,
    reason: w.reason,
  }));
  return { code, result: json.result, errors: json.errors, workloads, stored };
}

function storedObjects(simulation: Simulation): string[] {
  return ['Namespace', 'ConfigMap', 'Deployment'].flatMap((kind) =>
    simulation.store
      .list(kind)
      .filter((o) => !(o.metadata.namespace ?? o.metadata.name ?? '').startsWith('kube-'))
      .map((o) => `${kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`),
  );
}

async function bothWays(manifest: string, scenario?: string): Promise<{ simulate: Outcome; serve: Outcome }> {
  const scenarioArgs = scenario ? ['--scenario', scenario] : [];
  // In-process, the CLI builds its own cluster from the scenario; what it left there is read from
  // its JSON (`applied`), added to what the same scenario starts with.
  const simulated = await cli(['run', '--simulate', '-f', manifest, ...scenarioArgs, '-o', 'json'], DIR);

  const loaded = loadScenario({ scenario, cwd: DIR });
  expect(loaded.errors).toEqual([]);
  const { simulation } = createSimulatedCluster(loaded.scenario, { objects: loaded.objects.map((d) => d.object) });
  const before = storedObjects(simulation);
  const server = await startApiServer({ simulation, speed: 20 });
  const kubeconfig = join(tmp, `${manifest}.kubeconfig`);
  writeFileSync(kubeconfig, server.kubeconfig());
  try {
    const served = await cli(['run', '--kubeconfig', kubeconfig, '-f', manifest, '-o', 'json'], DIR);
    const after = storedObjects(simulation);
    return {
      simulate: essentials(simulated.code, simulated.stdout, [...before, ...storedByGate(simulated.stdout)]),
      serve: essentials(served.code, served.stdout, after),
    };
  } finally {
    await server.close();
  }
}

/** What the in-process run applied, as the JSON's `applied` list names it (objects it created). */
function storedByGate(stdout: string): string[] {
  const applied = (onlyJson(stdout).applied ?? []) as Array<Record<string, string>>;
  return applied
    .filter((a) => a.action === 'created')
    .map((a) => `${a.kind} ${a.namespace ? `${a.namespace}/` : ''}${a.name}`);
}

describe('run --simulate and run against serve agree', () => {
  test('issue 9 #6: replica: 3 is refused with file:line, exit 2, nothing applied', async () => {
    const { simulate, serve } = await bothWays('replica-typo.yaml');
    expect(simulate).toEqual({
      code: 2,
      result: 'invalid',
      errors: [
        {
          file: 'replica-typo.yaml',
          line: 6,
          message: 'Deployment "web": strict decoding error: unknown field "spec.replica"',
        },
      ],
      workloads: [],
      stored: ['Namespace default'],
    });
    expect(serve).toEqual(simulate);
  });

  test("issue 9 #7: objects in a namespace that does not exist fail with the API server's 404, nothing applied", async () => {
    const { simulate, serve } = await bothWays('missing-namespace.yaml');
    expect(simulate).toMatchObject({
      code: 3,
      result: 'failed',
      errors: [{ file: 'missing-namespace.yaml', line: 1, message: 'namespaces "shop2" not found' }],
      workloads: [],
      stored: ['Namespace default'],
    });
    expect(serve).toEqual(simulate);
  });

  test('a Namespace in the same run is applied first, whatever its place in the file', async () => {
    const { simulate, serve } = await bothWays('namespace-in-run.yaml');
    expect(simulate).toMatchObject({
      code: 0,
      result: 'succeeded',
      errors: [],
      workloads: [{ kind: 'Deployment', namespace: 'shop2', name: 'web', result: 'succeeded', revision: 1 }],
    });
    expect(serve.stored).toEqual([
      'Namespace default',
      'Namespace shop2',
      'ConfigMap shop2/settings',
      'Deployment shop2/web',
    ]);
    expect({ ...serve, stored: [] }).toEqual({ ...simulate, stored: [] });
  });

  test('kube-public exists from the start, as on every cluster', async () => {
    const { simulate, serve } = await bothWays('system-namespace.yaml');
    expect(simulate).toMatchObject({ code: 0, result: 'succeeded', errors: [] });
    expect({ ...serve, stored: [] }).toEqual({ ...simulate, stored: [] });
  });

  test('a missing image over a scenario object rolls back to the same revision either way', async () => {
    const { simulate, serve } = await bothWays('missing-image-v2.yaml', 'scenario-missing.yaml');
    expect(simulate).toMatchObject({
      code: 1,
      result: 'rolled-back',
      workloads: [{ name: 'web', result: 'rolled-back', revision: 2, rolledBackTo: 3, reason: 'ErrImagePull' }],
    });
    // Over HTTP the gate sees the pod a few (sped-up) moments later: the pull may already be in back-off.
    const pullReason = (o: Outcome) => ({
      ...o,
      stored: [],
      workloads: (o.workloads as Array<Record<string, unknown>>).map((w) => ({
        ...w,
        reason: ['ErrImagePull', 'ImagePullBackOff'].includes(w.reason as string) ? 'image pull' : w.reason,
      })),
    });
    expect(pullReason(serve)).toEqual(pullReason(simulate));
  });
});
