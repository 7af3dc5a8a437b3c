/**
 * Vectors of the DaemonSet helpers. TestIsPodUpdated and TestCreatePodTemplate are transcribed from
 * pkg/controller/daemon/util/daemonset_util_test.go; the NodeShouldRunDaemonPod cases follow
 * TestNodeShouldRunDaemonPod and the taint cases of daemon_controller_test.go.
 */
import { describe, expect, it } from '@jest/globals';
import {
  addOrUpdateDaemonPodTolerations,
  createPodTemplate,
  isPodUpdated,
  nodeShouldRunDaemonPod,
  replaceNodeNameAffinity,
  targetNodeName,
  type DaemonSet,
} from '../../../src/cluster/sim/controllers/daemonset/daemonSetUtil.js';
import { newNode } from '../../../src/cluster/sim/scheduler/nodes.js';
import type { Pod, PodSpec } from '../../../src/k8s/objects.js';

const pod = (labels?: Record<string, string>, spec: Partial<PodSpec> = {}): Pod => ({
  metadata: { name: 'pod1', namespace: 'default', ...(labels ? { labels } : {}) },
  spec: { containers: [{ name: 'c', image: 'foo/bar' }], ...spec },
});

describe('IsPodUpdated (TestIsPodUpdated)', () => {
  const generation = 12345;
  const hash = '55555';
  const labels = { 'pod-template-generation': String(generation), 'controller-revision-hash': hash };
  const labelsNoHash = { 'pod-template-generation': String(generation) };
  it.each<[string, number, Record<string, string> | undefined, string, boolean]>([
    ['templateGeneration and hash both match', generation, labels, hash, true],
    ["templateGeneration matches, hash doesn't", generation, labels, hash + '123', true],
    ['templateGeneration matches, no hash label, has hash', generation, labelsNoHash, hash, true],
    ['templateGeneration matches, no hash label, no hash', generation, labelsNoHash, '', true],
    ['templateGeneration matches, has hash label, no hash', generation, labels, '', true],
    ["templateGeneration doesn't match, hash does", generation + 1, labels, hash, true],
    ["templateGeneration and hash don't match", generation + 1, labels, hash + '123', false],
    ['empty labels, no hash', generation, {}, '', false],
    ['empty labels', generation, {}, hash, false],
    ['no labels', generation, undefined, hash, false],
  ])('%s', (_name, gen, podLabels, h, expected) => expect(isPodUpdated(pod(podLabels), h, gen)).toBe(expected));
});

describe('CreatePodTemplate (TestCreatePodTemplate)', () => {
  it.each<[number, string, boolean]>([
    [1, '', false],
    [2, '3242341807', true],
  ])('generation %d, hash %j', (generation, hash, expectUniqueLabel) => {
    const labels = createPodTemplate({}, generation, hash).metadata!.labels!;
    expect(labels['pod-template-generation']).toBe(String(generation));
    if (expectUniqueLabel) expect(labels['controller-revision-hash']).toBe(hash);
    else expect(labels).not.toHaveProperty('controller-revision-hash');
  });
});

describe('AddOrUpdateDaemonPodTolerations', () => {
  it('appends the daemon tolerations after the template ones, network-unavailable only with hostNetwork', () => {
    const spec: PodSpec = { containers: [], tolerations: [{ key: 'gpu', operator: 'Exists' }] };
    addOrUpdateDaemonPodTolerations(spec);
    expect(spec.tolerations).toEqual([
      { key: 'gpu', operator: 'Exists' },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    const host: PodSpec = { containers: [], hostNetwork: true };
    addOrUpdateDaemonPodTolerations(host);
    expect((host.tolerations as unknown[]).at(-1)).toEqual({
      key: 'node.kubernetes.io/network-unavailable',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
  });

  it('does not duplicate a toleration the template already has', () => {
    const spec: PodSpec = {
      containers: [],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }],
    };
    addOrUpdateDaemonPodTolerations(spec);
    expect((spec.tolerations as unknown[]).length).toBe(6);
  });
});

describe('ReplaceDaemonSetPodNodeNameNodeAffinity and GetTargetNodeName', () => {
  const byName = (node: string) => ({
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
      },
    },
  });
  it('sets the affinity when there is none', () =>
    expect(replaceNodeNameAffinity(undefined, 'host_1')).toEqual(byName('host_1')));
  it('replaces the required terms and keeps preferred ones', () => {
    const preferred = [
      { weight: 1, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
    ];
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: preferred,
      },
    };
    expect(replaceNodeNameAffinity(affinity, 'host_1')).toEqual({
      nodeAffinity: { ...byName('host_1').nodeAffinity, preferredDuringSchedulingIgnoredDuringExecution: preferred },
    });
  });
  it('reads the target node from spec.nodeName, else from the matchFields term', () => {
    expect(targetNodeName(pod(undefined, { nodeName: 'node-1', affinity: byName('node-2') }))).toBe('node-1');
    expect(targetNodeName(pod(undefined, { affinity: byName('node-2') }))).toBe('node-2');
    expect(targetNodeName(pod())).toBeUndefined();
  });
});

describe('NodeShouldRunDaemonPod', () => {
  const ds = (spec: Partial<PodSpec> = {}): DaemonSet => ({
    metadata: { name: 'ds', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'ds' } },
      template: { metadata: { labels: { app: 'ds' } }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } },
    },
  });
  const node = (extra: Parameters<typeof newNode>[3] = {}) => newNode('node-1', {}, 0, extra);
  it.each<[string, DaemonSet, ReturnType<typeof node>, boolean, boolean]>([
    ['a simple DaemonSet', ds(), node(), true, true],
    ['the template names another node', ds({ nodeName: 'node-2' }), node(), false, false],
    ['the template names this node', ds({ nodeName: 'node-1' }), node(), true, true],
    ['a node selector that does not match', ds({ nodeSelector: { disk: 'ssd' } }), node(), false, false],
    [
      'a node selector that matches',
      ds({ nodeSelector: { disk: 'ssd' } }),
      node({ labels: { disk: 'ssd' } }),
      true,
      true,
    ],
    [
      'required node affinity that does not match',
      ds({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }],
            },
          },
        },
      }),
      node(),
      false,
      false,
    ],
    [
      'an untolerated NoSchedule taint (a pod there may stay)',
      ds(),
      node({ taints: [{ key: 'k', effect: 'NoSchedule' }] }),
      false,
      true,
    ],
    ['an untolerated NoExecute taint', ds(), node({ taints: [{ key: 'k', effect: 'NoExecute' }] }), false, false],
    ['a PreferNoSchedule taint', ds(), node({ taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }), true, true],
    [
      'a tolerated NoExecute taint',
      ds({ tolerations: [{ key: 'k', operator: 'Exists' }] }),
      node({ taints: [{ key: 'k', effect: 'NoExecute' }] }),
      true,
      true,
    ],
    [
      'the not-ready taint (daemon toleration)',
      ds(),
      node({ taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }),
      true,
      true,
    ],
    [
      'the unschedulable taint (daemon toleration)',
      ds(),
      node({ taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }),
      true,
      true,
    ],
    [
      'network-unavailable without hostNetwork',
      ds(),
      node({ taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }),
      false,
      true,
    ],
    [
      'network-unavailable with hostNetwork',
      ds({ hostNetwork: true }),
      node({ taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }),
      true,
      true,
    ],
  ])('%s', (_name, daemonSet, n, shouldRun, shouldContinueRunning) =>
    expect(nodeShouldRunDaemonPod(n, daemonSet)).toEqual({ shouldRun, shouldContinueRunning }),
  );
});
