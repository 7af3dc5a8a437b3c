import type { ClusterClient, WorkloadRef } from '../cluster/port.js';
import type { Pod } from '../k8s/objects.js';
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
  imageLines: Record<string, { file: string; line: number }> = {},
): Promise<EvidenceRecord[]> {
  const records: EvidenceRecord[] = [];
  const podsSeen = new Set<string>();
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
      ...(item.message ? { message: item.message } : {}),
      ...(status ? { restartCount: status.restartCount } : {}),
      ...(item.events && item.events.length > 0 ? { events: item.events } : {}),
    };
    if (item.pod && item.container && pod) {
      // Crash loops and never-ready containers explain themselves in their logs; pull failures have none.
      const logs = await cluster.podLogs(ref.namespace, item.pod, item.container, LOG_LINES).catch(() => []);
      if (logs.length > 0) record.logs = logs;
    }
    const where = item.container ? imageLines[item.container] : undefined;
    if (where) {
      record.file = where.file;
      record.line = where.line;
    }
    records.push(record);
  }
  return records;
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
