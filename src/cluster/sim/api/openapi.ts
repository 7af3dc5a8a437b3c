import { createHash } from 'node:crypto';
import type { KindRegistry } from '../store/kinds.js';
import { groupVersions, kindsOf } from './discovery.js';

/**
 * Minimal OpenAPI v3, just enough for kubectl's validation (toolchain notes §3.3(b)): every
 * resource path declares its GroupVersionKind and a `fieldValidation` query parameter, so kubectl
 * trusts server-side validation instead of downloading schemas. Schemas themselves are not served.
 */
function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** `GET /openapi/v3/<gv>?hash=…` document for one group-version. */
export function openApiDocument(registry: KindRegistry, group: string, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const fieldValidation = {
    name: 'fieldValidation',
    in: 'query',
    description: 'Ignore, Warn or Strict',
    schema: { type: 'string', uniqueItems: true },
  };
  for (const info of kindsOf(registry, group, version)) {
    const gvk = { group, version, kind: info.kind };
    const op = (action: string) => ({
      operationId: `${action}${info.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: [fieldValidation],
      responses: { '200': { description: 'OK' } },
    });
    const base = `/${gvPath(group, version)}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.plural}`;
    paths[base] = { parameters: [fieldValidation], get: op('list'), post: op('post') };
    paths[`${base}/{name}`] = {
      parameters: [fieldValidation],
      get: op('get'),
      put: op('put'),
      patch: op('patch'),
      delete: op('delete'),
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.4' }, paths, components: { schemas: {} } };
}

/** `GET /openapi/v3`: the index of group-version documents, each with a content hash. */
export function openApiIndex(registry: KindRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const { group, versions } of groupVersions(registry)) {
    for (const version of versions) {
      const path = gvPath(group, version);
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${openApiHash(registry, group, version)}` };
    }
  }
  return { paths };
}

export function openApiHash(registry: KindRegistry, group: string, version: string): string {
  return createHash('sha512')
    .update(JSON.stringify(openApiDocument(registry, group, version)))
    .digest('hex')
    .slice(0, 128)
    .toUpperCase();
}
