import { createSimulatedCluster } from '../cluster/sim/index.js';
import type { ClusterClient } from '../cluster/port.js';
import { RetryReporter } from '../cluster/retry.js';
import { ApiError } from '../k8s/apiError.js';
import { loadManifests } from '../manifest/index.js';
import type { GateLog } from '../gate/gateLog.js';
import type { GateResult, InputError } from '../gate/result.js';
import { resolveKinds } from '../gate/resolveKinds.js';
import { runGate, type GateDocument } from '../gate/runGate.js';
import { beyondSimulator, connectReal, loadScenario, type LoadKube } from './connect.js';
import { policyFrom, type RunRequest } from './runRequest.js';
import { loadHealthChecks } from './healthChecks.js';

/**
 * The shared core of both entries: validate every input (flags, scenario, manifests, kubeconfig)
 * before anything is applied, build the cluster adapter (simulated or real), run the gate, and
 * always release the cluster. Any input problem ends the run as `invalid` (exit 2) with all
 * problems listed and nothing applied.
 */
export async function runDeploy(request: RunRequest, log: GateLog, loadKube?: LoadKube): Promise<GateResult> {
  const errors: InputError[] = [];
  const { policy, rollbackTimeoutSeconds, failedToleranceSeconds, problems } = policyFrom(request);
  errors.push(...problems.map((p) => ({ message: p.message })));
  const health = request.healthChecks ? loadHealthChecks(request.healthChecks, request.cwd) : { errors: [] };
  errors.push(...health.errors);

  let cluster: ClusterClient | undefined;
  let defaultNamespace = 'default';
  let simulated: ReturnType<typeof loadScenario> | undefined;
  if (request.simulate) {
    simulated = loadScenario(request);
    errors.push(...simulated.errors);
  } else {
    if (!loadKube) throw new Error('runDeploy: a real cluster needs the kube adapter (loadKube)');
    // An unreachable cluster is said at once and on every retry, not waited out in silence.
    const retries = new RetryReporter({ now: () => cluster?.clock.now() ?? 0 }, (line) => log.warn(line));
    const connection = await connectReal(request, loadKube, policy.timeoutSeconds, retries.report);
    if (connection.errors.length > 0) errors.push(...connection.errors);
    else if ('cluster' in connection) {
      cluster = connection.cluster;
      defaultNamespace = connection.defaultNamespace;
    }
  }
  try {
    const manifests = loadManifests({
      patterns: request.manifests,
      cwd: request.cwd,
      namespace: request.namespace,
      defaultNamespace,
      images: request.images,
    });
    errors.push(...manifests.errors);
    if (errors.length === 0 && manifests.documents.length === 0) {
      errors.push({ message: 'the manifests contain no objects to apply' });
    }
    // Only for otherwise valid input: an invalid replica count is already reported once.
    if (simulated && errors.length === 0)
      errors.push(...beyondSimulator([...simulated.objects, ...manifests.documents]));
    if (errors.length > 0) return { result: 'invalid', workloads: [], errors, simulated: request.simulate };

    if (simulated) {
      // No namespace is created for the manifests: one that does not exist fails as on a real cluster.
      cluster = createSimulatedCluster(simulated.scenario, {
        objects: simulated.objects.map((d) => d.object),
      }).cluster;
    }
    // Every kind must be served by the cluster (or defined by a CRD of this run) before anything is applied.
    const unknown = await resolveKinds(cluster!, manifests.documents, {
      namespace: request.namespace,
      defaultNamespace,
    });
    if (unknown.length > 0) return { result: 'invalid', workloads: [], errors: unknown, simulated: request.simulate };
    log.info(`rollout-gate: ${manifests.documents.length} object(s) for ${cluster!.describe()}`);
    return await gate(cluster!, manifests.documents);
  } catch (err) {
    // The cluster could not be reached (or answered with an error before anything was applied).
    if (err instanceof ApiError && cluster) {
      // Reported once, in the result (the text summary / JSON), not also as a log line.
      const message = `cannot use the Kubernetes API at ${cluster.describe()}: ${err.message}`;
      return { result: 'failed', workloads: [], errors: [{ message }], simulated: request.simulate };
    }
    throw err;
  } finally {
    await cluster?.close();
  }

  function gate(cluster: ClusterClient, documents: GateDocument[]): Promise<GateResult> {
    return runGate(
      cluster!,
      {
        documents,
        policy,
        rollback: request.rollback,
        rollbackTimeoutSeconds,
        onNoGoodRevision: request.onNoGoodRevision,
        force: request.forceConflicts,
        changeCause: request.changeCause,
        failedToleranceSeconds,
        ...(health.checks ? { healthChecks: health.checks } : {}),
        rollbackOnCancel: request.rollbackOnCancel !== false,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.lockHolder ? { lockHolder: request.lockHolder } : {}),
      },
      log,
    );
  }
}
