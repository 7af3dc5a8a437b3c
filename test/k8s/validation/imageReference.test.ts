import { describe, expect, test } from '@jest/globals';
import { isValidImageReference, parseImageReference } from '../../../src/k8s/validation/imageReference.js';

const digest = 'sha256:' + '0123456789abcdef'.repeat(4);

describe('image references (distribution/reference grammar)', () => {
  test.each([
    'nginx',
    'nginx:1.27',
    'library/nginx:latest',
    'ghcr.io/acme/web:1.4.0',
    'registry.example.com:5000/acme/worker',
    `registry.example.com:5000/acme/worker@${digest}`,
    `nginx:1.27@${digest}`,
    'localhost/app:dev',
    'a__b/c-d.e_f:v_1.0-rc.1',
    '[::1]:5000/app:1',
    `x:${'a'.repeat(128)}`,
  ])('valid: %s', (ref) => expect(isValidImageReference(ref)).toBe(true));

  test.each([
    ['Nginx:1.27', 'invalid reference format: repository name (library/Nginx) must be lowercase'],
    ['ghcr.io/Acme/web', 'invalid reference format: repository name (Acme/web) must be lowercase'],
    ['nginx:1.27 ', 'invalid reference format'],
    [' nginx', 'invalid reference format'],
    ['busybox:bad tag', 'invalid reference format'],
    ['nginx:-1', 'invalid reference format'],
    [`x:${'a'.repeat(129)}`, 'invalid reference format'],
    ['web:', 'invalid reference format'],
    ['web//x', 'invalid reference format'],
    ['-web', 'invalid reference format'],
    [`nginx@sha256:${'a'.repeat(63)}`, 'invalid checksum digest length'],
    [`nginx@sha256:${'a'.repeat(31)}`, 'invalid reference format'],
    [`nginx@sha256:${'a'.repeat(65)}`, 'invalid checksum digest length'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    [`nginx@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    ['a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`],
    ['', 'repository name must have at least one component'],
    [`${'a'.repeat(256)}`, 'repository name must not be more than 255 characters'],
  ])('invalid: %s', (ref, error) => expect(parseImageReference(ref)).toEqual({ ok: false, error }));

  test('names and normalised names', () => {
    expect(parseImageReference('nginx:1.27')).toEqual({
      ok: true,
      reference: { name: 'nginx', normalizedName: 'docker.io/library/nginx', tag: '1.27' },
    });
    expect(parseImageReference(`ghcr.io/acme/web:1@${digest}`)).toEqual({
      ok: true,
      reference: { name: 'ghcr.io/acme/web', normalizedName: 'ghcr.io/acme/web', tag: '1', digest },
    });
    expect(parseImageReference('index.docker.io/nginx')).toMatchObject({
      reference: { normalizedName: 'docker.io/library/nginx' },
    });
    expect(parseImageReference('acme/web')).toMatchObject({ reference: { normalizedName: 'docker.io/acme/web' } });
  });
});
