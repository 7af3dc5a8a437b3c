import type { Pod } from '../../../k8s/objects.js';
import type { ImageBehaviour } from './types.js';

/**
 * Simulated resource usage (scenario `images.<ref>.usage`), what a kubelet's cAdvisor measures and
 * metrics-server serves as metrics.k8s.io: per running container of an image, CPU in millicores and
 * memory in bytes, constant or a step curve over virtual time.
 */

/** One step of a load curve: from `atMs` (since the scenario's time origin) on, the usage is `value`. */
export interface UsagePoint {
  atMs: number;
  value: number;
}

/** Per container of the image: a constant or a curve (points in time order, the first at 0). */
export interface ImageUsage {
  /** millicores */
  cpu?: UsagePoint[];
  /** bytes */
  memory?: UsagePoint[];
}

export interface ContainerUsage {
  name: string;
  /** millicores */
  cpu: number;
  /** bytes */
  memory: number;
}

/**
 * metrics-server scrapes every 15 s (`--metric-resolution`, default 15s) and reports the window
 * of its CPU rate: the metrics carry the last scrape's timestamp and that window.
 */
export const SCRAPE_MS = 15_000;

/** The value of a step curve at `t` (ms since the origin): the last point at or before `t`. */
export function valueAt(curve: UsagePoint[] | undefined, t: number): number {
  if (!curve || curve.length === 0) return 0;
  let value = curve[0]!.value;
  for (const p of curve) if (p.atMs <= t) value = p.value;
  return value;
}

/**
 * The usage of every pod, as a metrics pipeline sees it: only containers that run now are
 * measured (a waiting or terminated container has no cgroup to read), and a pod with no running
 * container has no metrics at all (metrics-server leaves it out, the HPA counts it as missing).
 */
export class UsageModel {
  /** Virtual time the curves count from; set once the pre-existing objects rolled out. */
  origin = 0;

  constructor(private readonly behaviour: (image: string) => ImageBehaviour) {}

  /**
   * The containers' usage of `pod` at scrape time `at`, or undefined when nothing ran then: a
   * container started after the scrape has no sample yet.
   */
  podUsage(pod: Pod, at: number): ContainerUsage[] | undefined {
    if (pod.status?.phase !== 'Running') return undefined;
    const t = at - this.origin;
    const out: ContainerUsage[] = [];
    for (const c of pod.spec?.containers ?? []) {
      const status = pod.status.containerStatuses?.find((s) => s.name === c.name);
      const started = status?.state?.running?.startedAt;
      if (!started || Date.parse(started) > at) continue;
      const usage = this.behaviour(c.image ?? '').usage;
      out.push({ name: c.name, cpu: valueAt(usage?.cpu, t), memory: valueAt(usage?.memory, t) });
    }
    return out.length > 0 ? out : undefined;
  }

  /** When the latest scrape happened at or before `now` (metrics' `timestamp`). */
  scrapedAt(now: number): number {
    return now - (((now % SCRAPE_MS) + SCRAPE_MS) % SCRAPE_MS);
  }
}

const models = new WeakMap<object, UsageModel>();

/**
 * The usage model of a simulation, for the metrics.k8s.io route of `serve` (which is given only the
 * simulation): registered by createSimulatedCluster, absent for a bare simulation.
 */
export function registerUsage(simulation: object, model: UsageModel): void {
  models.set(simulation, model);
}

export function usageOf(simulation: object): UsageModel | undefined {
  return models.get(simulation);
}
