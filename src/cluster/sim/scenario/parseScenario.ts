import { load, YAMLException } from 'js-yaml';
import { parseSelectorString } from '../../../k8s/labels.js';
import { isDNS1123Label } from '../../../k8s/validation/names.js';
import { quantityMilliValue, quantityValue } from '../../../k8s/quantity.js';
import type { ImageUsage, UsagePoint } from '../kubelet/usage.js';
import type { PolicyRule, RoleGrant } from '../../../k8s/rbac/authorize.js';
import { TAINT_EFFECTS, type Taint } from '../scheduler/taints.js';
import {
  defaultScenario,
  scenarioNodeNames,
  type ChaosEvent,
  type ImageSpec,
  type NodeCapacitySpec,
  type NodePoolSpec,
  type NodeSpec,
  type OperatorSpec,
  type Scenario,
  type ScenarioPermissions,
} from './scenario.js';

/** A scenario problem, with the path of the offending field (`images."web:2".crash`). */
export class ScenarioError extends Error {
  constructor(
    readonly file: string | undefined,
    readonly line: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const TOP_LEVEL = ['nodes', 'images', 'objects', 'faults', 'permissions', 'seed', 'operators'];
const NODE_KEYS = ['count', 'capacity', 'labels', 'taints', 'pools'];
const POOL_KEYS = ['name', 'count', 'capacity', 'labels', 'taints'];
const CAPACITY_KEYS = ['cpu', 'memory', 'pods'];
const TAINT_KEYS = ['key', 'value', 'effect'];
const IMAGE_KEYS = [
  'pullSeconds',
  'startSeconds',
  'readySeconds',
  'pull',
  'flakyPulls',
  'crash',
  'crashTimes',
  'ready',
  'runSeconds',
  'exitCode',
  'logs',
  'usage',
];

/**
 * Parses and validates a scenario document. Collects every problem and throws one
 * {@link ScenarioError} listing them all, so a user fixes the file in one pass.
 */
export function parseScenario(text: string, file?: string): Scenario {
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : load(text, { filename: file ?? 'scenario' });
  } catch (err) {
    if (err instanceof YAMLException) {
      throw new ScenarioError(file, (err.mark?.line ?? 0) + 1, `invalid YAML: ${err.reason}`);
    }
    throw err;
  }
  if (doc === null || doc === undefined) doc = {};
  const problems: string[] = [];
  const scenario = defaultScenario();
  scenario.source = file;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ScenarioError(
      file,
      1,
      'a scenario must be a YAML mapping (nodes, images, objects, faults, permissions, seed)',
    );
  }
  const root = doc as Record<string, unknown>;
  for (const key of Object.keys(root)) {
    if (!TOP_LEVEL.includes(key)) problems.push(`unknown field "${key}" (expected one of: ${TOP_LEVEL.join(', ')})`);
  }

  if (root.nodes !== undefined) {
    scenario.nodesDeclared = true;
    const nodes = asMap(root.nodes, 'nodes', problems);
    if (nodes) {
      for (const key of Object.keys(nodes)) {
        if (!NODE_KEYS.includes(key))
          problems.push(`nodes.${key}: unknown field (expected one of: ${NODE_KEYS.join(', ')})`);
      }
      if (nodes.count !== undefined) scenario.nodes.count = int(nodes.count, 'nodes.count', problems, 0, 10_000);
      if (nodes.capacity !== undefined)
        scenario.nodes.capacity = capacity(nodes.capacity, scenario.nodes.capacity, 'nodes.capacity', problems);
      if (nodes.labels !== undefined) scenario.nodes.labels = nodeLabels(nodes.labels, 'nodes.labels', problems);
      if (nodes.taints !== undefined) scenario.nodes.taints = taints(nodes.taints, 'nodes.taints', problems);
      if (nodes.pools !== undefined) scenario.nodes.pools = pools(nodes.pools, scenario.nodes.capacity, problems);
    }
  }

  if (root.images !== undefined) {
    const images = asMap(root.images, 'images', problems);
    for (const [ref, raw] of Object.entries(images ?? {})) {
      const spec = imageSpec(raw, `images.${JSON.stringify(ref)}`, problems);
      if (spec) scenario.images[ref] = ref === 'default' ? { ...scenario.images.default, ...spec } : spec;
    }
  }

  if (root.objects !== undefined) {
    if (!Array.isArray(root.objects) || root.objects.some((o) => typeof o !== 'string' || o === '')) {
      problems.push('objects: must be a list of manifest paths (relative to the scenario file)');
    } else {
      scenario.objects = root.objects as string[];
    }
  }

  if (root.faults !== undefined) {
    const faults = asMap(root.faults, 'faults', problems);
    for (const key of Object.keys(faults ?? {})) {
      if (!['apiErrorRate', 'watchDropEverySeconds', 'seed', 'chaos'].includes(key))
        problems.push(`faults.${key}: unknown field`);
    }
    if (faults?.apiErrorRate !== undefined)
      scenario.faults.apiErrorRate = fraction(faults.apiErrorRate, 'faults.apiErrorRate', problems);
    if (faults?.watchDropEverySeconds !== undefined) {
      scenario.faults.watchDropEverySeconds = num(
        faults.watchDropEverySeconds,
        'faults.watchDropEverySeconds',
        problems,
        0,
        86_400,
      );
    }
    if (faults?.seed !== undefined) scenario.faults.seed = int(faults.seed, 'faults.seed', problems, 0, 2 ** 32 - 1);
  }
  if (root.permissions !== undefined) {
    const permissions = permissionsBlock(root.permissions, problems);
    if (permissions) scenario.permissions = permissions;
  }
  if (root.seed !== undefined) scenario.seed = int(root.seed, 'seed', problems, 0, 2 ** 32 - 1);
  if (root.operators !== undefined) scenario.operators = operators(root.operators, problems);
  // After `nodes`, so node names are checked against the final count.
  const rawFaults = root.faults as Record<string, unknown> | undefined;
  if (rawFaults && typeof rawFaults === 'object' && rawFaults.chaos !== undefined) {
    const chaos = chaosEvents(rawFaults.chaos, scenario.nodes, problems);
    if (chaos.length > 0) scenario.faults.chaos = chaos;
  }

  if (problems.length > 0) {
    throw new ScenarioError(
      file,
      undefined,
      `invalid scenario${file ? ` ${file}` : ''}:\n  - ${problems.join('\n  - ')}`,
    );
  }
  return scenario;
}

function imageSpec(raw: unknown, path: string, problems: string[]): ImageSpec | undefined {
  const map = asMap(raw, path, problems);
  if (!map) return undefined;
  const spec: ImageSpec = {};
  for (const key of Object.keys(map)) {
    if (!IMAGE_KEYS.includes(key))
      problems.push(`${path}.${key}: unknown field (expected one of: ${IMAGE_KEYS.join(', ')})`);
  }
  if (map.pullSeconds !== undefined)
    spec.pullSeconds = num(map.pullSeconds, `${path}.pullSeconds`, problems, 0, 86_400);
  if (map.startSeconds !== undefined)
    spec.startSeconds = num(map.startSeconds, `${path}.startSeconds`, problems, 0, 86_400);
  if (map.readySeconds !== undefined)
    spec.readySeconds = num(map.readySeconds, `${path}.readySeconds`, problems, 0, 86_400);
  if (map.pull !== undefined) spec.pull = oneOf(map.pull, `${path}.pull`, ['ok', 'missing', 'unauthorized'], problems);
  if (map.flakyPulls !== undefined) spec.flakyPulls = int(map.flakyPulls, `${path}.flakyPulls`, problems, 0, 1000);
  if (map.ready !== undefined) spec.ready = oneOf(map.ready, `${path}.ready`, ['always', 'never'], problems);
  if (map.crash !== undefined) {
    if (typeof map.crash !== 'boolean') problems.push(`${path}.crash: must be true or false`);
    else spec.crash = map.crash;
  }
  if (map.crashTimes !== undefined) {
    spec.crashTimes = int(map.crashTimes, `${path}.crashTimes`, problems, 0, 1000);
    if (map.crash === true) problems.push(`${path}.crashTimes: not with crash: true (that crashes on every start)`);
  }
  if (map.runSeconds !== undefined) spec.runSeconds = num(map.runSeconds, `${path}.runSeconds`, problems, 0, 86_400);
  if (map.exitCode !== undefined) spec.exitCode = int(map.exitCode, `${path}.exitCode`, problems, 0, 255);
  if (map.logs !== undefined) {
    if (!Array.isArray(map.logs) || map.logs.some((l) => typeof l !== 'string'))
      problems.push(`${path}.logs: must be a list of strings`);
    else spec.logs = map.logs as string[];
  }
  if (map.usage !== undefined) {
    const usage = imageUsage(map.usage, `${path}.usage`, problems);
    if (usage) spec.usage = usage;
  }
  return spec;
}

/**
 * `usage: { cpu: 300m, memory: 200Mi }` per running container of the image, or a load curve per
 * resource: `cpu: [{ at: 0s, value: 100m }, { at: 60s, value: 900m }]`, each value holding from its
 * `at` (counted from the scenario's time origin, as `faults.chaos`) until the next one.
 */
function imageUsage(raw: unknown, path: string, problems: string[]): ImageUsage | undefined {
  const map = asMap(raw, path, problems);
  if (!map) return undefined;
  const usage: ImageUsage = {};
  for (const key of Object.keys(map))
    if (key !== 'cpu' && key !== 'memory')
      problems.push(`${path}.${key}: unknown field (expected one of: cpu, memory)`);
  if (map.cpu !== undefined) usage.cpu = usageCurve(map.cpu, `${path}.cpu`, quantityMilliValue, problems);
  if (map.memory !== undefined) usage.memory = usageCurve(map.memory, `${path}.memory`, quantityValue, problems);
  return usage;
}

function usageCurve(
  raw: unknown,
  path: string,
  parse: (q: string) => number,
  problems: string[],
): UsagePoint[] | undefined {
  if (!Array.isArray(raw)) {
    const value = quantity(raw, path, problems);
    return [{ atMs: 0, value: parse(value) }];
  }
  if (raw.length === 0) {
    problems.push(`${path}: must be a quantity such as "300m" or a non-empty list such as [{ at: 0s, value: 300m }]`);
    return undefined;
  }
  const points: UsagePoint[] = [];
  raw.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const step = asMap(item, at, problems);
    if (!step) return;
    for (const key of Object.keys(step))
      if (key !== 'at' && key !== 'value') problems.push(`${at}.${key}: unknown field (expected one of: at, value)`);
    if (step.at === undefined) problems.push(`${at}.at: required (a duration such as 60s)`);
    if (step.value === undefined) problems.push(`${at}.value: required (a quantity such as 300m)`);
    const atMs = step.at === undefined ? 0 : duration(step.at, `${at}.at`, problems);
    const previous = points[points.length - 1];
    if (i === 0 && step.at !== undefined && atMs !== 0) problems.push(`${at}.at: the first step must be at 0s`);
    if (previous && atMs <= previous.atMs) problems.push(`${at}.at: must be later than the step before it`);
    const value = step.value === undefined ? '0' : quantity(step.value, `${at}.value`, problems);
    points.push({ atMs, value: parse(value) });
  });
  return points;
}

const OPERATOR_KEYS = ['apiVersion', 'kind', 'name', 'status'];
const CONDITION_STATUSES = ['True', 'False', 'Unknown'];

/**
 * `operators`: per custom resource kind (and optionally name), the statuses its operator writes,
 * each `after` a duration from the object's creation or generation change, in order.
 */
function operators(raw: unknown, problems: string[]): OperatorSpec[] {
  if (!Array.isArray(raw)) {
    problems.push('operators: must be a list such as [{ apiVersion: example.com/v1, kind: Database, status: [...] }]');
    return [];
  }
  const specs: OperatorSpec[] = [];
  raw.forEach((item, i) => {
    const path = `operators[${i}]`;
    const map = asMap(item, path, problems);
    if (!map) return;
    for (const key of Object.keys(map)) {
      if (!OPERATOR_KEYS.includes(key))
        problems.push(`${path}.${key}: unknown field (expected one of: ${OPERATOR_KEYS.join(', ')})`);
    }
    if (typeof map.apiVersion !== 'string' || !/^[a-z0-9.-]+\/[a-z0-9]+$/.test(map.apiVersion))
      problems.push(
        `${path}.apiVersion: must be <group>/<version> such as "example.com/v1", got ${JSON.stringify(map.apiVersion)}`,
      );
    if (typeof map.kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(map.kind))
      problems.push(`${path}.kind: must be a kind such as "Database", got ${JSON.stringify(map.kind)}`);
    if (map.name !== undefined && (typeof map.name !== 'string' || map.name === ''))
      problems.push(`${path}.name: must be an object name`);
    const steps: OperatorSpec['steps'] = [];
    if (!Array.isArray(map.status) || map.status.length === 0) {
      problems.push(`${path}.status: must be a non-empty list such as [{ after: 0s, conditions: [...] }]`);
    } else {
      map.status.forEach((rawStep, j) => {
        const stepPath = `${path}.status[${j}]`;
        const step = asMap(rawStep, stepPath, problems);
        if (!step) return;
        if (step.after === undefined) problems.push(`${stepPath}.after: required (a duration such as 5s)`);
        const afterMs = step.after === undefined ? 0 : duration(step.after, `${stepPath}.after`, problems);
        const previous = steps[steps.length - 1];
        if (previous && afterMs < previous.afterMs)
          problems.push(`${stepPath}.after: must not be earlier than the step before it`);
        const { after: _after, ...status } = step;
        if ('observedGeneration' in status)
          problems.push(`${stepPath}.observedGeneration: set by the operator (the object's generation)`);
        if (status.conditions !== undefined) conditions(status.conditions, `${stepPath}.conditions`, problems);
        steps.push({ afterMs, status });
      });
    }
    if (typeof map.apiVersion === 'string' && typeof map.kind === 'string')
      specs.push({
        apiVersion: map.apiVersion,
        kind: map.kind,
        ...(typeof map.name === 'string' ? { name: map.name } : {}),
        steps,
      });
  });
  return specs;
}

/** metav1.Condition's required fields: `type` and a `status` of True, False or Unknown. */
function conditions(raw: unknown, path: string, problems: string[]): void {
  if (!Array.isArray(raw)) {
    problems.push(`${path}: must be a list of conditions such as { type: Ready, status: "True" }`);
    return;
  }
  raw.forEach((c, k) => {
    const map = asMap(c, `${path}[${k}]`, problems);
    if (!map) return;
    if (typeof map.type !== 'string' || map.type === '') problems.push(`${path}[${k}].type: required`);
    if (typeof map.status !== 'string' || !CONDITION_STATUSES.includes(map.status))
      problems.push(
        `${path}[${k}].status: must be "True", "False" or "Unknown" (quoted), got ${JSON.stringify(map.status)}`,
      );
  });
}

const PERMISSION_KEYS = ['user', 'roles', 'files'];
const RULE_KEYS = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'];

/**
 * `permissions: { user, roles: [{ namespace?, rules: [PolicyRule] }], files: [role.yaml] }`: the
 * identity of every request and its RBAC grants (a role without namespace is cluster-wide, as a
 * ClusterRole bound by a ClusterRoleBinding).
 */
function permissionsBlock(raw: unknown, problems: string[]): ScenarioPermissions | undefined {
  const map = asMap(raw, 'permissions', problems);
  if (!map) return undefined;
  for (const key of Object.keys(map))
    if (!PERMISSION_KEYS.includes(key))
      problems.push(`permissions.${key}: unknown field (expected one of: ${PERMISSION_KEYS.join(', ')})`);
  const permissions: ScenarioPermissions = { user: '', roles: [], files: [] };
  if (typeof map.user !== 'string' || map.user === '')
    problems.push('permissions.user: required (the identity of every request, e.g. system:serviceaccount:ci:deployer)');
  else permissions.user = map.user;
  if (map.files !== undefined) {
    if (!Array.isArray(map.files) || map.files.some((f) => typeof f !== 'string' || f === ''))
      problems.push('permissions.files: must be a list of Role YAML paths (relative to the scenario file)');
    else permissions.files = map.files as string[];
  }
  if (map.roles !== undefined) {
    if (!Array.isArray(map.roles)) problems.push('permissions.roles: must be a list of { namespace, rules }');
    else
      map.roles.forEach((r, i) => {
        const grant = roleGrant(r, `permissions.roles[${i}]`, problems);
        if (grant) permissions.roles.push(grant);
      });
  }
  if (map.roles === undefined && map.files === undefined)
    problems.push('permissions: give roles or files (without either, the identity may do nothing)');
  return permissions;
}

function roleGrant(raw: unknown, path: string, problems: string[]): RoleGrant | undefined {
  const map = asMap(raw, path, problems);
  if (!map) return undefined;
  for (const key of Object.keys(map))
    if (key !== 'namespace' && key !== 'rules')
      problems.push(`${path}.${key}: unknown field (expected namespace, rules)`);
  const grant: RoleGrant = { rules: [] };
  if (map.namespace !== undefined) {
    if (typeof map.namespace !== 'string' || isDNS1123Label(map.namespace).length > 0)
      problems.push(`${path}.namespace: must be a namespace name, got ${JSON.stringify(map.namespace)}`);
    else grant.namespace = map.namespace;
  }
  if (!Array.isArray(map.rules)) {
    problems.push(
      `${path}.rules: required, a list of RBAC rules such as { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] }`,
    );
    return grant;
  }
  map.rules.forEach((r, j) => {
    const rule = policyRule(r, `${path}.rules[${j}]`, problems);
    if (rule) grant.rules.push(rule);
  });
  return grant;
}

/** A PolicyRule, checked as rbac validation does: verbs, and resources with apiGroups or nonResourceURLs. */
function policyRule(raw: unknown, path: string, problems: string[]): PolicyRule | undefined {
  const map = asMap(raw, path, problems);
  if (!map) return undefined;
  for (const key of Object.keys(map))
    if (!RULE_KEYS.includes(key))
      problems.push(`${path}.${key}: unknown field (expected one of: ${RULE_KEYS.join(', ')})`);
  const rule: PolicyRule = { verbs: [] };
  for (const key of RULE_KEYS as Array<keyof PolicyRule>) {
    const value = map[key];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      problems.push(`${path}.${key}: must be a list of strings`);
    else rule[key] = value as string[];
  }
  if (rule.verbs.length === 0) problems.push(`${path}.verbs: required (at least one verb, or "*")`);
  const resources = (rule.resources ?? []).length > 0;
  const urls = (rule.nonResourceURLs ?? []).length > 0;
  if (resources === urls) problems.push(`${path}: needs resources (with apiGroups) or nonResourceURLs, not both`);
  if (resources && (rule.apiGroups ?? []).length === 0)
    problems.push(`${path}.apiGroups: required with resources ("" is the core group)`);
  return rule;
}

const CONTROLLERS = ['deployment', 'replicaset', 'scheduler'] as const;
const CHAOS_ACTIONS = ['loseNode', 'evictPods', 'pauseController'];
const MAX_CHAOS_MS = 7 * 86_400_000;

/** `faults.chaos`: a list of timed events (`{ at: 20s, loseNode: node-2 }`, …). */
function chaosEvents(raw: unknown, nodeSpec: NodeSpec, problems: string[]): ChaosEvent[] {
  const nodeCount = nodeSpec.count;
  const poolNodes = scenarioNodeNames({ ...nodeSpec, count: 0 });
  if (!Array.isArray(raw)) {
    problems.push('faults.chaos: must be a list of events such as { at: 20s, loseNode: node-2 }');
    return [];
  }
  const events: ChaosEvent[] = [];
  raw.forEach((item, i) => {
    const path = `faults.chaos[${i}]`;
    const map = asMap(item, path, problems);
    if (!map) return;
    const actions = CHAOS_ACTIONS.filter((a) => map[a] !== undefined);
    const allowed = ['at', ...CHAOS_ACTIONS, 'for', 'evictAfter'];
    for (const key of Object.keys(map)) {
      if (!allowed.includes(key))
        problems.push(`${path}.${key}: unknown field (expected one of: ${allowed.join(', ')})`);
    }
    if (actions.length !== 1) {
      problems.push(`${path}: must have exactly one of ${CHAOS_ACTIONS.join(', ')}`);
      return;
    }
    if (map.at === undefined) problems.push(`${path}.at: required (a duration such as 20s)`);
    const atMs = map.at === undefined ? 0 : duration(map.at, `${path}.at`, problems);
    const action = actions[0]!;
    if (action !== 'pauseController' && map.for !== undefined) problems.push(`${path}.for: only for pauseController`);
    if (action !== 'loseNode' && map.evictAfter !== undefined) problems.push(`${path}.evictAfter: only for loseNode`);
    if (action === 'loseNode') {
      const node = map.loseNode;
      const m = typeof node === 'string' ? /^node-([1-9][0-9]*)$/.exec(node) : null;
      const inPool = typeof node === 'string' && poolNodes.includes(node);
      if (!inPool && (!m || Number(m[1]) > nodeCount)) {
        const ranges = [
          ...(nodeCount === 0 ? [] : [`node-1 … node-${nodeCount}`]),
          ...(nodeSpec.pools ?? []).filter((p) => p.count > 0).map((p) => `${p.name}-1 … ${p.name}-${p.count}`),
        ];
        problems.push(
          `${path}.loseNode: unknown node ${JSON.stringify(node)} (the scenario has ${ranges.length === 0 ? 'no nodes' : ranges.join(', ')})`,
        );
        return;
      }
      const evictAfterMs =
        map.evictAfter === undefined ? 30_000 : duration(map.evictAfter, `${path}.evictAfter`, problems);
      events.push({ atMs, loseNode: node as string, evictAfterMs });
    } else if (action === 'evictPods') {
      const spec = asMap(map.evictPods, `${path}.evictPods`, problems);
      if (!spec) return;
      for (const key of Object.keys(spec)) {
        if (!['selector', 'count', 'namespace'].includes(key))
          problems.push(`${path}.evictPods.${key}: unknown field (expected one of: selector, count, namespace)`);
      }
      let selector = '';
      if (typeof spec.selector !== 'string' || spec.selector.trim() === '') {
        problems.push(`${path}.evictPods.selector: must be a label selector such as "app=web"`);
      } else {
        try {
          parseSelectorString(spec.selector);
          selector = spec.selector;
        } catch (err) {
          problems.push(`${path}.evictPods.selector: ${(err as Error).message}`);
        }
      }
      const count = spec.count === undefined ? 1 : int(spec.count, `${path}.evictPods.count`, problems, 1, 100_000);
      let namespace = 'default';
      if (spec.namespace !== undefined) {
        if (typeof spec.namespace !== 'string' || spec.namespace === '')
          problems.push(`${path}.evictPods.namespace: must be a namespace name`);
        else namespace = spec.namespace;
      }
      events.push({ atMs, evictPods: { selector, namespace, count } });
    } else {
      const controller = oneOf(map.pauseController, `${path}.pauseController`, [...CONTROLLERS], problems);
      if (map.for === undefined) problems.push(`${path}.for: required (how long the controller is paused, e.g. 60s)`);
      const forMs = map.for === undefined ? 0 : duration(map.for, `${path}.for`, problems);
      if (controller) events.push({ atMs, pauseController: controller, forMs });
    }
  });
  return events;
}

/**
 * A duration: a number of seconds or a string of Go-style units (`500ms`, `20s`, `1m30s`, `2h`).
 * Returns milliseconds.
 */
function duration(value: unknown, path: string, problems: string[]): number {
  const bad = () => {
    problems.push(`${path}: must be a duration such as "20s", "1m30s" or "500ms", got ${JSON.stringify(value)}`);
    return 0;
  };
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return bad();
    ms = value * 1000;
  } else if (typeof value === 'string' && /^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value.trim())) {
    ms = 0;
    for (const m of value.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
      ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    }
  } else return bad();
  if (ms > MAX_CHAOS_MS) {
    problems.push(`${path}: must be at most 7 days, got ${JSON.stringify(value)}`);
    return 0;
  }
  return Math.round(ms);
}

function asMap(value: unknown, path: string, problems: string[]): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${path}: must be a mapping`);
    return undefined;
  }
  return value as Record<string, unknown>;
}

function num(value: unknown, path: string, problems: string[], min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    problems.push(`${path}: must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return min;
  }
  return value;
}

function int(value: unknown, path: string, problems: string[], min: number, max: number): number {
  const n = num(value, path, problems, min, max);
  if (!Number.isInteger(n)) {
    problems.push(`${path}: must be a whole number, got ${JSON.stringify(value)}`);
    return Math.trunc(n);
  }
  return n;
}

function fraction(value: unknown, path: string, problems: string[]): number {
  return num(value, path, problems, 0, 1);
}

function oneOf<T extends string>(value: unknown, path: string, allowed: T[], problems: string[]): T | undefined {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    problems.push(`${path}: must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return value as T;
}

/** Kubernetes quantity syntax (`4`, `500m`, `8Gi`, `1.5`, `1e3`). */
function quantity(value: unknown, path: string, problems: string[]): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^[0-9]+(\.[0-9]+)?([eE][0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.test(text)) {
    problems.push(`${path}: must be a Kubernetes quantity such as "4", "500m" or "8Gi", got ${JSON.stringify(value)}`);
    return '0';
  }
  return text;
}

function capacity(raw: unknown, base: NodeCapacitySpec, path: string, problems: string[]): NodeCapacitySpec {
  const cap = asMap(raw, path, problems);
  const out = { ...base };
  if (!cap) return out;
  for (const key of Object.keys(cap)) {
    if (!CAPACITY_KEYS.includes(key))
      problems.push(`${path}.${key}: unknown field (expected one of: ${CAPACITY_KEYS.join(', ')})`);
  }
  if (cap.cpu !== undefined) out.cpu = quantity(cap.cpu, `${path}.cpu`, problems);
  if (cap.memory !== undefined) out.memory = quantity(cap.memory, `${path}.memory`, problems);
  if (cap.pods !== undefined) out.pods = int(cap.pods, `${path}.pods`, problems, 0, 1_000_000);
  return out;
}

// Label keys and values as metav1 validation accepts them (an optional DNS-subdomain prefix and a
// 63-character name; values up to 63 characters, alphanumeric at both ends).
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return LABEL_NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && LABEL_PREFIX.test(prefix) && LABEL_NAME.test(key.slice(slash + 1));
}

function validLabelValue(value: string): boolean {
  return value === '' || LABEL_NAME.test(value);
}

function nodeLabels(raw: unknown, path: string, problems: string[]): Record<string, string> | undefined {
  const map = asMap(raw, path, problems);
  if (!map) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    if (!validLabelKey(key)) problems.push(`${path}.${key}: not a valid label key`);
    else if (typeof text !== 'string' || !validLabelValue(text))
      problems.push(
        `${path}.${key}: must be a label value (up to 63 letters, digits, "-", "_" or "."), got ${JSON.stringify(value)}`,
      );
    else out[key] = text;
  }
  return out;
}

/** `taints: [{ key, value, effect }]`, validated as core validation's validateNodeTaints does. */
function taints(raw: unknown, path: string, problems: string[]): Taint[] | undefined {
  if (!Array.isArray(raw)) {
    problems.push(`${path}: must be a list of taints such as { key: gpu, value: "true", effect: NoSchedule }`);
    return undefined;
  }
  const out: Taint[] = [];
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const map = asMap(item, at, problems);
    if (!map) return;
    for (const key of Object.keys(map)) {
      if (!TAINT_KEYS.includes(key))
        problems.push(`${at}.${key}: unknown field (expected one of: ${TAINT_KEYS.join(', ')})`);
    }
    const key = map.key;
    if (typeof key !== 'string' || !validLabelKey(key)) {
      problems.push(
        `${at}.key: must be a label key such as "gpu" or "example.com/dedicated", got ${JSON.stringify(key)}`,
      );
      return;
    }
    const value =
      map.value === undefined
        ? undefined
        : typeof map.value === 'number' || typeof map.value === 'boolean'
          ? String(map.value)
          : map.value;
    if (value !== undefined && (typeof value !== 'string' || !validLabelValue(value))) {
      problems.push(`${at}.value: must be a label value, got ${JSON.stringify(map.value)}`);
      return;
    }
    const effect = oneOf(map.effect, `${at}.effect`, [...TAINT_EFFECTS], problems);
    if (!effect) return;
    // validateNodeTaints: one taint per key and effect.
    if (seen.has(`${key}:${effect}`)) {
      problems.push(`${at}: taints must be unique by key and effect pair (${key}:${effect})`);
      return;
    }
    seen.add(`${key}:${effect}`);
    out.push({ key, ...(value !== undefined ? { value } : {}), effect });
  });
  return out;
}

const POOL_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `nodes.pools`: named groups of nodes, `<name>-1` … `<name>-<count>`. */
function pools(raw: unknown, base: NodeCapacitySpec, problems: string[]): NodePoolSpec[] | undefined {
  if (!Array.isArray(raw)) {
    problems.push('nodes.pools: must be a list of pools such as { name: gpu, count: 1, labels: { gpu: "true" } }');
    return undefined;
  }
  const out: NodePoolSpec[] = [];
  const names = new Set<string>();
  raw.forEach((item, i) => {
    const path = `nodes.pools[${i}]`;
    const map = asMap(item, path, problems);
    if (!map) return;
    for (const key of Object.keys(map)) {
      if (!POOL_KEYS.includes(key))
        problems.push(`${path}.${key}: unknown field (expected one of: ${POOL_KEYS.join(', ')})`);
    }
    const name = map.name;
    if (typeof name !== 'string' || name.length > 50 || !POOL_NAME.test(name)) {
      problems.push(
        `${path}.name: must be a lowercase DNS label of at most 50 characters such as "gpu", got ${JSON.stringify(name)}`,
      );
      return;
    }
    if (name === 'node') problems.push(`${path}.name: "node" is taken by the nodes of nodes.count`);
    if (names.has(name)) problems.push(`${path}.name: pool "${name}" is defined twice`);
    names.add(name);
    const pool: NodePoolSpec = {
      name,
      count: map.count === undefined ? 1 : int(map.count, `${path}.count`, problems, 0, 10_000),
      capacity: map.capacity === undefined ? { ...base } : capacity(map.capacity, base, `${path}.capacity`, problems),
    };
    if (map.labels !== undefined) pool.labels = nodeLabels(map.labels, `${path}.labels`, problems);
    if (map.taints !== undefined) pool.taints = taints(map.taints, `${path}.taints`, problems);
    out.push(pool);
  });
  return out;
}
