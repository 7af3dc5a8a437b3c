import type { KindInfo, KindRegistry } from '../store/kinds.js';
import { SUBRESOURCES } from './discovery.js';

/** What a request path addresses. */
export type Route =
  | { type: 'version' | 'api' | 'apis' | 'openapi-index' | 'health' }
  | { type: 'group'; group: string }
  | { type: 'resources'; group: string }
  | { type: 'openapi-doc'; group: string }
  | { type: 'resource'; info: KindInfo; namespace?: string; name?: string; subresource?: string }
  | { type: 'not-found' };

const NOT_FOUND: Route = { type: 'not-found' };

/**
 * Maps a URL path onto the API's REST layout (https://kubernetes.io/docs/reference/using-api/api-concepts/):
 * `/api/v1/[namespaces/<ns>/]<plural>[/<name>[/<subresource>]]` and the same under `/apis/apps/v1`.
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
      return { type: 'resources', group: '' };
    case '/apis/apps':
      return { type: 'group', group: 'apps' };
    case '/apis/apps/v1':
      return { type: 'resources', group: 'apps' };
    case '/openapi/v3':
      return { type: 'openapi-index' };
    case '/openapi/v3/api/v1':
      return { type: 'openapi-doc', group: '' };
    case '/openapi/v3/apis/apps/v1':
      return { type: 'openapi-doc', group: 'apps' };
    case '/healthz':
    case '/livez':
    case '/readyz':
      return { type: 'health' };
  }
  let group: string;
  let rest: string[];
  if (segments[0] === 'api' && segments[1] === 'v1') {
    group = '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments[1] === 'apps' && segments[2] === 'v1') {
    group = 'apps';
    rest = segments.slice(3);
  } else {
    return NOT_FOUND;
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = registry.byResource(group, rest[2]!);
    if (info?.namespaced) {
      if (rest.length > 5) return NOT_FOUND;
      return withSubresource({ type: 'resource', info, namespace: rest[1], name: rest[3], subresource: rest[4] });
    }
    if (group === '' && rest.length === 3) {
      // `/api/v1/namespaces/<name>/status`: a subresource of the Namespace itself.
      const ns = registry.byResource('', 'namespaces');
      return ns ? withSubresource({ type: 'resource', info: ns, name: rest[1], subresource: rest[2] }) : NOT_FOUND;
    }
    return NOT_FOUND;
  }
  const info = rest[0] ? registry.byResource(group, rest[0]) : undefined;
  if (!info || rest.length > 3) return NOT_FOUND;
  // A namespaced resource addressed without a namespace can only be listed or watched across namespaces.
  if (info.namespaced && rest.length > 1) return NOT_FOUND;
  return withSubresource({ type: 'resource', info, name: rest[1], subresource: rest[2] });
}

function withSubresource(route: Extract<Route, { type: 'resource' }>): Route {
  if (route.subresource === undefined) return route;
  return (SUBRESOURCES[route.info.plural] ?? []).includes(route.subresource) ? route : NOT_FOUND;
}
