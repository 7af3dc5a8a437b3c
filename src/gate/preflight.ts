import type { AccessDecision, ClusterClient } from '../cluster/port.js';
import { ApiError } from '../k8s/apiError.js';
import { isCrd } from '../k8s/crd.js';
import { canICommand } from '../k8s/rbac/canI.js';
import type { GateLog } from './gateLog.js';
import { neededPermissions, type Need, type PermissionOptions, type PlannedDocument } from './permissions/plan.js';
import { definedInRun } from './resolveKinds.js';
import type { ApplyDocument } from './applyManifests.js';
import type { GateResult, InputError } from './result.js';

/** The run's reason when its identity lacks permissions it needs. */
export const FORBIDDEN = 'Forbidden';

/** Access reviews in flight at once: a few dozen questions in well under a second, without a burst. */
const CONCURRENCY = 8;

/**
 * Phase preflight, before the Leases and before the first write: asks the cluster (one
 * SelfSubjectAccessReview each, what `kubectl auth can-i` asks) for every permission the run needs
 * (permissions/plan.ts). When any it cannot do without is missing, nothing is applied: the result
 * is `invalid` (exit 2, like every problem found before the apply), reason `Forbidden`, one error
 * per missing permission, each the `kubectl auth can-i` command a cluster admin runs to check it.
 * Missing ones the run can do without (its Leases, pod logs) are warnings. A cluster that cannot
 * answer (the review itself forbidden or not served) is said once, and the run goes on: its
 * requests are then authorized one by one, and a 403 names the verb and resource.
 */
export async function preflight(
  cluster: ClusterClient,
  documents: readonly ApplyDocument[],
  options: PermissionOptions,
  log: GateLog,
): Promise<GateResult | undefined> {
  const needs = neededPermissions(await mapped(cluster, documents), options);
  const answers = await askAll(cluster, needs);
  if (answers.some((a) => a === undefined)) {
    log.warn(
      'the cluster does not answer SelfSubjectAccessReviews for this identity: permissions are not checked before the apply',
    );
    return undefined;
  }
  const missing: Need[] = [];
  for (const [i, need] of needs.entries()) {
    if (answers[i]!.allowed) continue;
    if (need.whenAbsent && (await exists(cluster, need.whenAbsent))) continue;
    missing.push(need);
  }
  for (const line of lines(missing.filter((n) => n.withoutIt)))
    log.warn(`missing permission, ${line.without}: ${line.message}`, line);
  const errors = lines(missing.filter((n) => !n.withoutIt));
  if (errors.length === 0) return undefined;
  log.error(
    `this identity may not do ${errors.length === 1 ? 'one thing' : `${errors.length} things`} the run needs; ` +
      'nothing was applied. Ask a cluster admin to grant them (examples/rbac/role.yaml); check each with:',
  );
  for (const e of errors) log.error(e.message, e);
  return {
    result: 'invalid',
    reason: FORBIDDEN,
    workloads: [],
    errors: errors.map(({ file, line, message }) => ({ ...(file ? { file, line } : {}), message })),
    applied: [],
    phases: [],
    simulated: cluster.mode === 'simulated',
  };
}

/** Each document with its REST mapping; one the cluster does not serve is left to the apply to report. */
async function mapped(cluster: ClusterClient, documents: readonly ApplyDocument[]): Promise<PlannedDocument[]> {
  const crds = documents.map((d) => d.object).filter(isCrd);
  const out: PlannedDocument[] = [];
  for (const doc of documents) {
    const { apiVersion = '', kind = '' } = doc.object;
    const mapping = (await cluster.resolve(apiVersion, kind)) ?? definedInRun(crds, apiVersion, kind);
    if (mapping) out.push({ ...doc, mapping });
  }
  return out;
}

async function askAll(cluster: ClusterClient, needs: readonly Need[]): Promise<Array<AccessDecision | undefined>> {
  const answers: Array<AccessDecision | undefined> = new Array(needs.length);
  if (needs.length === 0) return answers;
  // The first alone: a cluster that does not answer is retried (and said) once, not eight times over.
  answers[0] = await cluster.accessReview(needs[0]!.attrs);
  let next = 1;
  const worker = async (): Promise<void> => {
    while (next < needs.length) {
      const i = next++;
      answers[i] = await cluster.accessReview(needs[i]!.attrs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, needs.length) }, worker));
  return answers;
}

/** Whether an object exists; a read that is itself refused counts as "cannot tell": the create stays needed. */
async function exists(cluster: ClusterClient, ref: NonNullable<Need['whenAbsent']>): Promise<boolean> {
  try {
    return (await cluster.get(ref.apiVersion, ref.kind, ref.namespace, ref.name)) !== undefined;
  } catch (err) {
    if (err instanceof ApiError && err.code === 403) return false;
    throw err;
  }
}

/**
 * One line per missing verb on a resource in a namespace: the `kubectl auth can-i` question for the
 * whole resource (a "no" for one object is a "no" for the resource too), then what it is needed for.
 */
function lines(missing: readonly Need[]): Array<InputError & { without?: string }> {
  const byResource = new Map<string, { need: Need; why: string[] }>();
  for (const need of missing) {
    const { name: _name, ...attrs } = need.attrs;
    const command = canICommand(attrs);
    const known = byResource.get(command);
    if (known) known.why.push(...need.why.filter((w) => !known.why.includes(w)));
    else byResource.set(command, { need, why: [...need.why] });
  }
  return [...byResource.entries()].map(([command, { need, why }]) => ({
    ...(need.file ? { file: need.file, line: need.line ?? 0 } : {}),
    message: `${command}   # no: needed to ${why.join(', ')}`,
    ...(need.withoutIt ? { without: need.withoutIt } : {}),
  }));
}
