import type { ServerResponse } from 'node:http';
import { ApiError } from '../../../k8s/apiError.js';
import type { KubeObject } from '../../../k8s/objects.js';
import type { RealClock } from '../../../clock/realClock.js';
import type { Simulation } from '../simulation.js';
import type { StoreEvent } from '../store/objectStore.js';
import type { KindInfo } from '../store/kinds.js';
import { selects, type Selection } from './query.js';
import { toTable, type IncludeObject } from './table.js';

export interface WatchRequest {
  info: KindInfo;
  /** The version in the request path: objects of a kind that converts are sent in it. */
  version?: string;
  selection: Selection;
  /** `resourceVersion` query value: unset/'0' start with synthetic ADDED events for the current state. */
  resourceVersion?: string;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  table?: IncludeObject;
}

/**
 * Streams a watch as chunked newline-delimited `{"type","object"}` JSON, the API server's watch
 * wire format (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes).
 * Resumes from `changesSince(rv)`; a version older than the store's history gets an ERROR event with
 * a 410 `Expired` Status, as the watch cache does. Objects that stop (start) matching a selector
 * are sent as DELETED (ADDED). Returns a function that ends the stream.
 */
export function serveWatch(
  res: ServerResponse,
  simulation: Simulation,
  clock: RealClock,
  request: WatchRequest,
  options: { bookmarkIntervalMs: number },
): () => void {
  const { info, selection } = request;
  const store = simulation.store;
  let firstTable = true;
  const matching = new Set<string>();
  const key = (obj: KubeObject) => `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
  let ended = false;

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache',
  });
  res.flushHeaders();

  const send = (type: string, object: unknown): void => {
    if (ended) return;
    const isObject = type !== 'ERROR' && type !== 'BOOKMARK';
    // An autoscaling/v1 watch streams v1 HPAs, converted from the stored v2 as GET does.
    const version = request.version;
    let payload =
      isObject && info.convert && version && !info.apiVersion.endsWith(`/${version}`)
        ? info.convert(object as KubeObject, version)
        : object;
    if (request.table && isObject) {
      payload = toTable(info.kind, [payload as KubeObject], simulation.clock.now(), {
        include: request.table,
        columns: firstTable,
      });
      firstTable = false;
    }
    res.write(JSON.stringify({ type, object: payload }) + '\n');
  };

  const onEvent = (event: StoreEvent): void => {
    if (event.kind !== info.kind) return;
    const k = key(event.object);
    const selected = event.type !== 'DELETED' && selects(selection, event.object);
    if (event.type === 'DELETED') {
      if (matching.delete(k) || selects(selection, event.object)) send('DELETED', event.object);
    } else if (selected) {
      send(matching.has(k) ? event.type : 'ADDED', event.object);
      matching.add(k);
    } else if (matching.delete(k)) {
      send('DELETED', event.object);
    }
  };

  const rv = request.resourceVersion;
  if (rv === undefined || rv === '' || rv === '0') {
    for (const obj of store.list(info.kind, selection.namespace)) {
      if (!selects(selection, obj)) continue;
      matching.add(key(obj));
      send('ADDED', obj);
    }
  } else {
    const since = Number(rv);
    const changes = Number.isInteger(since) ? store.changesSince(since) : [];
    if (!Number.isInteger(since)) {
      send('ERROR', ApiError.badRequest(`invalid resource version: ${rv}`).toStatus());
      res.end();
      return () => undefined;
    }
    if (changes === undefined) {
      send(
        'ERROR',
        new ApiError(410, 'Expired', `too old resource version: ${since} (${store.resourceVersion()})`).toStatus(),
      );
      res.end();
      return () => undefined;
    }
    // Objects matching at the resume point: the current state minus what the replayed changes add.
    for (const obj of store.list(info.kind, selection.namespace)) if (selects(selection, obj)) matching.add(key(obj));
    for (const change of changes) {
      if (change.kind !== info.kind) continue;
      if (change.type === 'ADDED') matching.delete(key(change.object));
    }
    for (const change of changes) onEvent(change);
  }

  const unsubscribe = store.watch(onEvent);
  const stopBookmarks = request.allowBookmarks
    ? clock.every(options.bookmarkIntervalMs, () =>
        send('BOOKMARK', {
          kind: info.kind,
          apiVersion: info.apiVersion,
          metadata: { resourceVersion: String(store.resourceVersion()) },
        }),
      )
    : () => undefined;
  const timeout = new AbortController();
  const end = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe();
    stopBookmarks();
    timeout.abort();
    if (!res.writableEnded) res.end();
  };
  if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) {
    void clock.sleep(request.timeoutSeconds * 1000, timeout.signal).then(end);
  }
  res.on('close', end);
  return end;
}
