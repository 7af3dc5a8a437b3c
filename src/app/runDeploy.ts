import { createSimulatedCluster } from '../cluster/sim/index.js';
import type { ClusterClient } from '../cluster/port.js';
import { loadManifests } from '../manifest/index.js';
import type { GateLog } from '../gate/gateLog.js';
import type { GateResult, InputError } from '../gate/result.js';
import { runGate } from '../gate/runGate.js';
import { connectReal, loadScenario } from './connect.js';
import { policyFrom, type RunRequest } from './runRequest.js';

/**
 * The shared core of both entries: validate every input (flags, scenario, manifests, kubeconfig)
 * before anything is applied, build the cluster adapter (simulated or real), run the gate, and
 * always release the cluster. Any input problem ends the run as `invalid` (exit 2) with all
 * problems listed and nothing applied.
 */
export async function runDeploy(request: RunRequest, log: GateLog): Promise<GateResult> {
  const errors: InputError[] = [];
  const { policy, rollbackTimeoutSeconds, problems } = policyFrom(request);
  errors.push(...problems.map((p) => ({ message: p.message })));

  let cluster: ClusterClient | undefined;
  let defaultNamespace = 'default';
  let simulated: ReturnType<typeof loadScenario> | undefined;
  if (request.simulate) {
    simulated = loadScenario(request);
    errors.push(...simulated.errors);
  } else {
    const connection = await connectReal(request);
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
    if (errors.length > 0) return { result: 'invalid', workloads: [], errors, simulated: request.simulate };

    if (simulated) {
      const namespaces = manifests.documents.map((d) => d.object.metadata.namespace).filter((n): n is string => !!n);
      cluster = createSimulatedCluster(simulated.scenario, { objects: simulated.objects.map((d) => d.object), namespaces }).cluster;
    }
    log.info(`rollout-gate: ${manifests.documents.length} object(s) for ${cluster!.describe()}`);
    return await runGate(
      cluster!,
      {
        documents: manifests.documents,
        policy,
        rollback: request.rollback,
        rollbackTimeoutSeconds,
        onNoGoodRevision: request.onNoGoodRevision,
        force: request.forceConflicts,
        changeCause: request.changeCause,
      },
      log,
    );
  } finally {
    await cluster?.close();
  }
}
