/**
 * A patch that cannot be decoded or applied. The HTTP facade maps `kind: 'decode'` to 400 BadRequest and
 * `kind: 'apply'` to 422 (what the API server's patcher returns for failed `test` ops and bad paths:
 * staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, applyJSPatch/interpretStrategicMergePatchError).
 */
export class PatchError extends Error {
  constructor(
    readonly kind: 'decode' | 'apply',
    message: string,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

export { deepEqual, isObject, type Json, type JsonObject } from '../../../k8s/json.js';

// One JSON deep copy for the whole project (k8s/meta.ts), under the name the patch engines use.
export { clone as cloneJson } from '../../../k8s/meta.js';
