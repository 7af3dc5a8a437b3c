/**
 * Simulated container logs: lines per container instance, so `previous` gives the last crashed instance's
 * output (`kubectl logs --previous`) and `tailLines` the last N (`--tail N`).
 */
export interface LogOptions {
  tailLines?: number;
  previous?: boolean;
  /** Prefix each line with its RFC3339Nano time (`--timestamps`). */
  timestamps?: boolean;
}

/** One line a container wrote, at a virtual time (ms). */
export interface LogLine {
  time: number;
  text: string;
}

export class ContainerLogs {
  /** pod uid -> container -> instance (restart count) -> lines */
  private readonly byPod = new Map<string, Map<string, Map<number, LogLine[]>>>();

  append(podUid: string, container: string, instance: number, time: number, text: string): void {
    let containers = this.byPod.get(podUid);
    if (!containers) this.byPod.set(podUid, (containers = new Map()));
    let instances = containers.get(container);
    if (!instances) containers.set(container, (instances = new Map()));
    let lines = instances.get(instance);
    if (!lines) instances.set(instance, (lines = []));
    lines.push({ time, text });
  }

  /** The lines of the current (or, with `previous`, the one before) instance of a container. */
  lines(podUid: string, container: string, previous = false): LogLine[] {
    const instances = this.byPod.get(podUid)?.get(container);
    if (!instances || instances.size === 0) return [];
    const numbers = [...instances.keys()].sort((a, b) => a - b);
    const wanted = previous ? numbers[numbers.length - 2] : numbers[numbers.length - 1];
    return wanted === undefined ? [] : [...(instances.get(wanted) ?? [])];
  }

  read(podUid: string, container: string, options: LogOptions = {}): string[] {
    return tail(
      this.lines(podUid, container, options.previous).map((l) =>
        options.timestamps ? `${rfc3339Nano(l.time)} ${l.text}` : l.text,
      ),
      options.tailLines,
    );
  }

  drop(podUid: string): void {
    this.byPod.delete(podUid);
  }
}

/** The last `n` lines (all when n is undefined or negative). */
export function tail<T>(lines: readonly T[], n?: number): T[] {
  if (n === undefined || n < 0) return [...lines];
  return n === 0 ? [] : lines.slice(-n);
}

/**
 * Go's `time.RFC3339Nano` in UTC, which the kubelet uses for `--timestamps` (trailing zeros of the
 * fraction dropped: `…:05Z`, `…:05.25Z`):
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kuberuntime/logs/logs.go (timeFormatOut)
 */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-30T15:01:35.120Z
  const [whole, fraction] = iso.slice(0, -1).split('.');
  const digits = (fraction ?? '').replace(/0+$/, '');
  return `${whole}${digits ? `.${digits}` : ''}Z`;
}
