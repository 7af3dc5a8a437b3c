import type { ClusterClient } from '../cluster/port.js';
import { ApiError } from '../k8s/apiError.js';
import { CRD_API_VERSION, CRD_KIND, crdCondition, type CustomResourceDefinition } from '../k8s/crd.js';

/** How long a CustomResourceDefinition may take to be Established (kubectl wait's habit in CI: 60 s). */
export const CRD_ESTABLISHED_TIMEOUT_MS = 60_000;
/** Re-read interval while waiting (a real API server establishes a CRD within a second or two). */
export const CRD_POLL_MS = 500;

/**
 * Waits until the CustomResourceDefinition `name` has `NamesAccepted` and `Established` True and
 * API discovery serves its kind, so its custom resources can be applied next (before that the API server answers 404 for them;
 * `kubectl wait --for condition=established` is the usual manual step). A `NamesAccepted` False
 * fails at once with the API server's message (a name collision never resolves by waiting); no
 * Established within `timeoutMs` fails with the conditions seen last. Time is the cluster's clock.
 */
export async function waitForCrdEstablished(
  cluster: ClusterClient,
  name: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<CustomResourceDefinition> {
  const clock = cluster.clock;
  const deadline = clock.now() + (options.timeoutMs ?? CRD_ESTABLISHED_TIMEOUT_MS);
  for (;;) {
    const crd = await cluster.get<CustomResourceDefinition>(CRD_API_VERSION, CRD_KIND, undefined, name);
    if (!crd) throw new ApiError(404, 'NotFound', `customresourcedefinitions.apiextensions.k8s.io "${name}" not found`);
    const names = crdCondition(crd, 'NamesAccepted');
    const established = crdCondition(crd, 'Established');
    if (names?.status === 'False') {
      throw new ApiError(
        422,
        'Invalid',
        `CustomResourceDefinition "${name}": names not accepted (${names.reason ?? 'NamesAccepted False'}): ${names.message ?? ''}`,
      );
    }
    // Established, and served by discovery (a real API server publishes it a moment later).
    if (names?.status === 'True' && established?.status === 'True' && (await discovered(cluster, crd))) return crd;
    const left = deadline - clock.now();
    if (left <= 0 || options.signal?.aborted) {
      const seen = (crd.status?.conditions ?? []).map(
        (c) => `${c.type}=${c.status}${c.message ? ` (${c.message})` : ''}`,
      );
      throw new ApiError(
        504,
        'Timeout',
        `CustomResourceDefinition "${name}" was not Established within ${Math.round(
          (options.timeoutMs ?? CRD_ESTABLISHED_TIMEOUT_MS) / 1000,
        )}s; conditions: ${seen.length > 0 ? seen.join(', ') : 'none yet'}`,
      );
    }
    await clock.sleep(Math.min(CRD_POLL_MS, left));
  }
}

async function discovered(cluster: ClusterClient, crd: CustomResourceDefinition): Promise<boolean> {
  const version = (crd.spec?.versions ?? []).find((v) => v.served !== false)?.name;
  const kind = crd.spec?.names?.kind;
  if (!version || !kind || !crd.spec?.group) return true;
  return (await cluster.resolve(`${crd.spec.group}/${version}`, kind)) !== undefined;
}
