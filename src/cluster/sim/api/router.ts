import { servedVersions, type KindInfo, type KindRegistry } from '../store/kinds.js';
import { serves, subresourcesOf } from './discovery.js';

/** What a request path addresses. */
export type Route =
  | { type: 'version' | 'api' | 'apis' | 'openapi-index' | 'openapi-v2' | 'health' }
  | { type: 'group'; group: string }
  | { type: 'resources'; group: string; version: string }
  | { type: 'openapi-doc'; group: string; version: string }
  | { type: 'resource'; info: KindInfo; version: string; namespace?: string; name?: string; subresource?: string }
  | { type: 'not-found' };

const NOT_FOUND: Route = { type: 'not-found' };

/**
 * Maps a URL path onto the API's REST layout (https://kubernetes.io/docs/reference/using-api/api-concepts/):
 * `/api/v1/[namespaces/<ns>/]<plural>[/<name>[/<subresource>]]` and the same under `/apis/<group>/<version>`
 * for every group-version the registry serves (built-in kinds and custom resources).
 */
export function parseRoute(pathname: string, registry: KindRegistry): Route {
  const segments = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const path = '/' + segments.join('/');
  switch (path) {
    case '/version':
      return { type: 'version' };
    case '/api':
      return { type: 'api' };
    case '/apis':
      return { type: 'apis' };
    case '/api/v1':
      return { type: 'resources', group: '', version: 'v1' };
    case '/openapi/v3':
      return { type: 'openapi-index' };
    case '/openapi/v2':
      return { type: 'openapi-v2' };
    case '/openapi/v3/api/v1':
      return { type: 'openapi-doc', group: '', version: 'v1' };
    case '/healthz':
    case '/livez':
    case '/readyz':
      return { type: 'health' };
  }
  // `/openapi/v3/apis/<group>/<version>`
  if (segments[0] === 'openapi' && segments[1] === 'v3' && segments[2] === 'apis' && segments.length === 5) {
    return serves(registry, segments[3]!, segments[4]!)
      ? { type: 'openapi-doc', group: segments[3]!, version: segments[4]! }
      : NOT_FOUND;
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments[1] === 'v1') {
    group = '';
    version = 'v1';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 2) {
    group = segments[1]!;
    if (segments.length === 2) return serves(registry, group) ? { type: 'group', group } : NOT_FOUND;
    version = segments[2]!;
    if (!serves(registry, group, version)) return NOT_FOUND;
    if (segments.length === 3) return { type: 'resources', group, version };
    rest = segments.slice(3);
  } else {
    return NOT_FOUND;
  }
  const served = (info: KindInfo | undefined): KindInfo | undefined =>
    info && servedVersions(info).includes(version) ? info : undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = served(registry.byResource(group, rest[2]!));
    if (info?.namespaced) {
      if (rest.length > 5) return NOT_FOUND;
      return withSubresource({
        type: 'resource',
        info,
        version,
        namespace: rest[1],
        name: rest[3],
        subresource: rest[4],
      });
    }
    if (group === '' && rest.length === 3) {
      // `/api/v1/namespaces/<name>/status`: a subresource of the Namespace itself.
      const ns = registry.byResource('', 'namespaces');
      return ns
        ? withSubresource({ type: 'resource', info: ns, version, name: rest[1], subresource: rest[2] })
        : NOT_FOUND;
    }
    return NOT_FOUND;
  }
  const info = served(rest[0] ? registry.byResource(group, rest[0]) : undefined);
  if (!info || rest.length > 3) return NOT_FOUND;
  // A namespaced resource addressed without a namespace can only be listed or watched across namespaces.
  if (info.namespaced && rest.length > 1) return NOT_FOUND;
  return withSubresource({ type: 'resource', info, version, name: rest[1], subresource: rest[2] });
}

function withSubresource(route: Extract<Route, { type: 'resource' }>): Route {
  if (route.subresource === undefined) return route;
  return subresourcesOf(route.info).includes(route.subresource) ? route : NOT_FOUND;
}
