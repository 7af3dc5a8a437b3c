import { dump } from 'js-yaml';

/** The user serve's kubeconfig names: the cluster admin (system:masters) when the scenario has no `permissions`. */
export const ADMIN_USER = 'rollout-gate-sim';

/**
 * A kubeconfig for the facade. Over http, `insecure-skip-tls-verify: true` is what client-node needs to
 * accept a plain-HTTP server at all (toolchain notes §3.1); over https the self-signed certificate is the CA.
 */
export function kubeconfigYaml(options: { url: string; caPem?: string; token?: string; namespace?: string }): string {
  const name = ADMIN_USER;
  const cluster: Record<string, unknown> = { server: options.url };
  if (options.caPem) cluster['certificate-authority-data'] = Buffer.from(options.caPem).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: options.token ? { token: options.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: options.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
