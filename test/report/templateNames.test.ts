/** Naming pod templates by images and role, never by revision (src/report/templateNames.ts). */
import { describe, expect, it } from '@jest/globals';
import type { PodTemplateSpec } from '../../src/k8s/objects.js';
import {
  namedTimeline,
  shortImage,
  templateDifference,
  templateNames,
  templateRole,
  type TemplateCatalogue,
} from '../../src/report/templateNames.js';

function template(images: string[], extra: Record<string, unknown> = {}, hash?: string): PodTemplateSpec {
  return {
    metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } },
    spec: { containers: images.map((image, i) => ({ name: `c${i}`, image, ...extra })) },
  } as PodTemplateSpec;
}

const good = template(['nginx:1.14.2']);
const bad = template(['nginx:1.231']);

describe('template roles', () => {
  it('names this deploy, the last good (restored, or previous and available) and the rest', () => {
    const c: TemplateCatalogue = { seen: new Map(), applied: bad, previous: good, previousGood: true };
    expect(templateRole(template(['nginx:1.231'], {}, 'abc'), c)).toBe('this deploy');
    expect(templateRole(good, c)).toBe('last good');
    expect(templateRole(good, { ...c, previousGood: false })).toBe('before');
    expect(templateRole(good, { ...c, previousGood: false, restored: good })).toBe('last good');
    // A rollback to an older template than the one running before: that one is "before".
    const older = template(['nginx:1.13']);
    expect(templateRole(good, { ...c, restored: older })).toBe('before');
    expect(templateRole(older, { ...c, restored: older })).toBe('last good');
    expect(templateRole(template(['nginx:1.12']), c)).toBe('older');
    expect(templateRole(good, { seen: new Map(), applied: good, previous: good })).toBe('unchanged');
  });
});

describe('template names', () => {
  it('joins the images of several containers and shortens digests', () => {
    const digest = `registry.example.com/api@sha256:${'0123456789ab'.repeat(5)}abcd`;
    expect(shortImage(digest)).toBe('registry.example.com/api@sha256:0123456789ab…');
    const c: TemplateCatalogue = {
      seen: new Map([['h1', template(['api:2', 'envoy:1.30'])]]),
      applied: template(['api:2', 'envoy:1.30']),
    };
    expect(templateNames(c).get('h1')).toBe('api:2, envoy:1.30 (this deploy)');
  });

  it('says what differs between two templates with the same images, else falls back to the hash', () => {
    const withEnv = template(['nginx:1.14.2'], { env: [{ name: 'MODE', value: 'fast' }] });
    expect(templateDifference(withEnv, good)).toBe('env changed');
    expect(templateDifference(template(['nginx:1.14.2'], { resources: { limits: { cpu: '1' } } }), good)).toBe(
      'resources changed',
    );
    const c: TemplateCatalogue = {
      seen: new Map([
        ['aaa', good],
        ['bbb', withEnv],
      ]),
      applied: withEnv,
      previous: good,
      previousGood: true,
    };
    expect(Object.fromEntries(templateNames(c))).toEqual({
      aaa: 'nginx:1.14.2 (last good)',
      bbb: 'nginx:1.14.2, env changed (this deploy)',
    });
    // Two older templates differing from the reference the same way: their hashes tell them apart.
    const c2: TemplateCatalogue = {
      seen: new Map([
        ['aaa', good],
        ['ccc', template(['nginx:1.14.2'], { env: [{ name: 'A', value: '1' }] })],
        ['ddd', template(['nginx:1.14.2'], { env: [{ name: 'B', value: '2' }] })],
      ]),
      previous: good,
      previousGood: true,
    };
    expect(templateNames(c2).get('ccc')).toBe('nginx:1.14.2, env changed @ccc (older)');
    expect(templateNames(c2).get('ddd')).toBe('nginx:1.14.2, env changed @ddd (older)');
    // A template whose ReplicaSet was never seen: its hash.
    expect(templateNames({ seen: new Map([['eee', undefined]]) }).get('eee')).toBe('eee (older)');
  });

  it('renames a timeline recorded by hash, the good template first', () => {
    const c: TemplateCatalogue = {
      seen: new Map([
        ['new', bad],
        ['old', good],
      ]),
      applied: bad,
      previous: good,
      previousGood: true,
    };
    const named = namedTimeline(
      [
        {
          t: 0,
          oldReady: 3,
          newReady: 0,
          templates: [
            { template: 'new', ready: 0, unavailable: 1 },
            { template: 'old', ready: 3, unavailable: 0 },
          ],
        },
        { t: 1, oldReady: 3, newReady: 0 },
      ],
      c,
    );
    expect(named).toEqual([
      {
        t: 0,
        oldReady: 3,
        newReady: 0,
        templates: [
          { template: 'nginx:1.14.2 (last good)', ready: 3, unavailable: 0 },
          { template: 'nginx:1.231 (this deploy)', ready: 0, unavailable: 1 },
        ],
      },
      { t: 1, oldReady: 3, newReady: 0 },
    ]);
  });
});
