import { ApiError } from '../../../k8s/apiError.js';

/**
 * kubectl's typed clients send SelfSubjectAccessReview and SelfSubjectRulesReview bodies as
 * Kubernetes protobuf (`application/vnd.kubernetes.protobuf`), not JSON: the envelope is the magic
 * `k8s\0` then a runtime.Unknown whose field 2 holds the object
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding). Only the spec
 * fields of the two reviews are read (k8s.io/api/authorization/v1 generated.proto); the answer is
 * JSON, which client-go accepts.
 */
export function decodeAccessReviewProtobuf(body: Buffer): { spec: Record<string, unknown> } {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\u0000')
    throw ApiError.badRequest('the protobuf body has no Kubernetes envelope');
  const raw = bytes(fields(body.subarray(4)), 2);
  const spec = fields(bytes(fields(raw), 2));
  const resource = spec.get(1);
  const nonResource = spec.get(2);
  const out: Record<string, unknown> = {};
  if (resource) {
    const f = fields(resource[0] as Buffer);
    const names = ['', 'namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
    out.resourceAttributes = Object.fromEntries(
      names.flatMap((n, i) => (n && f.has(i) ? [[n, (f.get(i)![0] as Buffer).toString('utf8')]] : [])),
    );
  } else if (nonResource) {
    const f = fields(nonResource[0] as Buffer);
    out.nonResourceAttributes = { path: text(f, 1), verb: text(f, 2) };
  }
  return { spec: out };
}

/** A SelfSubjectRulesReview: its spec has one field, 1 `namespace`. */
export function decodeRulesReviewProtobuf(body: Buffer): { spec: Record<string, unknown> } {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\u0000')
    throw ApiError.badRequest('the protobuf body has no Kubernetes envelope');
  const spec = fields(bytes(fields(bytes(fields(body.subarray(4)), 2)), 2));
  return { spec: { namespace: text(spec, 1) } };
}

type Field = Buffer | number;

/** The fields of one protobuf message: varints (wire type 0) and length-delimited (2); others skipped. */
function fields(buf: Buffer): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let i = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (i >= buf.length) throw ApiError.badRequest('truncated protobuf body');
      const b = buf[i++]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const wire = key % 8;
    const field = Math.floor(key / 8);
    let value: Field;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const length = varint();
      value = buf.subarray(i, i + length);
      i += length;
    } else if (wire === 1) {
      i += 8;
      continue;
    } else if (wire === 5) {
      i += 4;
      continue;
    } else throw ApiError.badRequest(`unsupported protobuf wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

function bytes(f: Map<number, Field[]>, n: number): Buffer {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v : Buffer.alloc(0);
}

function text(f: Map<number, Field[]>, n: number): string {
  return bytes(f, n).toString('utf8');
}
