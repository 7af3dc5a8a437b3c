import type { StatusCause } from '../apiError.js';
import { selectorIsEmpty } from '../labels.js';
import type { IntOrString, KubeObject, LabelSelector, PodTemplateSpec } from '../objects.js';
import {
  intOrPercentValue,
  percentValue,
  positiveIntOrPercent,
  selectorConvertible,
  selectorJson,
  selectorsEqual,
  validateLabelSelector,
  validateObjectMeta,
  validatePodTemplateForReplicaSet,
} from './deployment.js';
import { type FieldError, invalid, nonNegative, notSupported, required, toStatusCause } from './fieldErrors.js';

/**
 * API validation of a defaulted apps/v1 DaemonSet: `ValidateDaemonSet`, `ValidateDaemonSetSpec`,
 * `ValidateDaemonSetUpdateStrategy`, `ValidateRollingUpdateDaemonSet` and the selector immutability
 * of `ValidateDaemonSetUpdate`, in the order of
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/apps/validation/validation.go
 */
export interface DaemonSetManifest extends KubeObject {
  spec: {
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
}

export function validateDaemonSet(ds: DaemonSetManifest, old?: DaemonSetManifest): StatusCause[] {
  return daemonSetFieldErrors(ds, old).map(toStatusCause);
}

export function daemonSetFieldErrors(ds: DaemonSetManifest, old?: DaemonSetManifest): FieldError[] {
  const errs = validateObjectMeta(ds);
  const spec = ds.spec ?? {};
  const selector = spec.selector;
  if (selector) errs.push(...validateLabelSelector(selector, 'spec.selector'));
  if (selector && selectorIsEmpty(selector))
    errs.push(invalid('spec.selector', selectorJson(selector), 'empty selector is invalid for daemonset'));
  // The template labels are checked against a selector that converts (a nil one matches nothing).
  if (!selector || selectorConvertible(selector))
    errs.push(...validatePodTemplateForReplicaSet(spec.template ?? {}, selector, 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(spec.updateStrategy ?? {}));
  if (spec.revisionHistoryLimit !== undefined && spec.revisionHistoryLimit !== null)
    errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (old && !selectorsEqual(selector, old.spec?.selector))
    errs.push(invalid('spec.selector', selectorJson(selector), 'field is immutable'));
  return errs;
}

function validateUpdateStrategy(strategy: NonNullable<DaemonSetManifest['spec']['updateStrategy']>): FieldError[] {
  const path = 'spec.updateStrategy';
  switch (strategy.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      const rolling = strategy.rollingUpdate;
      if (!rolling) return [required(`${path}.rollingUpdate`)];
      const unavailable = rolling.maxUnavailable ?? 0;
      const surge = rolling.maxSurge ?? 0;
      const errs = [
        ...positiveIntOrPercent(unavailable, `${path}.rollingUpdate.maxUnavailable`),
        ...positiveIntOrPercent(surge, `${path}.rollingUpdate.maxSurge`),
      ];
      for (const [value, field] of [
        [unavailable, 'maxUnavailable'],
        [surge, 'maxSurge'],
      ] as const) {
        const percent = percentValue(value);
        if (percent !== undefined && percent > 100)
          errs.push(invalid(`${path}.rollingUpdate.${field}`, value, 'must not be greater than 100%'));
      }
      const hasUnavailable = intOrPercentValue(unavailable) !== 0;
      const hasSurge = intOrPercentValue(surge) !== 0;
      if (hasUnavailable && hasSurge)
        errs.push(invalid(`${path}.rollingUpdate.maxSurge`, surge, 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge)
        errs.push(required(`${path}.rollingUpdate.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [notSupported(path, strategy, ['RollingUpdate', 'OnDelete'])];
  }
}
