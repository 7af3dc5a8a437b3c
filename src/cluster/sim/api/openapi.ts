import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ApiError } from '../../../k8s/apiError.js';
import type { CustomResourceDefinition } from '../../../k8s/crd.js';
import { kubernetesRelease, schemaForKind } from '../../../k8s/schema/index.js';
import { metricsSchemaNames } from './openapi/metricsDefinitions.js';
import type { ObjectStore } from '../store/objectStore.js';
import { servedVersions, type KindInfo } from '../store/kinds.js';
import { groupVersions, kindsOf, SERVER_VERSION, subresourcesOf } from './discovery.js';
import {
  builtinSchema,
  closure,
  COMMON_DEFINITIONS,
  customResourceName,
  customResourceSchemas,
  type Descriptions,
  type Flavour,
} from './openapi/components.js';
import { gvPath, kindPaths, BINDING, SCALE, TOKEN_REQUEST, type KindSchemas } from './openapi/paths.js';
import { encodeV2 } from './openapi/protobufV2.js';
import type { Route } from './router.js';

/**
 * The OpenAPI documents kubectl reads (`kubectl explain`, client-side validation, the patches of
 * `apply` and `edit`): `/openapi/v3` (an index), `/openapi/v3/<gv>` (one group-version) and
 * `/openapi/v2` (everything, swagger 2.0). The schemas are the upstream definitions the manifest
 * validation uses (src/k8s/schema), with their descriptions restored from a module loaded on the
 * first request only, and, for custom resources, their CRD's schema.
 */

/** What a request gets: the JSON text, and its hash (the index's `?hash=`, also the ETag). */
export interface OpenApiReply {
  text: string;
  etag: string;
}

let loading: Promise<Descriptions> | undefined;

/** src/k8s/schema/descriptions.ts (1 MB): imported on the first OpenAPI request, never by the action. */
function descriptions(): Promise<Descriptions> {
  loading ??= import('../../../k8s/schema/descriptions.js').then((m) => m.descriptions);
  return loading;
}

const INFO = { title: 'Kubernetes', version: SERVER_VERSION.gitVersion };
const BEARER = { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' };

/** Builds and caches the documents of one server; a document is rebuilt when its kinds (or CRDs) change. */
export class OpenApi {
  private readonly cache = new Map<string, { reply: OpenApiReply }>();
  private readonly schemas = new Map<string, Record<string, unknown>>();
  private protobuf: { bytes: Buffer; etag: string } | undefined;

  constructor(private readonly store: ObjectStore) {}

  /** `GET /openapi/v3`: the group-versions, each with its document's hash. */
  async index(): Promise<OpenApiReply> {
    const paths: Record<string, unknown> = {};
    for (const { group, versions } of groupVersions(this.store.kinds))
      for (const version of versions) {
        const etag = this.hashOf(`v3 ${group}/${version}`, kindsOf(this.store.kinds, group, version));
        paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${etag}` };
      }
    const text = JSON.stringify({ paths });
    return { text, etag: sha512(text) };
  }

  /** `GET /openapi/v3/<gv>`: the paths and components of one group-version. */
  async v3(group: string, version: string): Promise<OpenApiReply> {
    const kinds = kindsOf(this.store.kinds, group, version);
    return this.cached(`v3 ${group}/${version}`, kinds, async () => {
      const { paths, schemas } = await this.build(
        kinds.map((info) => ({ info, group, version })),
        'v3',
      );
      return {
        openapi: '3.0.0',
        info: INFO,
        paths,
        components: { schemas, securitySchemes: { BearerToken: BEARER } },
      };
    });
  }

  /** `GET /openapi/v2`: swagger 2.0, every served group-version in one document. */
  async v2(): Promise<OpenApiReply> {
    const served = groupVersions(this.store.kinds).flatMap(({ group, versions }) =>
      versions.flatMap((version) =>
        kindsOf(this.store.kinds, group, version).map((info) => ({ info, group, version })),
      ),
    );
    return this.cached(
      'v2',
      served.map((s) => s.info),
      async () => {
        const { paths, schemas } = await this.build(served, 'v2');
        return {
          swagger: '2.0',
          info: INFO,
          paths,
          definitions: schemas,
          securityDefinitions: { BearerToken: BEARER },
          security: [{ BearerToken: [] }],
        };
      },
    );
  }

  /** `GET /openapi/v2` in protobuf (./openapi/protobufV2.ts), encoded once per v2 document. */
  async v2Protobuf(): Promise<{ bytes: Buffer; etag: string }> {
    const json = await this.v2();
    if (this.protobuf?.etag !== json.etag)
      this.protobuf = { bytes: encodeV2(JSON.parse(json.text) as Record<string, unknown>), etag: json.etag };
    return this.protobuf;
  }

  private async build(
    served: Array<{ info: KindInfo; group: string; version: string }>,
    flavour: Flavour,
  ): Promise<{ paths: Record<string, unknown>; schemas: Record<string, unknown> }> {
    const described = await descriptions();
    const paths: Record<string, unknown> = {};
    const custom: Record<string, unknown> = {};
    const builtin = new Set(COMMON_DEFINITIONS);
    for (const { info, group, version } of served) {
      const names = this.namesOf(info, group, version);
      if (!names) continue;
      if (info.definedBy) {
        const crd = this.crdOf(info);
        if (crd) Object.assign(custom, customResourceSchemas(crd, info, version, described, flavour));
      } else {
        builtin.add(names.kind);
        if (names.list) builtin.add(names.list);
      }
      if (subresourcesOf(info).includes('scale')) builtin.add(SCALE);
      if (subresourcesOf(info).includes('token')) builtin.add(TOKEN_REQUEST);
      if (subresourcesOf(info).includes('binding')) builtin.add(BINDING);
      Object.assign(paths, kindPaths(info, group, version, names, flavour));
    }
    // A custom resource refers to ObjectMeta and ListMeta: those come with the built-in closure.
    builtin.add('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    builtin.add('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta');
    const schemas: Record<string, unknown> = {};
    for (const name of closure(builtin)) schemas[name] = this.builtin(name, described, flavour);
    return { paths, schemas: { ...schemas, ...custom } };
  }

  /** The schema names of a served kind, or undefined when no schema is known (it is then left out). */
  private namesOf(info: KindInfo, group: string, version: string): KindSchemas | undefined {
    if (info.definedBy) {
      const listKind = this.crdOf(info)?.spec?.names?.listKind ?? `${info.kind}List`;
      return {
        kind: customResourceName(group, version, info.kind),
        list: customResourceName(group, version, listKind),
      };
    }
    const apiVersion = group ? `${group}/${version}` : version;
    const kind = schemaForKind(apiVersion, info.kind)?.name;
    if (!kind) return metricsSchemaNames(apiVersion, info.kind);
    return { kind, list: schemaForKind(apiVersion, `${info.kind}List`)?.name };
  }

  private crdOf(info: KindInfo): CustomResourceDefinition | undefined {
    return info.definedBy
      ? this.store.get<CustomResourceDefinition>('CustomResourceDefinition', undefined, info.definedBy)
      : undefined;
  }

  private builtin(name: string, described: Descriptions, flavour: Flavour): Record<string, unknown> {
    const key = `${flavour} ${name}`;
    let schema = this.schemas.get(key);
    if (!schema) this.schemas.set(key, (schema = builtinSchema(name, described, flavour)));
    return schema;
  }

  /**
   * What a document is made of: its kinds, how they are served, and their CRDs' versions (the
   * built-in schemas are fixed for a release).
   */
  private signatureOf(kinds: KindInfo[]): string {
    return kinds
      .map((k) =>
        [k.kind, k.plural, k.namespaced, servedVersions(k), k.definedBy, this.crdOf(k)?.metadata.resourceVersion].join(
          '/',
        ),
      )
      .join(',');
  }

  /**
   * A document's hash. The API server hashes the document's bytes (SHA-512, upper-case hex,
   * kube-openapi pkg/handler3); this hashes what the document is built from, which changes exactly
   * when the document does, so the index needs no document built (kubectl reads the index first and
   * then only the group-versions it needs).
   */
  private hashOf(key: string, kinds: KindInfo[]): string {
    return sha512(`${kubernetesRelease} ${key} ${this.signatureOf(kinds)}`);
  }

  /** The document for `key`, rebuilt only when its kinds or their CRDs changed. */
  private async cached(
    key: string,
    kinds: KindInfo[],
    build: () => Promise<Record<string, unknown>>,
  ): Promise<OpenApiReply> {
    const etag = this.hashOf(key, kinds);
    const hit = this.cache.get(key);
    if (hit?.reply.etag === etag) return hit.reply;
    const reply = { text: JSON.stringify(await build()), etag };
    this.cache.set(key, { reply });
    return reply;
  }
}

function sha512(text: string): string {
  return createHash('sha512').update(text).digest('hex').toUpperCase();
}

/** The v2 document in protobuf (gnostic's OpenAPIv2 Document): all client-go asks for. */
const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/**
 * Answers an OpenAPI route. A v3 document asked for with a stale `?hash=` is redirected to the
 * current one (301), and one asked for with the current hash may be cached for good, as the API
 * server does (kube-openapi pkg/handler3/handler.go). `/openapi/v2` is JSON, or protobuf when the
 * client prefers it (kube-openapi pkg/handler/handler.go, the `v2.0+protobuf` and `v2@v1.0+protobuf`
 * media types).
 */
export async function serveOpenApi(
  res: ServerResponse,
  openapi: OpenApi,
  route: Route,
  accept: string | undefined,
  query: URLSearchParams,
): Promise<void> {
  let answer: { body: string | Buffer; etag: string; type: string };
  if (route.type === 'openapi-index') answer = json(await openapi.index());
  else if (route.type === 'openapi-v2') {
    const wanted = preferred(accept);
    if (wanted === 'protobuf') {
      const { bytes, etag } = await openapi.v2Protobuf();
      // The `@` is no token character (mime.ParseMediaType refuses it): the API server answers
      // with the `.v1.0` spelling of the type.
      answer = { body: bytes, etag, type: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' };
    } else if (wanted === 'json') answer = json(await openapi.v2());
    else
      throw new ApiError(
        406,
        'NotAcceptable',
        `only the following media types are accepted: application/json, ${V2_PROTOBUF}`,
      );
  } else if (route.type === 'openapi-doc') {
    answer = json(await openapi.v3(route.group, route.version));
    const hash = query.get('hash');
    if (hash !== null && hash !== answer.etag) {
      res.writeHead(301, { Location: `/openapi/v3/${gvPath(route.group, route.version)}?hash=${answer.etag}` });
      res.end();
      return;
    }
    if (hash !== null) res.setHeader('Cache-Control', 'public, immutable');
  } else throw new Error(`not an OpenAPI route: ${route.type}`);
  res.writeHead(200, {
    'Content-Type': answer.type,
    'Content-Length': Buffer.byteLength(answer.body),
    ETag: `"${answer.etag}"`,
  });
  res.end(answer.body);
}

function json(reply: OpenApiReply): { body: string; etag: string; type: string } {
  return { body: reply.text, etag: reply.etag, type: 'application/json' };
}

/** The first form of /openapi/v2 the Accept header allows, in its order (absent: JSON). */
function preferred(accept: string | undefined): 'json' | 'protobuf' | undefined {
  if (!accept) return 'json';
  for (const part of accept.split(',')) {
    const type = part.split(';')[0]!.trim();
    if (type === '*/*' || type === 'application/*' || type === 'application/json') return 'json';
    if (type === V2_PROTOBUF || type === 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf')
      return 'protobuf';
  }
  return undefined;
}
