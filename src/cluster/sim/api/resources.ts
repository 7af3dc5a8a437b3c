import { ApiError } from '../../../k8s/apiError.js';
import { formatSelector } from '../../../k8s/labels.js';
import { clone, rfc3339 } from '../../../k8s/meta.js';
import type { Deployment, KubeObject, Pod } from '../../../k8s/objects.js';
import { applyJsonPatch } from '../patch/jsonPatch.js';
import { applyMergePatch } from '../patch/mergePatch.js';
import { PatchError, isObject } from '../patch/patchError.js';
import { applyObject, createObject, updateObject } from '../applyObject.js';
import { enforceFieldValidation, fieldValidationOf } from '../fieldValidation.js';
import { applyStrategicMergePatch } from '../patch/strategicMerge.js';
import type { Simulation } from '../simulation.js';
import { servedVersions, type KindInfo } from '../store/kinds.js';
import { decodeBody, mediaType } from './body.js';
import { logSourceOf, podLogOptions, readPodLogs, type LogReader, type LogSource } from './logs.js';
import { parseSelection, queryFlag, selects } from './query.js';
import { toTable, type IncludeObject } from './table.js';

/** An HTTP request as the resource layer sees it (the body is already read and size-checked). */
export interface ApiRequest {
  method: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A finished response: JSON (`body`) or plain text (`text`); `warnings` become `Warning: 299`
 * headers (kubectl prints them as `Warning: ...`).
 */
export type ApiReply = ({ status: number; body: unknown } | { status: number; text: string }) & { warnings?: string[] };

/** The resource part of a route. */
export interface ResourceTarget {
  info: KindInfo;
  /** The version in the request path (objects are converted to it when the kind converts). */
  version?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export { kubeletLogReader, type KubeletLogs, type LogReader, type LogSource } from './logs.js';

/** Pod subresources that stream to a container process (SPDY or WebSocket upgrades). */
export const STREAMING_SUBRESOURCES = ['exec', 'attach', 'portforward'];

/**
 * exec, attach and port-forward (and `kubectl cp`, which runs tar through exec) need a container
 * process; the simulated kubelet runs none, so the upgrade is refused with a Status that says so
 * rather than hanging or failing in the stream protocol.
 */
function noContainers(subresource: string, pod: string): ApiError {
  const what = subresource === 'portforward' ? 'port-forward' : subresource;
  return ApiError.badRequest(
    `${what} is not available for pod ${pod}: rollout-gate serve simulates the cluster and runs no containers`,
  );
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/**
 * The verbs of the REST API over the simulator's store: get, list, create, update, patch (four
 * content types), delete and deletecollection, plus the status, scale and log subresources.
 * Every write settles the simulation before answering, so the reply shows the controllers' reaction.
 */
export class ResourceApi {
  constructor(
    private readonly simulation: Simulation,
    readLogs?: LogReader | LogSource,
  ) {
    this.logSource = logSourceOf(readLogs, () => simulation.clock.now());
  }

  /** Where pod logs come from (the simulated kubelet). */
  readonly logSource: LogSource;

  handle(target: ResourceTarget, req: ApiRequest): ApiReply {
    return convertReply(target, this.serve(target, req));
  }

  private serve(target: ResourceTarget, req: ApiRequest): ApiReply {
    const { info, namespace, name, subresource } = target;
    if (info.namespaced && name !== undefined && namespace === undefined) throw notFoundPath();
    if (subresource !== undefined && STREAMING_SUBRESOURCES.includes(subresource)) {
      this.mustGet(target);
      throw noContainers(subresource, target.name!);
    }
    switch (req.method) {
      case 'GET':
        if (name === undefined) return this.list(target, req);
        if (subresource === 'log') return this.logs(target, req);
        if (subresource === 'scale') return { status: 200, body: scaleOf(this.mustGet(target)) };
        return this.maybeTable(info, this.mustGet(target), req);
      case 'POST':
        if (name !== undefined) throw methodNotAllowed();
        return this.create(target, req);
      case 'PUT':
        if (name === undefined || subresource === 'log') throw methodNotAllowed();
        return this.update(target, req);
      case 'PATCH':
        if (name === undefined || subresource === 'log') throw methodNotAllowed();
        return this.patch(target, req);
      case 'DELETE':
        if (subresource !== undefined) throw methodNotAllowed();
        return name === undefined ? this.deleteCollection(target, req) : this.delete(target, req);
      default:
        throw methodNotAllowed();
    }
  }

  private get store() {
    return this.simulation.store;
  }

  private now(): string {
    return rfc3339(this.simulation.clock.now());
  }

  private mustGet(target: ResourceTarget): KubeObject {
    return this.store.mustGet(target.info.kind, target.namespace, target.name!);
  }

  private list(target: ResourceTarget, req: ApiRequest): ApiReply {
    const { info } = target;
    const selection = parseSelection(info, target.namespace, req.query);
    const listRv = this.store.resourceVersion();
    let items = this.store.list(info.kind, target.namespace).filter((obj) => selects(selection, obj));
    const token = req.query.get('continue');
    let snapshotRv = listRv;
    if (token) {
      const decoded = decodeContinue(token);
      if (this.store.changesSince(decoded.rv) === undefined) {
        throw new ApiError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      snapshotRv = decoded.rv;
      items = items.filter((obj) => keyOf(obj) > decoded.after);
    }
    const limit = Number(req.query.get('limit') ?? '0');
    let continueToken: string | undefined;
    let remaining: number | undefined;
    if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
      remaining = items.length - limit;
      items = items.slice(0, limit);
      continueToken = encodeContinue(snapshotRv, keyOf(items[items.length - 1]!));
    }
    if (wantsTable(req)) {
      return {
        status: 200,
        body: toTable(info.kind, items, this.simulation.clock.now(), {
          include: includeObject(req),
          resourceVersion: String(listRv),
          continueToken,
        }),
      };
    }
    return {
      status: 200,
      body: {
        kind: `${info.kind}List`,
        apiVersion: info.apiVersion,
        metadata: {
          resourceVersion: String(listRv),
          ...(continueToken ? { continue: continueToken, remainingItemCount: remaining } : {}),
        },
        items,
      },
    };
  }

  private maybeTable(info: KindInfo, obj: KubeObject, req: ApiRequest): ApiReply {
    if (!wantsTable(req)) return { status: 200, body: obj };
    return {
      status: 200,
      body: toTable(info.kind, [obj], this.simulation.clock.now(), {
        include: includeObject(req),
        resourceVersion: obj.metadata.resourceVersion,
      }),
    };
  }

  private create(target: ResourceTarget, req: ApiRequest): ApiReply {
    const { info } = target;
    const obj = this.decodeObject(info, req, target.namespace);
    const warnings = enforceFieldValidation(
      withType(obj, info),
      fieldValidationOf(req.query.get('fieldValidation')),
      'decode',
      info,
    );
    const manager = fieldManager(req);
    const created = createObject(this.store, info.kind, obj, { manager, time: this.now(), dryRun: dryRun(req) });
    this.simulation.settle();
    return { status: 201, body: created, warnings };
  }

  private update(target: ResourceTarget, req: ApiRequest): ApiReply {
    const { info, subresource } = target;
    const old = this.mustGet(target);
    if (subresource === 'scale') {
      const scale = decodeBody(req.body, header(req, 'content-type'), 'Scale') as KubeObject;
      return this.writeScale(target, old, scale, req);
    }
    const obj = this.decodeObject(info, req, target.namespace);
    if (obj.metadata.name !== target.name) {
      throw ApiError.badRequest(
        `the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${target.name})`,
      );
    }
    const warnings = enforceFieldValidation(
      withType(obj, info),
      fieldValidationOf(req.query.get('fieldValidation')),
      'decode',
      info,
    );
    return { ...this.write(target, old, obj, req), warnings };
  }

  private patch(target: ResourceTarget, req: ApiRequest): ApiReply {
    const { info, subresource } = target;
    const type = mediaType(header(req, 'content-type'));
    if (!PATCH_TYPES.includes(type)) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
      );
    }
    if (type === 'application/apply-patch+yaml') return this.apply(target, req);
    const old = this.mustGet(target);
    const patchBody = decodeBody(req.body, type, 'error decoding patch');
    const base = subresource === 'scale' ? scaleOf(old) : inVersion(info, old, target.version);
    let patched: KubeObject;
    try {
      if (type === 'application/json-patch+json') patched = applyJsonPatch(base, patchBody);
      else if (type === 'application/merge-patch+json') patched = applyMergePatch(base, patchBody);
      else patched = applyStrategicMergePatch(base, patchBody);
    } catch (err) {
      throw patchFailure(err);
    }
    if (!isKubeObject(patched)) throw new ApiError(422, 'Invalid', 'the patched object is not a Kubernetes object');
    if (subresource === 'scale') return this.writeScale(target, old, patched, req);
    if (base !== old) patched = inVersion(info, patched, storageVersion(info));
    // The URL names the object; a patch cannot rename or move it.
    patched.metadata.name = old.metadata.name;
    if (info.namespaced) patched.metadata.namespace = old.metadata.namespace;
    const warnings = enforceFieldValidation(
      withType(patched, info),
      fieldValidationOf(req.query.get('fieldValidation')),
      'patch',
      info,
    );
    return { ...this.write(target, old, patched, req), warnings };
  }

  /** Server-side apply: creates the object when absent (201), else merges with field ownership. */
  private apply(target: ResourceTarget, req: ApiRequest): ApiReply {
    const { info } = target;
    if (target.subresource !== undefined)
      throw ApiError.badRequest('apply is only supported on the main resource in this simulator');
    const manager = req.query.get('fieldManager');
    if (!manager) throw ApiError.badRequest('PATCH ' + info.plural + ': fieldManager is required for apply requests');
    const applied = this.decodeObject(
      info,
      { ...req, headers: { ...req.headers, 'content-type': 'application/yaml' } },
      target.namespace,
    );
    if (!applied.apiVersion || !applied.kind)
      throw ApiError.badRequest('apiVersion and kind must be set in an apply request');
    if (applied.metadata.name !== target.name) {
      throw ApiError.badRequest(
        `the name of the object (${applied.metadata.name ?? ''}) does not match the name on the URL (${target.name})`,
      );
    }
    fieldValidationOf(req.query.get('fieldValidation'));
    // The same apply as the in-process adapter's (undeclared fields refused, ownership, the
    // resourceVersion precondition, created when absent).
    const { object, created } = applyObject(this.store, applied, {
      manager,
      force: queryFlag(req.query, 'force'),
      time: this.now(),
      dryRun: dryRun(req),
    });
    this.simulation.settle();
    return { status: created ? 201 : 200, body: object };
  }

  private write(target: ResourceTarget, old: KubeObject, next: KubeObject, req: ApiRequest): ApiReply {
    const { info, subresource } = target;
    let result: KubeObject;
    if (subresource === 'status') {
      result = this.store.update(info.kind, next, { subresource: 'status', dryRun: dryRun(req) });
    } else {
      result = updateObject(this.store, old, next, {
        manager: fieldManager(req),
        time: this.now(),
        dryRun: dryRun(req),
      });
    }
    this.simulation.settle();
    return { status: 200, body: result };
  }

  private writeScale(target: ResourceTarget, old: KubeObject, scale: KubeObject, req: ApiRequest): ApiReply {
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw ApiError.invalid('Scale', 'autoscaling', target.name ?? '', [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
          field: 'spec.replicas',
        },
      ]);
    }
    const next = clone(old) as Deployment;
    next.spec.replicas = replicas;
    const wanted = scale.metadata?.resourceVersion;
    if (wanted) next.metadata.resourceVersion = wanted;
    const updated = updateObject(this.store, old, next, {
      manager: fieldManager(req),
      time: this.now(),
      dryRun: dryRun(req),
    });
    this.simulation.settle();
    return { status: 200, body: scaleOf(updated) };
  }

  private delete(target: ResourceTarget, req: ApiRequest): ApiReply {
    const { info } = target;
    const options = deleteOptions(req);
    const old = this.mustGet(target);
    if (options.propagationPolicy === 'Orphan' && !options.dryRun) this.orphanDependents(old);
    const result = this.store.delete(info.kind, target.namespace, target.name!, options);
    this.simulation.settle();
    if (info.gracefulDelete) return { status: 200, body: result };
    return {
      status: 200,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: {
          name: target.name,
          ...(info.group ? { group: info.group } : {}),
          kind: info.plural,
          uid: old.metadata.uid,
        },
      },
    };
  }

  private deleteCollection(target: ResourceTarget, req: ApiRequest): ApiReply {
    const { info } = target;
    const selection = parseSelection(info, target.namespace, req.query);
    const options = deleteOptions(req);
    const items = this.store.list(info.kind, target.namespace).filter((obj) => selects(selection, obj));
    const deleted = items.map((obj) =>
      this.store.delete(info.kind, obj.metadata.namespace, obj.metadata.name!, {
        ...options,
        resourceVersion: undefined,
        uid: undefined,
      }),
    );
    this.simulation.settle();
    return {
      status: 200,
      body: {
        kind: `${info.kind}List`,
        apiVersion: info.apiVersion,
        metadata: { resourceVersion: String(this.store.resourceVersion()) },
        items: deleted,
      },
    };
  }

  /** `propagationPolicy=Orphan`: dependents lose their owner reference before the owner goes. */
  private orphanDependents(owner: KubeObject): void {
    const uid = owner.metadata.uid ?? '';
    for (const kind of this.store.kinds.all()) {
      for (const dependent of this.store.listOwnedBy(kind.kind, uid)) {
        const next = clone(dependent);
        next.metadata.ownerReferences = next.metadata.ownerReferences?.filter((ref) => ref.uid !== uid);
        if (next.metadata.ownerReferences?.length === 0) delete next.metadata.ownerReferences;
        this.store.update(kind.kind, next);
      }
    }
  }

  private logs(target: ResourceTarget, req: ApiRequest): ApiReply {
    const pod = this.mustGet(target) as Pod;
    const options = podLogOptions(pod, req.query, this.simulation.clock.now());
    return { status: 200, text: readPodLogs(pod, this.logSource, options) };
  }

  /** Decodes a full object for create/update and checks it against the endpoint. */
  private decodeObject(info: KindInfo, req: ApiRequest, namespace: string | undefined): KubeObject {
    const obj = decodeBody(
      req.body,
      header(req, 'content-type'),
      `the object provided is unrecognized (must be of type ${info.kind})`,
    );
    if (!isObject(obj))
      throw ApiError.badRequest(
        `the object provided is unrecognized (must be of type ${info.kind}): body is not an object`,
      );
    if (obj.kind !== undefined && obj.kind !== info.kind) {
      throw ApiError.badRequest(
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${info.apiVersion}) or kind ${String(obj.kind)} is not ${info.kind}`,
      );
    }
    const served = servedVersions(info).map((v) => (info.group ? `${info.group}/${v}` : v));
    if (obj.apiVersion !== undefined && !served.includes(String(obj.apiVersion))) {
      throw ApiError.badRequest(
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${info.apiVersion})`,
      );
    }
    const object = obj as unknown as KubeObject;
    if (!isObject(object.metadata)) object.metadata = {};
    if (info.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw ApiError.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      object.metadata.namespace = namespace;
    }
    return object.apiVersion && object.apiVersion !== info.apiVersion
      ? inVersion(info, object, storageVersion(info))
      : object;
  }
}

/** The version objects of `info` are stored in. */
function storageVersion(info: KindInfo): string {
  return info.apiVersion.slice(info.apiVersion.indexOf('/') + 1);
}

/** `obj` in `version` when the kind converts between versions (KindInfo.convert), else as it is. */
function inVersion(info: KindInfo, obj: KubeObject, version: string | undefined): KubeObject {
  if (!info.convert || !version) return obj;
  return info.convert(obj, version);
}

/** A reply's objects (an object or a list's items, not a Table) in the request's version. */
function convertReply(target: ResourceTarget, reply: ApiReply): ApiReply {
  const { info, version } = target;
  if (!info.convert || !version || version === storageVersion(info) || !('body' in reply)) return reply;
  const body = reply.body as { kind?: string; apiVersion?: string; items?: KubeObject[] } | undefined;
  if (!body || body.kind === 'Table' || body.kind === 'Status' || body.kind === 'Scale') return reply;
  const apiVersion = info.group ? `${info.group}/${version}` : version;
  if (Array.isArray(body.items))
    return { ...reply, body: { ...body, apiVersion, items: body.items.map((o) => info.convert!(o, version)) } };
  return { ...reply, body: info.convert(body as KubeObject, version) };
}

/** The object with the endpoint's apiVersion and kind (a body may leave them out), for schema lookups. */
function withType(obj: KubeObject, info: KindInfo): KubeObject {
  obj.apiVersion ??= info.apiVersion;
  obj.kind ??= info.kind;
  return obj;
}

/** autoscaling/v1 Scale of a Deployment, ReplicaSet, StatefulSet or ReplicationController. */
export function scaleOf(obj: KubeObject): KubeObject {
  const d = obj as Deployment;
  // A ReplicationController's selector is a map: labels.SelectorFromSet, keys sorted.
  const map =
    obj.kind === 'ReplicationController' ? (d.spec?.selector as unknown as Record<string, string>) : undefined;
  const selector = map
    ? Object.keys(map)
        .sort()
        .map((k) => `${k}=${map[k]}`)
        .join(',')
    : d.spec?.selector
      ? formatSelector(d.spec.selector)
      : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: d.metadata.name,
      namespace: d.metadata.namespace,
      uid: d.metadata.uid,
      resourceVersion: d.metadata.resourceVersion,
      creationTimestamp: d.metadata.creationTimestamp,
    },
    spec: { replicas: d.spec?.replicas ?? 0 },
    status: {
      replicas: d.status?.replicas ?? 0,
      ...(selector ? { selector } : {}),
    },
  };
}

export function wantsTable(req: ApiRequest): boolean {
  return /as=Table/.test(header(req, 'accept'));
}

export function includeObject(req: ApiRequest): IncludeObject {
  const value = req.query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function header(req: ApiRequest, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

export function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

function dryRun(req: ApiRequest): boolean {
  const values = req.query.getAll('dryRun');
  for (const v of values)
    if (v !== 'All') throw ApiError.badRequest(`Invalid dryRun value: ${v}; supported values: All`);
  return values.length > 0;
}

/** The request's field manager; without one the API server uses the user agent's prefix. */
function fieldManager(req: ApiRequest): string {
  return req.query.get('fieldManager') || header(req, 'user-agent').split('/')[0] || 'unknown';
}

function deleteOptions(req: ApiRequest): {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  resourceVersion?: string;
  uid?: string;
  dryRun: boolean;
} {
  let body: Record<string, unknown> = {};
  if (req.body.length > 0 && req.body.toString('utf8').trim() !== '') {
    const decoded = decodeBody(req.body, header(req, 'content-type') || 'application/json', 'DeleteOptions');
    if (isObject(decoded)) body = decoded;
  }
  const grace = req.query.get('gracePeriodSeconds') ?? body.gracePeriodSeconds;
  const preconditions = (isObject(body.preconditions) ? body.preconditions : {}) as {
    uid?: string;
    resourceVersion?: string;
  };
  const bodyDryRun = Array.isArray(body.dryRun) && body.dryRun.includes('All');
  return {
    ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
    propagationPolicy: (req.query.get('propagationPolicy') ?? body.propagationPolicy) as string | undefined,
    resourceVersion: preconditions.resourceVersion,
    uid: preconditions.uid,
    dryRun: dryRun(req) || bodyDryRun,
  };
}

function isKubeObject(value: unknown): value is KubeObject {
  return isObject(value) && isObject((value as { metadata?: unknown }).metadata);
}

function patchFailure(err: unknown): ApiError {
  if (err instanceof PatchError) {
    return err.kind === 'decode' ? ApiError.badRequest(err.message) : new ApiError(422, 'Invalid', err.message);
  }
  if (err instanceof ApiError) return err;
  return new ApiError(422, 'Invalid', (err as Error).message);
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

function encodeContinue(rv: number, after: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: after })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; after: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string')
      return { rv: parsed.rv, after: parsed.start };
  } catch {
    // fall through
  }
  throw ApiError.badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}
