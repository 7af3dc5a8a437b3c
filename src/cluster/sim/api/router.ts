import type { KindInfo, KindRegistry } from '../store/kinds.js';
import { NAMED_GROUPS, SUBRESOURCES } from './discovery.js';

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
 * `/api/v1/[namespaces/<ns>/]<plural>[/<name>[/<subresource>]]` and the same under `/apis/<group>/v1`.
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
    case '/openapi/v3':
      return { type: 'openapi-index' };
    case '/openapi/v3/api/v1':
      return { type: 'openapi-doc', group: '' };
    case '/healthz':
    case '/livez':
    case '/readyz':
      return { type: 'health' };
  }
  // `/apis/<group>`, `/apis/<group>/v1`, `/openapi/v3/apis/<group>/v1` of every named group served.
  const named = segments[0] === 'apis' && NAMED_GROUPS.includes(segments[1] ?? '') ? segments[1]! : undefined;
  if (named !== undefined && segments.length === 2) return { type: 'group', group: named };
  if (named !== undefined && segments.length === 3 && segments[2] === 'v1') return { type: 'resources', group: named };
  if (path === `/openapi/v3/apis/${segments[3] ?? ''}/v1` && NAMED_GROUPS.includes(segments[3] ?? ''))
    return { type: 'openapi-doc', group: segments[3]! };
  let group: string;
  let rest: string[];
  if (segments[0] === 'api' && segments[1] === 'v1') {
    group = '';
    rest = segments.slice(2);
  } else if (named !== undefined && segments[2] === 'v1') {
    group = named;
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
