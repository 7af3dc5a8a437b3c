/**
 * Vectors transcribed from pkg/controller/statefulset/stateful_set_utils_test.go
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/statefulset/stateful_set_utils_test.go),
 * one `describe` per upstream test function, against the simulator's stateful_set_utils.go.
 */
import { describe, expect, it } from '@jest/globals';
import { equalRevision } from '../../../src/cluster/sim/controllers/history/controllerHistory.js';
import { isClaimOwnerUpToDate } from '../../../src/cluster/sim/controllers/statefulset/statefulPodControl.js';
import {
  applyRevision,
  getParentNameAndOrdinal,
  getStatefulSetMaxUnavailable,
  identityMatches,
  isMemberOf,
  isRunningAndReady,
  newRevision,
  newStatefulSetPod,
  newVersionedStatefulSetPod,
  setControllerRef,
  storageMatches,
  updateIdentity,
  updateStorage,
} from '../../../src/cluster/sim/controllers/statefulset/statefulSetUtils.js';
import { controllerOf } from '../../../src/k8s/meta.js';
import type { IntOrString, KubeObject, OwnerReference, Pod } from '../../../src/k8s/objects.js';
import { STATEFULSET_POD_NAME_LABEL, type StatefulSet } from '../../../src/k8s/statefulSet.js';

/** newStatefulSet(replicas) of the upstream tests: foo, a hostPath volume `home`, a claim template `datadir`. */
function newStatefulSet(replicas: number): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'foo', namespace: 'default', uid: 'test' },
    spec: {
      replicas,
      selector: { matchLabels: { foo: 'bar' } },
      serviceName: 'governingsvc',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: {
        metadata: { labels: { foo: 'bar' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx',
              volumeMounts: [
                { name: 'datadir', mountPath: '/tmp/' },
                { name: 'home', mountPath: '/home' },
              ],
            },
          ],
          volumes: [{ name: 'home', hostPath: { path: '/tmp/home' } }],
        },
      },
      volumeClaimTemplates: [
        { metadata: { namespace: 'default', name: 'datadir' }, spec: { resources: { requests: { storage: '1' } } } },
      ],
    },
  };
}

describe('TestGetParentNameAndOrdinal', () => {
  it('extracts the parent and ordinal of a member, and none of a non-member', () => {
    const set = newStatefulSet(3);
    const pod = newStatefulSetPod(set, 1);
    expect(getParentNameAndOrdinal(pod)).toEqual({ parent: 'foo', ordinal: 1 });
    pod.metadata.name = '1-bar';
    expect(getParentNameAndOrdinal(pod)).toEqual({ parent: '', ordinal: -1 });
  });
});

describe('TestIsMemberOf', () => {
  it('tells members by name', () => {
    const set = newStatefulSet(3);
    const set2 = { ...newStatefulSet(3), metadata: { ...newStatefulSet(3).metadata, name: 'foo2' } };
    const pod = newStatefulSetPod(set, 1);
    expect(isMemberOf(set, pod)).toBe(true);
    expect(isMemberOf(set2, pod)).toBe(false);
  });
});

describe('TestIdentityMatches / TestUpdateIdentity', () => {
  const set = newStatefulSet(3);
  it('accepts a new pod and refuses a wrong name, namespace or pod-name label', () => {
    expect(identityMatches(set, newStatefulSetPod(set, 1))).toBe(true);
    const renamed = newStatefulSetPod(set, 1);
    renamed.metadata.name = 'foo';
    expect(identityMatches(set, renamed)).toBe(false);
    const elsewhere = newStatefulSetPod(set, 1);
    elsewhere.metadata.namespace = '';
    expect(identityMatches(set, elsewhere)).toBe(false);
    const unlabelled = newStatefulSetPod(set, 1);
    delete unlabelled.metadata.labels![STATEFULSET_POD_NAME_LABEL];
    expect(identityMatches(set, unlabelled)).toBe(false);
  });
  it('restores the namespace and the pod-name label', () => {
    const pod = newStatefulSetPod(set, 1);
    pod.metadata.namespace = '';
    updateIdentity(set, pod);
    expect(identityMatches(set, pod)).toBe(true);
    delete pod.metadata.labels![STATEFULSET_POD_NAME_LABEL];
    updateIdentity(set, pod);
    expect(identityMatches(set, pod)).toBe(true);
  });
});

describe('TestStorageMatches / TestUpdateStorage', () => {
  const set = newStatefulSet(3);
  const broken: Array<[string, (pod: Pod) => void]> = [
    ['no volumes', (pod) => (pod.spec.volumes = undefined)],
    ['no claim sources', (pod) => pod.spec.volumes!.forEach((v) => delete v.persistentVolumeClaim)],
    [
      'wrong claim names',
      (pod) =>
        pod.spec.volumes!.forEach((v) => {
          if (v.persistentVolumeClaim) v.persistentVolumeClaim = { claimName: 'foo' };
        }),
    ],
  ];
  it('accepts a new pod, mounting claim datadir-foo-1 before its own volumes', () => {
    const pod = newStatefulSetPod(set, 1);
    expect(storageMatches(set, pod)).toBe(true);
    expect(pod.spec.volumes).toEqual([
      { name: 'datadir', persistentVolumeClaim: { claimName: 'datadir-foo-1' } },
      { name: 'home', hostPath: { path: '/tmp/home' } },
    ]);
  });
  for (const [name, breakIt] of broken) {
    it(`refuses ${name}, and updateStorage repairs it`, () => {
      const pod = newStatefulSetPod(set, 1);
      breakIt(pod);
      expect(storageMatches(set, pod)).toBe(false);
      updateStorage(set, pod);
      expect(storageMatches(set, pod)).toBe(true);
    });
  }
  it('refuses a pod without an ordinal', () => {
    const pod = newStatefulSetPod(set, 1);
    pod.metadata.name = 'bar';
    expect(storageMatches(set, pod)).toBe(false);
  });
});

describe('TestIsRunningAndReady', () => {
  it('needs phase Running and the Ready condition', () => {
    const pod = newStatefulSetPod(newStatefulSet(3), 1);
    expect(isRunningAndReady(pod)).toBe(false);
    pod.status = { phase: 'Running' };
    expect(isRunningAndReady(pod)).toBe(false);
    pod.status.conditions = [{ type: 'Ready', status: 'True' }];
    expect(isRunningAndReady(pod)).toBe(true);
  });
});

describe('TestNewPodControllerRef', () => {
  it('gives a new pod an apps/v1 StatefulSet controller reference', () => {
    const set = newStatefulSet(1);
    expect(controllerOf(newStatefulSetPod(set, 0))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: 'foo',
      uid: 'test',
      controller: true,
      blockOwnerDeletion: true,
    });
  });
});

describe('TestCreateApplyRevision', () => {
  it('restores the template of a revision and keeps the set annotations on the next revision', () => {
    const set = newStatefulSet(1);
    const revision = newRevision(set, 1, 0);
    set.spec.template.spec!.containers[0]!.name = 'foo';
    set.metadata.annotations = { foo: 'bar' };
    const restored = applyRevision(set, revision);
    const restoredRevision = newRevision(restored, 2, 0);
    expect(equalRevision(revision, restoredRevision)).toBe(true);
    expect(restoredRevision.metadata.annotations?.foo).toBe('bar');
  });
});

describe('TestRollingUpdateApplyRevision (newVersionedStatefulSetPod)', () => {
  it('builds a missing pod below the partition from the current revision, at or above it from the update revision', () => {
    const set = newStatefulSet(3);
    set.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 2 } };
    const current = newRevision(set, 1, 0);
    const updated = structuredClone(set);
    updated.spec.template.spec!.containers[0]!.env = [{ name: 'foo', value: 'bar' }];
    const update = newRevision(updated, 2, 0);
    const currentSet = applyRevision(set, current);
    const updateSet = applyRevision(set, update);
    const below = newVersionedStatefulSetPod(currentSet, updateSet, 'cur', 'upd', 1);
    const above = newVersionedStatefulSetPod(currentSet, updateSet, 'cur', 'upd', 2);
    expect(below.metadata.labels?.['controller-revision-hash']).toBe('cur');
    expect(below.spec.containers[0]!.env).toBeUndefined();
    expect(above.metadata.labels?.['controller-revision-hash']).toBe('upd');
    expect(above.spec.containers[0]!.env).toEqual([{ name: 'foo', value: 'bar' }]);
  });
});

describe('TestGetStatefulSetMaxUnavailable', () => {
  const cases: Array<[IntOrString | undefined, number, number]> = [
    [undefined, 10, 1],
    [3, 10, 3],
    [3, 0, 3],
    [0, 0, 1],
    ['10%', 25, 2],
    ['100%', 5, 5],
    ['50%', 5, 2],
    ['10%', 5, 1],
    ['1%', 0, 1],
    ['0%', 0, 1],
  ];
  for (const [maxUnavailable, replicas, expected] of cases) {
    it(`maxUnavailable ${String(maxUnavailable)} of ${replicas} replicas is ${expected}`, () => {
      expect(getStatefulSetMaxUnavailable(maxUnavailable, replicas)).toBe(expected);
    });
  }
});

describe('TestIsClaimOwnerUpToDate', () => {
  const cases: Array<{
    name: string;
    whenScaled: 'Retain' | 'Delete';
    whenDeleted: 'Retain' | 'Delete';
    needsPodRef: boolean;
    needsSetRef: boolean;
    replicas: number;
    ordinal: number;
  }> = [
    {
      name: 'retain',
      whenScaled: 'Retain',
      whenDeleted: 'Retain',
      needsPodRef: false,
      needsSetRef: false,
      replicas: 0,
      ordinal: 0,
    },
    {
      name: 'on SS delete',
      whenScaled: 'Retain',
      whenDeleted: 'Delete',
      needsPodRef: false,
      needsSetRef: true,
      replicas: 0,
      ordinal: 0,
    },
    {
      name: 'on scaledown only, condemned',
      whenScaled: 'Delete',
      whenDeleted: 'Retain',
      needsPodRef: true,
      needsSetRef: false,
      replicas: 2,
      ordinal: 2,
    },
    {
      name: 'on scaledown only, remains',
      whenScaled: 'Delete',
      whenDeleted: 'Retain',
      needsPodRef: false,
      needsSetRef: false,
      replicas: 2,
      ordinal: 1,
    },
    {
      name: 'on both, condemned',
      whenScaled: 'Delete',
      whenDeleted: 'Delete',
      needsPodRef: true,
      needsSetRef: false,
      replicas: 2,
      ordinal: 2,
    },
    {
      name: 'on both, remains',
      whenScaled: 'Delete',
      whenDeleted: 'Delete',
      needsPodRef: false,
      needsSetRef: true,
      replicas: 2,
      ordinal: 1,
    },
  ];
  for (const tc of cases) {
    for (const useOtherRefs of [false, true]) {
      for (const setPodRef of [false, true]) {
        for (const setSetRef of [false, true]) {
          const shouldMatch = setPodRef === tc.needsPodRef && setSetRef === tc.needsSetRef;
          it(`${tc.name}: pod ref ${setPodRef}, set ref ${setSetRef}, other refs ${useOtherRefs} -> ${shouldMatch}`, () => {
            const pod: Pod = { metadata: { name: `pod-${tc.ordinal}`, uid: 'pod-123' }, spec: { containers: [] } };
            const set: StatefulSet = {
              metadata: { name: 'stateful-set', uid: 'ss-456' },
              spec: {
                replicas: tc.replicas,
                selector: {},
                template: {},
                persistentVolumeClaimRetentionPolicy: { whenScaled: tc.whenScaled, whenDeleted: tc.whenDeleted },
              },
            };
            const refs: OwnerReference[] = [];
            if (setPodRef)
              refs.push({
                apiVersion: 'v1',
                kind: 'Pod',
                name: pod.metadata.name!,
                uid: 'pod-123',
                controller: true,
                blockOwnerDeletion: true,
              });
            if (setSetRef) refs.push(setControllerRef(set));
            if (useOtherRefs)
              refs.push(
                { name: 'rand1', apiVersion: 'v1', kind: 'Pod', uid: 'rand1-uid' },
                { name: 'rand2', apiVersion: 'v1', kind: 'Pod', uid: 'rand2-uid' },
              );
            const claim: KubeObject = { metadata: { name: 'target-claim', ownerReferences: refs } };
            expect(isClaimOwnerUpToDate(claim, set, pod)).toBe(shouldMatch);
          });
        }
      }
    }
  }
});
