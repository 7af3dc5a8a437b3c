import { describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../../../src/k8s/objects.js';
import { computeHealth } from '../../../src/rollout/kinds/generic.js';

/**
 * Every case of kstatus's own tables (cli-utils pkg/kstatus/status status_compute_test.go and
 * core_test.go), transcribed into kstatus-vectors.json: the same manifest must give the same
 * status and the same Reconciling/Stalled reason, except where a vector says `ours` and why.
 */
interface Vector {
  test: string;
  name: string;
  manifest: string;
  status: string;
  reason?: string;
  now?: string;
  ours?: { status: string; reason: string; why: string };
}
const file = JSON.parse(readFileSync(new URL('./kstatus-vectors.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};

describe('kstatus vectors', () => {
  it('holds every upstream case', () => {
    expect(file.vectors).toHaveLength(57);
  });

  for (const v of file.vectors) {
    it(`${v.test} ${v.name}`, () => {
      // Some upstream manifests repeat a key; sigs.k8s.io/yaml keeps the last, as js-yaml's json mode does.
      const object = load(v.manifest, { json: true }) as KubeObject;
      const now = v.now ? Date.parse(v.now) : Date.parse('2030-01-01T00:00:00Z');
      const health = computeHealth(object, now);
      const expected = v.ours ?? v;
      expect(health.status).toBe(expected.status);
      // Current and Terminating carry no condition in kstatus, so no reason.
      expect(health.reason).toBe(expected.reason ?? '');
    });
  }
});
