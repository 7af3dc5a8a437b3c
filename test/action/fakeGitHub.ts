/**
 * A fake GitHub REST API on loopback for the action's tests: records every request (method, path,
 * JSON body) and answers through a handler the test gives, or 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiCall {
  method: string;
  path: string;
  body?: Record<string, unknown>;
}

/** What the handler returns: a status and a JSON body; 'drop' closes the connection; 'hang' never answers. */
export type Answer = { status: number; body: unknown } | 'drop' | 'hang' | undefined;

export class FakeGitHubApi {
  calls: ApiCall[] = [];
  url = '';
  private server?: Server;
  private hanging: ServerResponse[] = [];

  constructor(public handler: (call: ApiCall) => Answer) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Idle connections stay open (as GitHub's do for a while): Node's 5 s default would close one
    // just as the next test reuses it.
    this.server.keepAliveTimeout = 0;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server!.closeAllConnections();
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const call: ApiCall = {
      method: req.method ?? '',
      path: new URL(req.url ?? '/', 'http://x').pathname,
      ...(text ? { body: JSON.parse(text) as Record<string, unknown> } : {}),
    };
    this.calls.push(call);
    const answer = this.handler(call) ?? { status: 404, body: { message: 'Not Found' } };
    if (answer === 'drop') return void req.socket.destroy();
    if (answer === 'hang') return void this.hanging.push(res);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }
}
