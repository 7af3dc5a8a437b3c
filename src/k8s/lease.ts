/**
 * `coordination.k8s.io/v1` Lease: the object shape, its MicroTime timestamps, and the rule every
 * Lease user shares (client-go's leader election, kubelet heartbeats): a lease is held while
 * `renewTime + leaseDurationSeconds` is in the future and `holderIdentity` is not empty.
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/api/coordination/v1/types.go
 */
import type { WorkloadKind } from './workloadKinds.js';
import { createHash } from 'node:crypto';
import type { KubeObject, ObjectMeta } from './objects.js';
import { parseTime } from './meta.js';

export const LEASE_API_VERSION = 'coordination.k8s.io/v1';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime (RFC 3339 with microseconds). */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
}

export interface Lease extends KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: LeaseSpec;
}

/**
 * metav1.MicroTime's wire format, `2006-01-02T15:04:05.000000Z07:00` (always UTC here):
 * https://github.com/kubernetes/apimachinery/blob/master/pkg/apis/meta/v1/micro_time.go
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * When the current holder's claim lapses: `renewTime + leaseDurationSeconds` (undefined when
 * nobody holds it, or the record is incomplete, which client-go treats as free to take too).
 */
export function leaseExpiry(lease: Lease | undefined): number | undefined {
  const spec = lease?.spec;
  if (!spec?.holderIdentity) return undefined;
  // (parseTime reads a MicroTime too: any RFC 3339 time.)
  const renewed = parseTime(spec.renewTime ?? spec.acquireTime);
  if (renewed === undefined || spec.leaseDurationSeconds === undefined) return undefined;
  return renewed + spec.leaseDurationSeconds * 1000;
}

/** Prefix of the gate's Lease names: `rollout-gate.<deployment>`. */
export const GATE_LEASE_PREFIX = 'rollout-gate.';
/** A Lease name is a DNS-1123 subdomain (ValidateLeaseName = NameIsDNSSubdomain): at most 253 characters. */
const MAX_NAME = 253;

/**
 * The name of the gate's Lease for the Deployment `name` (same namespace). Deployment names are
 * DNS-1123 subdomains themselves, so `rollout-gate.<name>` is valid as it is; a name too long for
 * the prefix keeps its head and ends with 10 hex digits of its SHA-256, so two long names sharing
 * a head still get two Leases (and the result stays exactly 253 characters, never colliding with
 * a short name's Lease unless the hash collides).
 */
export function gateLeaseName(workload: string, kind: WorkloadKind = 'Deployment'): string {
  // A Deployment's Lease keeps its first name; other kinds name theirs (a StatefulSet "web" is not the Deployment "web").
  const prefix = kind === 'Deployment' ? GATE_LEASE_PREFIX : `${GATE_LEASE_PREFIX}${kind.toLowerCase()}.`;
  const plain = prefix + workload;
  if (plain.length <= MAX_NAME) return plain;
  const hash = createHash('sha256').update(workload).digest('hex').slice(0, 10);
  // Each DNS label ends with an alphanumeric: drop a trailing '.'/'-' of the cut head.
  const head = workload.slice(0, MAX_NAME - prefix.length - hash.length - 1).replace(/[.-]+$/, '');
  return `${prefix}${head}-${hash}`;
}
