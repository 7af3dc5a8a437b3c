import { ApiException } from '@kubernetes/client-node';
import { ApiError, type StatusDetails, type StatusReason } from '../../k8s/apiError.js';

/**
 * A request that never got an HTTP answer (refused, reset, DNS, TLS). It is an ApiError so the
 * gate handles one error type; code 0 says "no status from the server".
 */
export class ConnectionError extends ApiError {
  /** What went wrong in a few words ("connection refused"), for the retry lines of the log. */
  readonly summary: string;

  constructor(
    message: string,
    readonly errorCode?: string,
  ) {
    super(0, 'ServiceUnavailable', message);
    this.name = 'ConnectionError';
    this.summary = connectionSummary(errorCode, message);
  }
}

/** Node's and undici's error codes in words a person reads in a CI log. */
const CONNECTION_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  ENOTFOUND: 'host not found (DNS)',
  UND_ERR_SOCKET: 'connection lost',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled',
  UND_ERR_CLOSED: 'connection closed',
};

function connectionSummary(code: string | undefined, message: string): string {
  if (code && CONNECTION_WORDS[code]) return CONNECTION_WORDS[code];
  const known = CONNECTION_MESSAGES.map((re) => re.exec(message)?.[0]).find((m) => m && !/fetch failed/i.test(m));
  return known ? known.toLowerCase() : 'connection failed';
}

/** The reason the API server uses for a status code, when the body carries no Status. */
const REASON_BY_CODE: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function reasonForCode(code: number): StatusReason {
  return REASON_BY_CODE[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
}

/** Error codes (Node, undici) and messages that mean the connection failed, not the request. */
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);
const CONNECTION_MESSAGES = [/socket hang up/i, /fetch failed/i, /other side closed/i, /terminated/i];

/** The first connection-level error code found on `err` or its `cause` chain. */
function connectionCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 5) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code;
  // undici wraps a refused connection to a dual-stack host in an AggregateError (one per address).
  for (const inner of (err as { errors?: unknown[] }).errors ?? []) {
    const found = connectionCode(inner, depth + 1);
    if (found) return found;
  }
  return connectionCode((err as { cause?: unknown }).cause, depth + 1);
}

export function isConnectionError(err: unknown): boolean {
  if (err instanceof ConnectionError) return true;
  if (err instanceof ApiError || err instanceof ApiException) return false;
  if (connectionCode(err) !== undefined) return true;
  const message = err instanceof Error ? err.message : '';
  return CONNECTION_MESSAGES.some((re) => re.test(message));
}

/** Seconds from a Retry-After header (delta-seconds form; the HTTP-date form is not used by Kubernetes). */
function retryAfterSeconds(headers: Record<string, string> | undefined): number | undefined {
  const raw = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function parseStatus(body: unknown): Record<string, unknown> | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  } else if (Buffer.isBuffer(body)) {
    return parseStatus(body.toString('utf8'));
  }
  if (value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'Status') {
    return value as Record<string, unknown>;
  }
  return undefined;
}

/**
 * An ApiError from an HTTP status, its body (a `metav1.Status` as JSON text or object, or anything
 * else) and headers. The Status's reason, message and details win; Retry-After fills
 * `details.retryAfterSeconds` when the body has none.
 */
export function apiErrorFromResponse(
  code: number,
  body: unknown,
  headers?: Record<string, string>,
  what = '',
): ApiError {
  const status = parseStatus(body);
  const statusCode = typeof status?.code === 'number' && status.code > 0 ? status.code : code;
  const reason = (
    typeof status?.reason === 'string' && status.reason ? status.reason : reasonForCode(statusCode)
  ) as StatusReason;
  let message = typeof status?.message === 'string' && status.message ? status.message : '';
  if (!message) {
    const text = typeof body === 'string' ? body.trim().split('\n')[0]!.slice(0, 200) : '';
    message = `${what ? `${what}: ` : ''}HTTP ${code}${text ? ` ${text}` : ''}`;
  }
  let details = status?.details as StatusDetails | undefined;
  const after = retryAfterSeconds(headers);
  if (after !== undefined && details?.retryAfterSeconds === undefined)
    details = { ...details, retryAfterSeconds: after };
  return new ApiError(statusCode, reason, message, details);
}

/**
 * Converts whatever client-node (or undici beneath it) threw into an ApiError: ApiException
 * (status + Status body), the watch's `Error` with `statusCode`, and connection failures.
 * `what` names the request for messages that would otherwise say nothing ("GET deployments/web").
 */
export function toApiError(err: unknown, what = ''): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ApiException) {
    return apiErrorFromResponse(err.code, err.body, err.headers, what);
  }
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number') {
    const text = err instanceof Error ? err.message : String(err);
    return new ApiError(statusCode, reasonForCode(statusCode), `${what ? `${what}: ` : ''}${text}`);
  }
  const message = withCause(err instanceof Error ? err.message : String(err), err);
  if (isConnectionError(err)) {
    const code = connectionCode(err);
    return new ConnectionError(
      `${what ? `${what}: ` : ''}${message}${code && !message.includes(code) ? ` (${code})` : ''}`,
      code,
    );
  }
  return new ApiError(0, 'Unknown', `${what ? `${what}: ` : ''}${message}`);
}

/** fetch's "fetch failed" says nothing: add the innermost cause's message ("connect ECONNREFUSED 127.0.0.1:6443"). */
function withCause(message: string, err: unknown): string {
  let inner: unknown = (err as { cause?: unknown } | null)?.cause;
  let text: string | undefined;
  for (let depth = 0; inner instanceof Error && depth < 5; depth++) {
    text = inner.message || text;
    inner = (inner as { cause?: unknown }).cause;
  }
  return text && !message.includes(text) ? `${message}: ${text}` : message;
}
