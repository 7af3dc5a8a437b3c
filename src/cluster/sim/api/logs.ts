import type { ServerResponse } from 'node:http';
import { ApiError } from '../../../k8s/apiError.js';
import type { ContainerStatus, Pod } from '../../../k8s/objects.js';
import { parseTime } from '../../../k8s/meta.js';
import { rfc3339Nano, tail, type LogLine } from '../kubelet/logs.js';
import type { Simulation } from '../simulation.js';
import type { StoreEvent } from '../store/objectStore.js';
import { queryFlag } from './query.js';

/**
 * The pod `log` subresource as kube-apiserver and the kubelet serve it: the API server picks and checks
 * the container (pkg/registry/core/pod/strategy.go LogLocation), the kubelet checks the container's state
 * (validateContainerLogStatus in pkg/kubelet/kubelet_pods.go) and reads the lines with `tailLines`,
 * `sinceSeconds`/`sinceTime`, `timestamps` and `limitBytes` (pkg/kubelet/kuberuntime/logs/logs.go);
 * `follow=true` streams new lines until the container stops or the pod goes away.
 */

/**
 * Reads a container's log lines (a test stub); `previous` asks for the last terminated run
 * (`kubectl logs --previous`).
 */
export type LogReader = (
  namespace: string,
  pod: string,
  container: string,
  tailLines?: number,
  previous?: boolean,
) => string[];

/** The timed lines of a container run: the current one, or the one before (`previous`). */
export interface LogSource {
  lines(namespace: string, pod: string, container: string, previous: boolean): LogLine[];
}

/** What a kubelet offers for logs (the simulated {@link Kubelet}). */
export interface KubeletLogs {
  logLines(namespace: string, pod: string, container: string, previous?: boolean): LogLine[];
}

/** The simulated kubelet as a log source. */
export function kubeletLogReader(kubelet: KubeletLogs): LogSource {
  return { lines: (ns, pod, container, previous) => kubelet.logLines(ns, pod, container, previous) };
}

/** A plain reader (lines without times) as a source: its lines are stamped with the current virtual time. */
export function logSourceOf(reader: LogReader | LogSource | undefined, now: () => number): LogSource {
  if (reader === undefined) return { lines: () => [] };
  if (typeof reader !== 'function') return reader;
  return {
    lines: (ns, pod, container, previous) =>
      reader(ns, pod, container, undefined, previous).map((text) => ({ time: now(), text })),
  };
}

export interface PodLogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** Virtual ms: lines stamped before are left out. */
  since?: number;
  limitBytes?: number;
}

/**
 * The request's PodLogOptions, checked as ValidatePodLogOptions does, and its container, picked and
 * checked as LogLocation does.
 */
export function podLogOptions(pod: Pod, query: URLSearchParams, now: number): PodLogOptions {
  const name = pod.metadata.name ?? '';
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const inits = (pod.spec?.initContainers ?? []).map((c) => c.name);
  let container = query.get('container') ?? '';
  if (!container) {
    if (names.length !== 1) {
      throw ApiError.badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]` +
          (inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''),
      );
    }
    container = names[0]!;
  }
  if (!names.includes(container) && !inits.includes(container))
    throw ApiError.badRequest(`container ${container} is not valid for pod ${name}`);
  const number = (key: string): number | undefined => {
    const value = query.get(key);
    if (value === null || value === '') return undefined;
    const n = Number(value);
    if (!Number.isInteger(n)) throw ApiError.badRequest(`${key}: Invalid value: "${value}": must be an integer`);
    return n;
  };
  const tailLines = number('tailLines');
  const sinceSeconds = number('sinceSeconds');
  const limitBytes = number('limitBytes');
  const sinceTime = query.get('sinceTime') ?? undefined;
  const invalid = (field: string, value: number, message: string) =>
    new ApiError(422, 'Invalid', `PodLogOptions "${name}" is invalid: ${field}: Invalid value: ${value}: ${message}`);
  if (tailLines !== undefined && tailLines < 0)
    throw invalid('tailLines', tailLines, 'must be greater than or equal to 0');
  if (limitBytes !== undefined && limitBytes < 1) throw invalid('limitBytes', limitBytes, 'must be greater than 0');
  if (sinceSeconds !== undefined && sinceSeconds < 1)
    throw invalid('sinceSeconds', sinceSeconds, 'must be greater than 0');
  if (sinceSeconds !== undefined && sinceTime !== undefined)
    throw new ApiError(
      422,
      'Invalid',
      `PodLogOptions "${name}" is invalid: []: Forbidden: at most one of \`sinceTime\` or \`sinceSeconds\` may be specified`,
    );
  const since = sinceSeconds !== undefined ? now - sinceSeconds * 1000 : parseTime(sinceTime);
  return {
    container,
    follow: queryFlag(query, 'follow'),
    previous: queryFlag(query, 'previous'),
    timestamps: queryFlag(query, 'timestamps'),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}

/** Which run the kubelet reads, or its refusal (validateContainerLogStatus). */
export function logRun(pod: Pod, container: string, previous: boolean): { previous: boolean; running: boolean } {
  const name = pod.metadata.name ?? '';
  const status: ContainerStatus | undefined = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
  ].find((s) => s.name === container);
  if (!status) {
    // Init containers are not run by the simulated kubelet: they count as completed, with no output.
    if ((pod.spec?.initContainers ?? []).some((c) => c.name === container)) return { previous, running: false };
    throw ApiError.badRequest(`container "${container}" in pod "${name}" is not available`);
  }
  const { waiting, running, terminated } = status.state ?? {};
  const lastTerminated = status.lastState?.terminated;
  if (previous) {
    if (!lastTerminated)
      throw ApiError.badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    return { previous: true, running: false };
  }
  if (running) return { previous: false, running: true };
  if (terminated) return { previous: false, running: false };
  // A container waiting to restart shows its last run (what the runtime still holds).
  if (lastTerminated) return { previous: true, running: false };
  const reason = waiting?.reason;
  if (reason === 'ErrImagePull')
    throw ApiError.badRequest(`container "${container}" in pod "${name}" is waiting to start: image can't be pulled`);
  if (reason === 'ImagePullBackOff')
    throw ApiError.badRequest(
      `container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`,
    );
  if (reason) throw ApiError.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
  throw ApiError.badRequest(`container "${container}" in pod "${name}" is waiting to start - no logs yet`);
}

/** The lines as the kubelet writes them: tail first, then the `since` filter, each with its timestamp. */
export function formatLines(lines: readonly LogLine[], options: PodLogOptions): string {
  return tail(lines, options.tailLines)
    .filter((l) => options.since === undefined || l.time >= options.since)
    .map((l) => (options.timestamps ? `${rfc3339Nano(l.time)} ${l.text}\n` : `${l.text}\n`))
    .join('');
}

/** Cuts the text at `limitBytes` (a LimitedWriter: the cut may fall inside a line). */
function limited(text: string, limitBytes: number | undefined): string {
  if (limitBytes === undefined) return text;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= limitBytes ? text : bytes.subarray(0, limitBytes).toString('utf8');
}

/** The whole answer of a non-following log request. */
export function readPodLogs(pod: Pod, source: LogSource, options: PodLogOptions): string {
  if (!pod.spec?.nodeName) return ''; // LogLocation: no host assigned yet, an empty stream
  const run = logRun(pod, options.container, options.previous);
  const lines = source.lines(
    pod.metadata.namespace ?? 'default',
    pod.metadata.name ?? '',
    options.container,
    run.previous,
  );
  return limited(formatLines(lines, options), options.limitBytes);
}

/**
 * `follow=true`: writes the lines so far, then each new line as the kubelet writes it, and ends when
 * the followed run stops (its container terminates or restarts), the pod is deleted or `limitBytes`
 * is reached. The simulation advances on virtual time, so the stream ends at the container's
 * virtual exit. Refusals (a waiting container) throw before anything is written. Returns a function
 * that ends the stream.
 */
export function followPodLogs(
  res: ServerResponse,
  simulation: Simulation,
  pod: Pod,
  source: LogSource,
  options: PodLogOptions,
): () => void {
  const namespace = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const scheduled = Boolean(pod.spec?.nodeName);
  const run = scheduled ? logRun(pod, options.container, options.previous) : { previous: false, running: false };
  const restarts = restartCount(pod, options.container);
  let ended = false;
  let sent = 0; // lines of the followed run written (or skipped by tail) so far
  let bytes = 0;
  let unsubscribe: () => void = () => undefined;

  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  res.flushHeaders();

  const end = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe();
    if (!res.writableEnded) res.end();
  };
  const write = (lines: LogLine[], first: boolean): void => {
    const fresh = lines.slice(sent);
    sent = lines.length;
    let text = formatLines(fresh, first ? options : { ...options, tailLines: undefined });
    if (options.limitBytes !== undefined) {
      text = limited(text, options.limitBytes - bytes);
      bytes += Buffer.byteLength(text);
    }
    if (text) res.write(text);
    if (options.limitBytes !== undefined && bytes >= options.limitBytes) end();
  };
  const read = (): LogLine[] => (scheduled ? source.lines(namespace, name, options.container, run.previous) : []);

  write(read(), true);
  if (!scheduled || !run.running) {
    end();
    return end;
  }
  const onEvent = (event: StoreEvent): void => {
    if (ended || event.kind !== 'Pod') return;
    const current = event.object as Pod;
    if (current.metadata.namespace !== namespace || current.metadata.name !== name) return;
    if (event.type === 'DELETED' || current.metadata.uid !== pod.metadata.uid) return end();
    write(read(), false);
    const status = containerStatus(current, options.container);
    if (!status?.state?.running || restartCount(current, options.container) !== restarts) end();
  };
  unsubscribe = simulation.store.watch(onEvent);
  res.on('close', end);
  return end;
}

function containerStatus(pod: Pod, container: string): ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((s) => s.name === container);
}

function restartCount(pod: Pod, container: string): number {
  return containerStatus(pod, container)?.restartCount ?? 0;
}
