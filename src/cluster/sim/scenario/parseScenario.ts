import { load, YAMLException } from 'js-yaml';
import { defaultScenario, type ImageSpec, type Scenario } from './scenario.js';

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

const TOP_LEVEL = ['nodes', 'images', 'objects', 'faults', 'seed'];
const IMAGE_KEYS = [
  'pullSeconds',
  'startSeconds',
  'readySeconds',
  'pull',
  'flakyPulls',
  'crash',
  'ready',
  'exitCode',
  'logs',
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
    throw new ScenarioError(file, 1, 'a scenario must be a YAML mapping (nodes, images, objects, faults, seed)');
  }
  const root = doc as Record<string, unknown>;
  for (const key of Object.keys(root)) {
    if (!TOP_LEVEL.includes(key)) problems.push(`unknown field "${key}" (expected one of: ${TOP_LEVEL.join(', ')})`);
  }

  if (root.nodes !== undefined) {
    const nodes = asMap(root.nodes, 'nodes', problems);
    if (nodes) {
      if (nodes.count !== undefined) scenario.nodes.count = int(nodes.count, 'nodes.count', problems, 0, 10_000);
      if (nodes.capacity !== undefined) {
        const cap = asMap(nodes.capacity, 'nodes.capacity', problems);
        if (cap?.cpu !== undefined) scenario.nodes.capacity.cpu = quantity(cap.cpu, 'nodes.capacity.cpu', problems);
        if (cap?.memory !== undefined)
          scenario.nodes.capacity.memory = quantity(cap.memory, 'nodes.capacity.memory', problems);
        if (cap?.pods !== undefined)
          scenario.nodes.capacity.pods = int(cap.pods, 'nodes.capacity.pods', problems, 0, 1_000_000);
      }
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
      if (!['apiErrorRate', 'watchDropEverySeconds', 'seed'].includes(key))
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
  if (root.seed !== undefined) scenario.seed = int(root.seed, 'seed', problems, 0, 2 ** 32 - 1);

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
  if (map.exitCode !== undefined) spec.exitCode = int(map.exitCode, `${path}.exitCode`, problems, 0, 255);
  if (map.logs !== undefined) {
    if (!Array.isArray(map.logs) || map.logs.some((l) => typeof l !== 'string'))
      problems.push(`${path}.logs: must be a list of strings`);
    else spec.logs = map.logs as string[];
  }
  return spec;
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
