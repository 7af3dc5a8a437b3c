import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ClusterClient } from '../cluster/port.js';
import type { RetryNotice } from '../cluster/retry.js';
import { parseScenario, ScenarioError, defaultScenario, type Scenario } from '../cluster/sim/index.js';
import { builtinResource } from '../k8s/builtinResources.js';
import { crdDefines, isCrd } from '../k8s/crd.js';
import { grantsFor } from '../k8s/rbac/bindings.js';
import { loadManifests, noMatches } from '../manifest/index.js';
import type { InputError } from '../gate/result.js';
import type { Deployment, KubeObject } from '../k8s/objects.js';
import type { RunRequest } from './runRequest.js';

/** A cluster to gate against, or the input problems that prevent building one. */
export type Connection = { cluster: ClusterClient; defaultNamespace: string; errors: [] } | { errors: InputError[] };

/**
 * Reads the scenario (and its pre-existing objects) for a simulated run. Problems are input
 * errors with file and line, like manifest problems.
 */
export function loadScenario(request: Pick<RunRequest, 'scenario' | 'cwd'>): {
  scenario: Scenario;
  objects: ReturnType<typeof loadManifests>['documents'];
  errors: InputError[];
} {
  if (!request.scenario) return { scenario: defaultScenario(), objects: [], errors: [] };
  const path = resolve(request.cwd, request.scenario);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a scenario file' : 'cannot be read';
    return {
      scenario: defaultScenario(),
      objects: [],
      errors: [{ file: request.scenario, line: 0, message: `scenario ${why}` }],
    };
  }
  let scenario: Scenario;
  try {
    scenario = parseScenario(text, request.scenario);
  } catch (err) {
    if (err instanceof ScenarioError) {
      return {
        scenario: defaultScenario(),
        objects: [],
        errors: [{ file: request.scenario, line: err.line ?? 0, message: err.message }],
      };
    }
    throw err;
  }
  const scenarioDir = dirname(request.scenario);
  const prefix = (file: string) => (file === '' ? '' : `${scenarioDir}/${file}`.replace(/^\.\//, ''));
  const roleErrors = loadRoleFiles(scenario, dirname(path)).map((e) => ({ ...e, file: prefix(e.file ?? '') }));
  if (scenario.objects.length === 0) return { scenario, objects: [], errors: roleErrors };
  const loaded = loadManifests({ patterns: scenario.objects, cwd: dirname(path) });
  const errors: InputError[] = [...loaded.errors, ...unservedScenarioKinds(loaded.documents)];
  return {
    scenario,
    objects: loaded.documents,
    errors: [...roleErrors, ...errors.map((e) => ({ ...e, file: prefix(e.file ?? '') }))],
  };
}

/**
 * `permissions.files`: Role YAML (Roles, ClusterRoles and their bindings) whose bindings to the
 * scenario's user become its grants, as RBAC would bind them on a cluster.
 */
function loadRoleFiles(scenario: Scenario, dir: string): InputError[] {
  const permissions = scenario.permissions;
  if (!permissions || permissions.files.length === 0) return [];
  const loaded = loadManifests({ patterns: permissions.files, cwd: dir });
  const grants = grantsFor(
    loaded.documents.map((d) => d.object),
    permissions.user,
  );
  permissions.roles.push(...grants);
  if (loaded.errors.length === 0 && grants.length === 0)
    return [
      {
        file: permissions.files[0]!,
        line: 0,
        message: `permissions.files: no RoleBinding or ClusterRoleBinding there binds a role to user "${permissions.user}"`,
      },
    ];
  return loaded.errors;
}

/** Scenario objects must be built-in kinds or custom resources of a CRD among the scenario's objects. */
function unservedScenarioKinds(documents: ReturnType<typeof loadManifests>['documents']): InputError[] {
  const crds = documents.map((d) => d.object).filter(isCrd);
  return documents
    .filter(({ object: o }) => {
      const apiVersion = o.apiVersion ?? '';
      const kind = o.kind ?? '';
      return !builtinResource(apiVersion, kind) && !crds.some((crd) => crdDefines(crd, apiVersion, kind));
    })
    .map((d) => ({
      file: d.file,
      line: d.line,
      message: `${noMatches(d.object.kind ?? '', d.object.apiVersion ?? '')}: add its CustomResourceDefinition to the scenario's objects`,
    }));
}

/** The real adapter's module; the CLI loads it lazily (a simulated run never pays for client-node). */
export type KubeModule = typeof import('../cluster/kube/index.js');
export type LoadKube = () => Promise<KubeModule>;

/**
 * Builds the real adapter. Kubeconfig problems are input errors (exit 2) and never quote the
 * kubeconfig's content. `onRetry` hears every retried request (see RetryReporter).
 */
export async function connectReal(
  request: RunRequest,
  loadKube: LoadKube,
  budgetSeconds: number,
  onRetry?: (notice: RetryNotice) => void,
): Promise<Connection> {
  const kube = await loadKube();
  try {
    const cluster = kube.KubeCluster.fromOptions(
      {
        kubeconfigPath: request.kubeconfigPath,
        kubeconfigContent: request.kubeconfigContent,
        context: request.context,
        cwd: request.cwd,
      },
      // Retrying a request never outlasts the run's own time budget.
      {
        retryPolicy: { deadlineMs: Math.min(kube.DEFAULT_RETRY_POLICY.deadlineMs, budgetSeconds * 1000) },
        ...(onRetry ? { onRetry } : {}),
      },
    );
    return { cluster, defaultNamespace: cluster.defaultNamespace, errors: [] };
  } catch (err) {
    if (err instanceof kube.KubeconfigError) {
      return { errors: [{ message: err.message }] };
    }
    throw err;
  }
}

/**
 * The simulator creates every pod as an object: 10,000 replicas take about ten seconds, so a
 * Deployment far beyond that (valid for a real cluster) would run for hours. Said up front.
 */
export const SIMULATED_MAX_REPLICAS = 20_000;

export function beyondSimulator(documents: Array<{ file: string; line: number; object: KubeObject }>): InputError[] {
  return documents
    .filter((d) => {
      const replicas = (d.object as Deployment).spec?.replicas;
      return d.object.kind === 'Deployment' && typeof replicas === 'number' && replicas > SIMULATED_MAX_REPLICAS;
    })
    .map((d) => ({
      file: d.file,
      line: d.line,
      message:
        `deployment "${d.object.metadata.name}": ${(d.object as Deployment).spec.replicas} replicas is more than the ` +
        `simulated cluster runs (at most ${SIMULATED_MAX_REPLICAS}); scale it down for a dry run`,
    }));
}
