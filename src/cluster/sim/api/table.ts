import { formatSelector } from '../../../k8s/labels.js';
import type { Condition, Deployment, KubeEvent, KubeObject, Node, Pod, ReplicaSet } from '../../../k8s/objects.js';
import { parseTime } from '../../../k8s/meta.js';
import { ageOf, humanDuration } from './duration.js';
import { hpaTargets } from './hpaTargets.js';
import { apiGroupOf, controllerOf } from '../../../k8s/meta.js';
import type { StatefulSet } from '../../../k8s/statefulSet.js';

/** A `meta.k8s.io/v1` TableColumnDefinition. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'number' | 'boolean';
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number;
type Printer = { columns: TableColumn[]; row(obj: KubeObject, now: number): Cell[] };

const col = (name: string, type: TableColumn['type'] = 'string', priority = 0, format = ''): TableColumn => ({
  name,
  type,
  format,
  description: name,
  priority,
});
const NAME = col('Name', 'string', 0, 'name');
const AGE = col('Age', 'date');
const none = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));
const age = (obj: KubeObject, now: number): string => ageOf(obj.metadata.creationTimestamp, now);
const containerColumns = [col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)];

function containerCells(obj: Deployment | ReplicaSet): Cell[] {
  const containers = obj.spec?.template?.spec?.containers ?? [];
  return [
    containers.map((c) => c.name).join(','),
    containers.map((c) => c.image ?? '').join(','),
    obj.spec?.selector ? none(formatSelector(obj.spec.selector)) : '<none>',
  ];
}

/**
 * Server-side printers, after pkg/printers/internalversion/printers.go
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go).
 * kubectl upper-cases column names and hides priority > 0 columns unless `-o wide`.
 */
/** printReplicaSet's columns, which printReplicationController shares. */
const replicaSetColumns = [
  NAME,
  col('Desired', 'integer'),
  col('Current', 'integer'),
  col('Ready', 'integer'),
  AGE,
  ...containerColumns,
];

const PRINTERS: Record<string, Printer> = {
  Deployment: {
    columns: [NAME, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), AGE, ...containerColumns],
    row: (obj, now) => {
      const d = obj as Deployment;
      const s = d.status ?? {};
      return [
        d.metadata.name ?? '',
        `${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
        s.updatedReplicas ?? 0,
        s.availableReplicas ?? 0,
        age(d, now),
        ...containerCells(d),
      ];
    },
  },
  ReplicaSet: {
    columns: replicaSetColumns,
    row: (obj, now) => {
      const rs = obj as ReplicaSet;
      const s = rs.status;
      return [
        rs.metadata.name ?? '',
        rs.spec?.replicas ?? 0,
        s?.replicas ?? 0,
        s?.readyReplicas ?? 0,
        age(rs, now),
        ...containerCells(rs),
      ];
    },
  },
  // printReplicationController: the ReplicaSet's columns; the selector is a map (labels.FormatLabels).
  ReplicationController: {
    columns: replicaSetColumns,
    row: (obj, now) => {
      const rc = obj as unknown as ReplicaSet & { spec?: { selector?: Record<string, string> } };
      const selector = rc.spec?.selector as Record<string, string> | undefined;
      const containers = rc.spec?.template?.spec?.containers ?? [];
      return [
        rc.metadata.name ?? '',
        rc.spec?.replicas ?? 0,
        rc.status?.replicas ?? 0,
        rc.status?.readyReplicas ?? 0,
        age(rc, now),
        containers.map((c) => c.name).join(','),
        containers.map((c) => c.image ?? '').join(','),
        selector && Object.keys(selector).length > 0
          ? Object.keys(selector)
              .sort()
              .map((k) => `${k}=${selector[k]}`)
              .join(',')
          : '<none>',
      ];
    },
  },
  // printDaemonSet: NODE SELECTOR is labels.FormatLabels of the template's nodeSelector (sorted keys).
  DaemonSet: {
    columns: [
      NAME,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      col('Node Selector'),
      AGE,
      ...containerColumns,
    ],
    row: (obj, now) => {
      const ds = obj as Deployment;
      const s = (obj.status ?? {}) as Record<string, number | undefined>;
      const nodeSelector = Object.entries(ds.spec?.template?.spec?.nodeSelector ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return [
        ds.metadata.name ?? '',
        s.desiredNumberScheduled ?? 0,
        s.currentNumberScheduled ?? 0,
        s.numberReady ?? 0,
        s.updatedNumberScheduled ?? 0,
        s.numberAvailable ?? 0,
        none(nodeSelector),
        age(ds, now),
        ...containerCells(ds),
      ];
    },
  },
  StatefulSet: {
    // printStatefulSet: READY is status.readyReplicas over spec.replicas.
    columns: [NAME, col('Ready'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1)],
    row: (obj, now) => {
      const set = obj as StatefulSet;
      const containers = set.spec?.template?.spec?.containers ?? [];
      return [
        set.metadata.name ?? '',
        `${set.status?.readyReplicas ?? 0}/${set.spec?.replicas ?? 0}`,
        age(set, now),
        containers.map((c) => c.name).join(','),
        containers.map((c) => c.image ?? '').join(','),
      ];
    },
  },
  ControllerRevision: {
    // printControllerRevision: the controller as `<kind>.<group>/<name>`, `<none>` without one.
    columns: [NAME, col('Controller'), col('Revision', 'integer'), AGE],
    row: (obj, now) => {
      const ref = controllerOf(obj);
      const group = apiGroupOf(ref?.apiVersion);
      const controller = ref ? `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}` : '<none>';
      return [obj.metadata.name ?? '', controller, (obj as { revision?: number }).revision ?? 0, age(obj, now)];
    },
  },
  Pod: {
    columns: [
      NAME,
      col('Ready'),
      col('Status'),
      col('Restarts'),
      AGE,
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    row: (obj, now) => {
      const pod = obj as Pod;
      const { ready, total, reason, restarts } = podStatus(pod, now);
      return [
        pod.metadata.name ?? '',
        `${ready}/${total}`,
        reason,
        restarts,
        age(pod, now),
        none(pod.status?.podIP),
        none(pod.spec?.nodeName),
        '<none>',
        '<none>',
      ];
    },
  },
  Event: {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', 'string', 1),
      col('Source', 'string', 1),
      col('Message'),
      col('First Seen', 'string', 1),
      col('Count', 'integer', 1),
      col('Name', 'string', 1),
    ],
    row: (obj, now) => {
      const e = obj as KubeEvent;
      const source = [e.source?.component, e.source?.host].filter(Boolean).join(', ');
      return [
        ageOf(e.lastTimestamp ?? e.firstTimestamp ?? e.metadata.creationTimestamp, now),
        e.type ?? '',
        e.reason ?? '',
        `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name ?? ''}`,
        e.involvedObject.fieldPath ?? '',
        source || (e.reportingComponent ?? ''),
        e.message ?? '',
        ageOf(e.firstTimestamp ?? e.metadata.creationTimestamp, now),
        e.count ?? 1,
        e.metadata.name ?? '',
      ];
    },
  },
  Node: {
    columns: [NAME, col('Status'), col('Roles'), AGE, col('Version'), col('Internal-IP', 'string', 1)],
    row: (obj, now) => {
      const node = obj as Node;
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      const status = [ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown'];
      if (node.spec?.unschedulable) status.push('SchedulingDisabled');
      const roles = Object.keys(node.metadata.labels ?? {})
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length));
      const info = node.status?.nodeInfo as { kubeletVersion?: string } | undefined;
      const addresses = (node.status?.addresses ?? []) as Array<{ type: string; address: string }>;
      return [
        node.metadata.name ?? '',
        status.join(','),
        roles.length ? roles.sort().join(',') : '<none>',
        age(node, now),
        info?.kubeletVersion ?? '',
        none(addresses.find((a) => a.type === 'InternalIP')?.address),
      ];
    },
  },
  Namespace: {
    columns: [NAME, col('Status'), AGE],
    row: (obj, now) => [
      obj.metadata.name ?? '',
      String((obj.status as { phase?: string } | undefined)?.phase ?? 'Active'),
      age(obj, now),
    ],
  },
  ConfigMap: {
    columns: [NAME, col('Data', 'integer'), AGE],
    row: (obj, now) => [
      obj.metadata.name ?? '',
      Object.keys((obj.data as object) ?? {}).length + Object.keys((obj.binaryData as object) ?? {}).length,
      age(obj, now),
    ],
  },
  Secret: {
    columns: [NAME, col('Type'), col('Data', 'integer'), AGE],
    row: (obj, now) => [
      obj.metadata.name ?? '',
      String(obj.type ?? 'Opaque'),
      Object.keys((obj.data as object) ?? {}).length,
      age(obj, now),
    ],
  },
  // printLease: the holder is empty once released.
  Lease: {
    columns: [NAME, col('Holder'), AGE],
    row: (obj, now) => [
      obj.metadata.name ?? '',
      String((obj.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? ''),
      age(obj, now),
    ],
  },
  Service: {
    columns: [
      NAME,
      col('Type'),
      col('Cluster-IP'),
      col('External-IP'),
      col('Port(s)'),
      AGE,
      col('Selector', 'string', 1),
    ],
    row: (obj, now) => {
      const spec = (obj.spec ?? {}) as {
        type?: string;
        clusterIP?: string;
        ports?: Array<{ port: number; protocol?: string; nodePort?: number }>;
        selector?: Record<string, string>;
      };
      const ports = (spec.ports ?? [])
        .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
        .join(',');
      const selector = Object.entries(spec.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return [
        obj.metadata.name ?? '',
        spec.type ?? 'ClusterIP',
        none(spec.clusterIP),
        '<none>',
        none(ports),
        age(obj, now),
        none(selector),
      ];
    },
  },
};

/**
 * `printJob` (kubectl 1.32): STATUS from the True conditions in printJob's order, COMPLETIONS `succeeded/completions`
 * (`n/1` or `n/1 of p` without completions), DURATION from startTime to completionTime (or now).
 */
const JOB_PRINTER: Printer = {
  columns: [NAME, col('Status'), col('Completions'), col('Duration'), AGE, ...containerColumns],
  row: (obj, now) => {
    const job = obj as KubeObject & {
      spec?: { completions?: number; parallelism?: number; selector?: Deployment['spec']['selector'] };
      status?: { succeeded?: number; startTime?: string; completionTime?: string; conditions?: Condition[] };
    };
    const s = job.status ?? {};
    const succeeded = s.succeeded ?? 0;
    const spec = job.spec ?? {};
    const completions =
      spec.completions !== undefined
        ? `${succeeded}/${spec.completions}`
        : (spec.parallelism ?? 0) > 1
          ? `${succeeded}/1 of ${spec.parallelism}`
          : `${succeeded}/1`;
    const start = parseTime(s.startTime);
    const end = parseTime(s.completionTime);
    const took = start === undefined ? '' : humanDuration((end ?? now) - start);
    const has = (type: string) => (s.conditions ?? []).some((c) => c.type === type && c.status === 'True');
    const status = has('Complete')
      ? 'Complete'
      : has('Failed')
        ? 'Failed'
        : job.metadata.deletionTimestamp
          ? 'Terminating'
          : has('Suspended')
            ? 'Suspended'
            : has('FailureTarget')
              ? 'FailureTarget'
              : has('SuccessCriteriaMet')
                ? 'SuccessCriteriaMet'
                : 'Running';
    return [job.metadata.name ?? '', status, completions, took, age(job, now), ...containerCells(job as Deployment)];
  },
};

/** Printers of kinds stored generically (printers.go; CRDs: apiextensions' own columns). */
const GENERIC_PRINTERS: Record<string, Printer> = {
  Job: JOB_PRINTER,
  Ingress: {
    columns: [NAME, col('Class'), col('Hosts'), col('Address'), col('Ports'), AGE],
    row: (obj, now) => {
      const spec = (obj.spec ?? {}) as { ingressClassName?: string; rules?: Array<{ host?: string }>; tls?: unknown[] };
      const lb = (obj.status as { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } } | undefined)
        ?.loadBalancer?.ingress;
      const hosts = (spec.rules ?? []).map((r) => r.host || '*');
      return [
        obj.metadata.name ?? '',
        none(spec.ingressClassName),
        hosts.length > 0 ? hosts.join(',') : '*',
        (lb ?? []).map((i) => i.ip || i.hostname || '').join(','),
        spec.tls?.length ? '80, 443' : '80',
        age(obj, now),
      ];
    },
  },
  PodDisruptionBudget: {
    columns: [NAME, col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'), AGE],
    row: (obj, now) => {
      const spec = (obj.spec ?? {}) as { minAvailable?: number | string; maxUnavailable?: number | string };
      const allowed = (obj.status as { disruptionsAllowed?: number } | undefined)?.disruptionsAllowed ?? 0;
      const na = (v: number | string | undefined): string => (v === undefined ? 'N/A' : String(v));
      return [obj.metadata.name ?? '', na(spec.minAvailable), na(spec.maxUnavailable), allowed, age(obj, now)];
    },
  },
  // printHorizontalPodAutoscaler: MINPODS is a string (`<unset>` without minReplicas).
  HorizontalPodAutoscaler: {
    columns: [
      NAME,
      col('Reference'),
      col('Targets'),
      col('MinPods'),
      col('MaxPods', 'integer'),
      col('Replicas', 'integer'),
      AGE,
    ],
    row: (obj, now) => {
      const spec = (obj.spec ?? {}) as {
        scaleTargetRef?: { kind?: string; name?: string };
        minReplicas?: number;
        maxReplicas?: number;
      };
      return [
        obj.metadata.name ?? '',
        `${spec.scaleTargetRef?.kind ?? ''}/${spec.scaleTargetRef?.name ?? ''}`,
        hpaTargets(obj),
        spec.minReplicas === undefined ? '<unset>' : String(spec.minReplicas),
        spec.maxReplicas ?? 0,
        (obj.status as { currentReplicas?: number } | undefined)?.currentReplicas ?? 0,
        age(obj, now),
      ];
    },
  },
  // printComponentStatus: Healthy or Unhealthy from the Healthy condition, its message and error.
  ComponentStatus: {
    columns: [NAME, col('Status'), col('Message'), col('Error')],
    row: (obj) => {
      const c = ((obj as { conditions?: Condition[] }).conditions ?? []).find((x) => x.type === 'Healthy');
      const status = c?.status === 'True' ? 'Healthy' : 'Unhealthy';
      return [obj.metadata.name ?? '', status, c?.message ?? '', (c as { error?: string } | undefined)?.error ?? ''];
    },
  },
  CustomResourceDefinition: {
    columns: [NAME, col('Created At', 'date')],
    row: (obj) => [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? ''],
  },
};

const DEFAULT_PRINTER: Printer = { columns: [NAME, AGE], row: (obj, now) => [obj.metadata.name ?? '', age(obj, now)] };

/** What a row's `object` carries: `includeObject=None|Metadata|Object` (Metadata is the default). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Builds a `meta.k8s.io/v1` Table of `objects` (all of `kind`). */
export function toTable(
  kind: string,
  objects: KubeObject[],
  now: number,
  options: { include: IncludeObject; resourceVersion?: string; continueToken?: string; columns?: boolean },
): Record<string, unknown> {
  const printer = PRINTERS[kind] ?? GENERIC_PRINTERS[kind] ?? DEFAULT_PRINTER;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.continueToken ? { continue: options.continueToken } : {}),
    },
    columnDefinitions: options.columns === false ? [] : printer.columns,
    rows: objects.map((obj) => ({
      cells: printer.row(obj, now),
      ...(options.include === 'None' ? {} : { object: options.include === 'Object' ? obj : partialMetadata(obj) }),
    })),
  };
}

function partialMetadata(obj: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** The pod columns READY, STATUS and RESTARTS exactly as kubectl's printPod computes them. */
export function podStatus(pod: Pod, now: number): { ready: number; total: number; reason: string; restarts: string } {
  const status = pod.status ?? {};
  const total = pod.spec?.containers?.length ?? 0;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let reason: string = status.reason || status.phase || '';
  if (status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'))
    reason = 'SchedulingGated';
  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    if (c.state.terminated && c.state.terminated.exitCode === 0) continue;
    if (c.state.terminated)
      reason = c.state.terminated.reason
        ? `Init:${c.state.terminated.reason}`
        : `Init:ExitCode:${c.state.terminated.exitCode}`;
    else if (c.state.waiting?.reason && c.state.waiting.reason !== 'PodInitializing')
      reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${pod.spec?.initContainers?.length ?? inits.length}`;
    initializing = true;
    break;
  }
  const initialized = status.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') ?? false;
  if (!initializing || initialized) {
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      const finished = c.lastState?.terminated?.finishedAt ? Date.parse(c.lastState.terminated.finishedAt) : 0;
      if (finished > lastRestart) lastRestart = finished;
      if (c.state.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state.terminated) reason = `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed')
    reason = 'Terminating';
  const restartText =
    restarts !== 0 && lastRestart > 0
      ? `${restarts} (${ageOf(new Date(lastRestart).toISOString(), now)} ago)`
      : String(restarts);
  return { ready, total, reason, restarts: restartText };
}
