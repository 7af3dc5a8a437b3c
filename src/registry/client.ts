/**
 * Asks an image's registry whether the image exists, over the OCI distribution API
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry):
 * `HEAD /v2/<name>/manifests/<reference>`, answered 200 with `Docker-Content-Digest` or 404.
 *
 * Authentication as Docker and containerd do it: a 401 with `WWW-Authenticate: Bearer realm=…,
 * service=…,scope=…` sends us to the realm for a token (anonymously, or with Basic credentials when
 * we have some for the host; https://distribution.github.io/distribution/spec/auth/token/), and the
 * request is repeated with it; a `Basic` challenge is answered with the credentials.
 *
 * Network I/O, with one time budget per image on the injected clock. Nothing here logs, and no
 * answer carries a credential or a token.
 */
import type { RealClock } from '../clock/realClock.js';
import { basicAuth, type Credential, type CredentialStore } from './credentials.js';
import { registryTarget, type RegistryTarget } from './reference.js';
import type { ImageAnswer, ImageCheck } from './types.js';

/** Every manifest type a pull accepts: a multi-platform index first, then a single manifest. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryClientOptions {
  /** Wall time: a registry answers in real seconds (a sleep that an abort ends, as the kube transport's). */
  clock: RealClock;
  credentials?: CredentialStore;
  /** The budget of one image's check, token request included (default 10 s). */
  timeoutMs?: number;
  /** The HTTP client (tests may wrap it); default the global fetch. */
  fetch?: typeof fetch;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export class RegistryClient {
  private readonly clock: RealClock;
  private readonly credentials: CredentialStore;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  /**
   * The authorization that last worked per registry and repository, sent up front on the next
   * check there (as Docker reuses its token for every layer of a pull): fifty tags of one private
   * repository cost one token. An expired token is answered 401 and the challenge is followed again.
   */
  private readonly known = new Map<string, string>();
  /**
   * Registries that could not be asked (no answer, refused, DNS, TLS, rate limited), with why: the
   * other images there are not asked again in this run, so a dead network costs one timeout per
   * registry, not one per image, and a throttled registry is not pressed further.
   */
  private readonly down = new Map<string, string>();

  constructor(options: RegistryClientOptions) {
    this.clock = options.clock;
    this.credentials = options.credentials ?? new Map();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    this.fetch = options.fetch ?? fetch;
  }

  /** Checks one image. Never throws: every failure is an answer. */
  async check(image: string): Promise<ImageCheck> {
    const target = registryTarget(image);
    if (!target) return { image, registry: '', result: 'not-checked', reason: 'not a valid image reference' };
    const down = this.down.get(target.host);
    if (down) return { image, registry: target.host, result: 'not-checked', reason: down };
    const abort = new AbortController();
    const done = new AbortController();
    let timedOut = false;
    void this.clock.sleep(this.timeoutMs, done.signal).then(() => {
      if (done.signal.aborted) return;
      timedOut = true;
      abort.abort();
    });
    try {
      const check = await this.checkTarget(target, abort.signal);
      if (check.result === 'not-checked' && / is rate limiting /.test(check.reason))
        this.down.set(target.host, check.reason);
      return check;
    } catch (err) {
      const reason = timedOut ? `no answer from ${target.host} within ${this.timeoutMs / 1000} s` : describe(err);
      this.down.set(target.host, reason);
      return { image, registry: target.host, result: 'not-checked', reason };
    } finally {
      done.abort();
    }
  }

  private async checkTarget(target: RegistryTarget, signal: AbortSignal): Promise<ImageCheck> {
    const base = { image: target.image, registry: target.host };
    const url = `${target.endpoint}/v2/${target.repository}/manifests/${target.reference}`;
    const credential = this.credentials.get(target.host);
    const repositoryKey = `${target.host}/${target.repository}`;
    let used = this.known.get(repositoryKey);
    let response = await this.request(url, 'HEAD', used, signal);
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
      let authorization: string | undefined;
      if (challenge?.scheme === 'bearer') {
        const token = await this.token(challenge.params, target, credential, signal);
        if (typeof token === 'object') return { ...base, ...token };
        authorization = `Bearer ${token}`;
      } else if (challenge?.scheme === 'basic' && credential) {
        authorization = `Basic ${basicAuth(credential)}`;
      }
      if (authorization) response = await this.request(url, 'HEAD', authorization, signal);
      used = authorization;
    }
    if (used && response.status !== 401 && response.status !== 403) this.known.set(repositoryKey, used);
    const status = response.status;
    if (status >= 200 && status < 300) {
      const digest = response.headers.get('docker-content-digest') ?? undefined;
      return { ...base, result: 'exists', ...(digest ? { digest } : {}) };
    }
    if (status === 404) {
      return { ...base, result: 'not-found', answer: await this.errorText(url, response, used, signal) };
    }
    if (status === 401 || status === 403) {
      const error = parseChallenge(response.headers.get('www-authenticate') ?? '')?.params.error;
      const why = credential ? 'with the credentials for' : 'anonymously from';
      return {
        ...base,
        result: 'unauthorized',
        answer: `${status} ${statusText(status)}${error ? ` (${error})` : ''} ${why} ${target.host}`,
      };
    }
    return { ...base, result: 'not-checked', reason: notCheckedStatus(target.host, status, response) };
  }

  private async request(
    url: string,
    method: 'HEAD' | 'GET',
    authorization: string | undefined,
    signal: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: MANIFEST_ACCEPT, 'User-Agent': 'rollout-gate' };
    if (authorization) headers.Authorization = authorization;
    const response = await this.fetch(url, { method, headers, signal, redirect: 'follow' });
    if (method === 'HEAD') await response.body?.cancel();
    return response;
  }

  /**
   * A 404 to a HEAD has no body; the registry's words (`manifest unknown`, `repository name not
   * known to registry`) come with a GET, asked once with the same authorization.
   */
  private async errorText(url: string, head: Response, auth: string | undefined, signal: AbortSignal): Promise<string> {
    const fallback = `${head.status} ${statusText(head.status)}`;
    try {
      const answer = await this.request(url, 'GET', auth, signal);
      const body = (await answer.json()) as { errors?: Array<{ code?: string; message?: string }> };
      const first = body.errors?.[0];
      return first?.message ?? first?.code ?? fallback;
    } catch {
      return fallback;
    }
  }

  /**
   * A token from the challenge's realm; `{result, answer|reason}` when the token service refuses
   * (bad credentials) or cannot be reached.
   */
  private async token(
    params: Record<string, string>,
    target: RegistryTarget,
    credential: Credential | undefined,
    signal: AbortSignal,
  ): Promise<string | ImageAnswer> {
    const realm = params.realm;
    if (!realm) return { result: 'not-checked', reason: `${target.host} asked for a token without a realm` };
    const url = new URL(realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${target.repository}:pull`);
    const headers: Record<string, string> = { 'User-Agent': 'rollout-gate' };
    if (credential) headers.Authorization = `Basic ${basicAuth(credential)}`;
    const response = await this.fetch(url, { headers, signal });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      return {
        result: 'unauthorized',
        answer: `the token service of ${target.host} refused the ${credential ? 'credentials' : 'anonymous request'} (${response.status} ${statusText(response.status)})`,
      };
    }
    if (response.status < 200 || response.status > 299) {
      return {
        result: 'not-checked',
        reason: notCheckedStatus(`the token service of ${target.host}`, response.status, response),
      };
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) return { result: 'not-checked', reason: `the token service of ${target.host} returned no token` };
    return token;
  }
}

/** `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params, quoted or not). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } | undefined {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g))
    params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: m[1]!.toLowerCase(), params };
}

/** Why a status leaves the image not checked: throttled, the registry's own failure, or else. */
function notCheckedStatus(who: string, status: number, response: Response): string {
  void response.body?.cancel().catch(() => undefined);
  if (status === 429) {
    const after = response.headers.get('retry-after');
    return `${who} is rate limiting (429 Too Many Requests${after ? `, retry after ${after} s` : ''})`;
  }
  if (status >= 500) return `${who} failed (${status} ${statusText(status)})`;
  return `${who} answered ${status} ${statusText(status)}`;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'HTTP error';
}

/** A connection failure in words: DNS, refused, TLS, reset. fetch hides the cause one level down. */
function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string; hostname?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code ?? '';
  const message = cause?.message ?? (err as Error).message ?? String(err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `DNS lookup failed (${code} ${cause?.hostname ?? ''})`.replace(' )', ')');
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was reset';
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH') return `no network (${code})`;
  if (/CERT|SSL|TLS|SELF_SIGNED|ALTNAME/i.test(code)) return `TLS error: ${message}`;
  // The fetch standard's blocked ports (https://fetch.spec.whatwg.org/#port-blocking): never dialled.
  if (message === 'bad port') return 'the port is one fetch never connects to (bad port)';
  return code ? `${message} (${code})` : message;
}
