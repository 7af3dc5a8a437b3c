/**
 * Registry credentials: the input's lines or docker config JSON, the docker config's `auths` keys
 * as `docker login` writes them, and which wins.
 *   NODE_OPTIONS=--experimental-vm-modules npx jest test/registry/credentials.test.ts
 */
import { describe, expect, it } from '@jest/globals';
import {
  basicAuth,
  mergeCredentials,
  parseCredentialsInput,
  parseDockerConfig,
  secretsOf,
} from '../../src/registry/credentials.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('registry credentials', () => {
  it('reads HOST=USERNAME:PASSWORD lines; a password may hold colons', () => {
    const { store, errors } = parseCredentialsInput('ghcr.io=me:ghp_a:b\n\n# comment\n127.0.0.1:5000=ci:pw\n');
    expect(errors).toEqual([]);
    expect([...store]).toEqual([
      ['ghcr.io', { username: 'me', password: 'ghp_a:b' }],
      ['127.0.0.1:5000', { username: 'ci', password: 'pw' }],
    ]);
  });

  it('a malformed line is an error that never quotes it', () => {
    expect(parseCredentialsInput('ghcr.io me hunter2').errors).toEqual([
      'registry-credentials line 1: expected HOST=USERNAME:PASSWORD',
    ]);
  });

  it('reads docker login auths: Docker Hub under its v1 URL, auth or username/password, helpers skipped', () => {
    const { store, errors } = parseDockerConfig(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hubuser:hubpw') },
          'ghcr.io': { username: 'me', password: 'tok' },
          'quay.io': {},
        },
        credsStore: 'desktop',
      }),
      'config.json',
    );
    expect(errors).toEqual([]);
    expect([...store]).toEqual([
      ['docker.io', { username: 'hubuser', password: 'hubpw' }],
      ['ghcr.io', { username: 'me', password: 'tok' }],
    ]);
  });

  it('the input is also accepted as a docker config JSON', () => {
    const { store } = parseCredentialsInput(JSON.stringify({ auths: { 'ghcr.io': { auth: b64('a:b') } } }));
    expect(store.get('ghcr.io')).toEqual({ username: 'a', password: 'b' });
  });

  it('the input wins over the docker config for the same registry', () => {
    const input = new Map([['ghcr.io', { username: 'input', password: '1' }]]);
    const docker = new Map([
      ['ghcr.io', { username: 'docker', password: '2' }],
      ['docker.io', { username: 'hub', password: '3' }],
    ]);
    const merged = mergeCredentials(input, docker);
    expect(merged.get('ghcr.io')?.username).toBe('input');
    expect(merged.get('docker.io')?.username).toBe('hub');
  });

  it('names every secret to mask: the password and its Basic value', () => {
    const c = { username: 'u', password: 'p@ss' };
    expect(secretsOf(new Map([['ghcr.io', c]]))).toEqual(['p@ss', basicAuth(c)]);
    expect(basicAuth(c)).toBe(b64('u:p@ss'));
  });
});
