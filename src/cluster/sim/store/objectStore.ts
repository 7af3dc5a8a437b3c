import { ApiError } from '../../../k8s/apiError.js';
import { selectorMatches } from '../../../k8s/labels.js';
import { controllerOf } from '../../../k8s/meta.js';
import type { KubeObject, LabelSelector } from '../../../k8s/objects.js';
import type { Clock } from '../../../clock/clock.js';
import type { SeededRandom } from '../../../clock/seededRandom.js';
import { copyJson, copyJsonSharing, jsonEqual } from './jsonValue.js';
import { timestamp } from './timestamp.js';
import { KindRegistry, qualifiedResource, type KindInfo } from './kinds.js';

/**
 * Kinds whose status only their controller writes: a create drops it, a main-resource write keeps
 * the stored one (the registry strategies' PrepareForCreate/PrepareForUpdate).
 */
/** Kinds whose status only their controller writes (through the status subresource). */
const STATUS_OWNED_BY_CONTROLLER = new Set(['Deployment', 'ReplicaSet', 'DaemonSet', 'Job']);

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  kind: string;
  /** The object after the change (for DELETED: its last state, with the deletion's resourceVersion). */
  object: KubeObject;
  resourceVersion: number;
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  /** Exact-match field selectors: `metadata.name`, `metadata.namespace`, `spec.nodeName`, `status.phase`, `involvedObject.*`. */
  fieldSelector?: Record<string, string>;
}

export interface WriteOptions {
  /** Validate and default but do not persist (`dryRun=All`). */
  dryRun?: boolean;
}

export interface CreateOptions extends WriteOptions {
  /**
   * A fixed uid instead of a seeded draw, for objects every cluster starts with: adding one then
   * does not shift the seeded names of everything created after it.
   */
  uid?: string;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  /** Fail with 409 Conflict unless the stored resourceVersion equals this. */
  resourceVersion?: string;
  uid?: string;
}

/** Alphabet of generated names and hashes (`rand.SafeEncodeString`'s: no vowels, no confusables). */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const HEX = '0123456789abcdef';
/** Where the uid's random hex digits go (`x`); the rest is copied (version 4, variant 8). */
const UUID_SHAPE = 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx';

/** How many past changes a watch can resume from before getting `410 Gone`. */
const HISTORY_LIMIT = 20_000;

/**
 * The simulated API server's storage: versioned objects, generation rules, watches, and an
 * index of objects by controller owner (so controllers never rescan every pod).
 *
 * Reads return the stored objects themselves, which are replaced (never mutated) on every
 * write: treat them as read-only and `clone()` before editing.
 */
export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly byOwner = new Map<string, Map<string, KubeObject>>();
  private readonly watchers = new Set<(event: StoreEvent) => void>();
  private readonly history: StoreEvent[] = [];
  /** `<kind>/<key>` of deleted objects whose removal waits for their finalizers. */
  private readonly awaitingFinalizers = new Set<string>();
  /** Sorted full listings per kind, dropped on any write of that kind (nodes are listed per scheduling). */
  private readonly listCache = new Map<string, KubeObject[]>();
  private rv = 1000;
  private uidCounter = 0;

  constructor(
    readonly kinds: KindRegistry,
    private readonly clock: Clock,
    private readonly random: SeededRandom,
  ) {}

  resourceVersion(): number {
    return this.rv;
  }

  get<T extends KubeObject>(kind: string, namespace: string | undefined, name: string): T | undefined {
    return this.bucket(kind).get(this.key(kind, namespace, name)) as T | undefined;
  }

  mustGet<T extends KubeObject>(kind: string, namespace: string | undefined, name: string): T {
    const found = this.get<T>(kind, namespace, name);
    if (!found) throw ApiError.notFound(qualifiedResource(this.kinds.get(kind)), name);
    return found;
  }

  list<T extends KubeObject>(kind: string, namespace?: string, options: ListOptions = {}): T[] {
    const everything =
      (namespace === undefined || namespace === '') && !options.labelSelector && !options.fieldSelector;
    if (everything) {
      let all = this.listCache.get(kind);
      if (!all) {
        all = [...this.bucket(kind).values()].sort(byNamespaceAndName);
        this.listCache.set(kind, all);
      }
      return all.slice() as T[];
    }
    const out: T[] = [];
    for (const obj of this.bucket(kind).values()) {
      if (namespace !== undefined && namespace !== '' && obj.metadata.namespace !== namespace) continue;
      if (options.labelSelector && !selectorMatches(options.labelSelector, obj.metadata.labels)) continue;
      if (options.fieldSelector && !fieldsMatch(obj, options.fieldSelector)) continue;
      out.push(obj as T);
    }
    return out.sort(byNamespaceAndName);
  }

  /** Objects of `kind` whose controller ownerReference points at `ownerUid`, in creation order. */
  listOwnedBy<T extends KubeObject>(kind: string, ownerUid: string): T[] {
    const owned = this.byOwner.get(ownerUid);
    if (!owned) return [];
    const out: T[] = [];
    for (const obj of owned.values()) if (obj.kind === kind) out.push(obj as T);
    return out;
  }

  create<T extends KubeObject>(kind: string, input: T, options: CreateOptions = {}): T {
    const info = this.kinds.get(kind);
    const obj = copyJson(input);
    obj.apiVersion = info.apiVersion;
    obj.kind = info.kind;
    const meta = obj.metadata ?? (obj.metadata = {});
    if (!info.namespaced) delete meta.namespace;
    else if (!meta.namespace) meta.namespace = 'default';
    if (!meta.name && meta.generateName) meta.name = meta.generateName + this.random.string(SAFE_ALPHABET, 5);
    if (!meta.name) {
      throw new ApiError(
        422,
        'Invalid',
        `${info.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
        {
          kind: info.kind,
          causes: [
            {
              reason: 'FieldValueRequired',
              message: 'Required value: name or generateName is required',
              field: 'metadata.name',
            },
          ],
        },
      );
    }
    if (
      info.namespaced &&
      kind !== 'Namespace' &&
      this.kinds.has('Namespace') &&
      !this.get('Namespace', undefined, meta.namespace!)
    ) {
      throw new ApiError(404, 'NotFound', `namespaces "${meta.namespace}" not found`, {
        name: meta.namespace,
        kind: 'namespaces',
      });
    }
    if (this.get(kind, meta.namespace, meta.name)) throw ApiError.alreadyExists(qualifiedResource(info), meta.name);
    info.applyDefaults?.(obj);
    this.validate(info, obj, undefined);
    delete meta.resourceVersion;
    meta.uid = options.uid ?? this.nextUid();
    meta.creationTimestamp = timestamp(this.clock.now());
    if (info.bumpsGeneration) meta.generation = 1;
    // The strategy's PrepareForCreate runs with the uid known (a Job's generated selector holds it).
    info.prepareForCreate?.(obj);
    if ('status' in obj && STATUS_OWNED_BY_CONTROLLER.has(kind)) delete obj.status;
    if (options.dryRun) return obj;
    meta.resourceVersion = String(++this.rv);
    this.put(kind, obj);
    this.emit({ type: 'ADDED', kind, object: obj, resourceVersion: this.rv });
    return obj;
  }

  /**
   * Replaces an object. When `input.metadata.resourceVersion` is set it is a precondition
   * (409 Conflict if stale). `subresource: 'status'` keeps the stored spec and metadata (but,
   * for Deployments, takes the annotations: the controller writes the revision that way).
   */
  update<T extends KubeObject>(kind: string, input: T, options: WriteOptions & { subresource?: 'status' } = {}): T {
    const info = this.kinds.get(kind);
    const namespace = info.namespaced ? (input.metadata.namespace ?? 'default') : undefined;
    const name = input.metadata.name ?? '';
    const old = this.mustGet<T>(kind, namespace, name);
    const wanted = input.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== old.metadata.resourceVersion) {
      throw ApiError.conflict(qualifiedResource(info), name);
    }
    let next: T;
    const statusWrite = options.subresource === 'status';
    if (statusWrite) {
      // Only status (and maybe annotations) can change: compare those, not the whole object.
      const keepsAnnotations = info.statusKeeps === 'status+annotations';
      const unchanged =
        jsonEqual(input.status, old.status) &&
        (!keepsAnnotations || jsonEqual(input.metadata.annotations, old.metadata.annotations));
      if (unchanged && !options.dryRun) return old; // a no-op write changes nothing, as in the API server
      // Stored versions are never mutated, so the new version shares the unchanged spec.
      next = { ...old, metadata: { ...old.metadata } };
      const status = copyJsonSharing(input.status, old.status);
      if (status === undefined) delete (next as KubeObject).status;
      else (next as KubeObject).status = status;
      if (info.statusKeeps === 'status+annotations') {
        const annotations = copyJsonSharing(input.metadata.annotations, old.metadata.annotations);
        if (annotations) next.metadata.annotations = annotations;
        else delete next.metadata.annotations;
      }
    } else {
      // Subtrees the caller left untouched are shared with the stored version (never mutated;
      // API defaults are idempotent `??=` and were applied to every stored version already).
      next = copyJsonSharing(input === old ? { ...old } : input, old);
      next.apiVersion = info.apiVersion;
      next.kind = info.kind;
      // Identity and system fields come from the stored object, never from the caller.
      next.metadata = {
        ...next.metadata,
        namespace: old.metadata.namespace,
        name: old.metadata.name,
        uid: old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp,
        generation: old.metadata.generation,
        ...(old.metadata.deletionTimestamp ? { deletionTimestamp: old.metadata.deletionTimestamp } : {}),
      };
      if (!info.namespaced) delete next.metadata.namespace;
      if (next.metadata.generation === undefined) delete next.metadata.generation;
      // A main-resource write never changes status (the status subresource owns it).
      if (STATUS_OWNED_BY_CONTROLLER.has(kind)) {
        if (old.status === undefined) delete (next as KubeObject).status;
        else (next as KubeObject).status = old.status;
      }
      info.applyDefaults?.(next);
      info.prepareForUpdate?.(old, next);
      this.validate(info, next, old);
      if (info.bumpsGeneration?.(old, next)) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    if (options.dryRun) return next;
    if (!statusWrite && sameIgnoringVersion(next, old)) return old; // a no-op write changes nothing, as in the API server
    next.metadata.resourceVersion = String(++this.rv);
    this.put(kind, next);
    this.emit({ type: 'MODIFIED', kind, object: next, resourceVersion: this.rv });
    // The last finalizer of an object whose removal was asked for is gone: the API server deletes it now.
    const held = `${kind}/${this.key(kind, namespace, name)}`;
    if (this.awaitingFinalizers.has(held) && !(next.metadata.finalizers ?? []).length) {
      this.awaitingFinalizers.delete(held);
      this.remove(kind, namespace, name);
    }
    return next;
  }

  /**
   * Deletes an object. Kinds with graceful deletion (pods) get a deletionTimestamp and stay
   * until {@link remove} is called (by the kubelet); a zero grace period removes at once.
   * Returns the object as it is after the call.
   */
  delete<T extends KubeObject>(
    kind: string,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): T {
    const info = this.kinds.get(kind);
    const old = this.mustGet<T>(kind, namespace, name);
    if (options.resourceVersion && options.resourceVersion !== old.metadata.resourceVersion) {
      throw ApiError.conflict(qualifiedResource(info), name);
    }
    if (options.uid && options.uid !== old.metadata.uid) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (options.dryRun) return old;
    const grace =
      options.gracePeriodSeconds ??
      (old as KubeObject & { spec?: { terminationGracePeriodSeconds?: number } }).spec?.terminationGracePeriodSeconds ??
      30;
    if (info.gracefulDelete && grace > 0) {
      if (old.metadata.deletionTimestamp) return old;
      const next = { ...old, metadata: { ...old.metadata } };
      next.metadata.deletionTimestamp = timestamp(this.clock.now() + grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
      next.metadata.resourceVersion = String(++this.rv);
      this.put(kind, next);
      this.emit({ type: 'MODIFIED', kind, object: next, resourceVersion: this.rv });
      return next;
    }
    return this.remove<T>(kind, namespace, name)!;
  }

  /** Removes an object for good (end of graceful deletion), then garbage-collects its dependents. */
  remove<T extends KubeObject>(kind: string, namespace: string | undefined, name: string): T | undefined {
    const key = this.key(kind, namespace, name);
    const old = this.bucket(kind).get(key) as T | undefined;
    if (!old) return undefined;
    // Finalizers hold a deleted object (e.g. a Job's batch.kubernetes.io/job-tracking on its pods) until
    // their controller removes them; the object goes with the last one (see update).
    if (old.metadata.deletionTimestamp && (old.metadata.finalizers ?? []).length > 0) {
      this.awaitingFinalizers.add(`${kind}/${key}`);
      return undefined;
    }
    this.awaitingFinalizers.delete(`${kind}/${key}`);
    this.bucket(kind).delete(key);
    this.listCache.delete(kind);
    this.unindex(old);
    const gone = { ...old, metadata: { ...old.metadata } };
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: 'DELETED', kind, object: gone, resourceVersion: this.rv });
    // Background cascading deletion, as the garbage collector does for controller-owned objects.
    const dependents = [...(this.byOwner.get(old.metadata.uid ?? '')?.values() ?? [])];
    for (const dep of dependents) {
      if (this.get(dep.kind!, dep.metadata.namespace, dep.metadata.name!)) {
        this.delete(dep.kind!, dep.metadata.namespace, dep.metadata.name!);
      }
    }
    return gone;
  }

  /** Subscribes to every change, in order. Returns the unsubscribe function. */
  watch(handler: (event: StoreEvent) => void): () => void {
    this.watchers.add(handler);
    return () => this.watchers.delete(handler);
  }

  /**
   * Changes after `resourceVersion`, for resuming a watch; undefined when that version is
   * older than the retained history (the caller answers `410 Gone`).
   */
  changesSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion >= this.rv) return [];
    const first = this.history[0];
    if (!first || resourceVersion < first.resourceVersion - 1) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid]!.resourceVersion <= resourceVersion) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  private validate(info: KindInfo, obj: KubeObject, old: KubeObject | undefined): void {
    const causes = info.validate?.(obj, old) ?? [];
    if (causes.length > 0) throw ApiError.invalid(info.kind, info.group, obj.metadata.name ?? '', causes);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    // Trim in chunks (keeping at least HISTORY_LIMIT) so a busy store does not move 20,000 entries per write.
    if (this.history.length > 2 * HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    for (const watcher of [...this.watchers]) watcher(event);
  }

  private put(kind: string, obj: KubeObject): void {
    const key = this.key(kind, obj.metadata.namespace, obj.metadata.name!);
    const previous = this.bucket(kind).get(key);
    if (previous) this.unindex(previous);
    this.bucket(kind).set(key, obj);
    this.listCache.delete(kind);
    const owner = controllerOf(obj);
    if (owner) {
      let owned = this.byOwner.get(owner.uid);
      if (!owned) this.byOwner.set(owner.uid, (owned = new Map()));
      owned.set(`${kind}/${key}`, obj);
    }
  }

  private unindex(obj: KubeObject): void {
    const owner = controllerOf(obj);
    if (!owner) return;
    const owned = this.byOwner.get(owner.uid);
    owned?.delete(`${obj.kind}/${this.key(obj.kind!, obj.metadata.namespace, obj.metadata.name!)}`);
    if (owned && owned.size === 0) this.byOwner.delete(owner.uid);
  }

  private bucket(kind: string): Map<string, KubeObject> {
    let bucket = this.objects.get(kind);
    if (!bucket) this.objects.set(kind, (bucket = new Map()));
    return bucket;
  }

  private key(kind: string, namespace: string | undefined, name: string): string {
    return this.kinds.get(kind).namespaced ? `${namespace || 'default'}/${name}` : name;
  }

  private nextUid(): string {
    // Deterministic, UUID-shaped: the seeded generator makes runs replayable.
    // Same draws and output as random.string over the hex alphabet, without building 5 strings.
    this.uidCounter++;
    const r = this.random;
    let out = '';
    for (let i = 0; i < UUID_SHAPE.length; i++) {
      const c = UUID_SHAPE[i]!;
      out += c === 'x' ? HEX[r.int(16)] : c;
    }
    return out;
  }
}

/** Kinds whose status only the status subresource writes (main-resource writes keep the stored status). */
function sameIgnoringVersion(a: KubeObject, b: KubeObject): boolean {
  return jsonEqual(
    { ...a, metadata: { ...a.metadata, resourceVersion: undefined } },
    { ...b, metadata: { ...b.metadata, resourceVersion: undefined } },
  );
}

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Reads a dotted field path (`metadata.name`, `involvedObject.uid`) as a string. */
export function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

function fieldsMatch(obj: KubeObject, fields: Record<string, string>): boolean {
  return Object.entries(fields).every(([path, value]) => fieldValue(obj, path) === value);
}
