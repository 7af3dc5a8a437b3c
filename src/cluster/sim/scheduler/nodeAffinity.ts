import type { Node, Pod } from '../../../k8s/objects.js';

/**
 * Required node affinity as component-helpers' nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)
 * computes it (https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go):
 * the pod's `nodeSelector` (every label equal) AND, when set,
 * `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution` (any term matches; a term
 * matches when all its matchExpressions match the node's labels and all its matchFields match the
 * node's fields, of which only `metadata.name` exists; an empty term matches nothing).
 */
export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[];
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** metav1.ObjectNameField: the one node field a matchFields requirement may name. */
export const OBJECT_NAME_FIELD = 'metadata.name';

export function podAffinity(pod: Pick<Pod, 'spec'>): Affinity | undefined {
  return pod.spec?.affinity as Affinity | undefined;
}

/** GetRequiredNodeAffinity(pod).Match(node). */
export function matchesRequiredNodeAffinity(pod: Pick<Pod, 'spec'>, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) return false;
  }
  const required = podAffinity(pod)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return matchesNodeSelectorTerms(required.nodeSelectorTerms ?? [], node);
}

/** nodeSelectorTerms are ORed (LazyErrorNodeSelector.Match). */
export function matchesNodeSelectorTerms(terms: readonly NodeSelectorTerm[], node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  const fields: Record<string, string> = { [OBJECT_NAME_FIELD]: node.metadata.name ?? '' };
  return terms.some((term) => {
    const expressions = term.matchExpressions ?? [];
    const matchFields = term.matchFields ?? [];
    if (expressions.length === 0 && matchFields.length === 0) return false;
    return (
      expressions.every((r) => requirementMatches(r, labels)) &&
      matchFields.every((r) => r.key === OBJECT_NAME_FIELD && requirementMatches(r, fields))
    );
  });
}

/** nodeSelectorRequirementsAsSelector + Matches: In/NotIn/Exists/DoesNotExist/Gt/Lt. */
function requirementMatches(req: NodeSelectorRequirement, have: Record<string, string>): boolean {
  const present = Object.prototype.hasOwnProperty.call(have, req.key);
  const value = have[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return present && values.includes(value!);
    case 'NotIn':
      return !present || !values.includes(value!);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    case 'Gt':
    case 'Lt': {
      if (!present || values.length !== 1) return false;
      const have64 = Number(value);
      const want = Number(values[0]);
      if (!Number.isInteger(have64) || !Number.isInteger(want)) return false;
      return req.operator === 'Gt' ? have64 > want : have64 < want;
    }
    default:
      return false;
  }
}

/**
 * The NodeAffinity plugin's PreFilter: the node names a pod's required terms pin it to, when every
 * term has a `metadata.name In` requirement (intersected within a term, united across terms);
 * undefined when some term leaves every node eligible.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go
 */
export function requiredNodeNames(pod: Pick<Pod, 'spec'>): Set<string> | undefined {
  const terms = podAffinity(pod)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const term of terms) {
    let termNames: Set<string> | undefined;
    for (const r of term.matchFields ?? []) {
      if (r.key !== OBJECT_NAME_FIELD || r.operator !== 'In') continue;
      const values = new Set(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => values.has(n))) : values;
    }
    if (!termNames) return undefined;
    for (const n of termNames) names.add(n);
  }
  return names;
}
