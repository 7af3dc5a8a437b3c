import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  describeCluster,
  KubeconfigError,
  loadKubeconfig,
  type KubeconfigEnvironment,
} from '../../../src/cluster/kube/kubeconfig.js';

const TOKEN = 'sekrit-token-0123456789';
const CERT_DATA = 'LS0tLS1CRUdJTi1TRUNSRVQtQ0VSVC1EQVRBLS0tLS0=';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-kubeconfig-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function kubeconfig(opts: { contexts: string[]; current?: string; server?: string; skipTls?: boolean }): string {
  const server = opts.server ?? 'https://10.0.0.1:6443';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    ...opts.contexts.map(
      (c) =>
        `- name: ${c}-cluster\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${CERT_DATA}` +
        (opts.skipTls ? '\n    insecure-skip-tls-verify: true' : ''),
    ),
    'users:',
    ...opts.contexts.map((c) => `- name: ${c}-user\n  user:\n    token: ${TOKEN}`),
    'contexts:',
    ...opts.contexts.map(
      (c) => `- name: ${c}\n  context:\n    cluster: ${c}-cluster\n    user: ${c}-user\n    namespace: ns-${c}`,
    ),
    ...(opts.current ? [`current-context: ${opts.current}`] : []),
    '',
  ].join('\n');
}

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

function env(overrides: Partial<KubeconfigEnvironment> = {}): KubeconfigEnvironment {
  return { env: {}, homeDir: path.join(dir, 'nohome'), serviceAccountDir: path.join(dir, 'nosa'), ...overrides };
}

/** Runs `fn`, expects a KubeconfigError, and checks no secret leaked into its message. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KubeconfigError);
    const message = (err as Error).message;
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain(CERT_DATA);
    return message;
  }
  throw new Error('expected a KubeconfigError');
}

describe('loadKubeconfig', () => {
  it('loads content and selects its current-context', () => {
    const loaded = loadKubeconfig({ kubeconfigContent: kubeconfig({ contexts: ['a', 'b'], current: 'b' }) }, env());
    expect(loaded.context).toBe('b');
    expect(loaded.namespace).toBe('ns-b');
    expect(loaded.server).toBe('https://10.0.0.1:6443');
    expect(loaded.kc.getCurrentUser()?.name).toBe('b-user');
  });

  it('--context overrides the current-context', () => {
    const file = write('two.yaml', kubeconfig({ contexts: ['a', 'b'], current: 'b' }));
    expect(loadKubeconfig({ kubeconfigPath: file, context: 'a' }, env()).context).toBe('a');
  });

  it('names the file and the known contexts when the context is missing', () => {
    const file = write('ab.yaml', kubeconfig({ contexts: ['a', 'b'], current: 'a' }));
    expect(errorOf(() => loadKubeconfig({ kubeconfigPath: file, context: 'prod' }, env()))).toBe(
      `kubeconfig "${file}" has no context "prod" (contexts: a, b)`,
    );
  });

  it('prefers content over a path, and a path over KUBECONFIG', () => {
    const file = write('pathfirst.yaml', kubeconfig({ contexts: ['frompath'], current: 'frompath' }));
    const envFile = write('env.yaml', kubeconfig({ contexts: ['fromenv'], current: 'fromenv' }));
    const e = env({ env: { KUBECONFIG: envFile } });
    expect(loadKubeconfig({ kubeconfigPath: file }, e).context).toBe('frompath');
    expect(
      loadKubeconfig({ kubeconfigPath: file, kubeconfigContent: kubeconfig({ contexts: ['c'], current: 'c' }) }, e)
        .context,
    ).toBe('c');
    expect(loadKubeconfig({}, e).context).toBe('fromenv');
  });

  it('merges a KUBECONFIG list: first file wins, missing files are skipped', () => {
    const first = write('list/first.yaml', kubeconfig({ contexts: ['a'], current: 'a' }));
    const second = write('list/second.yaml', kubeconfig({ contexts: ['b'], current: 'b' }));
    const list = [path.join(dir, 'list/missing.yaml'), first, second].join(path.delimiter);
    const loaded = loadKubeconfig({ context: 'b' }, env({ env: { KUBECONFIG: list } }));
    expect(loaded.context).toBe('b');
    expect(loaded.kc.contexts.map((c) => c.name)).toEqual(['a', 'b']);
    expect(loadKubeconfig({}, env({ env: { KUBECONFIG: list } })).context).toBe('a');
  });

  it('falls back to ~/.kube/config', () => {
    const home = path.join(dir, 'home');
    write('home/.kube/config', kubeconfig({ contexts: ['homectx'], current: 'homectx' }));
    expect(loadKubeconfig({}, env({ homeDir: home })).context).toBe('homectx');
  });

  it('falls back to the in-cluster service account', () => {
    const sa = path.join(dir, 'sa');
    write('sa/token', TOKEN);
    write('sa/ca.crt', 'not-a-real-ca');
    write('sa/namespace', 'team-a\n');
    const loaded = loadKubeconfig(
      {},
      env({ serviceAccountDir: sa, env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' } }),
    );
    expect(loaded.server).toBe('https://10.96.0.1');
    expect(loaded.namespace).toBe('team-a');
    expect(describeCluster(loaded)).toBe('https://10.96.0.1 (context "inClusterContext")');
  });

  it('says where it looked when there is no kubeconfig at all', () => {
    expect(errorOf(() => loadKubeconfig({}, env()))).toMatch(
      /^no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ".*nohome\/\.kube\/config"/,
    );
  });

  it('never quotes file content in parse errors', () => {
    const file = write('bad.yaml', `users:\n- name: u\n  user:\n    token: ${TOKEN}\n   bad: [indent\n`);
    const message = errorOf(() => loadKubeconfig({ kubeconfigPath: file }, env()));
    expect(message).toMatch(new RegExp(`^kubeconfig "${file}" is not a valid kubeconfig: invalid YAML at line \\d+`));
    const content = errorOf(() => loadKubeconfig({ kubeconfigContent: `token: ${TOKEN}\n  : : [` }, env()));
    expect(content).toMatch(/^kubeconfig \(from input\) is not a valid kubeconfig/);
  });

  it('reports missing files, missing current-context and dangling references', () => {
    expect(errorOf(() => loadKubeconfig({ kubeconfigPath: path.join(dir, 'nope.yaml') }, env()))).toMatch(
      /nope\.yaml" does not exist$/,
    );
    expect(errorOf(() => loadKubeconfig({ kubeconfigContent: kubeconfig({ contexts: ['a', 'b'] }) }, env()))).toBe(
      'kubeconfig (from input) sets no current-context; pass --context (contexts: a, b)',
    );
    const dangling = kubeconfig({ contexts: ['a'], current: 'a' }).replace('cluster: a-cluster', 'cluster: gone');
    expect(errorOf(() => loadKubeconfig({ kubeconfigContent: dangling }, env()))).toBe(
      'context "a" in kubeconfig (from input) refers to cluster "gone", which is not defined',
    );
  });

  it('rejects plain http without insecure-skip-tls-verify, which client-node would refuse later', () => {
    const http = kubeconfig({ contexts: ['a'], current: 'a', server: 'http://127.0.0.1:8080' });
    expect(errorOf(() => loadKubeconfig({ kubeconfigContent: http }, env()))).toMatch(
      /uses plain http .*insecure-skip-tls-verify: true/,
    );
    const ok = kubeconfig({ contexts: ['a'], current: 'a', server: 'http://127.0.0.1:8080', skipTls: true });
    expect(loadKubeconfig({ kubeconfigContent: ok }, env()).server).toBe('http://127.0.0.1:8080');
  });

  it('describes the cluster without user-info or secrets', () => {
    const withUser = kubeconfig({ contexts: ['a'], current: 'a', server: 'https://admin:hunter2@k8s.example.com' });
    const loaded = loadKubeconfig({ kubeconfigContent: withUser }, env());
    expect(describeCluster(loaded)).toBe('https://k8s.example.com (context "a")');
  });
});
