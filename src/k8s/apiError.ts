/**
 * An error the Kubernetes API returns, carrying what a `metav1.Status` carries.
 * The simulator's store throws these; the HTTP facade serialises them; the real adapter
 * turns client-node's ApiException into them, so the gate handles one error type.
 */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Forbidden'
  | 'Unauthorized'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'Gone'
  | 'Expired'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Unknown';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The `metav1.Status` object the API server would send for this error. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }

  static notFound(resource: string, name: string): ApiError {
    const [plural, group] = splitResource(resource);
    return new ApiError(404, 'NotFound', `${resource} "${name}" not found`, {
      name,
      ...(group ? { group } : {}),
      kind: plural,
    });
  }

  static alreadyExists(resource: string, name: string): ApiError {
    const [plural, group] = splitResource(resource);
    return new ApiError(409, 'AlreadyExists', `${resource} "${name}" already exists`, {
      name,
      ...(group ? { group } : {}),
      kind: plural,
    });
  }

  /** The optimistic-concurrency failure text of the real API server. */
  static conflict(resource: string, name: string): ApiError {
    const [plural, group] = splitResource(resource);
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, ...(group ? { group } : {}), kind: plural },
    );
  }

  /**
   * `<Kind>.<group> "<name>" is invalid: <e1>` or `[<e1>, <e2>]`, with one cause per field error;
   * each cause carries its body as `message` and its path as `field`, each text is `<field>: <body>`.
   */
  static invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
    const qualified = group ? `${kind}.${group}` : kind;
    const texts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const body = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
    return new ApiError(422, 'Invalid', `${qualified} "${name}" is invalid: ${body}`, {
      name,
      ...(group ? { group } : {}),
      kind,
      causes,
    });
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }

  static isNotFound(err: unknown): boolean {
    return err instanceof ApiError && err.code === 404;
  }

  static isConflict(err: unknown): boolean {
    return err instanceof ApiError && err.code === 409 && err.reason === 'Conflict';
  }
}

function splitResource(resource: string): [string, string] {
  const dot = resource.indexOf('.');
  return dot < 0 ? [resource, ''] : [resource.slice(0, dot), resource.slice(dot + 1)];
}
