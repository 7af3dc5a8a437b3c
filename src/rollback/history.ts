/**
 * `kubectl rollout history` for Deployments, as pure functions (https://github.com/kubernetes/kubectl/blob/release-1.32/pkg/polymorphichelpers/history.go;
 * kubectl `pkg/polymorphichelpers/history.go` DeploymentHistoryViewer, `pkg/cmd/rollout/rollout_history.go`).
 */
import { Annotations, type Container, type Deployment, type PodTemplateSpec, type ReplicaSet } from '../k8s/objects.js';
import { controlledReplicaSets } from '../rollout/revisions.js';

/** One revision in the history: its RS and its template (with the change cause added). */
export interface HistoryEntry {
  revision: number;
  replicaSet: ReplicaSet;
  template: PodTemplateSpec;
  changeCause: string;
}

/**
 * The Deployment's history: controlled RSs with a parseable revision (missing = 0, as kubectl's
 * `Revision()`), sorted ascending; a duplicate revision keeps the later RS in list order.
 */
export function deploymentHistory(deployment: Deployment, replicaSets: ReplicaSet[]): HistoryEntry[] {
  const byRevision = new Map<number, HistoryEntry>();
  for (const rs of controlledReplicaSets(deployment, replicaSets)) {
    const raw = rs.metadata.annotations?.[Annotations.revision] ?? '0';
    if (!/^[+-]?\d+$/.test(raw)) continue; // kubectl logs a warning and skips it
    const revision = Number(raw);
    const changeCause = rs.metadata.annotations?.[Annotations.changeCause] ?? '';
    const template = JSON.parse(JSON.stringify(rs.spec.template)) as PodTemplateSpec;
    if (changeCause !== '') {
      template.metadata = { ...(template.metadata ?? {}) };
      template.metadata.annotations = {
        ...(template.metadata.annotations ?? {}),
        [Annotations.changeCause]: changeCause,
      };
    }
    byRevision.set(revision, { revision, replicaSet: rs, template, changeCause });
  }
  return [...byRevision.values()].sort((a, b) => a.revision - b.revision);
}

/** The revision numbers, ascending (what `-o name|yaml` iterates over). */
export function historyRevisions(deployment: Deployment, replicaSets: ReplicaSet[]): number[] {
  return deploymentHistory(deployment, replicaSets).map((e) => e.revision);
}

/**
 * kubectl's ViewHistory body: the REVISION/CHANGE-CAUSE table (revision 0), or the revision's pod
 * template in `kubectl describe` format. Throws kubectl's error for an unknown revision.
 */
export function viewDeploymentHistory(deployment: Deployment, replicaSets: ReplicaSet[], revision = 0): string {
  const history = deploymentHistory(deployment, replicaSets);
  if (revision > 0) {
    const entry = history.find((e) => e.revision === revision);
    if (!entry) throw new Error('unable to find the specified revision');
    return describePodTemplate(entry.template);
  }
  if (history.length === 0) return 'No rollout history found.';
  const rows = [['REVISION', 'CHANGE-CAUSE'], ...history.map((e) => [String(e.revision), e.changeCause || '<none>'])];
  return tabwrite(rows);
}

/**
 * The full stdout of `kubectl rollout history <resource>`: `<resource> \n<body>\n` or
 * `<resource> with revision #N\n<body>\n` (the NamePrinter adds the final newline).
 * `resource` is the printed name, e.g. `deployment.apps/web`.
 */
export function rolloutHistoryStdout(resource: string, body: string, revision = 0): string {
  const operation = revision > 0 ? `with revision #${revision}\n${body}` : `\n${body}`;
  return `${resource} ${operation}\n`;
}

/**
 * Go's text/tabwriter with minwidth 0, tabwidth 8, padding 2, pad char space: every cell but the
 * last of a row is padded to the column's widest cell plus 2; the last cell is not padded.
 */
export function tabwrite(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length + 2)));
  }
  return rows
    .map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join(''))
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * A pod template in `kubectl describe` format (`DescribePodTemplate` with a raw PrefixWriter: tabs
 * are not expanded). Covers labels, annotations, service account, (init) containers with image,
 * ports, command/args, limits/requests, environment and mounts, volumes, node selectors and
 * tolerations; probes and volume source details are not printed.
 */
export function describePodTemplate(template: PodTemplateSpec): string {
  const out: string[] = ['Pod Template:\n'];
  const meta = template.metadata ?? {};
  out.push(multiline('  Labels', meta.labels, '='));
  if (meta.annotations && Object.keys(meta.annotations).length > 0)
    out.push(multiline('  Annotations', meta.annotations, ': '));
  const spec = template.spec;
  if (spec?.['serviceAccountName']) out.push(`  Service Account:\t${String(spec['serviceAccountName'])}\n`);
  if (spec?.initContainers && spec.initContainers.length > 0)
    out.push(containers('Init Containers', spec.initContainers));
  out.push(containers('Containers', spec?.containers ?? []));
  const volumes = spec?.volumes ?? [];
  if (volumes.length === 0) out.push('  Volumes:\t<none>\n');
  else {
    out.push('  Volumes:\n');
    for (const v of volumes) out.push(`   ${v.name}:\n`);
  }
  out.push(multiline('  Node-Selectors', spec?.nodeSelector, '=', '<none>'));
  const tolerations = (spec?.['tolerations'] as Array<Record<string, unknown>> | undefined) ?? [];
  out.push(`  Tolerations:\t${tolerations.length === 0 ? '<none>' : tolerations.map(toleration).join('\n\t')}\n`);
  return out.join('');
}

function multiline(title: string, values: Record<string, string> | undefined, sep: string, none = '<none>'): string {
  const keys = Object.keys(values ?? {}).sort();
  if (keys.length === 0) return `${title}:\t${none}\n`;
  return keys.map((k, i) => `${i === 0 ? `${title}:\t` : '\t'}${k}${sep}${values![k]}\n`).join('');
}

function containers(label: string, list: Container[]): string {
  const out: string[] = [`  ${label}:\n`];
  for (const c of list) {
    out.push(`   ${c.name}:\n`);
    out.push(`    Image:\t${c.image ?? ''}\n`);
    const ports = c.ports ?? [];
    out.push(
      `    Port:\t${ports.length ? ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ') : '<none>'}\n`,
    );
    out.push(
      `    Host Port:\t${ports.length ? ports.map((p) => `${Number(p['hostPort'] ?? 0)}/${p.protocol ?? 'TCP'}`).join(', ') : '<none>'}\n`,
    );
    if (c.command?.length) out.push('    Command:\n', ...c.command.map((x) => `      ${x}\n`));
    if (c.args?.length) out.push('    Args:\n', ...c.args.map((x) => `      ${x}\n`));
    for (const [title, values] of [
      ['Limits', c.resources?.limits],
      ['Requests', c.resources?.requests],
    ] as const) {
      const keys = Object.keys(values ?? {}).sort();
      if (keys.length) out.push(`    ${title}:\n`, ...keys.map((k) => `      ${k}:\t${String(values![k])}\n`));
    }
    const env = c.env ?? [];
    if (env.length === 0 && !(c.envFrom ?? []).length) out.push('    Environment:\t<none>\n');
    else {
      out.push('    Environment:\n');
      for (const e of env) out.push(`      ${e.name}:\t${envValue(e)}\n`);
    }
    const mounts = c.volumeMounts ?? [];
    if (mounts.length === 0) out.push('    Mounts:\t<none>\n');
    else {
      out.push('    Mounts:\n');
      for (const m of mounts) out.push(`      ${m.mountPath} from ${m.name} (${m['readOnly'] ? 'ro' : 'rw'})\n`);
    }
  }
  return out.join('');
}

function envValue(e: NonNullable<Container['env']>[number]): string {
  if (e.value !== undefined) return e.value;
  const cm = e.valueFrom?.configMapKeyRef;
  if (cm) return `<set to the key '${cm.key}' of config map '${cm.name}'>\tOptional: ${cm.optional ?? false}`;
  const secret = e.valueFrom?.secretKeyRef;
  if (secret)
    return `<set to the key '${secret.key}' in secret '${secret.name}'>\tOptional: ${secret.optional ?? false}`;
  return '';
}

function toleration(t: Record<string, unknown>): string {
  const key = String(t['key'] ?? '');
  const value = t['value'] ? `=${String(t['value'])}` : '';
  const effect = t['effect'] ? `:${String(t['effect'])}` : '';
  const op = t['operator'] === 'Exists' && !key ? 'op=Exists' : '';
  return `${key}${value}${effect}${op}`;
}
