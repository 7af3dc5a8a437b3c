import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  Watch,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { RealClock } from '../../clock/realClock.js';
import { ApiError } from '../../k8s/apiError.js';
import { apiErrorFromResponse, toApiError } from './errors.js';

/** Request verbs as the API server's audit log names them (LIST and WATCH are GETs on the wire). */
export type Verb = 'GET' | 'LIST' | 'WATCH' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const METHOD: Record<Verb, HttpMethod> = {
  GET: HttpMethod.GET,
  LIST: HttpMethod.GET,
  WATCH: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
};

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec {
  verb: Verb;
  /** Absolute API path, e.g. `/apis/apps/v1/namespaces/default/deployments/web`. */
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  /** Return the body as text instead of parsing JSON (pod logs). */
  text?: boolean;
}

export type WatchEventHandler = (type: string, object: Record<string, unknown>) => void;

/**
 * One HTTP request per call over client-node's transport: its KubeConfig authenticates
 * (token, client certificate, exec plugin, CA) and its undici fetch sends. Bodies come back as
 * plain JSON rather than client-node's model classes, so objects look exactly like the ones the
 * watch stream delivers (RFC3339 strings, unknown fields kept). Every request is counted by verb.
 */
export class KubeTransport {
  private readonly http = new IsomorphicFetchHttpLibrary();
  private readonly watcher: Watch;
  private readonly counts: Record<string, number> = {};

  constructor(
    private readonly kc: KubeConfig,
    private readonly server: string,
    private readonly clock: RealClock,
    /** Client-side limit of one non-watch request; a hung connection must not hang the gate. */
    private readonly requestTimeoutMs = 30_000,
    /** Client-side inactivity limit of one watch; the server's timeoutSeconds should end it first. */
    watchIdleTimeoutMs = 120_000,
  ) {
    this.watcher = new Watch(kc);
    // The default 30 s idle limit would reconnect every quiet watch twice a minute; the field is
    // private in the typings but is the documented knob of Watch.
    (this.watcher as unknown as { requestTimeoutMs: number }).requestTimeoutMs = watchIdleTimeoutMs;
  }

  requestCounts(): Record<string, number> {
    return { ...this.counts };
  }

  private count(verb: Verb): void {
    this.counts[verb] = (this.counts[verb] ?? 0) + 1;
  }

  /** Sends one request; non-2xx and connection failures throw ApiError. */
  async request<T>(spec: RequestSpec): Promise<T> {
    const what = `${spec.verb} ${spec.path}`;
    const ctx = new RequestContext(this.url(spec.path, spec.query), METHOD[spec.verb]);
    ctx.setHeaderParam('Accept', spec.text ? 'text/plain, */*' : 'application/json');
    ctx.setHeaderParam('User-Agent', 'rollout-gate');
    if (spec.body !== undefined) {
      ctx.setHeaderParam('Content-Type', spec.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(spec.body));
    }
    this.count(spec.verb);
    let status: number;
    let text: string;
    let headers: Record<string, string>;
    const abort = new AbortController();
    const done = new AbortController();
    let timedOut = false;
    void this.clock.sleep(this.requestTimeoutMs, done.signal).then(() => {
      if (done.signal.aborted) return;
      timedOut = true;
      abort.abort();
    });
    try {
      await this.kc.applySecurityAuthentication(ctx);
      ctx.setSignal(abort.signal);
      const response = await this.http.send(ctx).toPromise();
      status = response.httpStatusCode;
      headers = response.headers;
      text = await response.body.text();
    } catch (err) {
      // Our own deadline is a server-side timeout to the caller (504, retried like other 5xx).
      if (timedOut) throw new ApiError(504, 'Timeout', `${what}: no response within ${this.requestTimeoutMs / 1000} s`);
      throw toApiError(err, what);
    } finally {
      done.abort();
    }
    if (status < 200 || status > 299) throw apiErrorFromResponse(status, text, headers, what);
    if (spec.text) return text as T;
    try {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch {
      throw apiErrorFromResponse(500, `response is not JSON`, headers, what);
    }
  }

  /**
   * Starts one watch request. `onEvent` gets each decoded event; `onDone` gets undefined when the
   * stream ended cleanly, or an ApiError. Returns the controller that aborts it.
   */
  async watch(
    path: string,
    query: Query,
    onEvent: WatchEventHandler,
    onDone: (error: unknown) => void,
  ): Promise<AbortController> {
    this.count('WATCH');
    return this.watcher.watch(
      path,
      query,
      (type, object) => onEvent(type, object as Record<string, unknown>),
      (err) => onDone(err ? toApiError(err, `WATCH ${path}`) : undefined),
    );
  }

  private url(path: string, query?: Query): string {
    const url = new URL(this.server.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }
}
