/**
 * The distribution client against a real registry (CNCF distribution 2.8.2 on loopback), one open
 * and one behind token auth, with images pushed by the test. Run:
 *   NODE_OPTIONS=--experimental-vm-modules npx jest test/registry
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RealClock } from '../../src/clock/realClock.js';
import { RegistryClient } from '../../src/registry/client.js';
import { registryTarget } from '../../src/registry/reference.js';
import { checkImages } from '../../src/registry/index.js';
import { silentServer, startRegistry, type RunningRegistry } from './support.js';

const MISSING_DIGEST = `sha256:${'0'.repeat(64)}`;

describe('image references as Docker resolves them', () => {
  it('defaults to Docker Hub, library/ and latest; keeps the port; loopback is plain http', () => {
    expect(registryTarget('nginx')).toEqual({
      image: 'nginx',
      host: 'docker.io',
      endpoint: 'https://registry-1.docker.io',
      repository: 'library/nginx',
      reference: 'latest',
    });
    expect(registryTarget('bitnami/redis:7')).toMatchObject({ repository: 'bitnami/redis', reference: '7' });
    expect(registryTarget('ghcr.io/acme/web:1.2')).toMatchObject({
      host: 'ghcr.io',
      endpoint: 'https://ghcr.io',
      repository: 'acme/web',
      reference: '1.2',
    });
    expect(registryTarget('localhost:5000/web@' + MISSING_DIGEST)).toMatchObject({
      host: 'localhost:5000',
      endpoint: 'http://localhost:5000',
      reference: MISSING_DIGEST,
    });
    expect(registryTarget('127.0.0.1:5000/a/b:1')?.endpoint).toBe('http://127.0.0.1:5000');
    expect(registryTarget('registry.example.com:5000/a:1')?.endpoint).toBe('https://registry.example.com:5000');
    expect(registryTarget('Nginx')).toBeUndefined();
  });
});

describe('an open registry', () => {
  let registry: RunningRegistry;
  let digest: string;
  const client = () => new RegistryClient({ clock: new RealClock() });

  beforeAll(async () => {
    registry = await startRegistry();
    digest = await registry.push('shop/web', '1.0');
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('finds an image by tag, with its digest', async () => {
    const image = `${registry.host}/shop/web:1.0`;
    expect(await client().check(image)).toEqual({ image, registry: registry.host, result: 'exists', digest });
  });

  it('says the registry does not know a missing tag, in its own words', async () => {
    const image = `${registry.host}/shop/web:2.0`;
    expect(await client().check(image)).toEqual({
      image,
      registry: registry.host,
      result: 'not-found',
      answer: 'manifest unknown',
    });
  });

  it('finds an image by digest and not a digest it does not have', async () => {
    const ok = `${registry.host}/shop/web@${digest}`;
    expect(await client().check(ok)).toMatchObject({ result: 'exists', digest });
    const missing = `${registry.host}/shop/web@${MISSING_DIGEST}`;
    expect(await client().check(missing)).toMatchObject({ result: 'not-found', answer: 'manifest unknown' });
  });

  it('a repository that does not exist is not found', async () => {
    expect(await client().check(`${registry.host}/nobody/here:1`)).toMatchObject({ result: 'not-found' });
  });

  it('sends HEAD with every manifest type a pull accepts', async () => {
    const seen: Array<{ method?: string; accept?: string }> = [];
    const spy: typeof fetch = (input, init) => {
      seen.push({ method: init?.method, accept: (init?.headers as Record<string, string>).Accept });
      return fetch(input, init);
    };
    await new RegistryClient({ clock: new RealClock(), fetch: spy }).check(`${registry.host}/shop/web:1.0`);
    expect(seen).toEqual([
      {
        method: 'HEAD',
        accept:
          'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, ' +
          'application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json',
      },
    ]);
  });
});

describe('a registry behind token auth', () => {
  let registry: RunningRegistry;
  const credentials = new Map([['', { username: 'dev', password: 's3cret-pw' }]]);

  beforeAll(async () => {
    registry = await startRegistry({ users: { dev: 's3cret-pw', pusher: 'x' }, publicRepositories: ['public/app'] });
    credentials.clear();
    credentials.set(registry.host, { username: 'dev', password: 's3cret-pw' });
    await registry.push('public/app', '1');
    await registry.push('private/api', '3');
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('pulls a public image with an anonymous token (the Docker Hub / GHCR flow)', async () => {
    const before = registry.requests.length;
    const image = `${registry.host}/public/app:1`;
    expect(await new RegistryClient({ clock: new RealClock() }).check(image)).toMatchObject({ result: 'exists' });
    expect(registry.requests.slice(before).filter((r) => !r.startsWith('GET /v2/'))).toEqual([
      'HEAD /v2/public/app/manifests/1',
      'TOKEN repository:public/app:pull',
      'HEAD /v2/public/app/manifests/1',
    ]);
  });

  it('a private image without credentials is unauthorized (insufficient scope)', async () => {
    const image = `${registry.host}/private/api:3`;
    expect(await new RegistryClient({ clock: new RealClock() }).check(image)).toEqual({
      image,
      registry: registry.host,
      result: 'unauthorized',
      answer: `401 Unauthorized (insufficient_scope) anonymously from ${registry.host}`,
    });
  });

  it('a private image with credentials exists; a missing tag there is not found', async () => {
    const client = new RegistryClient({ clock: new RealClock(), credentials });
    expect(await client.check(`${registry.host}/private/api:3`)).toMatchObject({ result: 'exists' });
    expect(await client.check(`${registry.host}/private/api:4`)).toMatchObject({
      result: 'not-found',
      answer: 'manifest unknown',
    });
  });

  it('reuses a token for the next tag of the same repository (one token for a run)', async () => {
    const client = new RegistryClient({ clock: new RealClock(), credentials });
    const before = registry.requests.length;
    for (const tag of ['3', '4', '3']) await client.check(`${registry.host}/private/api:${tag}`);
    expect(registry.requests.slice(before).filter((r) => !r.startsWith('GET /v2/'))).toEqual([
      'HEAD /v2/private/api/manifests/3',
      'TOKEN repository:private/api:pull',
      'HEAD /v2/private/api/manifests/3',
      'HEAD /v2/private/api/manifests/4',
      'HEAD /v2/private/api/manifests/3',
    ]);
  });

  it('wrong credentials are refused by the token service, and the password is never in the answer', async () => {
    const wrong = new Map([[registry.host, { username: 'dev', password: 'wrong-pw-123' }]]);
    const check = await new RegistryClient({ clock: new RealClock(), credentials: wrong }).check(
      `${registry.host}/private/api:3`,
    );
    expect(check).toMatchObject({
      result: 'unauthorized',
      answer: `the token service of ${registry.host} refused the credentials (401 Unauthorized)`,
    });
    expect(JSON.stringify(check)).not.toContain('wrong-pw-123');
  });
});

describe('a registry behind Basic auth (htpasswd)', () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: { ci: 'basic-pw-77' } });
    await registry.push('team/job', '5');
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('answers the Basic challenge with the credentials; without them it is unauthorized', async () => {
    const image = `${registry.host}/team/job:5`;
    const credentials = new Map([[registry.host, { username: 'ci', password: 'basic-pw-77' }]]);
    expect(await new RegistryClient({ clock: new RealClock(), credentials }).check(image)).toMatchObject({
      result: 'exists',
    });
    expect(await new RegistryClient({ clock: new RealClock() }).check(image)).toEqual({
      image,
      registry: registry.host,
      result: 'unauthorized',
      answer: `401 Unauthorized anonymously from ${registry.host}`,
    });
    const wrong = new Map([[registry.host, { username: 'ci', password: 'nope' }]]);
    expect(await new RegistryClient({ clock: new RealClock(), credentials: wrong }).check(image)).toMatchObject({
      result: 'unauthorized',
      answer: `401 Unauthorized with the credentials for ${registry.host}`,
    });
  });
});

describe('a registry that cannot be asked', () => {
  it('never answers: not checked after the timeout', async () => {
    const silent = await silentServer();
    try {
      const check = await new RegistryClient({ clock: new RealClock(), timeoutMs: 300 }).check(
        `${silent.host}/shop/web:1`,
      );
      expect(check).toEqual({
        image: `${silent.host}/shop/web:1`,
        registry: silent.host,
        result: 'not-checked',
        reason: `no answer from ${silent.host} within 0.3 s`,
      });
    } finally {
      await silent.close();
    }
  });

  it('once a registry did not answer, its other images are not asked again in the run', async () => {
    const silent = await silentServer();
    try {
      let requests = 0;
      const counting: typeof fetch = (input, init) => {
        requests++;
        return fetch(input, init);
      };
      const client = new RegistryClient({ clock: new RealClock(), timeoutMs: 300, fetch: counting });
      const checks = await checkImages([`${silent.host}/a:1`, `${silent.host}/b:1`, `${silent.host}/c:1`], {
        check: async (image) => client.check(image),
      });
      expect(checks.map((c) => (c.result === 'not-checked' ? c.reason : c.result))).toEqual([
        `no answer from ${silent.host} within 0.3 s`,
        `no answer from ${silent.host} within 0.3 s`,
        `no answer from ${silent.host} within 0.3 s`,
      ]);
      // Asked at once (four at a time): each waited; a later check of the same registry is not sent.
      expect(requests).toBe(3);
      expect(await client.check(`${silent.host}/d:1`)).toMatchObject({ result: 'not-checked' });
      expect(requests).toBe(3);
    } finally {
      await silent.close();
    }
  });

  it('refuses the connection: not checked', async () => {
    const silent = await silentServer();
    const host = silent.host;
    await silent.close();
    expect(await new RegistryClient({ clock: new RealClock() }).check(`${host}/shop/web:1`)).toMatchObject({
      result: 'not-checked',
      reason: 'connection refused',
    });
  });

  it('rate limited or failing: not checked, with the status', async () => {
    const answers: Array<[number, Record<string, string>]> = [
      [429, { 'Retry-After': '30' }],
      [503, {}],
    ];
    const reasons: string[] = [];
    for (const [status, headers] of answers) {
      const fake: typeof fetch = async () => new Response(null, { status, headers });
      const check = await new RegistryClient({ clock: new RealClock(), fetch: fake }).check('ghcr.io/acme/web:1');
      reasons.push(check.result === 'not-checked' ? check.reason : check.result);
    }
    expect(reasons).toEqual([
      'ghcr.io is rate limiting (429 Too Many Requests, retry after 30 s)',
      'ghcr.io failed (503 Service Unavailable)',
    ]);
  });
});
