import type { KubeObject, Pod } from '../../../../k8s/objects.js';
import { defaultPodSpec } from '../../store/builtinKinds.js';

/** A v1 ReplicationController: the ReplicaSet's shape with a map selector. */
export interface ReplicationController extends KubeObject {
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: Record<string, string>;
    template?: { metadata?: { labels?: Record<string, string> }; spec?: Pod['spec'] };
  };
}

/**
 * v1 ReplicationController defaults (pkg/apis/core/v1/defaults.go, SetDefaults_ReplicationController):
 * an empty selector and empty labels are the template's labels; replicas 1; the pod spec's defaults.
 */
export function defaultReplicationController(obj: KubeObject): void {
  const rc = obj as ReplicationController;
  rc.spec ??= {};
  const labels = rc.spec.template?.metadata?.labels;
  if (labels) {
    if (!rc.spec.selector || Object.keys(rc.spec.selector).length === 0) rc.spec.selector = { ...labels };
    if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  }
  rc.spec.replicas ??= 1;
  defaultPodSpec(rc.spec.template?.spec);
}
