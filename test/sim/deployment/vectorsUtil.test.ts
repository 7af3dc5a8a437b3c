import { describe, it, expect } from '@jest/globals';
import { Annotations, type Condition, type Deployment, type ReplicaSet } from '../../../src/k8s/objects.js';
import { parseTime } from '../../../src/k8s/meta.js';
import {
  maxUnavailable,
  minAvailable,
  resolveFenceposts,
} from '../../../src/cluster/sim/controllers/deployment/fenceposts.js';
import {
  equalIgnoreHash,
  filterActiveReplicaSets,
  findNewReplicaSet,
  findOldReplicaSets,
  getActualReplicaCount,
  getNonNegativeInt32FromAnnotation,
  getReplicaCount,
  getTerminatingReplicaCount,
  isSaturated,
  replicasAnnotationsNeedUpdate,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from '../../../src/cluster/sim/controllers/deployment/replicaSetUtil.js';
import { newRSNewReplicas } from '../../../src/cluster/sim/controllers/deployment/rollingMath.js';
import {
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
} from '../../../src/cluster/sim/controllers/deployment/status.js';
import { getReplicaSetFraction } from '../../../src/cluster/sim/controllers/deployment/scale.js';
import {
  getDeploymentCondition,
  removeDeploymentCondition,
  setDeploymentCondition,
} from '../../../src/cluster/sim/controllers/deployment/conditions.js';
import { loadGroups, newDeployment, newRS } from './fakeIO.js';

const groups = loadGroups();

function strategyDeployment(input: {
  strategy: string;
  replicas: number | null;
  maxSurge: any;
  maxUnavailable: any;
}): Deployment {
  return newDeployment({
    strategy: input.strategy,
    replicas: input.replicas,
    maxSurge: input.maxSurge,
    maxUnavailable: input.maxUnavailable,
  });
}

describe('util.resolveFenceposts', () => {
  for (const v of groups['util.resolveFenceposts']!) {
    it(v.name, () => {
      const got = resolveFenceposts(v.input.maxSurge, v.input.maxUnavailable, v.input.desired);
      expect({ surge: got.surge, unavailable: got.unavailable, error: got.error !== undefined }).toEqual(v.expected);
    });
  }
});

describe('util.maxUnavailable', () => {
  for (const v of groups['util.maxUnavailable']!) {
    it(v.name, () => expect(maxUnavailable(strategyDeployment(v.input))).toBe(v.expected.value));
  }
});

describe('util.minAvailable', () => {
  for (const v of groups['util.minAvailable']!) {
    it(v.name, () => expect(minAvailable(strategyDeployment(v.input))).toBe(v.expected.value));
  }
});

describe('util.newRSNewReplicas', () => {
  for (const v of groups['util.newRSNewReplicas']!) {
    it(v.name, () => {
      const d = newDeployment({
        strategy: v.input.strategy,
        replicas: v.input.deploymentReplicas,
        maxSurge: v.input.maxSurge,
        maxUnavailable: v.input.maxUnavailable,
      });
      const rs = newRS({ name: 'new', specReplicas: v.input.newRSReplicas });
      const all = (v.input.allRSs as number[]).map((n, i) => newRS({ name: `other-${i}`, specReplicas: n }));
      expect(newRSNewReplicas(d, all, rs)).toBe(v.expected.value);
    });
  }
});

describe('util.replicaCountsForReplicaSets', () => {
  for (const v of groups['util.replicaCountsForReplicaSets']!) {
    it(v.name, () => {
      const list = (v.input.replicaSets as any[]).map((r) => newRS(r));
      expect({
        specTotal: getReplicaCount(list),
        actualTotal: getActualReplicaCount(list),
        terminatingTotal: getTerminatingReplicaCount(list) ?? null,
      }).toEqual(v.expected);
    });
  }
});

describe('util.deploymentComplete', () => {
  for (const v of groups['util.deploymentComplete']!) {
    it(v.name, () => {
      const d = newDeployment({
        replicas: v.input.specReplicas,
        maxSurge: v.input.maxSurge,
        maxUnavailable: v.input.maxUnavailable,
        generation: v.input.generation,
      });
      const status = { ...v.input.status, observedGeneration: v.input.observedGeneration };
      expect(deploymentComplete(d, status)).toBe(v.expected.complete);
    });
  }
});

describe('util.deploymentProgressing', () => {
  for (const v of groups['util.deploymentProgressing']!) {
    it(v.name, () => {
      const d = newDeployment({});
      d.status = v.input.oldStatus;
      expect(deploymentProgressing(d, v.input.newStatus)).toBe(v.expected.progressing);
    });
  }
});

describe('util.deploymentTimedOut', () => {
  for (const v of groups['util.deploymentTimedOut']!) {
    it(v.name, () => {
      const d = newDeployment({ progressDeadlineSeconds: v.input.progressDeadlineSeconds });
      const status = { conditions: [v.input.condition as Condition] };
      // A null "now" only occurs where the answer does not depend on time.
      expect(deploymentTimedOut(d, status, parseTime(v.input.now) ?? 0)).toBe(v.expected.timedOut);
    });
  }
});

describe('util.getReplicaSetFraction', () => {
  for (const v of groups['util.getReplicaSetFraction']!) {
    it(v.name, () => {
      const d = newDeployment({
        replicas: v.input.deploymentReplicas,
        maxSurge: v.input.maxSurge,
        maxUnavailable: v.input.maxUnavailable,
      });
      d.status = { replicas: v.input.deploymentStatusReplicas };
      const rs = newRS({ specReplicas: v.input.rsReplicas, annotations: v.input.rsAnnotations });
      expect(getReplicaSetFraction(rs, d)).toBe(v.expected.fraction);
    });
  }
});

describe('util.getNonNegativeInt32FromAnnotation', () => {
  for (const v of groups['util.getNonNegativeInt32FromAnnotation']!) {
    it(v.name, () => {
      const got = getNonNegativeInt32FromAnnotation(v.input.annotations, v.input.key);
      expect({ value: got.value, valid: got.valid }).toEqual({ value: v.expected.value, valid: v.expected.valid });
      if (v.expected.errorContains === null) expect(got.error).toBeUndefined();
      else expect(got.error).toContain(v.expected.errorContains);
    });
  }
});

describe('util.setNewReplicaSetAnnotations.revisionHistory', () => {
  for (const v of groups['util.setNewReplicaSetAnnotations.revisionHistory']!) {
    it(v.name, () => {
      const d = newDeployment({});
      d.metadata.annotations = { ...v.input.deploymentAnnotations };
      const rs = newRS({ annotations: v.input.rsInitialAnnotations });
      for (const step of v.input.steps) {
        setNewReplicaSetAnnotations(d, rs, step.call.newRevision, step.call.exists, step.call.revHistoryLimitInChars);
        expect(rs.metadata.annotations?.[Annotations.revision]).toBe(step.expected.revision);
        expect(rs.metadata.annotations?.[Annotations.revisionHistory] ?? null).toBe(step.expected.revisionHistory);
      }
    });
  }
});

describe('util.setReplicasAnnotations_isSaturated', () => {
  const [setVector, saturatedVector] = groups['util.setReplicasAnnotations_isSaturated']!;
  it(setVector!.name, () => {
    const rs = newRS({});
    const updated = setReplicasAnnotations(rs, setVector!.input.desired, setVector!.input.max);
    expect({ updated, annotations: rs.metadata.annotations }).toEqual(setVector!.expected);
  });
  it(saturatedVector!.name, () => {
    const d = newDeployment({ replicas: saturatedVector!.input.deploymentReplicas });
    const rs = newRS(saturatedVector!.input.rs);
    expect(isSaturated(d, rs)).toBe(saturatedVector!.expected.saturated);
  });
});

describe('util.replicasAnnotationsNeedUpdate', () => {
  for (const v of groups['util.replicasAnnotationsNeedUpdate']!) {
    it(v.name, () => {
      expect(replicasAnnotationsNeedUpdate(v.input.annotations, v.input.desired, v.input.max)).toBe(
        v.expected.needsUpdate,
      );
    });
  }
});

describe('util.equalIgnoreHash', () => {
  const template = (t: any) => ({
    metadata: { name: t.name, annotations: t.annotations, labels: t.labels },
    spec: { nodeName: t.nodeName, containers: [] },
  });
  for (const v of groups['util.equalIgnoreHash']!) {
    it(v.name, () => {
      const former = template(v.input.former);
      const latter = template(v.input.latter);
      const before = JSON.stringify([former, latter]);
      expect(equalIgnoreHash(former, latter)).toBe(v.expected.equal);
      expect(equalIgnoreHash(latter, former)).toBe(v.expected.equal);
      expect(JSON.stringify([former, latter])).toBe(before); // inputs not mutated
    });
  }
});

describe('util.findNewAndOldReplicaSets', () => {
  for (const v of groups['util.findNewAndOldReplicaSets']!) {
    it(v.name, () => {
      const d = newDeployment({});
      const list: ReplicaSet[] = (v.input.rsList as any[]).map((r) => {
        const rs = newRS({ name: r.id, specReplicas: r.specReplicas ?? 1, createdAt: r.createdAt ?? 'zero' });
        rs.spec.template = r.templateMatchesDeployment
          ? { ...d.spec.template, metadata: { labels: { app: 'foo', 'pod-template-hash': `hash-${r.id}` } } }
          : { ...d.spec.template, spec: { containers: [{ name: 'app', image: 'other' }] } };
        return rs;
      });
      if ('newRS' in v.expected) expect(findNewReplicaSet(d, list)?.metadata.name ?? null).toBe(v.expected.newRS);
      if ('oldRSs' in v.expected) {
        const { required, all } = findOldReplicaSets(d, list);
        expect(all.map((rs) => rs.metadata.name)).toEqual(v.expected.oldRSs);
        expect(required.map((rs) => rs.metadata.name)).toEqual(v.expected.requiredOldRSs);
      }
    });
  }
});

describe('util.setDeploymentCondition', () => {
  for (const v of groups['util.setDeploymentCondition']!) {
    it(v.name, () => {
      const status = { conditions: (v.input.conditions as Condition[]).map((c) => ({ ...c })) };
      if (v.input.set) setDeploymentCondition(status, v.input.set);
      if (v.input.remove) removeDeploymentCondition(status, v.input.remove);
      if (v.input.get) {
        expect((v.input.get as string[]).map((t) => getDeploymentCondition(status, t) !== undefined)).toEqual(
          v.expected.found,
        );
      } else {
        expect(status.conditions).toEqual(v.expected.conditions);
      }
    });
  }
});

// Not in the brief's groups, but the controller relies on it.
describe('controller.filterActiveReplicaSets', () => {
  for (const v of groups['controller.filterActiveReplicaSets']!) {
    it(v.name, () => {
      const list = (v.input.replicaSets as any[]).map((r) =>
        r ? newRS({ name: r.name, specReplicas: r.specReplicas }) : null,
      );
      expect(filterActiveReplicaSets(list).map((rs) => rs.metadata.name)).toEqual(v.expected.active);
    });
  }
});
