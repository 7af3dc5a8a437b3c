import { ApiError } from '../k8s/apiError.js';
import { clone } from '../k8s/meta.js';
import { Annotations, type KubeObject } from '../k8s/objects.js';
import type { ClusterClient } from '../cluster/port.js';
import { isCrd } from '../k8s/crd.js';
import { waitForCrdEstablished } from './crdEstablished.js';
import type { AppliedObject } from './result.js';

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
}

/** The field manager of everything rollout-gate applies. */
export const FIELD_MANAGER = 'rollout-gate';

/**
 * Applies documents in the given (already ordered) sequence with server-side apply. The first
 * API error stops the run: what was applied before it is reported, nothing after it is sent.
 */
export async function applyManifests(
  cluster: ClusterClient,
  documents: ApplyDocument[],
  options: { force: boolean; changeCause?: string; signal?: AbortSignal },
): Promise<ApplyOutcome> {
  const applied: AppliedObject[] = [];
  const stored: KubeObject[] = [];
  for (const doc of documents) {
    // Cancelled: nothing after the document being applied is sent.
    if (options.signal?.aborted) break;
    const obj = clone(doc.object);
    if (options.changeCause && obj.kind === 'Deployment') {
      obj.metadata.annotations = {
        ...(obj.metadata.annotations ?? {}),
        [Annotations.changeCause]: options.changeCause,
      };
    }
    const before = await cluster.get(
      obj.apiVersion ?? '',
      obj.kind ?? '',
      obj.metadata.namespace,
      obj.metadata.name ?? '',
    );
    let result: KubeObject;
    try {
      result = await cluster.apply(obj, { fieldManager: FIELD_MANAGER, force: options.force });
      // Its custom resources (later in apply order) are served only once it is Established.
      if (isCrd(obj)) await waitForCrdEstablished(cluster, obj.metadata.name ?? '', { signal: options.signal });
    } catch (err) {
      if (err instanceof ApiError) {
        throw new ApplyError(doc, err, applied);
      }
      throw err;
    }
    stored.push(result);
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
  return { applied, stored };
}

/** The API server refused one document; carries what had been applied before it. */
export class ApplyError extends Error {
  constructor(
    readonly document: ApplyDocument,
    readonly cause: ApiError,
    readonly appliedBefore: AppliedObject[],
  ) {
    super(
      `${document.file}:${document.line}: ${document.object.kind}/${document.object.metadata.name}: ${cause.message}`,
    );
    this.name = 'ApplyError';
  }
}
