import { ALL_VERBS } from '../../../../k8s/builtinResources.js';
import type { KindInfo } from '../../store/kinds.js';
import { subresourcesOf } from '../discovery.js';
import { refTo, type Flavour } from './components.js';

type Json = Record<string, unknown>;

/** The component/definition names a kind's paths refer to. */
export interface KindSchemas {
  kind: string;
  list?: string;
}

export const SCALE = 'io.k8s.api.autoscaling.v1.Scale';
export const TOKEN_REQUEST = 'io.k8s.api.authentication.v1.TokenRequest';
export const BINDING = 'io.k8s.api.core.v1.Binding';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/**
 * The REST paths of one kind in one group-version, as the API server's OpenAPI documents list
 * them (k8s.io/apiserver pkg/endpoints/installer.go): each operation says its
 * `x-kubernetes-action` and GroupVersionKind, and every write takes `fieldValidation`, which is
 * how kubectl learns that the server validates fields itself (cli-runtime
 * pkg/resource/query_param_verifier_v3.go looks at the PATCH operation of the kind).
 */
export function kindPaths(
  info: KindInfo,
  group: string,
  version: string,
  schemas: KindSchemas,
  flavour: Flavour,
): Record<string, Json> {
  const verbs = new Set(info.verbs ?? ALL_VERBS);
  const gvk = { group, version, kind: info.kind };
  const scope = info.namespaced ? 'Namespaced' : '';
  const id = `${groupId(group)}${capitalize(version)}${scope}${info.kind}`;
  const base = `/${gvPath(group, version)}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.plural}`;
  const namespace = info.namespaced
    ? [pathParameter('namespace', 'object name and auth scope, such as for teams and projects', flavour)]
    : [];
  const named = [pathParameter('name', `name of the ${info.kind}`, flavour), ...namespace];
  const versionId = `${groupId(group)}${capitalize(version)}`;
  const op = (action: string, verb: string, opts: OperationOptions): Json =>
    operation(flavour, {
      ...opts,
      action,
      // deletecollection: `deleteAppsV1CollectionNamespacedDeployment`, as upstream names it.
      operationId: opts.collection
        ? `${verb}${versionId}Collection${scope}${info.kind}`
        : `${verb}${id}${opts.suffix ?? ''}`,
      gvk: opts.gvk ?? gvk,
    });
  const kindRef = refTo(schemas.kind, flavour);
  const paths: Record<string, Json> = {};

  const collection: Json = { parameters: [...namespace, query('pretty', flavour)] };
  if (verbs.has('list') && schemas.list)
    collection.get = op('list', 'list', { response: refTo(schemas.list, flavour) });
  if (verbs.has('create')) collection.post = op('post', 'create', { body: kindRef, response: kindRef, writes: true });
  if (verbs.has('deletecollection'))
    collection.delete = op('deletecollection', 'delete', {
      response: refTo(`${META}Status`, flavour),
      body: refTo(`${META}DeleteOptions`, flavour),
      collection: true,
    });
  if (Object.keys(collection).length > 1) paths[base] = collection;

  const item: Json = { parameters: [...named, query('pretty', flavour)] };
  if (verbs.has('get')) item.get = op('get', 'read', { response: kindRef });
  if (verbs.has('update')) item.put = op('put', 'replace', { body: kindRef, response: kindRef, writes: true });
  if (verbs.has('patch'))
    item.patch = op('patch', 'patch', {
      body: refTo(`${META}Patch`, flavour),
      response: kindRef,
      writes: true,
      patch: true,
    });
  if (verbs.has('delete'))
    item.delete = op('delete', 'delete', {
      body: refTo(`${META}DeleteOptions`, flavour),
      response: refTo(`${META}Status`, flavour),
    });
  // Create-only resources (the access reviews) have no item path.
  if (Object.keys(item).length > 1) paths[`${base}/{name}`] = item;

  for (const sub of subresourcesOf(info)) {
    const suffix = capitalize(sub);
    const params = { parameters: [...named, query('pretty', flavour)] };
    if (sub === 'log') {
      paths[`${base}/{name}/log`] = { ...params, get: op('get', 'read', { suffix, text: true }) };
      continue;
    }
    if (sub === 'binding') {
      // pods/binding: create only, a Binding in, the created Binding out.
      const ref = refTo(BINDING, flavour);
      paths[`${base}/{name}/binding`] = {
        ...params,
        post: op('post', 'create', {
          suffix,
          body: ref,
          response: ref,
          writes: true,
          gvk: { group: '', version: 'v1', kind: 'Binding' },
        }),
      };
      continue;
    }
    if (sub === 'token') {
      // serviceaccounts/token: create only, a TokenRequest in and out.
      const ref = refTo(TOKEN_REQUEST, flavour);
      const tokenGvk = { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' };
      paths[`${base}/{name}/token`] = {
        ...params,
        post: op('post', 'create', { suffix, body: ref, response: ref, writes: true, gvk: tokenGvk }),
      };
      continue;
    }
    const scale = sub === 'scale';
    const ref = scale ? refTo(SCALE, flavour) : kindRef;
    const subGvk = scale ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : gvk;
    paths[`${base}/{name}/${sub}`] = {
      ...params,
      get: op('get', 'read', { suffix, response: ref, gvk: subGvk }),
      put: op('put', 'replace', { suffix, body: ref, response: ref, writes: true, gvk: subGvk }),
      patch: op('patch', 'patch', {
        suffix,
        body: refTo(`${META}Patch`, flavour),
        response: ref,
        writes: true,
        patch: true,
        gvk: subGvk,
      }),
    };
  }
  return paths;
}

interface OperationOptions {
  suffix?: string;
  body?: Json;
  response?: Json;
  /** A write: takes dryRun, fieldManager and fieldValidation. */
  writes?: boolean;
  patch?: boolean;
  collection?: boolean;
  /** The answer is plain text (pods/log). */
  text?: boolean;
  gvk?: { group: string; version: string; kind: string };
}

function operation(flavour: Flavour, o: OperationOptions & { action: string; operationId: string; gvk: Json }): Json {
  const params: Json[] = [];
  if (o.writes)
    params.push(query('dryRun', flavour), query('fieldManager', flavour), query('fieldValidation', flavour));
  if (o.patch) params.push(query('force', flavour, 'boolean'));
  if (o.collection) params.push(query('labelSelector', flavour), query('fieldSelector', flavour));
  const media = o.text
    ? ['text/plain']
    : ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
  const bodyTypes = o.patch
    ? [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ]
    : ['*/*'];
  const responseSchema = o.response ?? { type: 'string' };
  const out: Json = { operationId: o.operationId };
  if (flavour === 'v3') {
    if (params.length) out.parameters = params;
    if (o.body)
      out.requestBody = {
        content: Object.fromEntries(bodyTypes.map((t) => [t, { schema: o.body }])),
        required: !o.collection,
      };
    out.responses = {
      '200': { description: 'OK', content: Object.fromEntries(media.map((t) => [t, { schema: responseSchema }])) },
      '401': { description: 'Unauthorized' },
    };
  } else {
    out.consumes = bodyTypes;
    out.produces = media;
    const body = o.body ? [{ in: 'body', name: 'body', required: !o.collection, schema: o.body }] : [];
    if (body.length || params.length) out.parameters = [...body, ...params];
    out.responses = { '200': { description: 'OK', schema: responseSchema }, '401': { description: 'Unauthorized' } };
    out.schemes = ['https'];
  }
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

const QUERY_DESCRIPTIONS: Record<string, string> = {
  pretty: "If 'true', then the output is pretty printed.",
  dryRun:
    'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed',
  fieldManager: 'fieldManager is a name associated with the actor or entity that is making these changes.',
  fieldValidation:
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict',
  force:
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.',
  labelSelector: 'A selector to restrict the list of returned objects by their labels. Defaults to everything.',
  fieldSelector: 'A selector to restrict the list of returned objects by their fields. Defaults to everything.',
};

function query(name: string, flavour: Flavour, type = 'string'): Json {
  const description = QUERY_DESCRIPTIONS[name];
  return flavour === 'v3'
    ? { name, in: 'query', description, schema: { type, uniqueItems: true } }
    : { name, in: 'query', description, type, uniqueItems: true };
}

function pathParameter(name: string, description: string, flavour: Flavour): Json {
  return flavour === 'v3'
    ? { name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } }
    : { name, in: 'path', description, required: true, type: 'string', uniqueItems: true };
}

/** `apps` -> Apps, `rbac.authorization.k8s.io` -> RbacAuthorization, core -> Core (the operation ids upstream). */
function groupId(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .map(capitalize)
    .join('');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
