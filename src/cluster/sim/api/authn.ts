import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../../../k8s/apiError.js';
import { authorize, forbidden, type Permissions } from '../../../k8s/rbac/authorize.js';
import type { KubeObject } from '../../../k8s/objects.js';
import type { Simulation } from '../simulation.js';
import { decodeBody } from './body.js';
import { ADMIN_USER } from './kubeconfig.js';
import type { ApiReply } from './resources.js';

/**
 * Who a request comes from, for `serve`: the scenario's `permissions.user` when set (authorized
 * by its RBAC grants), else the admin of serve's kubeconfig (system:masters: everything allowed),
 * optionally impersonating someone else (`Impersonate-User`, kubectl `--as`). Also the
 * authentication.k8s.io resources: SelfSubjectReview (`kubectl auth whoami`), TokenRequest
 * (`kubectl create token`) and TokenReview.
 */

/** A user as the authenticator sees it (user.Info), with the RBAC grants it is evaluated with. */
export interface Identity {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
  /** undefined: every request is allowed (system:masters). */
  permissions: Permissions | undefined;
}

const AUTHENTICATED = 'system:authenticated';

/**
 * The grants a user has: the scenario's for its user, everything for the admin or anyone in
 * system:masters, and only the defaults every authenticated user has for anyone else (the
 * scenario binds no other identity).
 */
export function permissionsFor(
  username: string,
  groups: string[],
  scenario: Permissions | undefined,
): Permissions | undefined {
  if (scenario?.user === username) return scenario;
  if (groups.includes('system:masters') || (!scenario && username === ADMIN_USER)) return undefined;
  return { user: username, roles: [] };
}

/** The identity the credentials of every request name (serve authenticates no one else). */
export function requester(scenario: Permissions | undefined): Identity {
  if (scenario) return { username: scenario.user, groups: [AUTHENTICATED], permissions: scenario };
  return { username: ADMIN_USER, groups: ['system:masters', AUTHENTICATED], permissions: undefined };
}

/**
 * Impersonation as k8s.io/apiserver pkg/endpoints/filters/impersonation.go does it: the
 * requester must be allowed the `impersonate` verb on `users` (and `groups`, `serviceaccounts`
 * for a service account user) in the core group; the request then runs as the named user, its
 * groups plus system:authenticated (a service account also gets its system:serviceaccounts groups).
 */
export function impersonated(
  headers: Record<string, string | string[] | undefined>,
  who: Identity,
  scenario: Permissions | undefined,
): Identity {
  const user = single(headers['impersonate-user']);
  const groups = list(headers['impersonate-group']);
  const uid = single(headers['impersonate-uid']);
  if (user === undefined) {
    if (groups.length > 0 || uid !== undefined)
      throw ApiError.badRequest('impersonating groups or a uid requires impersonating a user');
    return who;
  }
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  const check = (resource: string, name: string, namespace?: string): void => {
    const attrs = { verb: 'impersonate', group: '', resource, name, ...(namespace ? { namespace } : {}) };
    if (who.permissions && !authorize(who.permissions, attrs)) throw forbidden(who.username, attrs);
  };
  if (sa) check('serviceaccounts', sa[2]!, sa[1]!);
  else check('users', user);
  for (const g of groups) check('groups', g);
  const all = [...groups];
  if (sa) all.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  if (user !== 'system:anonymous' && !all.includes(AUTHENTICATED)) all.push(AUTHENTICATED);
  return {
    username: user,
    ...(uid !== undefined ? { uid } : {}),
    groups: all,
    permissions: permissionsFor(user, all, scenario),
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',').map((s) => s.trim()));
}

/** user.Info as the authentication API writes it (UserInfo). */
export function userInfo(who: Identity): Record<string, unknown> {
  return {
    username: who.username,
    ...(who.uid ? { uid: who.uid } : {}),
    ...(who.groups.length ? { groups: who.groups } : {}),
    ...(who.extra ? { extra: who.extra } : {}),
  };
}

/** `POST /apis/authentication.k8s.io/v1/selfsubjectreviews` (pkg/registry/authentication/selfsubjectreview/rest.go). */
export function serveSelfSubjectReview(method: string, who: Identity): ApiReply {
  if (method !== 'POST') throw methodNotAllowed();
  return {
    status: 201,
    body: {
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      status: { userInfo: userInfo(who) },
    },
  };
}

function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

/** The issuer and default audience of a kind cluster's service account tokens. */
export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** TokenRequestSpec defaulting (pkg/apis/authentication/v1/defaults.go): one hour. */
const DEFAULT_SECONDS = 3600;
/** pkg/apis/authentication/validation: at least ten minutes, at most 2^32 seconds. */
const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;

interface Claims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string } };
  nbf: number;
  sub: string;
}

/**
 * Service account tokens: JWTs (header.payload.signature, base64url) whose times come from the
 * simulated clock. They are signed with HMAC-SHA256 under a key fixed per server (kube-apiserver
 * signs RS256 with its service-account key): they authenticate to nothing but this server's
 * TokenReview, which accepts only tokens it issued, until they expire.
 */
export class TokenIssuer {
  private issued = 0;
  private readonly key: Buffer;

  constructor(private readonly simulation: Simulation) {
    // Not a secret of anything: the tokens only review as valid here.
    this.key = createHash('sha256').update(`rollout-gate serve ${simulation.clock.now()}`).digest();
  }

  /** `POST .../namespaces/<ns>/serviceaccounts/<name>/token` (pkg/registry/core/serviceaccount/storage/token.go). */
  request(namespace: string, name: string, body: Buffer, contentType: string): ApiReply {
    const request = decodeBody(body, contentType, 'TokenRequest') as {
      metadata?: Record<string, unknown>;
      spec?: { audiences?: string[] | null; expirationSeconds?: number; boundObjectRef?: unknown };
    };
    const sa = this.simulation.store.get<KubeObject>('ServiceAccount', namespace, name);
    if (!sa) throw ApiError.notFound('serviceaccounts', name);
    const seconds = request.spec?.expirationSeconds ?? DEFAULT_SECONDS;
    if (seconds < MIN_SECONDS) throw invalid(name, seconds, 'may not specify a duration less than 10 minutes');
    if (seconds > MAX_SECONDS) throw invalid(name, seconds, 'may not specify a duration larger than 2^32 seconds');
    const audiences = request.spec?.audiences?.length ? request.spec.audiences : [ISSUER];
    const now = Math.floor(this.simulation.clock.now() / 1000);
    this.issued += 1;
    const claims: Claims = {
      aud: audiences,
      exp: now + seconds,
      iat: now,
      iss: ISSUER,
      jti: jtiOf(sa.metadata.uid ?? '', now, this.issued),
      'kubernetes.io': { namespace, serviceaccount: { name, uid: sa.metadata.uid ?? '' } },
      nbf: now,
      sub: `system:serviceaccount:${namespace}:${name}`,
    };
    return {
      status: 201,
      body: {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { name, namespace, creationTimestamp: null },
        spec: { audiences, expirationSeconds: seconds, boundObjectRef: request.spec?.boundObjectRef ?? null },
        status: {
          token: this.sign(claims),
          expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace('.000Z', 'Z'),
        },
      },
    };
  }

  /** `POST /apis/authentication.k8s.io/v1/tokenreviews` (pkg/registry/authentication/tokenreview/storage.go). */
  review(method: string, body: Buffer, contentType: string): ApiReply {
    if (method !== 'POST') throw methodNotAllowed();
    const review = decodeBody(body, contentType, 'TokenReview') as { spec?: { token?: string; audiences?: string[] } };
    const spec = review.spec ?? {};
    if (!spec.token) throw ApiError.badRequest('token is required for TokenReview in authentication');
    const base = {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
    };
    const result = this.authenticate(spec.token, spec.audiences);
    return { status: 201, body: { ...base, status: result } };
  }

  /** What a token authenticates as (the service account token authenticator, pkg/serviceaccount/claims.go). */
  authenticate(token: string, wanted: string[] | undefined): Record<string, unknown> {
    const claims = this.verify(token);
    if (!claims) return { user: {} };
    const now = Math.floor(this.simulation.clock.now() / 1000);
    // go-jose's Claims.Validate with no leeway: expired once now is past exp.
    if (now > claims.exp) return { user: {}, error: 'service account token has expired' };
    const audiences = wanted?.length ? wanted.filter((a) => claims.aud.includes(a)) : claims.aud;
    if (audiences.length === 0) return { user: {}, error: 'token audiences [] is invalid for the target audiences' };
    const sa = this.simulation.store.get<KubeObject>(
      'ServiceAccount',
      claims['kubernetes.io'].namespace,
      claims['kubernetes.io'].serviceaccount.name,
    );
    if (!sa || sa.metadata.uid !== claims['kubernetes.io'].serviceaccount.uid)
      return {
        user: {},
        error: `service account ${claims['kubernetes.io'].namespace}/${claims['kubernetes.io'].serviceaccount.name} has been deleted`,
      };
    const ns = claims['kubernetes.io'].namespace;
    return {
      authenticated: true,
      user: {
        username: claims.sub,
        uid: claims['kubernetes.io'].serviceaccount.uid,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, AUTHENTICATED],
        extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] },
      },
      audiences,
    };
  }

  private sign(claims: Claims): string {
    const header = b64(JSON.stringify({ alg: 'HS256', kid: 'rollout-gate-sim' }));
    const payload = b64(JSON.stringify(claims));
    return `${header}.${payload}.${this.mac(`${header}.${payload}`)}`;
  }

  private verify(token: string): Claims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const given = Buffer.from(parts[2]!);
    const wanted = Buffer.from(this.mac(`${parts[0]}.${parts[1]}`));
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return undefined;
    return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Claims;
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A UUID-shaped token id derived from what makes the token unique (randomness belongs to src/clock). */
function jtiOf(uid: string, now: number, serial: number): string {
  const h = createHash('sha256').update(`${uid} ${now} ${serial}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function invalid(name: string, seconds: number, why: string): ApiError {
  return new ApiError(
    422,
    'Invalid',
    `TokenRequest.authentication.k8s.io "${name}" is invalid: spec.expirationSeconds: Invalid value: ${seconds}: ${why}`,
    {
      name,
      group: 'authentication.k8s.io',
      kind: 'TokenRequest',
      causes: [
        { reason: 'FieldValueInvalid', message: `Invalid value: ${seconds}: ${why}`, field: 'spec.expirationSeconds' },
      ],
    },
  );
}
