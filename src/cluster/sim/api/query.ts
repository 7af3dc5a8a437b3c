import { ApiError } from '../../../k8s/apiError.js';
import { parseSelectorString, selectorMatches } from '../../../k8s/labels.js';
import type { KubeObject, LabelSelector } from '../../../k8s/objects.js';
import type { KindInfo } from '../store/kinds.js';
import { fieldValue } from '../store/objectStore.js';

/** Field selector keys each kind supports (the API server's field label conversion functions). */
const FIELD_LABELS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
  ReplicaSet: ['status.replicas'],
};

/** The selectors of a list or watch request. */
export interface Selection {
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldEquals: Record<string, string>;
  fieldNotEquals: Array<[string, string]>;
}

/** Parses `labelSelector` and `fieldSelector` (400 BadRequest on bad syntax or unsupported fields). */
export function parseSelection(info: KindInfo, namespace: string | undefined, query: URLSearchParams): Selection {
  const selection: Selection = { namespace, fieldEquals: {}, fieldNotEquals: [] };
  const labels = query.get('labelSelector');
  if (labels) {
    try {
      selection.labelSelector = parseSelectorString(labels);
    } catch (err) {
      throw ApiError.badRequest(`unable to parse requirement: ${(err as Error).message}`);
    }
  }
  for (const term of (query.get('fieldSelector') ?? '').split(',')) {
    if (term.trim() === '') continue;
    const m = term.match(/^\s*([^!=\s]+)\s*(!=|==|=)\s*(.*?)\s*$/);
    if (!m) throw ApiError.badRequest(`invalid selector: '${term}'; can't understand '${term}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const allowed = ['metadata.name', 'metadata.namespace', ...(FIELD_LABELS[info.kind] ?? [])];
    if (!allowed.includes(field)) throw ApiError.badRequest(`field label not supported: ${field}`);
    if (op === '!=') selection.fieldNotEquals.push([field, value]);
    else selection.fieldEquals[field] = value;
  }
  return selection;
}

/** Whether an object is selected (namespace, labels and fields). */
export function selects(selection: Selection, obj: KubeObject): boolean {
  if (selection.namespace && obj.metadata.namespace !== selection.namespace) return false;
  if (selection.labelSelector && !selectorMatches(selection.labelSelector, obj.metadata.labels)) return false;
  for (const [field, value] of Object.entries(selection.fieldEquals))
    if (fieldValue(obj, field) !== value) return false;
  for (const [field, value] of selection.fieldNotEquals) if (fieldValue(obj, field) === value) return false;
  return true;
}

/**
 * A boolean query parameter as the API server's query conversion reads it (Go's strconv.ParseBool:
 * `1`, `t`, `T`, `true`, `TRUE`, `True`); python3-kubernetes sends `watch=True`.
 */
export function queryFlag(query: URLSearchParams, key: string): boolean {
  return ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(query.get(key) ?? '');
}
