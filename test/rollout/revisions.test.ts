import { describe, expect, it } from '@jest/globals';
import type { PodTemplateSpec } from '../../src/k8s/objects.js';
import { templatesEqualIgnoringHash } from '../../src/rollout/revisions.js';

const template = (container: Record<string, unknown>, labels: Record<string, string> = { app: 'web' }) =>
  ({ metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1', ...container }] } }) as PodTemplateSpec;

describe('templatesEqualIgnoringHash', () => {
  it('ignores the pod-template-hash label', () => {
    expect(templatesEqualIgnoringHash(template({}), template({}, { app: 'web', 'pod-template-hash': 'abc' }))).toBe(
      true,
    );
  });
  it('takes empty maps and lists for absent ones, as Go omitempty decoding does (seed 20 of the fault test)', () => {
    // An apply that removed the last request leaves `resources: {requests: {}}`: the same template.
    expect(templatesEqualIgnoringHash(template({ resources: { requests: {} } }), template({}))).toBe(true);
    expect(templatesEqualIgnoringHash(template({ env: [] }), template({}))).toBe(true);
  });
  it('still tells a real difference', () => {
    expect(templatesEqualIgnoringHash(template({ resources: { requests: { cpu: '1' } } }), template({}))).toBe(false);
    expect(templatesEqualIgnoringHash(template({ image: 'web:2' }), template({}))).toBe(false);
    expect(templatesEqualIgnoringHash(template({ args: ['', 'x'] }), template({ args: ['x'] }))).toBe(false);
  });
});
