import { ApiError } from '../../../../k8s/apiError.js';

/**
 * Content negotiation for Kubernetes protobuf (`application/vnd.kubernetes.protobuf`), which
 * client-go's typed clients (kubectl create, autoscale, the reviews ...) send and ask for. The codec
 * and its schema load on the first protobuf body: a JSON-only client never pays for them.
 */
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const codec = () => import('./envelope.js');

export function isProtobuf(contentType: string): boolean {
  return contentType.split(';')[0]!.trim().toLowerCase() === PROTOBUF;
}

/**
 * Whether the answer should be protobuf: the most preferred media type of `Accept` (by q, then
 * order) that the server can produce is plain protobuf. `as=Table` (JSON only here) and watch
 * streams are not plain protobuf; JSON, YAML and wildcards are answered in JSON (the default).
 */
export function prefersProtobuf(accept: string | undefined): boolean {
  const ranges = (accept ?? '')
    .split(',')
    .map((range, index) => {
      const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, params: params.filter((p) => !p.startsWith('q=')), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((r) => r.type !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { type, params } of ranges) {
    if (type === PROTOBUF && params.length === 0) return true;
    if (
      ['application/json', 'application/yaml', 'application/*', '*/*'].includes(type) &&
      !params.some((p) => p.startsWith('as='))
    )
      return false;
  }
  return false;
}

/**
 * A POST or PUT body in protobuf, as the JSON the same client would have sent: the existing
 * handlers then decode, validate and store it. A malformed body is 400; a kind without a protobuf
 * schema (custom resources) is 415, as the API server has no protobuf serializer for it.
 */
export async function protobufToJson(body: Buffer): Promise<Buffer> {
  const { decodeObject, UnknownKindError } = await codec();
  try {
    return Buffer.from(JSON.stringify(decodeObject(body)));
  } catch (err) {
    if (err instanceof UnknownKindError)
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
      );
    throw ApiError.badRequest(`the protobuf body could not be decoded: ${(err as Error).message}`);
  }
}

/** The protobuf envelope of a reply body, or undefined when its kind has no schema (then JSON). */
export async function protobufOf(body: unknown): Promise<Buffer | undefined> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { encodeObject } = await codec();
  return encodeObject(body as Record<string, unknown>);
}
