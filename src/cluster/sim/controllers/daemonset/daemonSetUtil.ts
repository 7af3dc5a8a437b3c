import { POD_REVISION_LABEL } from '../../../../k8s/controllerRevision.js';
import type {
  IntOrString,
  KubeObject,
  LabelSelector,
  Node,
  Pod,
  PodSpec,
  PodTemplateSpec,
} from '../../../../k8s/objects.js';
import { getScaledValueFromIntOrPercent } from '../deployment/intOrPercent.js';
import { OBJECT_NAME_FIELD, matchesRequiredNodeAffinity, type Affinity } from '../../scheduler/nodeAffinity.js';
import { findUntoleratedTaint, isNoScheduleOrNoExecute, nodeTaints, type Toleration } from '../../scheduler/taints.js';

/**
 * The DaemonSet helpers of pkg/controller/daemon/util/daemonset_util.go
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/daemon/util/daemonset_util.go)
 * and the node predicate of daemon_controller.go (NodeShouldRunDaemonPod, predicates).
 */
export interface DaemonSet extends KubeObject {
  spec: {
    selector?: LabelSelector;
    template: PodTemplateSpec;
    updateStrategy?: {
      type?: 'RollingUpdate' | 'OnDelete' | string;
      rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString };
    };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: DaemonSetStatus;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

/** apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey): on revisions and pods. */
export const DAEMONSET_HASH_LABEL = POD_REVISION_LABEL;
/** extensions.DaemonSetTemplateGenerationKey: the pod label of the template generation. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** apps/v1 DeprecatedTemplateGeneration: the DaemonSet annotation the API server maintains. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/**
 * AddOrUpdateDaemonPodTolerations: daemon pods survive taint-based eviction of not-ready and
 * unreachable nodes (NoExecute), and tolerate the node-condition taints (TaintNodesByCondition):
 * disk, memory and pid pressure and unschedulable (NoSchedule); network-unavailable only with
 * hostNetwork.
 */
export function addOrUpdateDaemonPodTolerations(spec: PodSpec): void {
  const add = (key: string, effect: string) => addOrUpdateToleration(spec, { key, operator: 'Exists', effect });
  add('node.kubernetes.io/not-ready', 'NoExecute');
  add('node.kubernetes.io/unreachable', 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add('node.kubernetes.io/unschedulable', 'NoSchedule');
  if (spec.hostNetwork) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
}

/**
 * v1helper.AddOrUpdateTolerationInPodSpec: a toleration equal in key, operator, value and effect
 * (MatchToleration) is replaced in place, otherwise the new one is appended.
 */
function addOrUpdateToleration(spec: PodSpec, toleration: Toleration): void {
  const list = (spec.tolerations as Toleration[] | undefined) ?? [];
  const same = (t: Toleration) =>
    (t.key ?? '') === (toleration.key ?? '') &&
    (t.operator ?? '') === (toleration.operator ?? '') &&
    (t.value ?? '') === (toleration.value ?? '') &&
    (t.effect ?? '') === (toleration.effect ?? '');
  const i = list.findIndex(same);
  spec.tolerations = i >= 0 ? list.map((t, j) => (j === i ? { ...toleration } : t)) : [...list, { ...toleration }];
}

/**
 * CreatePodTemplate: the DaemonSet's template with the daemon tolerations and the
 * `pod-template-generation` and `controller-revision-hash` labels.
 */
export function createPodTemplate(
  template: PodTemplateSpec,
  generation: number | undefined,
  hash: string,
): PodTemplateSpec {
  const out = structuredClone(template);
  out.spec ??= { containers: [] };
  addOrUpdateDaemonPodTolerations(out.spec);
  out.metadata = { ...(out.metadata ?? {}) };
  const labels = { ...(out.metadata.labels ?? {}) };
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[DAEMONSET_HASH_LABEL] = hash;
  out.metadata.labels = labels;
  return out;
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the pod is pinned to its node by a required
 * `matchFields metadata.name In [node]` term that replaces any required terms of the template
 * (the controller already checked them); the default scheduler then binds it.
 */
export function replaceNodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term = { matchFields: [{ key: OBJECT_NAME_FIELD, operator: 'In', values: [nodeName] }] };
  const out: Affinity = affinity ? structuredClone(affinity) : {};
  const nodeAffinity = { ...(out.nodeAffinity ?? {}) };
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  out.nodeAffinity = nodeAffinity;
  return out;
}

/**
 * GetTargetNodeName: the node a daemon pod is for: its spec.nodeName once bound, else the
 * single value of its `metadata.name In` matchFields requirement.
 */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec.affinity as Affinity | undefined)?.nodeAffinity
    ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? []) {
    for (const req of term.matchFields ?? []) {
      if (req.key === OBJECT_NAME_FIELD && req.operator === 'In')
        return req.values?.length === 1 ? req.values[0] : undefined;
    }
  }
  return undefined;
}

/** GetTemplateGeneration: the `deprecated.daemonset.template.generation` annotation, if any. */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const raw = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (raw === undefined || !/^-?[0-9]+$/.test(raw)) return undefined;
  return Number(raw);
}

/** IsPodUpdated: the pod carries the current hash, or the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[DAEMONSET_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}

/** SurgeCount: maxSurge scaled against the desired pods (rounded up); 0 unless RollingUpdate. */
export function surgeCount(ds: DaemonSet, numberToSchedule: number): number {
  const r = ds.spec.updateStrategy;
  if (r?.type !== 'RollingUpdate' || !r.rollingUpdate || r.rollingUpdate.maxSurge === undefined) return 0;
  return getScaledValueFromIntOrPercent(r.rollingUpdate.maxSurge, numberToSchedule, true);
}

/** UnavailableCount: maxUnavailable scaled against the desired pods (rounded up); 0 unless RollingUpdate. */
export function unavailableCount(ds: DaemonSet, numberToSchedule: number): number {
  const r = ds.spec.updateStrategy;
  if (r?.type !== 'RollingUpdate' || !r.rollingUpdate || r.rollingUpdate.maxUnavailable === undefined) return 0;
  return getScaledValueFromIntOrPercent(r.rollingUpdate.maxUnavailable, numberToSchedule, true);
}

/** AllowsSurge: maxSurge is non-zero (scaled against one pod). */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return surgeCount(ds, 1) !== 0;
  } catch {
    return false;
  }
}

/**
 * NewPod: the pod the controller would create, for the predicates: the template's node selector and
 * affinity, and its tolerations plus the daemon tolerations. Stored objects are never mutated, so
 * it is computed once per DaemonSet version.
 */
const predicatePods = new WeakMap<DaemonSet, Pod>();

function newPod(ds: DaemonSet): Pod {
  let pod = predicatePods.get(ds);
  if (!pod) {
    const template = ds.spec.template.spec;
    const spec: PodSpec = {
      containers: [],
      ...(template?.nodeSelector ? { nodeSelector: template.nodeSelector } : {}),
      ...(template?.affinity ? { affinity: template.affinity } : {}),
      ...(template?.tolerations ? { tolerations: template.tolerations } : {}),
      ...(template?.hostNetwork ? { hostNetwork: template.hostNetwork } : {}),
    };
    addOrUpdateDaemonPodTolerations(spec);
    pod = { metadata: { namespace: ds.metadata.namespace }, spec };
    predicatePods.set(ds, pod);
  }
  return pod;
}

/** Per DaemonSet version and node version (both immutable once stored): the predicate's answer. */
const verdicts = new WeakMap<DaemonSet, WeakMap<Node, { shouldRun: boolean; shouldContinueRunning: boolean }>>();

/**
 * NodeShouldRunDaemonPod: `shouldRun` when the node passes the template's nodeName, node selector,
 * required node affinity and NoSchedule/NoExecute taints (with the daemon tolerations);
 * `shouldContinueRunning` also when only a NoSchedule taint is untolerated (a pod already there stays).
 */
export function nodeShouldRunDaemonPod(
  node: Node,
  ds: DaemonSet,
): { shouldRun: boolean; shouldContinueRunning: boolean } {
  let byNode = verdicts.get(ds);
  if (!byNode) verdicts.set(ds, (byNode = new WeakMap()));
  let verdict = byNode.get(node);
  if (!verdict) byNode.set(node, (verdict = computeShouldRun(node, ds)));
  return { ...verdict };
}

function computeShouldRun(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const name = node.metadata.name ?? '';
  const templateNodeName = ds.spec.template.spec?.nodeName;
  if (templateNodeName && templateNodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  const pod = newPod(ds);
  if (!matchesRequiredNodeAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = (pod.spec.tolerations as Toleration[] | undefined) ?? [];
  const taints = nodeTaints(node);
  if (findUntoleratedTaint(taints, tolerations, isNoScheduleOrNoExecute)) {
    const noExecute = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !noExecute };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/**
 * podByCreationTimestampAndPhase: scheduled pods first, then the oldest, then by name.
 */
export function compareByCreationAndPhase(a: Pod, b: Pod): number {
  const sa = a.spec.nodeName ? 0 : 1;
  const sb = b.spec.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta === tb) return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  return ta < tb ? -1 : 1;
}
