import type { StatusCause } from '../apiError.js';
import { deepEqual } from '../json.js';
import { selectorIsEmpty } from '../labels.js';
import type { StatefulSet } from '../statefulSet.js';
import {
  selectorConvertible,
  selectorJson,
  validateLabelSelector,
  validateObjectMeta,
  validatePodTemplateForReplicaSet,
} from './deployment.js';
import {
  type FieldError,
  forbidden,
  invalid,
  nonNegative,
  notSupported,
  required,
  toStatusCause,
} from './fieldErrors.js';

/**
 * API validation of a defaulted apps/v1 StatefulSet: `ValidateStatefulSet` / `ValidateStatefulSetSpec`
 * and `ValidateStatefulSetUpdate` of
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/apps/validation/validation.go
 * (the pod template checks are the ReplicaSet's, with the StatefulSet's wording). Most important for
 * a gate: a real cluster refuses changes to anything but replicas, ordinals, template,
 * updateStrategy, revisionHistoryLimit, the claim retention policy and minReadySeconds.
 */
export function validateStatefulSet(set: StatefulSet, old?: StatefulSet): StatusCause[] {
  const errs = validateObjectMeta(set);
  errs.push(...validateStatefulSetSpec(set));
  if (old) errs.push(...validateStatefulSetUpdate(set, old));
  return errs.map(toStatusCause);
}

function validateStatefulSetSpec(set: StatefulSet): FieldError[] {
  const spec = set.spec ?? ({ selector: {}, template: {} } as StatefulSet['spec']);
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy ?? '';
  if (policy === '') errs.push(required('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel')
    errs.push(invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  const strategy = spec.updateStrategy ?? {};
  if (!strategy.type) errs.push(required('spec.updateStrategy'));
  else if (strategy.type === 'OnDelete') {
    if (strategy.rollingUpdate)
      errs.push(
        invalid(
          'spec.updateStrategy.rollingUpdate',
          strategy.rollingUpdate,
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
  } else if (strategy.type === 'RollingUpdate') {
    if (strategy.rollingUpdate?.partition !== undefined)
      errs.push(...nonNegative(strategy.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
  } else errs.push(invalid('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  const retention = spec.persistentVolumeClaimRetentionPolicy ?? {};
  for (const field of ['whenDeleted', 'whenScaled'] as const) {
    const value = retention[field];
    if (value !== undefined && value !== 'Retain' && value !== 'Delete')
      errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${field}`, value, ['Retain', 'Delete']));
  }
  errs.push(...nonNegative(spec.replicas ?? 0, 'spec.replicas'));
  if (spec.ordinals) errs.push(...nonNegative(spec.ordinals.start ?? 0, 'spec.ordinals.start'));
  errs.push(...nonNegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  const selector = spec.selector;
  if (!selector) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (selectorIsEmpty(selector))
      errs.push(invalid('spec.selector', selectorJson(selector), 'empty selector is invalid for statefulset'));
  }
  if (selector && !selectorConvertible(selector)) errs.push(invalid('spec.selector', selectorJson(selector), ''));
  else errs.push(...validatePodTemplateForReplicaSet(spec.template ?? {}, selector, 'StatefulSet'));
  return errs;
}

/** ValidateStatefulSetUpdate: the spec may change only in the fields listed in the message. */
function validateStatefulSetUpdate(set: StatefulSet, old: StatefulSet): FieldError[] {
  const mutable = [
    'replicas',
    'template',
    'updateStrategy',
    'minReadySeconds',
    'ordinals',
    'revisionHistoryLimit',
    'persistentVolumeClaimRetentionPolicy',
  ] as const;
  const next: Record<string, unknown> = { ...set.spec };
  const before: Record<string, unknown> = { ...old.spec };
  for (const field of mutable) {
    delete next[field];
    delete before[field];
  }
  if (deepEqual(next, before)) return [];
  return [
    forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}
