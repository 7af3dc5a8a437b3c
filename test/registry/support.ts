/**
 * A real registry for the tests: Debian's CNCF distribution (`/usr/bin/docker-registry`, 2.8.2)
 * started on loopback with filesystem storage in a temp dir and a config written here, optionally
 * behind token auth served by a small token server on loopback (JWTs signed with an RSA key whose
 * self-signed certificate the registry trusts, sent in the `x5c` header as distribution's
 * registry/auth/token/token.go verifies it). Images are pushed over the distribution API.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, createSign, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface TokenAuth {
  /** Users of the token server: username -> password. */
  users: Record<string, string>;
  /** Repositories anyone may pull anonymously (the rest need a user). */
  publicRepositories: string[];
}

/** `auth: htpasswd`: Basic auth with bcrypt hashes (made by libxcrypt through /usr/bin/python3's crypt). */
export interface HtpasswdAuth {
  htpasswd: Record<string, string>;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  /** Every request the registry and the token server saw (method and path), in order. */
  requests: string[];
  /** Pushes one image (a config and one layer) and returns its manifest digest. */
  push(repository: string, tag: string): Promise<string>;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the registry binds it by number). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the registry (and its token server when `auth` is given); resolves once /v2/ answers. */
export async function startRegistry(auth?: TokenAuth | HtpasswdAuth): Promise<RunningRegistry> {
  if (!existsSync(REGISTRY_BIN))
    throw new Error(`${REGISTRY_BIN} is missing: install Debian's docker-registry package (CNCF distribution)`);
  const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const requests: string[] = [];
  let tokens: TokenServer | undefined;
  let authYaml = '';
  let pushAuth: Record<string, string> | undefined;
  if (auth && 'htpasswd' in auth) {
    const file = join(dir, 'htpasswd');
    writeFileSync(
      file,
      Object.entries(auth.htpasswd)
        .map(([user, pw]) => `${user}:${bcrypt(pw)}\n`)
        .join(''),
    );
    authYaml = ['auth:', '  htpasswd:', '    realm: test-realm', `    path: ${file}`].join('\n');
    const [user, pw] = Object.entries(auth.htpasswd)[0]!;
    pushAuth = { Authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` };
  } else if (auth) {
    tokens = await startTokenServer(dir, auth, requests);
    authYaml = [
      'auth:',
      '  token:',
      `    realm: http://127.0.0.1:${tokens.port}/token`,
      '    service: test-registry',
      '    issuer: test-issuer',
      `    rootcertbundle: ${tokens.certPath}`,
    ].join('\n');
  }
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  accesslog:',
      '    disabled: false',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      authYaml,
      '',
    ].join('\n'),
  );
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let onListening: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (onListening = resolve));
  const onLog = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.includes('listening on')) onListening();
    for (const m of chunk.toString().matchAll(/"(HEAD|GET|PUT|POST|PATCH) (\/v2\/[^ "]*)/g))
      requests.push(`${m[1]} ${m[2]}`);
  };
  child.stdout!.on('data', onLog);
  child.stderr!.on('data', onLog);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`docker-registry exited (${code}) before answering:\n${log}`))),
  );
  exited.catch(() => undefined);
  // The condition: the registry says it listens, then /v2/ answers (200, or 401 behind auth).
  await Promise.race([listening, exited]);
  await Promise.race([untilAnswers(`http://${host}/v2/`), exited]);
  const registry: RunningRegistry = {
    host,
    requests,
    push: (repository, tag) => pushImage(host, repository, tag, tokens, pushAuth),
    stop: async () => {
      await stopChild(child);
      await tokens?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return registry;
}

/** Waits until the registry answers /v2/ at all (200 or 401), retrying each refused connection. */
async function untilAnswers(url: string): Promise<void> {
  for (;;) {
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      if (r.status === 200 || r.status === 401) return;
    } catch {
      // Not listening yet: ask again on the next turn of the event loop.
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await gone;
}

interface TokenServer {
  port: number;
  certPath: string;
  /** A token for `scope` as `user` (a push needs one too). */
  issue(user: string | undefined, scope: string): string;
  close(): Promise<void>;
}

/**
 * The token service of https://distribution.github.io/distribution/spec/auth/token/: GET
 * /token?service=…&scope=repository:NAME:pull,push with optional Basic auth. A known user gets
 * what the scope asks; anonymous gets pull on public repositories and nothing else (an empty
 * `access`, as Docker Hub answers for a private or missing repository); a wrong password is 401.
 */
async function startTokenServer(dir: string, auth: TokenAuth, requests: string[]): Promise<TokenServer> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=token-issuer',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'pipe' },
  );
  const key = readFileSync(keyPath, 'utf8');
  const der = Buffer.from(
    readFileSync(certPath, 'utf8')
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, ''),
    'base64',
  ).toString('base64');
  const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
  const issue = (user: string | undefined, scope: string): string => {
    const [type, name, actions] = scope.split(':');
    const wanted = (actions ?? '').split(',').filter(Boolean);
    const granted = user
      ? wanted
      : auth.publicRepositories.includes(name ?? '')
        ? wanted.filter((a) => a === 'pull')
        : [];
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [der] };
    const claims = {
      iss: 'test-issuer',
      sub: user ?? '',
      aud: 'test-registry',
      exp: now + 600,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: granted.length > 0 ? [{ type, name, actions: granted }] : [],
    };
    const body = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(body).sign(key);
    return `${body}.${b64url(signature)}`;
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`TOKEN ${url.searchParams.get('scope') ?? ''}`);
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    let user: string | undefined;
    if (basic) {
      const [name, ...rest] = Buffer.from(basic[1]!, 'base64').toString().split(':');
      if (auth.users[name!] === undefined || auth.users[name!] !== rest.join(':')) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"incorrect username or password"}');
        return;
      }
      user = name;
    }
    const token = issue(user, url.searchParams.get('scope') ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    certPath,
    issue,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A bcrypt hash (cost 4: the registry checks it on every request) from libxcrypt via Python's crypt. */
function bcrypt(password: string): string {
  const script = 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))';
  try {
    return execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', script, password], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(`cannot make a bcrypt hash with /usr/bin/python3 (crypt module): ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Monolithic blob uploads, then the OCI manifest PUT (the distribution spec's push). */
async function pushImage(
  host: string,
  repository: string,
  tag: string,
  tokens?: TokenServer,
  basic?: Record<string, string>,
): Promise<string> {
  const headers: Record<string, string> = tokens
    ? { Authorization: `Bearer ${tokens.issue('pusher', `repository:${repository}:pull,push`)}` }
    : (basic ?? {});
  const base = `http://${host}/v2/${repository}`;
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const layer = Buffer.from(`layer of ${repository}:${tag}`);
  for (const blob of [config, layer]) {
    const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST', headers });
    if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location')!, `http://${host}`);
    location.searchParams.set('digest', sha256(blob));
    const put = await fetch(location, {
      method: 'PUT',
      headers: { ...headers, 'Content-Type': 'application/octet-stream' },
      body: blob,
    });
    if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  });
  const put = await fetch(`${base}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  if (put.status !== 201) throw new Error(`manifest put: ${put.status} ${await put.text()}`);
  return put.headers.get('docker-content-digest') ?? sha256(manifest);
}

/** A loopback socket that accepts connections and never answers (a registry that hangs). */
export async function silentServer(): Promise<{ host: string; close(): Promise<void> }> {
  const { createServer: createTcp } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const server = createTcp((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
