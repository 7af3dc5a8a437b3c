import { CRD_KIND, type CrdCondition, type CrdNames, type CustomResourceDefinition } from '../../../../k8s/crd.js';
import { checkCustomResource, schemaOfVersion, validateCrd } from '../../../../k8s/crdSchema/index.js';
import { applyDefaults } from '../../../../k8s/crdSchema/prune.js';
import { clone, rfc3339 } from '../../../../k8s/meta.js';
import type { KubeObject } from '../../../../k8s/objects.js';
import { toStatusCause } from '../../../../k8s/validation/fieldErrors.js';
import { contentChanged } from '../../store/genericKinds.js';
import type { KindInfo } from '../../store/kinds.js';
import type { StoreEvent } from '../../store/objectStore.js';
import type { Controller, ControllerContext } from '../controller.js';

/**
 * The apiextensions controllers in one (naming and establishing:
 * https://github.com/kubernetes/apiextensions-apiserver/tree/master/pkg/controller/status and
 * .../pkg/controller/establish): a CustomResourceDefinition whose names do not collide gets
 * `NamesAccepted` and `Established` True and its custom resource kind is served (discovery, REST,
 * watch, server-side apply) at once; a collision gets `NamesAccepted` False with the upstream
 * message and nothing is served. Deleting the CRD stops serving the kind and removes its objects.
 *
 * Custom resources are decoded and validated against the schema of their CRD's storage version
 * as the API server does (src/k8s/crdSchema/): unknown fields pruned or refused as the request's
 * fieldValidation says, defaults filled, then schema errors and CEL rules as 422 Invalid.
 *
 * Not simulated: conversion between versions (objects are stored in the storage version as
 * written), and the scale subresource.
 */
export class CrdController implements Controller {
  readonly name = 'crd';

  constructor(private readonly ctx: ControllerContext) {
    const kinds = ctx.store.kinds;
    if (kinds.has(CRD_KIND))
      kinds.register({
        ...kinds.get(CRD_KIND),
        validate: (obj) => validateCrd(obj).map((e) => toStatusCause(e.error)),
      });
  }

  keysFor(event: StoreEvent): string[] {
    return event.kind === CRD_KIND ? [event.object.metadata.name ?? ''] : [];
  }

  sync(name: string): void {
    const store = this.ctx.store;
    const crd = store.get<CustomResourceDefinition>(CRD_KIND, undefined, name);
    if (!crd) {
      this.stopServing(name);
      return;
    }
    const names = crd.spec?.names ?? {};
    const group = crd.spec?.group ?? '';
    const conflict = this.conflict(name, group, names);
    const now = rfc3339(this.ctx.clock.now());
    const previous = crd.status?.conditions ?? [];
    const condition = (c: Omit<CrdCondition, 'lastTransitionTime'>): CrdCondition => {
      const old = previous.find((p) => p.type === c.type);
      return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime! : now };
    };
    const storage = (crd.spec?.versions ?? []).find((v) => v.storage) ?? crd.spec?.versions?.[0];
    const status: CustomResourceDefinition['status'] = conflict
      ? {
          conditions: [
            condition({ type: 'NamesAccepted', status: 'False', reason: conflict.reason, message: conflict.message }),
            condition({
              type: 'Established',
              status: 'False',
              reason: 'NotAccepted',
              message: 'not all names are accepted',
            }),
          ],
          acceptedNames: { plural: '', kind: '' },
          storedVersions: storage?.name ? [storage.name] : [],
        }
      : {
          conditions: [
            condition({ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }),
            condition({
              type: 'Established',
              status: 'True',
              reason: 'InitialNamesAccepted',
              message: 'the initial names have been accepted',
            }),
          ],
          acceptedNames: acceptedNames(names),
          storedVersions: [
            ...new Set([...(crd.status?.storedVersions ?? []), ...(storage?.name ? [storage.name] : [])]),
          ],
        };
    if (!conflict) this.serve(name, crd);
    else this.stopServing(name);
    store.update(CRD_KIND, { ...clone(crd), status }, { subresource: 'status' });
  }

  /** Registers (or updates) the custom resource kind of an accepted CRD. */
  private serve(name: string, crd: CustomResourceDefinition): void {
    const spec = crd.spec ?? {};
    const names = spec.names ?? {};
    const served = (spec.versions ?? []).filter((v) => v.served !== false && v.name);
    const storage = (spec.versions ?? []).find((v) => v.storage) ?? served[0];
    if (!storage?.name || !names.kind || !names.plural) return;
    const versions = [storage.name, ...served.map((v) => v.name!).filter((v) => v !== storage.name)];
    const hasStatus = storage.subresources?.status !== undefined;
    const kinds = this.ctx.store.kinds;
    const old = kinds.all().find((k) => k.definedBy === name);
    if (old && (old.kind !== names.kind || old.plural !== names.plural)) kinds.unregister(old.kind);
    const info: KindInfo = {
      kind: names.kind,
      apiVersion: `${spec.group}/${storage.name}`,
      group: spec.group ?? '',
      plural: names.plural,
      namespaced: spec.scope !== 'Cluster',
      versions,
      bumpsGeneration: contentChanged,
      definedBy: name,
      ...(names.shortNames ? { shortNames: names.shortNames } : {}),
      ...(names.categories ? { categories: names.categories } : {}),
      ...(hasStatus ? { subresources: ['status'], statusKeeps: 'status' as const } : {}),
      ...schemaHooks(crd),
    };
    kinds.register(info);
  }

  /** Stops serving the kind of a deleted (or no longer accepted) CRD; its objects go with it. */
  private stopServing(name: string): void {
    const store = this.ctx.store;
    const info = store.kinds.all().find((k) => k.definedBy === name);
    if (!info) return;
    for (const obj of store.list(info.kind)) store.remove(info.kind, obj.metadata.namespace, obj.metadata.name!);
    store.kinds.unregister(info.kind);
  }

  /**
   * The naming controller's checks (naming_controller.go, `calculateNamesAndConditions`): the plural,
   * short names and kind must not be in use by another CRD of the same group. A kind or plural of
   * another group's CRD, or of a built-in kind, is served by the simulator under one name per kind
   * only, so it is refused here too (a real cluster would accept it; see the report).
   */
  private conflict(name: string, group: string, names: CrdNames): { reason: string; message: string } | undefined {
    const kinds = this.ctx.store.kinds;
    const plural = names.plural ?? '';
    const byPlural = kinds.byResource(group, plural);
    if (byPlural && byPlural.definedBy !== name)
      return { reason: 'PluralConflict', message: `"${plural}" is already in use` };
    for (const short of names.shortNames ?? []) {
      const taken = kinds.all().find((k) => k.group === group && k.definedBy !== name && k.shortNames?.includes(short));
      if (taken) return { reason: 'PluralConflict', message: `"${short}" is already in use` };
    }
    const kind = names.kind ?? '';
    if (kinds.has(kind) && kinds.get(kind).definedBy !== name) {
      const other = kinds.get(kind);
      return other.group === group
        ? { reason: 'KindConflict', message: `"${kind}" is already in use` }
        : {
            reason: 'KindConflict',
            message: `"${kind}" is already in use by group "${other.group || 'core'}" (the simulated cluster serves one group per kind)`,
          };
    }
    return undefined;
  }
}

function acceptedNames(names: CrdNames): CrdNames {
  return {
    plural: names.plural ?? '',
    singular: names.singular ?? (names.kind ?? '').toLowerCase(),
    kind: names.kind ?? '',
    listKind: names.listKind ?? `${names.kind ?? ''}List`,
    ...(names.shortNames ? { shortNames: names.shortNames } : {}),
    ...(names.categories ? { categories: names.categories } : {}),
  };
}

/**
 * The decoding and validation hooks of a custom resource kind, from its CRD's schema of the
 * version the object is stored in (the store writes the storage version before calling them).
 */
function schemaHooks(crd: CustomResourceDefinition): Pick<KindInfo, 'unknownFields' | 'applyDefaults' | 'validate'> {
  const schemaOf = (obj: KubeObject) => schemaOfVersion(crd, (obj.apiVersion ?? '').split('/').pop() ?? '');
  return {
    unknownFields: (obj) => {
      const schema = schemaOf(obj);
      return schema ? checkCustomResource(obj, schema).unknown : [];
    },
    applyDefaults: (obj) => {
      const schema = schemaOf(obj);
      if (schema) applyDefaults(obj, schema);
    },
    validate: (obj, old) => {
      const schema = schemaOf(obj);
      return schema ? checkCustomResource(obj, schema, old).errors.map((e) => toStatusCause(e.error)) : [];
    },
  };
}
