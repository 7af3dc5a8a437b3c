import type { ResourceMapping } from '../../cluster/port.js';
import { splitApiVersion } from '../../k8s/builtinResources.js';
import { isCrd } from '../../k8s/crd.js';
import { gateLeaseName } from '../../k8s/lease.js';
import type { KubeObject } from '../../k8s/objects.js';
import type { ResourceAttributes } from '../../k8s/rbac/authorize.js';
import { isWorkloadKind, WORKLOAD_KINDS, workloadLabel } from '../../k8s/workloadKinds.js';

/** A document of the run with its REST mapping (from discovery, or from a CRD of the same run). */
export interface PlannedDocument {
  file: string;
  line: number;
  object: KubeObject;
  mapping: ResourceMapping;
}

export interface PermissionOptions {
  rollback: 'on-failure' | 'never';
  onNoGoodRevision: 'leave' | 'scale-to-zero' | 'delete';
}

/** One permission the run needs. */
export interface Need {
  attrs: ResourceAttributes;
  /** What the run does with it: `apply configmap "shop-config"`. */
  why: string[];
  /** The first document it is needed for. */
  file?: string;
  line?: number;
  /** Needed only when this object does not exist yet (an apply that creates is also a create). */
  whenAbsent?: { apiVersion: string; kind: string; namespace?: string; name: string };
  /** What the run goes without when it is missing; absent: the run cannot do without it. */
  withoutIt?: string;
}

/** The gate's Leases are a convenience it can run without (lock.ts LeaseKeeper.acquire). */
export const WITHOUT_LEASES =
  'the run goes on without the lock against a concurrent run and without recording the last good revision';
/** Logs are evidence for the report (captureEvidence.ts): a failure is still reported and rolled back. */
export const WITHOUT_LOGS = "failing containers' last log lines are left out of the report";

/**
 * Every permission a gate run needs, worked out before anything is sent (pure: documents in,
 * needs out, deduplicated, in the order first needed). Each is what a request of the run is
 * authorized as by the API server:
 * * each document: `get` (its live state, before the apply) and `patch` (server-side apply is a
 *   PATCH); `create` too when the object does not exist yet: an apply that creates is authorized
 *   as a create as well (k8s.io/apiserver handlers/patch.go, createAuthorizerAttributes);
 *   a CustomResourceDefinition's `get` also serves the wait for it to be Established;
 * * each workload's namespace: `list` and `watch` of its kind, its ReplicaSets (Deployment) or
 *   ControllerRevisions (StatefulSet, DaemonSet), pods and events
 *   (the watch cache of cluster/kube), `get pods/log` (evidence), and the Lease
 *   (coordination.k8s.io leases `get`, `create`, `update`: lock.ts, recordLastGood.ts);
 * * the rollback is a server-side apply and a scale to zero a merge patch of the Deployment
 *   itself (both `patch`, already needed); `delete` deployments only with
 *   `onNoGoodRevision: delete`; `delete` pods for a StatefulSet's forced rollback.
 */
export function neededPermissions(documents: readonly PlannedDocument[], options: PermissionOptions): Need[] {
  const needs = new Map<string, Need>();
  const add = (attrs: ResourceAttributes, why: string, more: Omit<Need, 'attrs' | 'why'> = {}): void => {
    const key = JSON.stringify([
      attrs.verb,
      attrs.group,
      attrs.resource,
      attrs.subresource,
      attrs.namespace,
      attrs.name,
    ]);
    const known = needs.get(key);
    if (!known) return void needs.set(key, { attrs, why: [why], ...more });
    if (!known.why.includes(why)) known.why.push(why);
    // Needed without condition by anyone: needed.
    if (!more.withoutIt) delete known.withoutIt;
    if (!more.whenAbsent) delete known.whenAbsent;
  };
  for (const doc of documents) {
    const { object, mapping } = doc;
    const { group } = splitApiVersion(object.apiVersion ?? '');
    const name = object.metadata.name ?? '';
    // (The loader and resolveKinds give every namespaced object its namespace; 'default' as the API would.)
    const namespace = mapping.namespaced ? (object.metadata.namespace ?? 'default') : undefined;
    const target = { group, resource: mapping.plural, ...(namespace ? { namespace } : {}), name };
    const what = `${(object.kind ?? '').toLowerCase()} "${name}"`;
    const at = { file: doc.file, line: doc.line };
    add({ verb: 'get', ...target }, isCrd(object) ? `apply and wait for ${what}` : `apply ${what}`, at);
    add({ verb: 'patch', ...target }, `apply ${what}`, at);
    add({ verb: 'create', ...target }, `create ${what}`, {
      ...at,
      whenAbsent: {
        apiVersion: object.apiVersion ?? '',
        kind: object.kind ?? '',
        ...(namespace ? { namespace } : {}),
        name,
      },
    });
  }
  for (const doc of documents) {
    if (!isWorkloadKind(doc.object.apiVersion, doc.object.kind)) continue;
    const kind = doc.object.kind;
    const info = WORKLOAD_KINDS[kind];
    const name = doc.object.metadata.name ?? '';
    const namespace = doc.object.metadata.namespace ?? 'default';
    const label = workloadLabel({ kind, name });
    const at = { file: doc.file, line: doc.line };
    const watching = `watch the rollout of ${label}`;
    const history = info.history === 'ReplicaSet' ? 'replicasets' : 'controllerrevisions';
    for (const [group, resource] of [
      ['apps', info.plural],
      ['apps', history],
      ['', 'pods'],
      ['', 'events'],
    ] as const)
      for (const verb of ['list', 'watch']) add({ verb, group, resource, namespace }, watching, at);
    add(
      { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace },
      `read the logs of failing pods of ${label}`,
      {
        ...at,
        withoutIt: WITHOUT_LOGS,
      },
    );
    const lease = gateLeaseName(name, kind);
    const leasing = `hold the Lease of ${label}`;
    const leases = { group: 'coordination.k8s.io', resource: 'leases', namespace };
    add({ verb: 'get', ...leases, name: lease }, leasing, { ...at, withoutIt: WITHOUT_LEASES });
    add({ verb: 'create', ...leases }, leasing, { ...at, withoutIt: WITHOUT_LEASES });
    add({ verb: 'update', ...leases, name: lease }, leasing, { ...at, withoutIt: WITHOUT_LEASES });
    // The forced rollback of a StatefulSet deletes the pods stuck on the failed revision (revisionRollback.ts).
    if (options.rollback === 'on-failure' && kind === 'StatefulSet')
      add(
        { verb: 'delete', group: '', resource: 'pods', namespace },
        `replace the pods of ${label} stuck on a failed revision (forced rollback)`,
        at,
      );
    if (options.rollback === 'on-failure' && options.onNoGoodRevision === 'delete')
      add(
        { verb: 'delete', group: 'apps', resource: info.plural, namespace, name },
        `delete ${label} when it fails with no good revision (on-no-good-revision delete)`,
        at,
      );
  }
  return [...needs.values()];
}
