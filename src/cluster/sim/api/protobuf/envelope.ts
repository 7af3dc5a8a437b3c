import { decodeMessage, encodeMessage, hasMessage, ProtobufError } from './codec.js';

/**
 * The Kubernetes protobuf envelope: the magic `k8s\0`, then a runtime.Unknown whose field 1 is the
 * TypeMeta (1 apiVersion, 2 kind), 2 the object's own bytes, 3 contentEncoding and 4 contentType,
 * both empty (https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding;
 * k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go and runtime.Unknown's
 * MarshalToSizedBuffer in generated.pb.go, which writes every field but a nil raw).
 */
const MAGIC = Buffer.from('k8s\u0000', 'latin1');
const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** The proto package of each built-in API group (k8s.io/api/<dir>/<version>), by group. */
const PACKAGES: Record<string, string> = {
  '': 'k8s.io.api.core',
  apps: 'k8s.io.api.apps',
  autoscaling: 'k8s.io.api.autoscaling',
  batch: 'k8s.io.api.batch',
  policy: 'k8s.io.api.policy',
  'networking.k8s.io': 'k8s.io.api.networking',
  'rbac.authorization.k8s.io': 'k8s.io.api.rbac',
  'scheduling.k8s.io': 'k8s.io.api.scheduling',
  'storage.k8s.io': 'k8s.io.api.storage',
  'node.k8s.io': 'k8s.io.api.node',
  'coordination.k8s.io': 'k8s.io.api.coordination',
  'discovery.k8s.io': 'k8s.io.api.discovery',
  'certificates.k8s.io': 'k8s.io.api.certificates',
  'admissionregistration.k8s.io': 'k8s.io.api.admissionregistration',
  'flowcontrol.apiserver.k8s.io': 'k8s.io.api.flowcontrol',
  'events.k8s.io': 'k8s.io.api.events',
  'authorization.k8s.io': 'k8s.io.api.authorization',
  'authentication.k8s.io': 'k8s.io.api.authentication',
  'apiextensions.k8s.io': 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions',
  'apiregistration.k8s.io': 'k8s.io.kube_aggregator.pkg.apis.apiregistration',
  'meta.k8s.io': 'k8s.io.apimachinery.pkg.apis.meta',
};

/**
 * The proto message of a kind, or undefined (custom resources, kinds without a schema). Status and
 * the other meta/v1 kinds travel as `v1` (the core group's version), as the API server sends them.
 */
export function messageFor(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const pkg = PACKAGES[group];
  if (pkg === undefined || !/^v\d+\w*$/.test(version)) return undefined;
  const own = `${pkg}.${version}.${kind}`;
  if (hasMessage(own)) return own;
  if (group === '' && version === 'v1' && hasMessage(`${META}.${kind}`)) return `${META}.${kind}`;
  return undefined;
}

/** The envelope around `object` (which names its apiVersion and kind), or undefined without a schema. */
export function encodeObject(object: Record<string, unknown>): Buffer | undefined {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const type = messageFor(apiVersion, kind);
  if (!type) return undefined;
  const raw = encodeMessage(type, object);
  return Buffer.concat([
    MAGIC,
    // TypeMeta is inline in Unknown's JSON form; its raw field is `json:"-"`.
    encodeMessage(UNKNOWN, { apiVersion, kind, '-': raw }),
  ]);
}

/**
 * The JSON object inside an envelope, `apiVersion` and `kind` first as kubectl writes them.
 * Throws {@link ProtobufError} for a malformed body, UnknownKindError for a kind without a schema.
 */
export function decodeObject(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC))
    throw new ProtobufError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  const unknown = decodeMessage(UNKNOWN, body.subarray(MAGIC.length)) as {
    apiVersion: string;
    kind: string;
    '-'?: string;
    contentEncoding: string;
  };
  const { apiVersion, kind } = unknown;
  if (unknown.contentEncoding) throw new ProtobufError(`unsupported content encoding ${unknown.contentEncoding}`);
  const type = messageFor(apiVersion, kind);
  if (!type) throw new UnknownKindError(apiVersion, kind);
  const object = decodeMessage(type, Buffer.from(unknown['-'] ?? '', 'base64')) as Record<string, unknown>;
  return { apiVersion, kind, ...object };
}

export class UnknownKindError extends Error {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`no kind "${kind}" is registered for version "${apiVersion}"`);
  }
}

export { ProtobufError };
