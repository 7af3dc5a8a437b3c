import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** Where the kubeconfig comes from: the CLI flags / action inputs. */
export interface KubeconfigOptions {
  /** `--kubeconfig FILE`. */
  kubeconfigPath?: string;
  /** The action's `kubeconfig` input: the file's content. */
  kubeconfigContent?: string;
  /** `--context NAME`; else the kubeconfig's current-context. */
  context?: string;
  /** Directory a relative `kubeconfigPath` is resolved against (like manifests); default the process's. */
  cwd?: string;
}

/** What the resolution reads besides the options; injectable so tests need no real home or pod. */
export interface KubeconfigEnvironment {
  env: Record<string, string | undefined>;
  homeDir: string;
  /** Directory of the in-cluster service account (token, ca.crt, namespace). */
  serviceAccountDir: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function processEnvironment(): KubeconfigEnvironment {
  return { env: process.env, homeDir: os.homedir(), serviceAccountDir: SERVICE_ACCOUNT_DIR };
}

/** A loaded kubeconfig with its context selected. */
export interface LoadedKubeconfig {
  kc: KubeConfig;
  /** Where it came from, for messages: `kubeconfig "/path"`, `KUBECONFIG "/a:/b"`, ... */
  source: string;
  context: string;
  /** The server URL, without any user-info part. */
  server: string;
  /** The context's namespace, if it sets one. */
  namespace?: string;
}

/**
 * A kubeconfig problem. Messages name files, contexts and clusters, never file content,
 * tokens, passwords or certificate data: they end up in CI logs.
 */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

/**
 * Resolves and loads the kubeconfig the way kubectl does: content, else `--kubeconfig`, else
 * `KUBECONFIG` (a path list, merged, first value wins), else `~/.kube/config`, else the in-cluster
 * service account. Then selects `context` (else the current-context) and checks it is usable.
 */
export function loadKubeconfig(options: KubeconfigOptions = {}, environment = processEnvironment()): LoadedKubeconfig {
  const kc = new KubeConfig();
  let source: string;
  if (options.kubeconfigContent !== undefined && options.kubeconfigContent.trim() !== '') {
    source = 'kubeconfig (from input)';
    parseInto(kc, options.kubeconfigContent, source);
  } else if (options.kubeconfigPath) {
    source = `kubeconfig "${options.kubeconfigPath}"`;
    loadFile(kc, path.resolve(options.cwd ?? '', options.kubeconfigPath), source);
  } else if (environment.env.KUBECONFIG && environment.env.KUBECONFIG.trim() !== '') {
    source = `KUBECONFIG "${environment.env.KUBECONFIG}"`;
    loadPathList(kc, environment.env.KUBECONFIG, source);
  } else {
    const home = path.join(environment.homeDir, '.kube', 'config');
    if (fs.existsSync(home)) {
      source = `kubeconfig "${home}"`;
      loadFile(kc, home, source);
    } else if (inClusterAvailable(environment)) {
      source = 'in-cluster service account';
      loadInCluster(kc, environment);
    } else {
      throw new KubeconfigError(
        `no kubeconfig: pass --kubeconfig, set KUBECONFIG, create "${home}", or run in a pod with a service account`,
      );
    }
  }
  return selectContext(kc, source, options.context);
}

/** A one-line description for logs: server URL and context name only. */
export function describeCluster(loaded: Pick<LoadedKubeconfig, 'server' | 'context'>): string {
  return `${loaded.server} (context "${loaded.context}")`;
}

/** The server URL without user-info (`https://user:pass@host` must not reach a log). */
export function safeServerUrl(server: string): string {
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '<invalid server URL>';
  }
}

function parseInto(kc: KubeConfig, content: string, source: string): void {
  try {
    kc.loadFromString(content);
  } catch (err) {
    throw new KubeconfigError(`${source} is not a valid kubeconfig: ${safeParseMessage(err)}`);
  }
}

/**
 * The parse error without quoted content: js-yaml's message embeds a snippet of the source
 * (which may be a token line), so only its `reason` and line number are kept.
 */
function safeParseMessage(err: unknown): string {
  const e = err as { name?: string; reason?: string; mark?: { line?: number }; message?: string };
  if (e?.name === 'YAMLException') {
    const line = e.mark?.line !== undefined ? ` at line ${e.mark.line + 1}` : '';
    return `invalid YAML${line}${e.reason ? ` (${e.reason})` : ''}`;
  }
  // client-node's own validation messages name entries, e.g. "clusters[0].cluster.server is missing".
  const message = e?.message ?? String(err);
  return /^(clusters|users|contexts)\[\d+\]\.[\w.]+ is missing$|^Duplicate (cluster|user|context): /.test(message)
    ? message
    : 'unreadable content';
}

function loadFile(kc: KubeConfig, file: string, source: string): void {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new KubeconfigError(
      code === 'ENOENT' ? `${source} does not exist` : `cannot read ${source} (${code ?? 'error'})`,
    );
  }
  parseInto(kc, content, source);
  // Relative certificate-authority/client-certificate paths are relative to the file, as in kubectl.
  kc.makePathsAbsolute(path.dirname(path.resolve(file)));
}

/** KUBECONFIG: files merged in order, the first to set a name wins; missing files are skipped (as kubectl does). */
function loadPathList(kc: KubeConfig, list: string, source: string): void {
  const files = list.split(path.delimiter).filter((f) => f !== '');
  const existing = files.filter((f) => fs.existsSync(f));
  if (existing.length === 0) throw new KubeconfigError(`${source}: none of the files exists`);
  loadFile(kc, existing[0]!, `kubeconfig "${existing[0]}"`);
  for (const file of existing.slice(1)) {
    const next = new KubeConfig();
    loadFile(next, file, `kubeconfig "${file}"`);
    mergeFirstWins(kc, next);
  }
}

function mergeFirstWins(into: KubeConfig, from: KubeConfig): void {
  const has = <T extends { name: string }>(list: T[], name: string) => list.some((x) => x.name === name);
  for (const c of from.clusters) if (!has(into.clusters, c.name)) into.addCluster(c);
  for (const u of from.users) if (!has(into.users, u.name)) into.addUser(u);
  for (const c of from.contexts) if (!has(into.contexts, c.name)) into.addContext(c);
  if (!into.currentContext && from.currentContext) into.setCurrentContext(from.currentContext);
}

function inClusterAvailable(environment: KubeconfigEnvironment): boolean {
  return (
    !!environment.env.KUBERNETES_SERVICE_HOST &&
    !!environment.env.KUBERNETES_SERVICE_PORT &&
    fs.existsSync(path.join(environment.serviceAccountDir, 'token'))
  );
}

/** What client-node's loadFromCluster does, but from the injected environment. */
function loadInCluster(kc: KubeConfig, environment: KubeconfigEnvironment): void {
  const host = environment.env.KUBERNETES_SERVICE_HOST!;
  const port = environment.env.KUBERNETES_SERVICE_PORT!;
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const serverHost = host.includes(':') ? `[${host}]` : host;
  const nsFile = path.join(environment.serviceAccountDir, 'namespace');
  const namespace = fs.existsSync(nsFile) ? fs.readFileSync(nsFile, 'utf8').trim() : undefined;
  kc.loadFromOptions({
    clusters: [
      {
        name: 'inCluster',
        server: `${scheme}://${serverHost}:${port}`,
        caFile: path.join(environment.serviceAccountDir, 'ca.crt'),
        skipTLSVerify: false,
      },
    ],
    // tokenFile is re-read as the projected token rotates.
    users: [
      {
        name: 'inClusterUser',
        authProvider: { name: 'tokenFile', config: { tokenFile: path.join(environment.serviceAccountDir, 'token') } },
      },
    ],
    contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace }],
    currentContext: 'inClusterContext',
  });
}

function selectContext(kc: KubeConfig, source: string, wanted: string | undefined): LoadedKubeconfig {
  const names = kc.contexts.map((c) => c.name);
  const list = names.length ? names.join(', ') : 'none';
  if (names.length === 0) throw new KubeconfigError(`${source} has no contexts`);
  const name = wanted || kc.currentContext;
  if (!name) throw new KubeconfigError(`${source} sets no current-context; pass --context (contexts: ${list})`);
  const context = kc.getContextObject(name);
  if (!context) {
    const what = wanted ? 'has no context' : 'sets current-context to a missing context';
    throw new KubeconfigError(`${source} ${what} "${name}" (contexts: ${list})`);
  }
  kc.setCurrentContext(name);
  const cluster = kc.getCluster(context.cluster);
  if (!cluster)
    throw new KubeconfigError(
      `context "${name}" in ${source} refers to cluster "${context.cluster}", which is not defined`,
    );
  if (context.user && !kc.getUser(context.user)) {
    throw new KubeconfigError(`context "${name}" in ${source} refers to user "${context.user}", which is not defined`);
  }
  const server = safeServerUrl(cluster.server);
  if (server.startsWith('http:') && !cluster.skipTLSVerify) {
    // client-node refuses plain http unless told TLS is off on purpose; say so before the first request does.
    throw new KubeconfigError(
      `cluster "${cluster.name}" in ${source} uses plain http (${server}); set insecure-skip-tls-verify: true for it`,
    );
  }
  return { kc, source, context: name, server, ...(context.namespace ? { namespace: context.namespace } : {}) };
}
