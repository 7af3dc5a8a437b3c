import type { PathElement } from './types.js';

/**
 * A path as the API server prints a custom resource's fields: keys joined with dots (map keys
 * too, as kube-openapi's validator and the pruning algorithm name them), indices in brackets:
 * `spec.ports[0].name`, `spec.labels.tier`.
 */
export function fieldOf(path: readonly PathElement[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}
