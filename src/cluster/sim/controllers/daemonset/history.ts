import { ApiError } from '../../../../k8s/apiError.js';
import { clone } from '../../../../k8s/meta.js';
import type { Pod } from '../../../../k8s/objects.js';
import type { ObjectStore } from '../../store/objectStore.js';
import { computeHash } from '../deployment/podTemplateHash.js';
import { canonicalJson } from '../deployment/semanticEqual.js';
import {
  claimRevisions,
  controllerReference,
  patchData,
  renumberRevision,
  sortRevisions,
  templatePatch,
  type ControllerRevision,
} from '../history/controllerHistory.js';
import { DAEMONSET_HASH_LABEL, type DaemonSet } from './daemonSetUtil.js';

/**
 * A DaemonSet's history in ControllerRevisions, as pkg/controller/daemon/update.go keeps it
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/daemon/update.go):
 * revisions are named `<ds>-<ComputeHash(template, collisionCount)>` and labelled
 * `controller-revision-hash`, unlike the StatefulSet's (named after the data's hash).
 */

/** Thrown by {@link constructHistory} after a name collision bumped `status.collisionCount`: sync again. */
export class HashCollision extends Error {}

/** Match: the revision's data is byte-for-byte the DaemonSet's getPatch. */
export function matchesRevision(ds: DaemonSet, revision: ControllerRevision): boolean {
  return templatePatch(ds.spec.template) === canonicalJson(revision.data);
}

/**
 * constructHistory: claims the revisions, labels the ones missing the hash label with their name,
 * splits them into the current one (matching the template; duplicates deduplicated) and the old
 * ones; creates the current revision (snapshot) or renumbers it past every old one.
 */
export function constructHistory(
  store: ObjectStore,
  ds: DaemonSet,
  listPods: () => Pod[],
): { cur: ControllerRevision; old: ControllerRevision[] } {
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let revision of claimRevisions(store, dsOwner(ds), ds.spec.selector ?? {})) {
    if (revision.metadata.labels?.[DAEMONSET_HASH_LABEL] === undefined) {
      const labelled = clone(revision);
      labelled.metadata.labels = {
        ...(labelled.metadata.labels ?? {}),
        [DAEMONSET_HASH_LABEL]: labelled.metadata.name!,
      };
      revision = store.update('ControllerRevision', labelled);
    }
    (matchesRevision(ds, revision) ? current : old).push(revision);
  }
  const currRevision = old.reduce((max, r) => Math.max(max, r.revision), 0) + 1;
  if (current.length === 0) return { cur: snapshot(store, ds, currRevision), old };
  let cur = dedupCurHistories(store, ds, current, listPods);
  if (cur.revision < currRevision) cur = renumberRevision(store, cur, currRevision);
  return { cur, old };
}

/**
 * dedupCurHistories: keeps the highest-numbered of several revisions equal to the template,
 * relabels the pods that carry another hash, deletes the others.
 */
function dedupCurHistories(
  store: ObjectStore,
  ds: DaemonSet,
  current: ControllerRevision[],
  listPods: () => Pod[],
): ControllerRevision {
  if (current.length === 1) return current[0]!;
  let keep = current[0]!;
  for (const r of current) if (r.revision >= keep.revision) keep = r;
  const hash = keep.metadata.labels?.[DAEMONSET_HASH_LABEL] ?? '';
  for (const pod of listPods()) {
    if (pod.metadata.labels?.[DAEMONSET_HASH_LABEL] === hash) continue;
    const relabelled = clone(pod);
    relabelled.metadata.labels = { ...(relabelled.metadata.labels ?? {}), [DAEMONSET_HASH_LABEL]: hash };
    store.update('Pod', relabelled);
  }
  for (const r of current) {
    if (r.metadata.name !== keep.metadata.name)
      store.remove('ControllerRevision', r.metadata.namespace, r.metadata.name!);
  }
  return keep;
}

/**
 * snapshot: creates the revision of the current template. On a name taken by a revision with other
 * data (a hash collision) it bumps `status.collisionCount` and fails, so the next sync hashes anew.
 */
function snapshot(store: ObjectStore, ds: DaemonSet, revision: number): ControllerRevision {
  const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
  const name = `${ds.metadata.name}-${hash}`;
  const history: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: ds.metadata.namespace,
      labels: { ...(ds.spec.template.metadata?.labels ?? {}), [DAEMONSET_HASH_LABEL]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [controllerReference(dsOwner(ds))],
    },
    data: patchData(templatePatch(ds.spec.template)),
    revision,
  };
  try {
    return store.create('ControllerRevision', history);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 409) throw err;
    const existing = store.mustGet<ControllerRevision>('ControllerRevision', ds.metadata.namespace, name);
    if (matchesRevision(ds, existing)) return existing;
    const fresh = store.mustGet<DaemonSet>('DaemonSet', ds.metadata.namespace, ds.metadata.name!);
    const status = { ...(fresh.status ?? emptyStatus()), collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
    store.update('DaemonSet', { ...fresh, status }, { subresource: 'status' });
    throw new HashCollision(`found a hash collision for DaemonSet "${ds.metadata.name}"`);
  }
}

/**
 * cleanupHistory: deletes the oldest old revisions beyond revisionHistoryLimit (counting every old
 * revision), never one whose hash a pod still carries (terminal pods included).
 */
export function cleanupHistory(store: ObjectStore, ds: DaemonSet, old: ControllerRevision[], pods: Pod[]): void {
  let toKill = old.length - (ds.spec.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const liveHashes = new Set<string>();
  for (const pod of pods) {
    const hash = pod.metadata.labels?.[DAEMONSET_HASH_LABEL];
    if (hash) liveHashes.add(hash);
  }
  for (const revision of sortRevisions(old)) {
    if (toKill <= 0) break;
    if (liveHashes.has(revision.metadata.labels?.[DAEMONSET_HASH_LABEL] ?? '')) continue;
    store.remove('ControllerRevision', revision.metadata.namespace, revision.metadata.name!);
    toKill--;
  }
}

function dsOwner(ds: DaemonSet) {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata };
}

function emptyStatus() {
  return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
}
