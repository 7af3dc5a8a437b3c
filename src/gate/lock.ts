import type { ClusterClient, WorkloadRef } from '../cluster/port.js';
import { ApiError } from '../k8s/apiError.js';
import { gateLeaseName, LEASE_API_VERSION, leaseExpiry, microTime, type Lease } from '../k8s/lease.js';
import { workloadKindOf, workloadLabel } from '../k8s/workloadKinds.js';
import type { GateLog } from './gateLog.js';

/**
 * A lease against a second gate run on the same Deployment while one is running: one
 * `coordination.k8s.io/v1` Lease per Deployment, `rollout-gate.<name>` in its namespace, used as
 * client-go's leader election uses it (tools/leaderelection/leaderelection.go tryAcquireOrRenew,
 * release; resourcelock/leaselock.go):
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/client-go/tools/leaderelection/leaderelection.go
 * * taken with a create (409 AlreadyExists: someone else created it first) or, when it exists and
 *   nobody holds it live, with an update conditional on its resourceVersion (409 Conflict: someone
 *   else wrote first); both re-read and decide again. Taking it from another holder sets
 *   acquireTime and counts one more leaseTransition, as client-go does;
 * * renewed (renewTime) every {@link RENEW_AFTER_MS} while the run lives, so a run that dies
 *   without releasing it (SIGKILL, a lost runner) blocks others for at most
 *   {@link LEASE_DURATION_SECONDS} after its last renewal;
 * * released at the end as client-go releases: holderIdentity empty, leaseDurationSeconds 1.
 * The Lease is never deleted: its annotations also keep the last-good record (recordLastGood.ts).
 *
 * Nothing of this is written on the Deployment, so the gate's bookkeeping never bumps its
 * generation nor lands in its ReplicaSets, and a Deployment that does not exist yet is locked
 * before this run creates it. Expiry compares the holder's renewTime with our clock (client-go
 * uses the time it first observed a record instead, which a one-shot run cannot): it assumes
 * clocks agree within seconds, as the lease duration is a minute.
 */
export const LEASE_DURATION_SECONDS = 60;
/** How long after a renewal the next is due: three tries before the lease would lapse. */
export const RENEW_AFTER_MS = 20_000;
/** Field manager of the gate's own bookkeeping writes (its Leases). */
export const LEASE_FIELD_MANAGER = 'rollout-gate-record';
/**
 * The annotation lock of versions before Leases, on the Deployment itself. Never written any more;
 * named so an undo keeps whatever value the Deployment still has (rollbackWorkloads.ts).
 */
export const LOCK_ANNOTATION = 'rollout-gate.dev/lock';
/** On the Lease: which Deployment it is for (its name may be shortened). */
export const LEASE_DEPLOYMENT_ANNOTATION = 'rollout-gate.dev/deployment';

/** Another run's live hold on a Deployment's Lease. */
export interface LeaseHold {
  holder: string;
  /** ms since the epoch */
  expiresAt: number;
  /** The Lease's name. */
  lease: string;
}

export type LockOutcome =
  | { state: 'held'; lease: Lease }
  | { state: 'locked'; hold: LeaseHold }
  /** The identity may not use Leases there (403): the run goes on without this lock. */
  | { state: 'unavailable' }
  /**
   * The namespace does not exist (yet): no Lease can be created in it, and no other run can have
   * deployed there. The gate takes the Lease right after its apply created the namespace (a
   * Namespace in the same run), or the apply fails on the Deployment's own document.
   */
  | { state: 'no-namespace' };

/** The Lease of `ref` as it is before anyone holds it. */
export function blankLease(ref: WorkloadRef): Lease {
  return {
    apiVersion: LEASE_API_VERSION,
    kind: 'Lease',
    metadata: {
      name: gateLeaseName(ref.name, workloadKindOf(ref)),
      namespace: ref.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'rollout-gate' },
      annotations: { [LEASE_DEPLOYMENT_ANNOTATION]: ref.name },
    },
    spec: {},
  };
}

/** The live hold of a holder other than `holder`, if any. */
export function foreignHold(lease: Lease | undefined, holder: string, now: number): LeaseHold | undefined {
  const expiresAt = leaseExpiry(lease);
  const other = lease?.spec?.holderIdentity;
  if (!other || other === holder || expiresAt === undefined || expiresAt <= now) return undefined;
  return { holder: other, expiresAt, lease: lease!.metadata.name ?? '' };
}

const ATTEMPTS = 8;

/**
 * Reads the Lease of `ref`, lets `change` decide its next state (undefined: leave it), and writes
 * it: create when absent, else an update conditional on the version read. A conflict (someone
 * wrote in between, or our own write whose answer was lost) re-reads and decides again.
 * Returns the Lease as stored and whether this call wrote it.
 */
export async function writeLease(
  cluster: ClusterClient,
  ref: WorkloadRef,
  change: (current: Lease | undefined, now: number) => Lease | undefined,
): Promise<{ lease: Lease | undefined; written: boolean }> {
  const name = gateLeaseName(ref.name, workloadKindOf(ref));
  for (let attempt = 1; ; attempt++) {
    const current = await cluster.get<Lease>(LEASE_API_VERSION, 'Lease', ref.namespace, name);
    const next = change(current, cluster.clock.now());
    if (!next) return { lease: current, written: false };
    try {
      const lease = current
        ? await cluster.replace<Lease>(
            { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion ?? '' } },
            LEASE_FIELD_MANAGER,
          )
        : await cluster.create<Lease>(next, LEASE_FIELD_MANAGER);
      return { lease, written: true };
    } catch (err) {
      const raced = err instanceof ApiError && err.code === 409;
      if (raced && attempt < ATTEMPTS) continue;
      throw err;
    }
  }
}

/** Takes the Lease of one Deployment for `holder` (see the module doc). */
export async function acquireLock(cluster: ClusterClient, ref: WorkloadRef, holder: string): Promise<LockOutcome> {
  let hold: LeaseHold | undefined;
  const { lease, written } = await writeLease(cluster, ref, (current, now) => {
    hold = foreignHold(current, holder, now);
    if (hold) return undefined;
    const base = current ?? blankLease(ref);
    const spec = base.spec ?? {};
    const ours = spec.holderIdentity === holder;
    return {
      ...base,
      spec: {
        ...spec,
        holderIdentity: holder,
        leaseDurationSeconds: LEASE_DURATION_SECONDS,
        acquireTime: ours && spec.acquireTime ? spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: current === undefined ? 0 : (spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
      },
    };
  });
  return written ? { state: 'held', lease: lease! } : { state: 'locked', hold: hold! };
}

/** Renews our hold; false when the Lease is no longer ours (it lapsed and someone took it). */
export async function renewLock(cluster: ClusterClient, ref: WorkloadRef, holder: string): Promise<boolean> {
  const { written } = await writeLease(cluster, ref, (current, now) =>
    current?.spec?.holderIdentity === holder
      ? {
          ...current,
          spec: { ...current.spec, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(now) },
        }
      : undefined,
  );
  return written;
}

/** Gives our hold up, only while it is still ours. Never throws: a hold left behind lapses. */
export async function releaseLock(cluster: ClusterClient, ref: WorkloadRef, holder: string): Promise<boolean> {
  try {
    await writeLease(cluster, ref, (current, now) =>
      current?.spec?.holderIdentity === holder
        ? {
            ...current,
            spec: {
              ...current.spec,
              holderIdentity: '',
              leaseDurationSeconds: 1,
              acquireTime: microTime(now),
              renewTime: microTime(now),
            },
          }
        : undefined,
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * The run's holds: taken one Deployment at a time, renewed while the run lives, released at the
 * end. Renewal happens whenever the gate waits (`renewIfDue` before each wait, which the caller
 * caps at `dueIn`: on the virtual clock time only moves there) and, on a clock that can tick
 * (`every`, wall time), on a timer as well, so a long request does not starve it.
 */
export class LeaseKeeper {
  private readonly held = new Map<string, { ref: WorkloadRef; renewedAt: number }>();
  private renewing?: Promise<void>;
  private stopTimer?: () => void;

  constructor(
    private readonly cluster: ClusterClient,
    readonly holder: string,
    private readonly log: GateLog,
  ) {}

  async acquire(ref: WorkloadRef): Promise<LockOutcome> {
    let outcome: LockOutcome;
    try {
      outcome = await acquireLock(this.cluster, ref, this.holder);
    } catch (err) {
      // An identity allowed to deploy but not to use Leases (a Role written for earlier versions)
      // still deploys; without the lock and the last-good record, and told how to get them back.
      // No namespace yet (NamespaceLifecycle refuses the create: 404 `namespaces "x" not found`): no
      // other run can hold a Lease in it. The gate takes the Lease right after its apply created the
      // namespace (a Namespace in the same run), or the apply fails at the Deployment's document.
      if (missingNamespace(err, ref.namespace)) {
        this.log.info(
          `namespace "${ref.namespace}" does not exist yet: the Lease of ${workloadLabel(ref)} is taken once the apply created it`,
        );
        return { state: 'no-namespace' };
      }
      if (!(err instanceof ApiError && err.code === 403)) throw err;
      this.log.warn(
        `cannot use the Lease ${gateLeaseName(ref.name, workloadKindOf(ref))} in namespace "${ref.namespace}" (${err.message}): ` +
          'deploying without the lock against a concurrent run and without a recorded last good revision; ' +
          'allow get, create and update on leases.coordination.k8s.io in that namespace',
      );
      return { state: 'unavailable' };
    }
    if (outcome.state === 'held') {
      this.held.set(key(ref), { ref, renewedAt: this.cluster.clock.now() });
      const every = this.cluster.clock.every;
      this.stopTimer ??= every?.call(this.cluster.clock, RENEW_AFTER_MS / 4, () => void this.renewIfDue());
    }
    return outcome;
  }

  /** ms until the next renewal is due (Infinity when nothing is held). */
  dueIn(): number {
    const now = this.cluster.clock.now();
    let due = Infinity;
    for (const h of this.held.values()) due = Math.min(due, h.renewedAt + RENEW_AFTER_MS - now);
    return Math.max(0, due);
  }

  /** Renews every hold whose renewal is due; one renewal round at a time. */
  renewIfDue(): Promise<void> {
    this.renewing ??= this.renewDue().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async renewDue(): Promise<void> {
    for (const [k, h] of [...this.held]) {
      if (this.cluster.clock.now() - h.renewedAt < RENEW_AFTER_MS) continue;
      try {
        if (await renewLock(this.cluster, h.ref, this.holder)) {
          h.renewedAt = this.cluster.clock.now();
          continue;
        }
        this.held.delete(k);
        this.log.warn(
          `the Lease ${gateLeaseName(h.ref.name, workloadKindOf(h.ref))} of ${workloadLabel(h.ref)} lapsed and is no longer this run's; ` +
            'another gate run may deploy it too',
        );
      } catch {
        // Unreachable for now: try again at the next wait; the hold lasts a minute.
      }
    }
  }

  /** Releases every hold (after any renewal in flight). */
  async releaseAll(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    await this.renewing;
    const refs = [...this.held.values()].map((h) => h.ref);
    this.held.clear();
    for (const ref of refs) await releaseLock(this.cluster, ref, this.holder);
  }
}

function key(ref: WorkloadRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/** The API server's 404 for a write into a namespace that does not exist (plugin/pkg/admission/namespace/lifecycle). */
function missingNamespace(err: unknown, namespace: string): boolean {
  return ApiError.isNotFound(err) && (err as ApiError).message === `namespaces "${namespace}" not found`;
}
