/**
 * What the API server checks of a coordination.k8s.io/v1 Lease: the JSON types of its spec
 * (decoding, a 400 before validation) and ValidateLease
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/coordination/validation/validation.go).
 */
import { ApiError, type StatusCause } from '../apiError.js';
import type { Lease } from '../lease.js';
import { invalid, nonNegative, toStatusCause, type FieldError } from './fieldErrors.js';
import { isDNS1123Subdomain } from './names.js';

const INT32 = ['leaseDurationSeconds', 'leaseTransitions'] as const;
const STRINGS = ['holderIdentity', 'strategy', 'preferredHolder'] as const;
const TIMES = ['acquireTime', 'renewTime'] as const;
/** Go's time layout of metav1.MicroTime, quoted in its parse errors. */
const MICRO_LAYOUT = '2006-01-02T15:04:05.000000Z07:00';

/**
 * The decoding errors of a Lease body, as the 400 the API server answers:
 * `Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal string into Go struct
 * field LeaseSpec.spec.leaseDurationSeconds of type int32`.
 */
export function decodeLease(obj: Lease): void {
  const spec = obj.spec as Record<string, unknown> | undefined | null;
  if (spec === undefined || spec === null) return;
  const fail = (detail: string) => ApiError.badRequest(`Lease in version "v1" cannot be handled as a Lease: ${detail}`);
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    throw fail(`json: cannot unmarshal ${jsonType(spec)} into Go struct field Lease.spec of type v1.LeaseSpec`);
  }
  for (const key of INT32) {
    const v = spec[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v > 2 ** 31 - 1 || v < -(2 ** 31)) {
      const what = typeof v === 'number' ? `number ${v}` : jsonType(v);
      throw fail(`json: cannot unmarshal ${what} into Go struct field LeaseSpec.spec.${key} of type int32`);
    }
  }
  for (const key of STRINGS) {
    const v = spec[key];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw fail(`json: cannot unmarshal ${jsonType(v)} into Go struct field LeaseSpec.spec.${key} of type string`);
    }
  }
  for (const key of TIMES) {
    const v = spec[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v)) || !/^\d{4}-\d\d-\d\dT/.test(v)) {
      throw fail(`parsing time ${JSON.stringify(String(v))} as "${MICRO_LAYOUT}": cannot parse as RFC 3339`);
    }
  }
}

/** ValidateLease: the name, and the two counters' ranges. */
export function leaseFieldErrors(obj: Lease): FieldError[] {
  const errors: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  for (const msg of isDNS1123Subdomain(name)) errors.push(invalid('metadata.name', name, msg));
  const spec = obj.spec ?? {};
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds !== null && spec.leaseDurationSeconds <= 0)
    errors.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions !== null)
    errors.push(...nonNegative(spec.leaseTransitions, 'spec.leaseTransitions'));
  return errors;
}

/** The store's validate hook: decoding first (400), then field validation (422 causes). */
export function validateLease(obj: Lease): StatusCause[] {
  decodeLease(obj);
  return leaseFieldErrors(obj).map(toStatusCause);
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}
