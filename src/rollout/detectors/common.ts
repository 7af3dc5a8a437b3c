/** Small shared pieces of the detectors: the detector type, container/event lookups, wording. */
import type { ContainerStatus, KubeEvent, Pod } from '../../k8s/objects.js';
import { parseTime } from '../../k8s/meta.js';
import type { Failure } from '../failure.js';
import type { GatePolicy } from '../policy.js';
import { eventsOf } from '../revisions.js';
import type { RevisionPods, RolloutContext, WorkloadSnapshot } from '../snapshot.js';

/**
 * A detector: a pure function of one observation; undefined = no conclusive failure of its kind.
 * `S` is what it reads: a Deployment's snapshot for the Deployment-only detectors, the pods of the
 * revision being rolled out for the pod-level ones, the progress view for stall and timeout.
 */
export type Detector<S = WorkloadSnapshot> = (
  snapshot: S,
  context: RolloutContext,
  policy: GatePolicy,
  now: number,
) => Failure | undefined;

/** A detector of the pods of the new revision: the same for every kind of workload. */
export type PodDetector = Detector<RevisionPods>;

/** A container status with whether it belongs to an init container. */
export interface ContainerEntry {
  status: ContainerStatus;
  init: boolean;
}

/** Init container statuses first, then regular ones (krane looks at both). */
export function containerEntries(pod: Pod): ContainerEntry[] {
  return [
    ...(pod.status?.initContainerStatuses ?? []).map((status) => ({ status, init: true })),
    ...(pod.status?.containerStatuses ?? []).map((status) => ({ status, init: false })),
  ];
}

/** The pod's events for which `match` holds, oldest first. */
export function matchingEvents(pod: Pod, events: KubeEvent[], match: (event: KubeEvent) => boolean): KubeEvent[] {
  return eventsOf(pod, events)
    .filter(match)
    .sort((a, b) => (eventStart(a) ?? 0) - (eventStart(b) ?? 0));
}

/** When an event first happened: firstTimestamp, else eventTime, else creation. */
export function eventStart(event: KubeEvent): number | undefined {
  return (
    parseTime(event.firstTimestamp) ??
    parseTime(event['eventTime'] as string | undefined) ??
    parseTime(event.metadata.creationTimestamp)
  );
}

/** `<reason>: <message>` with ` (x<count>)` for repeated events, as evidence lines. */
export function eventLine(event: KubeEvent): string {
  const count = event.count !== undefined && event.count > 1 ? ` (x${event.count})` : '';
  return `${event.reason ?? ''}: ${event.message ?? ''}${count}`;
}

/** The earliest of the given times, else the fallback. */
export function earliest(times: Array<number | undefined>, fallback: number): number {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length > 0 ? Math.min(...known) : fallback;
}

/** When the pod was created; the apply time when the pod carries no creationTimestamp. */
export function podCreated(pod: Pod, context: RolloutContext): number {
  return parseTime(pod.metadata.creationTimestamp) ?? context.appliedAt;
}

/** Seconds for messages: whole numbers plain, otherwise up to 3 decimals. */
export function secondsText(ms: number): string {
  return `${Math.round(ms) / 1000} s`;
}

/** `1 of 3 new pods`, `1 of 1 new pods` (read: "N of the M new pods"). */
export function ofNewPods(count: number, total: number): string {
  return `${count} of ${total} new pods`;
}

/** Shortens a long kubelet message for a one-line sentence (evidence keeps the full text). */
export function brief(message: string | undefined, max = 200): string {
  const text = (message ?? '').replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Condition and event times have second precision: compare them against a time rounded down. */
export function secondFloor(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
