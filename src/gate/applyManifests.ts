import { ApiError } from '../k8s/apiError.js';
import { applyClashes, appliedFieldsOf, type FieldClash } from '../k8s/managedFields.js';
import { clone } from '../k8s/meta.js';
import { Annotations, type KubeObject } from '../k8s/objects.js';
import { GATE_FIELD_MANAGER } from '../rollback/undoApply.js';
import { driftValue } from '../report/drift.js';
import type { ClusterClient } from '../cluster/port.js';
import { isCrd } from '../k8s/crd.js';
import { waitForCrdEstablished } from './crdEstablished.js';
import type { AppliedObject, DriftRecord } from './result.js';

/** A document to apply, with where it came from (the manifest loader's output). */
export interface ApplyDocument {
  file: string;
  line: number;
  object: KubeObject;
}

export interface ApplyOutcome {
  applied: AppliedObject[];
  /** The stored object per document, in order. */
  stored: KubeObject[];
  /** Fields someone else had changed that this apply took over. */
  drift: DriftRecord[];
}

/** The field manager of everything rollout-gate applies (its deploys and its rollbacks). */
export const FIELD_MANAGER = GATE_FIELD_MANAGER;

/** Attempts at one document whose replicas are carried over while a scaler keeps writing them. */
const ATTEMPTS = 5;

/**
 * Applies documents in the given (already ordered) sequence with server-side apply, under one
 * ownership model (README "Ownership"):
 * * Before the first write, every document is compared with the live object's managedFields. A
 *   field another *applier* owns (operation `Apply`: Argo CD, Flux, Helm 4, another tool) with
 *   another value is a conflict: nothing is applied at all, unless `force` (`--force-conflicts`).
 * * Fields last written by imperative edits (operation `Update`) are taken over (the apply is
 *   forced) and reported as drift, one record per field.
 * * `spec.replicas` is never fought over: a manifest without it leaves the live value alone, also
 *   when an earlier run applied it (server-side apply would otherwise remove a field its manager
 *   drops, and the default would set 1 replica; see
 *   https://kubernetes.io/docs/reference/using-api/server-side-apply/#transferring-ownership).
 * The first API error stops the run: what was applied before it is reported, nothing after it is sent.
 */
export async function applyManifests(
  cluster: ClusterClient,
  documents: ApplyDocument[],
  options: { force: boolean; changeCause?: string; signal?: AbortSignal },
): Promise<ApplyOutcome> {
  const prepared = documents.map((doc) => ({ doc, obj: intent(doc.object, options.changeCause) }));
  // Every live object first: a conflict anywhere means nothing is written anywhere.
  const live: Array<KubeObject | undefined> = [];
  for (const { obj } of prepared) live.push(await read(cluster, obj));
  const clashes = prepared.map(({ obj }, i) => applyClashes(live[i], carryReplicas(obj, live[i]), FIELD_MANAGER));
  const conflicts = prepared.flatMap(({ doc, obj }, i) =>
    clashes[i]!.filter((c) => c.owner.operation === 'Apply').map((c) => ({ doc, obj, clash: c })),
  );
  if (conflicts.length > 0 && !options.force) {
    const first = conflicts[0]!.doc;
    throw new ApplyError(first, new ApiError(409, 'Conflict', conflictMessage(conflicts, true)), []);
  }

  const applied: AppliedObject[] = [];
  const stored: KubeObject[] = [];
  const drift: DriftRecord[] = [];
  for (const [i, { doc, obj }] of prepared.entries()) {
    // Cancelled: nothing after the document being applied is sent.
    if (options.signal?.aborted) break;
    let before = live[i];
    let result: KubeObject | undefined;
    let taken: FieldClash[] = clashes[i]!;
    for (let attempt = 1; !result; attempt++) {
      // Forced only to take over what the check above allowed (or everything with --force-conflicts),
      // and then only on the version checked: an applier's write since must not be taken silently.
      const takeover = !options.force && taken.length > 0;
      const body = conditional(carryReplicas(obj, before), takeover ? before : undefined);
      try {
        result = await cluster.apply(body, { fieldManager: FIELD_MANAGER, force: options.force || takeover });
      } catch (err) {
        // The object changed since it was read (a scaler, the controller's status, an applier): check again.
        if (ApiError.isConflict(err) && body.metadata.resourceVersion && attempt < ATTEMPTS) {
          before = await read(cluster, obj);
          taken = applyClashes(before, carryReplicas(obj, before), FIELD_MANAGER);
          const appliers = taken.filter((c) => c.owner.operation === 'Apply').map((clash) => ({ obj, clash }));
          if (!options.force && appliers.length > 0)
            throw new ApplyError(
              doc,
              new ApiError(409, 'Conflict', conflictMessage(appliers, applied.length === 0)),
              applied,
            );
          continue;
        }
        if (err instanceof ApiError) throw new ApplyError(doc, err, applied);
        throw err;
      }
    }
    // Its custom resources (later in apply order) are served only once it is Established.
    let settled: KubeObject = result;
    if (isCrd(obj)) {
      try {
        settled = await waitForCrdEstablished(cluster, obj.metadata.name ?? '', { signal: options.signal });
      } catch (err) {
        if (err instanceof ApiError) throw new ApplyError(doc, err, applied);
        throw err;
      }
    }
    for (const c of taken) drift.push(driftRecord(obj, c));
    // (An Established CRD as it is now: its health is read from this, not from before the wait.)
    stored.push(settled);
    applied.push({
      kind: obj.kind ?? '',
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      name: obj.metadata.name ?? '',
      action: !before
        ? 'created'
        : before.metadata.resourceVersion === result.metadata.resourceVersion
          ? 'unchanged'
          : 'configured',
      file: doc.file,
      line: doc.line,
    });
  }
  return { applied, stored, drift };
}

/** The object to apply: the manifest, plus the change-cause on a Deployment. */
function intent(object: KubeObject, changeCause: string | undefined): KubeObject {
  const obj = clone(object);
  if (changeCause && obj.kind === 'Deployment') {
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [Annotations.changeCause]: changeCause };
  }
  return obj;
}

/** The live object; undefined when absent or unreadable (its apply then reports what is wrong). */
async function read(cluster: ClusterClient, obj: KubeObject): Promise<KubeObject | undefined> {
  try {
    return await cluster.get(obj.apiVersion ?? '', obj.kind ?? '', obj.metadata.namespace, obj.metadata.name ?? '');
  } catch {
    // A kind a custom resource definition earlier in the same run introduces, say.
    return undefined;
  }
}

/**
 * A manifest without `spec.replicas` whose live object has them applied by the gate (an earlier
 * run's manifest set them): the live value is carried over, so the apply keeps it instead of
 * removing the field (reset to the default). Conditional on the version read, so a scaler's write
 * in between is never undone. Ownership passes on at the scaler's next write (an `Update` takes
 * the field), after which the gate no longer touches it.
 */
function carryReplicas(obj: KubeObject, live: KubeObject | undefined): KubeObject {
  const spec = obj.spec as { replicas?: unknown } | undefined;
  const liveReplicas = (live?.spec as { replicas?: unknown } | undefined)?.replicas;
  if (!live || !spec || spec.replicas !== undefined || liveReplicas === undefined) return obj;
  if (!appliedFieldsOf(live, FIELD_MANAGER).has('.spec.replicas')) return obj;
  return {
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: live.metadata.resourceVersion },
    spec: { ...spec, replicas: liveReplicas },
  } as KubeObject;
}

function driftRecord(obj: KubeObject, c: FieldClash): DriftRecord {
  return {
    kind: obj.kind ?? '',
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    name: obj.metadata.name ?? '',
    field: c.field,
    manager: c.owner.manager,
    operation: c.owner.operation,
    ...(c.live !== undefined ? { live: c.live } : {}),
    ...(c.applied !== undefined ? { applied: c.applied } : {}),
  };
}

/** With `live`'s resourceVersion as a precondition (409 Conflict when it moved on); as is without. */
function conditional(obj: KubeObject, live: KubeObject | undefined): KubeObject {
  if (!live?.metadata.resourceVersion) return obj;
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: live.metadata.resourceVersion } };
}

/** Names every conflicting owner and field, and the way out. */
function conflictMessage(conflicts: Array<{ obj: KubeObject; clash: FieldClash }>, nothingApplied: boolean): string {
  const lines = conflicts.map(({ obj, clash }) => {
    const ref = `${(obj.kind ?? '').toLowerCase()}/${obj.metadata.name ?? ''}`;
    return (
      `${ref}: ${clash.field} is applied by "${clash.owner.manager}" (${clash.owner.operation}) ` +
      `as ${driftValue(clash.live)}; the manifests set ${driftValue(clash.applied)}`
    );
  });
  const owners = [...new Set(conflicts.map((c) => `"${c.clash.owner.manager}"`))].join(', ');
  return (
    `${nothingApplied ? 'nothing was applied' : 'not applied'}: ${conflicts.length === 1 ? 'a field is' : `${conflicts.length} fields are`} owned by ` +
    `another applier (${owners}):\n${lines.join('\n')}\n` +
    'Let that tool deploy these fields, or take them over with --force-conflicts (action input force-conflicts: true).'
  );
}

/** The API server refused one document; carries what had been applied before it. */
export class ApplyError extends Error {
  constructor(
    readonly document: ApplyDocument,
    readonly cause: ApiError,
    readonly appliedBefore: AppliedObject[],
  ) {
    // The location is the document's, given apart to whoever prints it (once: `file:line: error: ...`).
    super(`${document.object.kind}/${document.object.metadata.name}: ${cause.message}`);
    this.name = 'ApplyError';
  }
}
