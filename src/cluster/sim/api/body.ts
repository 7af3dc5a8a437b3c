import { load } from 'js-yaml';
import { ApiError } from '../../../k8s/apiError.js';

/** The media type of a header value, without parameters, lower-cased. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Decodes a request body as JSON, or as YAML when the content type says so (apply-patch+yaml,
 * application/yaml). Malformed bodies are 400 BadRequest, like the API server's decoders.
 */
export function decodeBody(body: Buffer, contentType: string, what: string): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw ApiError.badRequest(`${what}: the request body is empty`);
  const type = mediaType(contentType);
  if (type.includes('protobuf') || type.includes('cbor')) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  }
  try {
    if (type.endsWith('yaml')) return load(text);
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    throw ApiError.badRequest(
      `${what}: ${type.endsWith('yaml') ? 'error converting YAML to JSON' : 'json parse error'}: ${message}`,
    );
  }
}
