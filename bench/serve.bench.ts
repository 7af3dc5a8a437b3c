/**
 * API facade benchmark (`npm run bench:serve`): the simulated cluster behind `startApiServer`, on
 * loopback only.
 *
 *   1. requests per second for GET of one pod and LIST of a 1,000-pod namespace, with 16 concurrent
 *      keep-alive clients for a bounded time each;
 *   2. latency from a write to the store (what a controller does) to its watch event reaching each
 *      of 100 concurrent watchers (median and p99 over every watcher and every change).
 *
 * The server runs in a worker thread so the load generator does not share its event loop.
 * Response bodies are read in full but not parsed. Only bench/ reads wall time (performance.now).
 *
 *   node lib/bench/serve.bench.js                   defaults: 3 s per load test, 200 changes
 *   node lib/bench/serve.bench.js --seconds 5 --changes 500
 */
import { Agent, get, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startApiServer } from '../src/cluster/sim/api/server.js';
import { Simulation } from '../src/cluster/sim/simulation.js';
import type { Pod } from '../src/k8s/objects.js';

const PODS = 1000;
const CONCURRENCY = 16;
const WATCHERS = 100;
const NS = 'bench';

/** A pod as the controllers would leave it: labels, owner, one container, Running and ready. */
function pod(i: number): Pod {
  const name = `web-5d9f8c7b6-${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels: { app: 'web', 'pod-template-hash': '5d9f8c7b6' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-5d9f8c7b6',
          uid: 'rs-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      nodeName: `node-${i % 3}`,
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: `10.0.${Math.floor(i / 250)}.${i % 250}`,
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
        },
      ],
    },
  } as Pod;
}

// ---------------------------------------------------------------- server (worker thread)

async function serverThread(): Promise<void> {
  const sim = new Simulation([]);
  sim.store.create('Namespace', { metadata: { name: NS } });
  for (let i = 0; i < PODS; i++) sim.store.create('Pod', pod(i));
  const server = await startApiServer({ simulation: sim, port: 0, speed: 0, bookmarkIntervalMs: 600_000 });
  const target = `web-5d9f8c7b6-${String(0).padStart(5, '0')}`;
  let n = 0;
  parentPort!.on('message', async (msg: { type: string }) => {
    if (msg.type === 'change') {
      // What the kubelet does on a status change: an update of one pod.
      const current = sim.store.get<Pod>('Pod', NS, target)!;
      const next = structuredClone(current);
      next.metadata.annotations = { 'bench/change': String(++n) };
      const t = performance.timeOrigin + performance.now();
      const updated = sim.store.update('Pod', next);
      parentPort!.postMessage({ type: 'changed', rv: updated.metadata.resourceVersion, t });
    } else if (msg.type === 'close') {
      await server.close();
      parentPort!.postMessage({ type: 'closed', requestLog: server.requestLog });
    }
  });
  parentPort!.postMessage({ type: 'ready', port: server.port, rv: String(sim.store.resourceVersion()), pod: target });
}

// ---------------------------------------------------------------- load generator (main thread)

function drain(res: IncomingMessage): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    res.on('data', (c: Buffer) => (bytes += c.length));
    res.on('end', () => resolve(bytes));
    res.on('error', reject);
  });
}

async function load(
  port: number,
  path: string,
  seconds: number,
): Promise<{ rps: number; requests: number; p50: number; p99: number; bytes: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let bytes = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      bytes = await new Promise<number>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path, agent, headers: { accept: 'application/json' } }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`${path}: HTTP ${res.statusCode}`));
          drain(res).then(resolve, reject);
        }).on('error', reject);
      });
      latencies.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    requests: latencies.length,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    bytes,
  };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function watchLatency(
  server: Worker,
  port: number,
  rv: string,
  podName: string,
  changes: number,
): Promise<{ p50: number; p99: number; max: number; samples: number }> {
  const arrivals = new Map<string, number[]>();
  const agent = new Agent({ keepAlive: false, maxSockets: WATCHERS + 1 });
  const requests: Array<ReturnType<typeof get>> = [];
  const path = `/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3D${podName}`;
  await Promise.all(
    Array.from(
      { length: WATCHERS },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = get({ host: '127.0.0.1', port, path, agent }, (res) => {
            let buffer = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              const now = performance.timeOrigin + performance.now();
              buffer += chunk;
              let nl: number;
              while ((nl = buffer.indexOf('\n')) >= 0) {
                const line = buffer.slice(0, nl);
                buffer = buffer.slice(nl + 1);
                const event = JSON.parse(line) as { type: string; object: Pod };
                const key = event.object.metadata.resourceVersion!;
                arrivals.set(key, [...(arrivals.get(key) ?? []), now]);
              }
            });
            res.on('error', () => undefined);
            resolve();
          });
          req.on('error', reject);
          requests.push(req);
        }),
    ),
  );
  const latencies: number[] = [];
  for (let i = 0; i < changes; i++) {
    const changed = await new Promise<{ rv: string; t: number }>((resolve) => {
      server.once('message', (msg: { rv: string; t: number }) => resolve(msg));
      server.postMessage({ type: 'change' });
    });
    // Wait until every watcher has the event (bounded), then take the next change.
    const deadline = performance.now() + 5000;
    while ((arrivals.get(changed.rv)?.length ?? 0) < WATCHERS && performance.now() < deadline) {
      await new Promise((r) => setImmediate(r));
    }
    const got = arrivals.get(changed.rv) ?? [];
    if (got.length < WATCHERS) throw new Error(`change ${changed.rv} reached ${got.length}/${WATCHERS} watchers`);
    for (const t of got) latencies.push(t - changed.t);
  }
  for (const req of requests) req.destroy();
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1]!,
    samples: latencies.length,
  };
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const seconds = flag('seconds', 3);
  const changes = flag('changes', 200);
  const server = new Worker(new URL(import.meta.url), { workerData: { server: true } });
  const ready = await new Promise<{ port: number; rv: string; pod: string }>((resolve) =>
    server.once('message', resolve),
  );
  const { port, rv, pod: podName } = ready;

  // Warm-up (JIT, connections), not measured.
  await load(port, `/api/v1/namespaces/${NS}/pods/${podName}`, 0.5);
  await load(port, `/api/v1/namespaces/${NS}/pods`, 0.5);

  const getOne = await load(port, `/api/v1/namespaces/${NS}/pods/${podName}`, seconds);
  const list = await load(port, `/api/v1/namespaces/${NS}/pods`, seconds);
  const watch = await watchLatency(server, port, rv, podName, changes);

  const closed = await new Promise<{ requestLog: Record<string, number> }>((resolve) => {
    server.once('message', resolve);
    server.postMessage({ type: 'close' });
  });
  await server.terminate();

  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const rows = [
    [
      'GET one pod',
      `${Math.round(getOne.rps)}/s`,
      ms(getOne.p50),
      ms(getOne.p99),
      `${(getOne.bytes / 1024).toFixed(1)} KiB`,
    ],
    [
      `LIST ${PODS} pods`,
      `${Math.round(list.rps)}/s`,
      ms(list.p50),
      ms(list.p99),
      `${(list.bytes / 1024).toFixed(0)} KiB`,
    ],
    [
      `watch event to ${WATCHERS} watchers`,
      `${watch.samples} deliveries`,
      ms(watch.p50),
      ms(watch.p99),
      `max ${ms(watch.max)}`,
    ],
  ];
  const header = ['measure', 'throughput', 'median', 'p99', 'body / note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(
    `rollout-gate serve benchmark: node ${process.version}, ${CONCURRENCY} concurrent clients for ${seconds} s each, ` +
      `${changes} changes, loopback, server in a worker thread\n\n${line(header)}\n${rows.map(line).join('\n')}\n\n` +
      `server request log: ${JSON.stringify(closed.requestLog)}\n\n`,
  );
  process.stdout.write(
    `Markdown for the README:\n\n` +
      `| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n\n` +
      `_\`npm run bench:serve\` (node ${process.version}, ${CONCURRENCY} keep-alive clients, ${seconds} s per test, ${changes} pod updates fanned out to ${WATCHERS} watches)._\n`,
  );
}

if (isMainThread) {
  await main();
} else if ((workerData as { server?: boolean } | undefined)?.server) {
  await serverThread();
}
