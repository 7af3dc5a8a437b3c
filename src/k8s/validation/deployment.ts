import type { StatusCause } from '../apiError.js';
import { selectorIsEmpty, selectorMatches } from '../labels.js';
import type { Container, Deployment, IntOrString, LabelSelector, PodTemplateSpec } from '../objects.js';
import {
  type FieldError,
  duplicate,
  forbidden,
  invalid,
  nonNegative,
  notSupported,
  required,
  sortedMap,
  toStatusCause,
} from './fieldErrors.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPercent,
  validateAnnotations,
  validateLabels,
} from './names.js';

/**
 * API validation of apps/v1 Deployments, as the apiserver runs it on the defaulted object:
 * `ValidateDeployment` / `ValidateDeploymentUpdate` and `ValidateDeploymentSpec` in
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/apps/validation/validation.go,
 * plus the parts of `ValidateObjectMeta` and `ValidatePodTemplateSpec`
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go)
 * that a Deployment manifest commonly trips over. Error order follows the Go code.
 */

/**
 * A defaulted deep copy (apps/v1 `SetDefaults_Deployment`, spec §1, plus the pod default
 * `restartPolicy: Always` that the template validation relies on):
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/apps/v1/defaults.go
 */
export function withDeploymentDefaults(d: Deployment): Deployment {
  const copy = JSON.parse(JSON.stringify(d)) as Deployment;
  copy.metadata ??= {};
  copy.spec ??= { template: {} };
  const spec = copy.spec;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ??= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.template ??= {};
  spec.template.spec ??= { containers: [] };
  spec.template.spec.restartPolicy ??= 'Always';
  return copy;
}

/**
 * Field errors for a create (`old` undefined) or an update of a **defaulted** Deployment,
 * as StatusCauses ready for `ApiError.invalid('Deployment', 'apps', name, causes)`.
 */
export function validateDeployment(d: Deployment, old?: Deployment): StatusCause[] {
  return deploymentFieldErrors(d, old).map(toStatusCause);
}

/** Same as {@link validateDeployment}, returning the structured field errors. */
export function deploymentFieldErrors(d: Deployment, old?: Deployment): FieldError[] {
  const errs = validateObjectMeta(d);
  errs.push(...validateDeploymentSpec(d));
  // Selector immutability (apps/v1): ValidateDeploymentUpdate since PR #131017, previously the
  // strategy's ValidateUpdate; both append it after the spec errors.
  if (old && !selectorsEqual(d.spec?.selector, old.spec?.selector)) {
    errs.push(invalid('spec.selector', selectorJson(d.spec?.selector), 'field is immutable'));
  }
  return errs;
}

/** The slice of `ValidateObjectMeta(meta, requiresNamespace, NameIsDNSSubdomain)` that applies to manifests. */
export function validateObjectMeta(d: Pick<Deployment, 'metadata'>): FieldError[] {
  const errs: FieldError[] = [];
  const meta = d.metadata ?? {};
  const name = meta.name ?? '';
  if (name === '') errs.push(required('metadata.name', 'name or generateName is required'));
  else for (const msg of isDNS1123Subdomain(name)) errs.push(invalid('metadata.name', name, msg));
  // The namespace comes from the request URL in the apiserver, so only a present one is checked.
  if (meta.namespace)
    for (const msg of isDNS1123Label(meta.namespace)) errs.push(invalid('metadata.namespace', meta.namespace, msg));
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  return errs;
}

function validateDeploymentSpec(d: Deployment): FieldError[] {
  const spec = d.spec ?? ({ template: {} } as Deployment['spec']);
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas ?? 0, 'spec.replicas'));

  const selector = spec.selector;
  if (selector === undefined || selector === null) {
    errs.push(required('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (selectorIsEmpty(selector)) {
      errs.push(invalid('spec.selector', selectorJson(selector), 'empty selector is invalid for deployment'));
    }
  }

  if (selector && !selectorConvertible(selector)) {
    errs.push(invalid('spec.selector', selectorJson(selector), 'invalid label selector'));
  } else {
    // A nil selector converts to labels.Nothing(), which is not Empty() and matches nothing, so a
    // missing selector also reports the template labels (the well-known pair of errors).
    errs.push(...validatePodTemplateForReplicaSet(spec.template ?? {}, selector));
  }

  errs.push(...validateStrategy(spec.strategy ?? {}));
  errs.push(...nonNegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  if (spec.revisionHistoryLimit !== undefined && spec.revisionHistoryLimit !== null) {
    errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  }
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds !== null) {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(
        invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'),
      );
    }
  }
  return errs;
}

/**
 * `ValidatePodTemplateSpecForReplicaSet` with the pod-template checks it delegates to; for a
 * DaemonSet (ValidateDaemonSetSpec) or a StatefulSet (ValidateStatefulSetSpec) the same checks, with
 * their own activeDeadlineSeconds error.
 */
export function validatePodTemplateForReplicaSet(
  template: PodTemplateSpec,
  selector: LabelSelector | undefined,
  owner: 'ReplicaSet' | 'DaemonSet' | 'StatefulSet' = 'ReplicaSet',
): FieldError[] {
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels;
  if (!selector || !selectorIsEmpty(selector)) {
    if (!selectorMatches(selector, labels ?? {})) {
      errs.push(
        invalid('spec.template.metadata.labels', sortedMap(labels), '`selector` does not match template `labels`'),
      );
    }
  }
  errs.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  errs.push(...validateAnnotations(template.metadata?.annotations, 'spec.template.metadata.annotations'));

  const podSpec = template.spec;
  const containers = podSpec?.containers ?? [];
  const names = new Set<string>();
  if (containers.length === 0) errs.push(required('spec.template.spec.containers'));
  containers.forEach((c, i) => errs.push(...validateContainer(c, `spec.template.spec.containers[${i}]`, names)));
  (podSpec?.initContainers ?? []).forEach((c, i) =>
    errs.push(...validateContainer(c, `spec.template.spec.initContainers[${i}]`, names)),
  );

  // First-order restartPolicy check of ValidatePodSpec, then the ReplicaSet-specific one.
  const restartPolicy = podSpec?.restartPolicy ?? '';
  if (restartPolicy === '') errs.push(required('spec.template.spec.restartPolicy'));
  else if (!['Always', 'OnFailure', 'Never'].includes(restartPolicy)) {
    errs.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always', 'OnFailure', 'Never']));
  }
  if (restartPolicy !== 'Always')
    errs.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (podSpec?.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(
      owner === 'DaemonSet'
        ? invalid(
            'spec.template.spec.activeDeadlineSeconds',
            podSpec.activeDeadlineSeconds,
            'activeDeadlineSeconds must be nil for daemonsets',
          )
        : forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${owner} is not Supported`),
    );
  }
  return errs;
}

/**
 * `validateContainerCommon` name/image checks and the duplicate-name check shared by containers and
 * initContainers. Leading/trailing image whitespace is deliberately not checked for templates
 * (upstream keeps it for backward compatibility; only Pods reject it).
 */
export function validateContainer(c: Container, path: string, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const name = c?.name ?? '';
  if (name === '') errs.push(required(`${path}.name`));
  else for (const msg of isDNS1123Label(name)) errs.push(invalid(`${path}.name`, name, msg));
  if ((c?.image ?? '') === '') errs.push(required(`${path}.image`));
  if (name !== '') {
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
    else names.add(name);
  }
  return errs;
}

/** `ValidateDeploymentStrategy`. */
function validateStrategy(strategy: NonNullable<Deployment['spec']['strategy']>): FieldError[] {
  switch (strategy.type) {
    case 'Recreate':
      return strategy.rollingUpdate
        ? [forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'")]
        : [];
    case 'RollingUpdate':
      if (!strategy.rollingUpdate)
        return [required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil')];
      return validateRollingUpdate(strategy.rollingUpdate.maxUnavailable, strategy.rollingUpdate.maxSurge);
    default:
      // The bad value is the internal apps.DeploymentStrategy, whose fields carry no json tags, so
      // json.Marshal prints Go field names.
      return [
        notSupported(
          'spec.strategy',
          {
            Type: strategy.type ?? '',
            RollingUpdate: strategy.rollingUpdate
              ? {
                  MaxUnavailable: strategy.rollingUpdate.maxUnavailable ?? 0,
                  MaxSurge: strategy.rollingUpdate.maxSurge ?? 0,
                }
              : null,
          },
          ['Recreate', 'RollingUpdate'],
        ),
      ];
  }
}

/** `ValidateRollingUpdateDeployment`. A nil IntOrString is int 0 in the internal type. */
function validateRollingUpdate(
  maxUnavailable: IntOrString | undefined,
  maxSurge: IntOrString | undefined,
): FieldError[] {
  const unavailable = maxUnavailable ?? 0;
  const surge = maxSurge ?? 0;
  const path = 'spec.strategy.rollingUpdate';
  const errs = [
    ...positiveIntOrPercent(unavailable, `${path}.maxUnavailable`),
    ...positiveIntOrPercent(surge, `${path}.maxSurge`),
  ];
  if (intOrPercentValue(unavailable) === 0 && intOrPercentValue(surge) === 0) {
    errs.push(invalid(`${path}.maxUnavailable`, unavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  const percent = percentValue(unavailable);
  if (percent !== undefined && percent > 100)
    errs.push(invalid(`${path}.maxUnavailable`, unavailable, 'must not be greater than 100%'));
  return errs;
}

/** `ValidatePositiveIntOrPercent`. */
export function positiveIntOrPercent(value: IntOrString, path: string): FieldError[] {
  if (typeof value === 'string') return isValidPercent(value).map((msg) => invalid(path, value, msg));
  if (typeof value === 'number') return nonNegative(value, path);
  return [invalid(path, value, "must be an integer or percentage (e.g '5%')")];
}

/** `getPercentValue`: the number before `%` for a valid percent string, else undefined. */
export function percentValue(value: IntOrString): number | undefined {
  if (typeof value !== 'string' || isValidPercent(value).length > 0) return undefined;
  return Number.parseInt(value.slice(0, -1), 10);
}

/** `getIntOrPercentValue`: an invalid string falls back to `IntValue()`, i.e. Go's Atoi or 0. */
export function intOrPercentValue(value: IntOrString): number {
  const percent = percentValue(value);
  if (percent !== undefined) return percent;
  if (typeof value === 'number') return value;
  return /^[+-]?[0-9]+$/.test(String(value)) ? Number.parseInt(String(value), 10) : 0;
}

/** `ValidateLabelSelector` (strict: label values in expressions are validated). */
export function validateLabelSelector(selector: LabelSelector, path: string): FieldError[] {
  const errs = validateLabels(selector.matchLabels, `${path}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const reqPath = `${path}.matchExpressions[${i}]`;
    const values = req.values ?? [];
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (values.length === 0)
        errs.push(required(`${reqPath}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
      if (values.length > 0) {
        errs.push(forbidden(`${reqPath}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      errs.push(invalid(`${reqPath}.operator`, req.operator, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(req.key ?? '')) errs.push(invalid(`${reqPath}.key`, req.key ?? '', msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) errs.push(invalid(`${reqPath}.values[${j}]`, v, msg));
    });
  });
  return errs;
}

/** Whether `metav1.LabelSelectorAsSelector` succeeds (every requirement passes `labels.NewRequirement`). */
export function selectorConvertible(selector: LabelSelector): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (isQualifiedName(key).length > 0 || isValidLabelValue(value).length > 0) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const values = req.values ?? [];
    if (isQualifiedName(req.key ?? '').length > 0) return false;
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (values.length === 0) return false;
    } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
      if (values.length > 0) return false;
    } else {
      return false;
    }
    if (values.some((v) => isValidLabelValue(v).length > 0)) return false;
  }
  return true;
}

/** The selector as metav1.LabelSelector marshals it: struct order, sorted map keys, empty fields omitted. */
export function selectorJson(selector: LabelSelector | undefined): unknown {
  if (!selector) return null;
  const out: Record<string, unknown> = {};
  if (Object.keys(selector.matchLabels ?? {}).length > 0) out.matchLabels = sortedMap(selector.matchLabels);
  if ((selector.matchExpressions ?? []).length > 0) {
    out.matchExpressions = selector.matchExpressions!.map((r) => ({
      key: r.key,
      operator: r.operator,
      ...(r.values && r.values.length > 0 ? { values: r.values } : {}),
    }));
  }
  return out;
}

/** Semantic equality of selectors (nil and empty maps/lists are equal, as in apiequality.Semantic). */
export function selectorsEqual(a: LabelSelector | undefined, b: LabelSelector | undefined): boolean {
  if (!a || !b) return !a && !b;
  return JSON.stringify(selectorJson(a)) === JSON.stringify(selectorJson(b));
}
