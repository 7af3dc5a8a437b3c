/**
 * Simulated container logs: lines per container instance, so `previous` gives the last crashed instance's
 * output (`kubectl logs --previous`) and `tailLines` the last N (`--tail N`).
 */
export interface LogOptions {
  tailLines?: number;
  previous?: boolean;
  /** Prefix each line with its RFC3339 time (`--timestamps`). */
  timestamps?: boolean;
}

interface Line {
  time: string;
  text: string;
}

export class ContainerLogs {
  /** pod uid -> container -> instance (restart count) -> lines */
  private readonly byPod = new Map<string, Map<string, Map<number, Line[]>>>();

  append(podUid: string, container: string, instance: number, time: string, text: string): void {
    let containers = this.byPod.get(podUid);
    if (!containers) this.byPod.set(podUid, (containers = new Map()));
    let instances = containers.get(container);
    if (!instances) containers.set(container, (instances = new Map()));
    let lines = instances.get(instance);
    if (!lines) instances.set(instance, (lines = []));
    lines.push({ time, text });
  }

  read(podUid: string, container: string, options: LogOptions = {}): string[] {
    const instances = this.byPod.get(podUid)?.get(container);
    if (!instances || instances.size === 0) return [];
    const numbers = [...instances.keys()].sort((a, b) => a - b);
    const wanted = options.previous ? numbers[numbers.length - 2] : numbers[numbers.length - 1];
    const lines = wanted === undefined ? [] : (instances.get(wanted) ?? []);
    return tail(
      lines.map((l) => (options.timestamps ? `${l.time} ${l.text}` : l.text)),
      options.tailLines,
    );
  }

  drop(podUid: string): void {
    this.byPod.delete(podUid);
  }
}

/** The last `n` lines (all when n is undefined or negative). */
export function tail(lines: readonly string[], n?: number): string[] {
  if (n === undefined || n < 0) return [...lines];
  return n === 0 ? [] : lines.slice(-n);
}
