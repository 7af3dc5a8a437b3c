import type { ClusterClient, WorkloadRef } from '../cluster/port.js';
import type { KubeObject, Pod, PodTemplateSpec } from '../k8s/objects.js';
import type { Failure } from '../rollout/failure.js';
import type { WorkloadSnapshot } from '../rollout/snapshot.js';
import type { EvidenceRecord } from './result.js';

/** How many log lines of a failing container are kept (krane shows 25). */
export const LOG_LINES = 25;
/** At most this many failing pods are described: a wall of identical pods says nothing more. */
const MAX_PODS = 3;

/**
 * Turns the judge's evidence into records with container images, restart counts, events and
 * the last log lines, read now: before a rollback deletes the failing pods.
 */
export async function captureEvidence(
  cluster: ClusterClient,
  ref: WorkloadRef,
  failure: Failure,
  snapshot: WorkloadSnapshot,
  manifest?: EvidenceManifest,
): Promise<EvidenceRecord[]> {
  const records: EvidenceRecord[] = [];
  const podsSeen = new Set<string>();
  /** Each long message in full once: the first pod that said it (the verdict has a brief one). */
  const saidBy = new Map<string, string>();
  for (const item of failure.evidence) {
    if (item.pod && !podsSeen.has(item.pod)) {
      if (podsSeen.size >= MAX_PODS) continue;
      podsSeen.add(item.pod);
    }
    const pod = snapshot.pods.find((p) => p.metadata.name === item.pod);
    const status = containerStatus(pod, item.container);
    const record: EvidenceRecord = {
      ...(item.pod ? { pod: item.pod } : {}),
      ...(item.container ? { container: item.container } : {}),
      ...(status?.image ? { image: status.image } : imageOf(pod, item.container)),
      ...(item.reason ? { reason: item.reason } : {}),
      ...(item.message ? { message: onceOnly(item.message, item.pod, saidBy) } : {}),
      ...(status ? { restartCount: status.restartCount } : {}),
      ...(item.events && item.events.length > 0 ? { events: withoutRepeat(item.events, item.message) } : {}),
    };
    if (item.pod && item.container && pod) {
      // Crash loops and never-ready containers explain themselves in their logs; pull failures have none.
      const logs = await cluster.podLogs(ref.namespace, item.pod, item.container, LOG_LINES).catch(() => []);
      if (logs.length > 0) record.logs = logs;
    }
    const line = manifest ? manifestLine(manifest, item) : undefined;
    if (manifest && line !== undefined) {
      record.file = manifest.file;
      record.line = line;
    }
    records.push(record);
  }
  return records;
}

/** Messages shorter than this are said again as they are: a reference would be no shorter. */
const LONG = 80;

/** The message, or `same as pod <name>` when an earlier record already gave this long message in full. */
function onceOnly(message: string, pod: string | undefined, saidBy: Map<string, string>): string {
  if (message.length < LONG) return message;
  const first = saidBy.get(message);
  if (first !== undefined) return `same as pod ${first}`;
  saidBy.set(message, pod ?? '');
  return message;
}

/** Events that repeat the record's long message refer to it instead (`Failed to pull image "x": (message above)`). */
function withoutRepeat(events: string[], message: string | undefined): string[] {
  if (!message || message.length < LONG) return events;
  return events.map((e) => e.split(message).join('(message above)'));
}

/** The manifest document of the failing workload, to point each record at its most relevant line. */
export interface EvidenceManifest {
  file: string;
  /** The line the document starts at: the last resort. */
  line: number;
  object: KubeObject;
  /** The line of each container's `image:`, by container name. */
  imageLines?: Record<string, number>;
  /** The line of any field of the document (when read from a file). */
  lineOf?(path: ReadonlyArray<string | number>): number | undefined;
}

/** Reasons the scheduler gives: the pod's resource requests are what to look at. */
const SCHEDULING = new Set(['Unschedulable', 'FailedScheduling']);

/**
 * The line a record points at: its container's image; for a scheduling failure the `resources:`
 * of the first container that requests any (what does not fit); for any other failure without a
 * container (Stalled, ReplicaFailure, ...) the first container's image, the line a person changes.
 */
export function manifestLine(
  manifest: EvidenceManifest,
  item: { container?: string; reason?: string },
): number | undefined {
  const imageLines = manifest.imageLines ?? {};
  if (item.container && imageLines[item.container] !== undefined) return imageLines[item.container];
  const containers =
    (manifest.object as { spec?: { template?: PodTemplateSpec } }).spec?.template?.spec?.containers ?? [];
  if (item.reason && SCHEDULING.has(item.reason)) {
    const i = containers.findIndex((c) => c.resources?.requests && Object.keys(c.resources.requests).length > 0);
    const line = i >= 0 ? manifest.lineOf?.(['spec', 'template', 'spec', 'containers', i, 'resources']) : undefined;
    if (line !== undefined) return line;
  }
  const first = containers[0]?.name;
  return (first !== undefined ? imageLines[first] : undefined) ?? manifest.line;
}

function containerStatus(pod: Pod | undefined, container: string | undefined) {
  if (!pod || !container) return undefined;
  return [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
    (c) => c.name === container,
  );
}

function imageOf(pod: Pod | undefined, container: string | undefined): { image?: string } {
  const spec = [...(pod?.spec.containers ?? []), ...(pod?.spec.initContainers ?? [])].find((c) => c.name === container);
  return spec?.image ? { image: spec.image } : {};
}
