/**
 * `fieldValidation` as a real API server honours it (issue 9 #6): Strict refuses unknown fields
 * with 400 and the strict-decoding text, Warn (also the default) stores the object without them
 * and sends a `Warning: 299` header per field, Ignore drops them silently; server-side apply
 * refuses them whatever the parameter says. Dry runs answer the same. Over raw HTTP, then with
 * real kubectl, whose `apply --dry-run=server` must fail on `replica: 3`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import type { ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import type { Simulation } from '../../../src/cluster/sim/simulation.js';
import type { Deployment, KubeObject } from '../../../src/k8s/objects.js';
import { Kubectl, deployment, startBareServer } from './harness.js';

let sim: Simulation;
let server: ApiServerHandle;
let kubectl: Kubectl;

beforeAll(async () => {
  ({ sim, server } = await startBareServer({ speed: 0 }));
  kubectl = new Kubectl(server.kubeconfig());
});

afterAll(async () => {
  kubectl.cleanup();
  await server.close();
});

/** Deployment `name` with `replica: 3` (the typo) instead of `replicas`. */
function typo(name: string): KubeObject {
  const d = deployment(name);
  const { replicas: _replicas, ...spec } = d.spec as Record<string, unknown>;
  return { ...d, spec: { ...spec, replica: 3 } };
}

const PATH = '/apis/apps/v1/namespaces/default/deployments';

async function send(method: string, path: string, body: unknown, contentType = 'application/json') {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    warning: res.headers.get('warning'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

const stored = (name: string) => sim.store.get<Deployment>('Deployment', 'default', name);

describe('fieldValidation over HTTP', () => {
  it('Strict: 400 with the strict decoding error, nothing stored, for a dry run too', async () => {
    for (const query of ['?fieldValidation=Strict', '?fieldValidation=Strict&dryRun=All']) {
      const res = await send('POST', PATH + query, typo('strict'));
      expect(res).toMatchObject({
        status: 400,
        warning: null,
        body: {
          kind: 'Status',
          reason: 'BadRequest',
          message:
            'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"',
        },
      });
    }
    expect(stored('strict')).toBeUndefined();
  });

  it('Warn, and no parameter at all: stored without the field, one Warning header per field', async () => {
    for (const [name, query] of [
      ['warn', '?fieldValidation=Warn'],
      ['default', ''],
    ] as const) {
      const res = await send('POST', PATH + query, typo(name));
      expect([res.status, res.warning]).toEqual([201, '299 - "unknown field \\"spec.replica\\""']);
      expect(stored(name)!.spec).not.toHaveProperty('replica');
      expect(stored(name)!.spec.replicas).toBe(1); // defaulted: the typo is lost, as on a real cluster
    }
  });

  it('Ignore: stored without the field, silently', async () => {
    const res = await send('POST', PATH + '?fieldValidation=Ignore', typo('ignore'));
    expect([res.status, res.warning]).toEqual([201, null]);
    expect(stored('ignore')!.spec).not.toHaveProperty('replica');
  });

  it('a value of the wrong type fails decoding whatever the directive, named as the Go decoder names it', async () => {
    for (const query of ['?fieldValidation=Strict', '?fieldValidation=Ignore', '']) {
      const res = await send('POST', PATH + query, {
        ...deployment('typed'),
        spec: { ...deployment('typed').spec!, replicas: '3' },
      });
      expect([res.status, res.body.message]).toEqual([
        400,
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
      ]);
    }
    expect(stored('typed')).toBeUndefined();
  });

  it('an unknown directive is a 400', async () => {
    const res = await send('POST', PATH + '?fieldValidation=Loose', typo('loose'));
    expect([res.status, res.body.message]).toEqual([
      400,
      'fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"',
    ]);
  });

  it('patches: Strict names the field of the patched object; Warn drops it', async () => {
    const strict = await send(
      'PATCH',
      `${PATH}/warn?fieldValidation=Strict`,
      { spec: { replica: 4 } },
      'application/merge-patch+json',
    );
    expect([strict.status, strict.body.message]).toEqual([400, 'strict decoding error: unknown field "spec.replica"']);
    const warn = await send(
      'PATCH',
      `${PATH}/warn`,
      { spec: { replica: 4, paused: true } },
      'application/strategic-merge-patch+json',
    );
    expect([warn.status, warn.warning]).toEqual([200, '299 - "unknown field \\"spec.replica\\""']);
    expect(stored('warn')!.spec).toMatchObject({ paused: true });
    expect(stored('warn')!.spec).not.toHaveProperty('replica');
  });

  it('server-side apply refuses an undeclared field whatever fieldValidation says (500, as upstream)', async () => {
    for (const query of ['fieldValidation=Strict', 'fieldValidation=Ignore', 'dryRun=All']) {
      const res = await send(
        'PATCH',
        `${PATH}/ssa?fieldManager=t&${query}`,
        typo('ssa'),
        'application/apply-patch+yaml',
      );
      expect([res.status, res.body.message]).toEqual([
        500,
        'failed to create typed patch object (default/ssa; apps/v1, Kind=Deployment): .spec.replica: field not declared in schema',
      ]);
    }
    expect(stored('ssa')).toBeUndefined();
  });
});

describe('fieldValidation with real kubectl', () => {
  it('issue 9 #6: kubectl apply --dry-run=server of replica: 3 fails with the strict decoding error', async () => {
    const file = kubectl.file('typo.yaml', dump(typo('web')));
    const run = await kubectl.run('apply', '--dry-run=server', '-f', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"',
    );
    expect(stored('web')).toBeUndefined();
    const created = await kubectl.run('apply', '-f', file);
    expect(created.code).toBe(1);
    expect(stored('web')).toBeUndefined();
  });

  it('--validate=warn prints the warning and applies; --validate=false drops the field silently', async () => {
    const warn = await kubectl.run('apply', '--validate=warn', '-f', kubectl.file('w.yaml', dump(typo('kw'))));
    expect(warn).toEqual({
      code: 0,
      stdout: 'deployment.apps/kw created\n',
      stderr: 'Warning: unknown field "spec.replica"\n',
    });
    const ignore = await kubectl.run('apply', '--validate=false', '-f', kubectl.file('i.yaml', dump(typo('ki'))));
    expect(ignore).toEqual({ code: 0, stdout: 'deployment.apps/ki created\n', stderr: '' });
    expect(stored('kw')!.spec).not.toHaveProperty('replica');
    expect(stored('ki')!.spec).not.toHaveProperty('replica');
  });

  it('apply --server-side says the field is not declared in the schema', async () => {
    const run = await kubectl.run('apply', '--server-side', '-f', kubectl.file('s.yaml', dump(typo('ks'))));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('.spec.replica: field not declared in schema');
    expect(stored('ks')).toBeUndefined();
  });
});
