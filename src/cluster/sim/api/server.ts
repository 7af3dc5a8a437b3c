import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../../../k8s/apiError.js';
import { RealClock } from '../../../clock/realClock.js';
import type { Pod } from '../../../k8s/objects.js';
import type { Simulation } from '../simulation.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, BINDINGS, SERVER_VERSION } from './discovery.js';
import { bindPod } from './binding.js';
import { COMPONENT_STATUS, DEPRECATED, serveComponentStatuses } from './componentStatus.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { METRICS_GROUP, serveMetrics } from './metrics.js';
import { OpenApi, serveOpenApi } from './openapi.js';
import {
  ResourceApi,
  includeObject,
  methodNotAllowed,
  notFoundPath,
  wantsTable,
  type ApiReply,
  type ApiRequest,
  type LogReader,
  type LogSource,
} from './resources.js';
import { followPodLogs, podLogOptions } from './logs.js';
import { parseRoute, type Route } from './router.js';
import { parseSelection, queryFlag } from './query.js';
import { selfSignedCertificate } from './tls.js';
import { serveWatch } from './watch.js';
import { FaultInjector, PendingReset, type FaultOptions } from '../faults/faultInjector.js';
import type { Permissions } from '../../../k8s/rbac/authorize.js';
import { authorizeRequest, authorizeReview, reviewKind, serveReview, verbOf } from './authz.js';
import { impersonated, requester, serveSelfSubjectReview, TokenIssuer } from './authn.js';
import { isProtobuf, PROTOBUF, prefersProtobuf, protobufOf, protobufToJson } from './protobuf/index.js';

/** The API server's request body limit (3 MiB, `maxRequestBodyBytes`). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ApiServerOptions {
  simulation: Simulation;
  /** 0 picks a free port. */
  port?: number;
  /** Only loopback is allowed: the facade has no real authentication. */
  host?: '127.0.0.1';
  /** Virtual seconds per real second (default 1). */
  speed?: number;
  /** Serve https with a generated self-signed certificate. */
  tls?: boolean;
  /** Bearer token required on every request (checked over TLS only: kubectl sends no token over http). */
  token?: string;
  /** Pod logs: the simulated kubelet (`kubeletLogReader`) or a plain reader. */
  readLogs?: LogReader | LogSource;
  /** Real milliseconds between watch BOOKMARK events (default 10 000). */
  bookmarkIntervalMs?: number;
  /** Real milliseconds between clock ticks (default 50). */
  tickMs?: number;
  /**
   * Faults (scenario `faults`): that fraction of requests answered 429 (Retry-After: 1), 500, 503
   * or a reset connection (on writes, half of them after the write was committed), 409 on
   * conditional writes; watch streams closed every `watchDropEverySeconds` (virtual seconds); some
   * watch resumes (a resourceVersion given) answered 410 Gone.
   */
  faults?: FaultOptions;
  /**
   * Authorize every request as this identity with these RBAC grants (scenario `permissions`) and
   * answer 403 as kube-apiserver does (./authz.ts); absent: everything is allowed.
   */
  permissions?: Permissions;
}

/** Requests served, by verb (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, `discovery`, `other`). */
export type RequestLog = Record<string, number>;

export interface ApiServerHandle {
  url: string;
  port: number;
  /** Live counters of requests per verb. */
  requestLog: RequestLog;
  /** Faults injected so far, by kind (empty without `faults`). */
  injectedFaults(): Partial<Record<string, number>>;
  /** Stops the ticker, ends open watches and closes the listener. */
  close(): Promise<void>;
  /** A kubeconfig YAML for kubectl and client-node. */
  kubeconfig(): string;
}

/**
 * Serves the Kubernetes REST API over a {@link Simulation}, so that kubectl and
 * @kubernetes/client-node can drive the simulated cluster. Virtual time follows real time
 * (times `speed`) through a {@link RealClock} ticker; every write settles the controllers first.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServerHandle> {
  const { simulation } = options;
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('the simulated API server only listens on 127.0.0.1');
  const clock = new RealClock();
  const speed = options.speed ?? 1;
  const tickMs = options.tickMs ?? 50;
  const api = new ResourceApi(simulation, options.readLogs);
  const openapi = new OpenApi(simulation.store);
  const tokens = new TokenIssuer(simulation);
  const requestLog: RequestLog = {};
  const watches = new Set<() => void>();
  const sockets = new Set<Socket>();
  const certificate = options.tls ? selfSignedCertificate() : undefined;
  const token = options.tls ? options.token : undefined;
  const faults = options.faults ? new FaultInjector(options.faults) : undefined;
  const dropping = new AbortController();

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => sendError(res, err, req.headers.accept));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (token !== undefined && !authorized(req.headers.authorization, token)) {
      count(requestLog, 'unauthorized');
      throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    }
    const method = req.method ?? 'GET';
    // Typed clients write protobuf (objects, and DeleteOptions on DELETE); the handlers read the
    // JSON it stands for. PATCH bodies are never protobuf (the patch handler answers 415).
    const protobufBody = isProtobuf(contentTypeOf(req)) && ['POST', 'PUT', 'DELETE'].includes(method);
    const body = protobufBody ? await protobufToJson(await readBody(req)) : await readBody(req);
    const contentType = protobufBody ? 'application/json' : contentTypeOf(req);
    const accept = req.headers.accept;
    // Who asks: the kubeconfig's user (or the scenario's), or whom it impersonates (kubectl --as).
    const who = impersonated(req.headers, requester(options.permissions), options.permissions);
    const review = reviewKind(url.pathname);
    if (review) {
      count(requestLog, 'create');
      authorizeReview(review, who);
      if (review.kind === 'whoami') return sendReply(res, serveSelfSubjectReview(method, who), accept);
      if (review.kind === 'token') return sendReply(res, tokens.review(method, body, contentType), accept);
      return sendReply(res, serveReview(review, who, options.permissions, method, body, contentType), accept);
    }
    const served = unstoredRoute(url.pathname);
    if (served) {
      count(requestLog, verbOf(method, served.name, false));
      authorizeRequest(who.permissions, simulation, served, method, url.searchParams, contentType, false);
      if (served.info === BINDINGS)
        return sendReply(res, bindPod(simulation, served.namespace!, undefined, method, body, contentType), accept);
      // A deprecated API warns on every request, failed ones too (installer.go AddWarningsHandler).
      res.setHeader('Warning', `299 - "${DEPRECATED}"`);
      const request: ApiRequest = { method, query: url.searchParams, headers: req.headers, body };
      const table = wantsTable(request) ? includeObject(request) : undefined;
      const reply = serveComponentStatuses(method, served.name, simulation.clock.now(), table);
      return sendReply(res, reply, accept);
    }
    const route = parseRoute(url.pathname, simulation.store.kinds);
    if (route.type !== 'resource') {
      count(requestLog, route.type === 'not-found' ? 'other' : 'discovery');
      if (method !== 'GET' && method !== 'HEAD') throw route.type === 'not-found' ? notFoundPath() : methodNotAllowed();
      if (route.type === 'openapi-index' || route.type === 'openapi-v2' || route.type === 'openapi-doc')
        return serveOpenApi(res, openapi, route, req.headers.accept, url.searchParams);
      return sendJson(res, discovery(route, simulation, `${host}:${port}`));
    }
    const headers = protobufBody ? { ...req.headers, 'content-type': contentType } : req.headers;
    const request: ApiRequest = { method, query: url.searchParams, headers, body };
    const watching = method === 'GET' && route.name === undefined && isWatch(url.searchParams);
    try {
      authorizeRequest(who.permissions, simulation, route, method, url.searchParams, contentType, watching);
    } catch (err) {
      count(requestLog, watching ? 'watch' : verbOf(method, route.name, false));
      throw err;
    }
    if (route.info.group === METRICS_GROUP) {
      count(requestLog, verbOf(method, route.name, false));
      return sendReply(res, serveMetrics(simulation, route, request), accept);
    }
    const verb = watching ? 'WATCH' : method;
    const conditional = typeof body === 'object' && body !== null && /"resourceVersion"/.test(JSON.stringify(body));
    const fault = faults?.enabled
      ? faults.beforeRequest(verb, url.pathname, method !== 'GET' && conditional)
      : undefined;
    if (fault && !(fault instanceof PendingReset)) {
      count(requestLog, watching ? 'watch' : verbOf(method, route.name, false));
      if (fault.code === 0) {
        req.socket.destroy();
        return;
      }
      if (fault.details?.retryAfterSeconds !== undefined)
        res.setHeader('Retry-After', String(fault.details.retryAfterSeconds));
      throw fault;
    }
    if (watching) {
      count(requestLog, 'watch');
      if (faults?.enabled && url.searchParams.get('resourceVersion') && faults.resumeGone())
        throw new ApiError(410, 'Expired', 'too old resource version (injected fault)');
      const timeout = url.searchParams.get('timeoutSeconds');
      const end = serveWatch(
        res,
        simulation,
        clock,
        {
          info: route.info,
          version: route.version,
          selection: parseSelection(route.info, route.namespace, url.searchParams),
          resourceVersion: url.searchParams.get('resourceVersion') ?? undefined,
          allowBookmarks: queryFlag(url.searchParams, 'allowWatchBookmarks'),
          timeoutSeconds: timeout ? Number(timeout) : undefined,
          table: wantsTable(request) ? includeObject(request) : undefined,
        },
        { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000 },
      );
      watches.add(end);
      res.on('close', () => watches.delete(end));
      const dropEvery = faults?.enabled ? faults.options.watchDropEverySeconds : 0;
      if (dropEvery > 0) {
        // The stream is closed mid-flight, as a load balancer or an apiserver restart would.
        void clock.sleep((dropEvery * 1000) / speed, dropping.signal).then(() => {
          if (watches.has(end)) {
            faults!.noteDrop();
            req.socket.destroy();
          }
        });
      }
      return;
    }
    count(requestLog, verbOf(method, route.name, false));
    if (method === 'GET' && route.subresource === 'log' && queryFlag(url.searchParams, 'follow')) {
      // `kubectl logs -f`: streamed until the container stops (./logs.ts); closed with the server.
      const pod = simulation.store.mustGet<Pod>('Pod', route.namespace, route.name!);
      const options = podLogOptions(pod, url.searchParams, simulation.clock.now());
      const end = followPodLogs(res, simulation, pod, api.logSource, options);
      watches.add(end);
      res.on('close', () => watches.delete(end));
      return;
    }
    const reply =
      route.info.plural === 'serviceaccounts' && route.subresource === 'token'
        ? tokenRequest(tokens, route, method, body, contentType)
        : route.info.plural === 'pods' && route.subresource === 'binding'
          ? bindPod(simulation, route.namespace!, route.name, method, body, contentType)
          : api.handle(route, request);
    if (faults?.afterCommit(fault)) {
      // Committed, but the answer is lost.
      req.socket.destroy();
      return;
    }
    await sendReply(res, reply, accept);
  };

  const server: Server = certificate
    ? createHttpsServer({ cert: certificate.cert, key: certificate.key }, handler)
    : createHttpServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${certificate ? 'https' : 'http'}://${host}:${port}`;

  const stopTicker = clock.every(tickMs, () => {
    try {
      simulation.advance(tickMs * speed);
    } catch {
      // A failing controller must not take the server down; the next request will surface it.
    }
  });

  return {
    url,
    port,
    requestLog,
    kubeconfig: () => kubeconfigYaml({ url, caPem: certificate?.cert, token: options.token }),
    injectedFaults: () => faults?.injected() ?? {},
    close: async () => {
      dropping.abort();
      stopTicker();
      for (const end of [...watches]) end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

function discovery(route: Route, simulation: Simulation, address: string): unknown {
  const kinds = simulation.store.kinds;
  switch (route.type) {
    case 'version':
      return SERVER_VERSION;
    case 'api':
      return apiVersions(address);
    case 'apis':
      return apiGroupList(kinds);
    case 'group':
      return apiGroup(kinds, route.group);
    case 'resources':
      return apiResourceList(kinds, route.group, route.version);
    case 'health':
      return 'ok';
    default:
      throw notFoundPath();
  }
}

/** Resources served without being stored: componentstatuses and the namespace's bindings. */
function unstoredRoute(pathname: string): Extract<Route, { type: 'resource' }> | undefined {
  const cs = /^\/api\/v1\/componentstatuses(?:\/([^/]+))?\/?$/.exec(pathname);
  if (cs)
    return {
      type: 'resource',
      info: COMPONENT_STATUS,
      version: 'v1',
      ...(cs[1] ? { name: decodeURIComponent(cs[1]) } : {}),
    };
  const bindings = /^\/api\/v1\/namespaces\/([^/]+)\/bindings\/?$/.exec(pathname);
  if (bindings) return { type: 'resource', info: BINDINGS, version: 'v1', namespace: decodeURIComponent(bindings[1]!) };
  return undefined;
}

/** `kubectl create token`: POST only, the TokenRequest answered, nothing stored. */
function tokenRequest(
  tokens: TokenIssuer,
  route: Extract<Route, { type: 'resource' }>,
  method: string,
  body: Buffer,
  contentType: string,
): ApiReply {
  if (method !== 'POST') throw methodNotAllowed();
  return tokens.request(route.namespace!, route.name!, body, contentType);
}

function contentTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim();
}

function isWatch(query: URLSearchParams): boolean {
  return queryFlag(query, 'watch');
}

function count(log: RequestLog, verb: string): void {
  log[verb] = (log[verb] ?? 0) + 1;
}

function authorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Reads the body, refusing more than {@link MAX_BODY_BYTES} with 413 (the connection is then closed). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      return reject(tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        chunks.length = 0;
        reject(tooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function tooLarge(): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`);
}

/** Sends a reply: protobuf when `accept` prefers it and the kind has a schema, JSON otherwise. */
async function sendReply(res: ServerResponse, reply: ApiReply, accept: string | undefined): Promise<void> {
  // RFC 7234 warn-code 299, agent "-", the text quoted with its quotes escaped, as the API server writes it.
  if (reply.warnings?.length)
    res.setHeader(
      'Warning',
      reply.warnings.map((w) => `299 - "${w.replace(/["\\]/g, (c) => `\\${c}`)}"`),
    );
  if ('text' in reply) {
    res.writeHead(reply.status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(reply.text);
    return;
  }
  const protobuf = prefersProtobuf(accept) ? await protobufOf(reply.body) : undefined;
  if (protobuf) {
    res.writeHead(reply.status, { 'Content-Type': PROTOBUF, 'Content-Length': protobuf.length });
    res.end(protobuf);
    return;
  }
  sendJson(res, reply.body, reply.status);
}

function sendJson(res: ServerResponse, body: unknown, status = 200): void {
  if (typeof body === 'string') {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(body);
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Every failure becomes a `Status`; anything unexpected is a 500 InternalError, never a crash. */
function sendError(res: ServerResponse, err: unknown, accept: string | undefined): void {
  const apiError =
    err instanceof ApiError
      ? err
      : new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendReply(res, { status: apiError.code, body: apiError.toStatus() }, accept).catch(() => res.destroy());
}
