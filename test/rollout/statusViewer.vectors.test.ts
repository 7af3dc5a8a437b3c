import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Condition, Deployment } from '../../src/k8s/objects.js';
import {
  daemonSetStatus,
  deploymentStatus,
  statefulSetStatus,
  type DaemonSetLike,
  type StatefulSetLike,
  type StatusResult,
} from '../../src/rollout/statusViewer.js';

interface Vector {
  name: string;
  input: Record<string, any>;
  expected: { message: string; done: boolean; error: string | null };
}
const vectors = JSON.parse(readFileSync(new URL('../fixtures/k8s-vectors.json', import.meta.url), 'utf8'))
  .groups as Record<string, Vector[]>;

function check(result: StatusResult, expected: Vector['expected']): void {
  expect({ message: result.message, done: result.done, error: result.error ?? null }).toEqual({
    message: expected.message,
    done: expected.done,
    error: expected.error,
  });
}

describe('kubectl.deploymentStatusViewer', () => {
  for (const v of vectors['kubectl.deploymentStatusViewer']!) {
    it(v.name, () => {
      const d: Deployment = {
        metadata: { name: v.input.name, generation: v.input.generation, annotations: v.input.annotations },
        spec: { replicas: v.input.specReplicas, template: {} },
        status: { ...v.input.status, conditions: v.input.conditions as Condition[] | undefined },
      };
      check(deploymentStatus(d, { revision: v.input.revision }), v.expected);
    });
  }
});

describe('kubectl.daemonSetStatusViewer', () => {
  for (const v of vectors['kubectl.daemonSetStatusViewer']!) {
    it(v.name, () => {
      const ds: DaemonSetLike = {
        metadata: { name: v.input.name, generation: v.input.generation },
        spec: { updateStrategy: { type: v.input.updateStrategy } },
        status: v.input.status,
      };
      check(daemonSetStatus(ds), v.expected);
    });
  }
});

describe('kubectl.statefulSetStatusViewer', () => {
  for (const v of vectors['kubectl.statefulSetStatusViewer']!) {
    it(v.name, () => {
      const sts: StatefulSetLike = {
        metadata: { name: v.input.name, generation: v.input.generation },
        spec: { replicas: v.input.specReplicas, updateStrategy: v.input.updateStrategy },
        status: v.input.status,
      };
      check(statefulSetStatus(sts), v.expected);
    });
  }
});
