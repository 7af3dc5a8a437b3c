import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a rule does with a request instead of forwarding it. */
export type Fault =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** A 200 watch stream holding these events, then closed. */
  | { watchEvents: unknown[] }
  /** Never answer (until the proxy closes). */
  | { hang: true };

export interface ProxiedRequest {
  method: string;
  url: URL;
  watch: boolean;
}

/**
 * An HTTP proxy in front of the simulated API server that answers chosen requests itself
 * (throttling, 5xx, a watch that reports 410 Gone) and forwards the rest untouched.
 */
export async function startFaultProxy(
  target: string,
  rule: (req: ProxiedRequest) => Fault | undefined,
): Promise<{ url: string; seen: ProxiedRequest[]; close(): Promise<void> }> {
  const seen: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', target);
    const info = { method: req.method ?? 'GET', url, watch: url.searchParams.get('watch') === 'true' };
    seen.push(info);
    const fault = rule(info);
    if (fault && 'hang' in fault) {
      req.resume();
      return;
    }
    if (fault && 'watchEvents' in fault) {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      for (const event of fault.watchEvents) res.write(JSON.stringify(event) + '\n');
      res.end();
      return;
    }
    if (fault) {
      req.resume();
      res.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers });
      res.end(fault.body === undefined ? '' : JSON.stringify(fault.body));
      return;
    }
    const upstream = request(url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A `metav1.Status` body. */
export function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message };
}
