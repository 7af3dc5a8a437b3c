import type { ConfigMap, Container, Pod, Secret } from '../../../k8s/objects.js';
import type { ObjectStore } from '../store/objectStore.js';

/**
 * The kubelet's `makeEnvironmentVariables` checks: a non-optional ConfigMap/Secret (or key) referenced from
 * env or envFrom that does not exist fails container creation with CreateContainerConfigError, worded as
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet_pods.go words it.
 * Volumes are checked separately (see {@link missingVolumeSource}): a missing volume source keeps the pod in
 * ContainerCreating with FailedMount events, as on a real node.
 */
export function missingEnvConfig(store: ObjectStore, pod: Pod, container: Container): string | undefined {
  const ns = pod.metadata.namespace ?? 'default';
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef && !from.configMapRef.optional && !store.get('ConfigMap', ns, from.configMapRef.name)) {
      return `configmap "${from.configMapRef.name}" not found`;
    }
    if (from.secretRef && !from.secretRef.optional && !store.get('Secret', ns, from.secretRef.name)) {
      return `secret "${from.secretRef.name}" not found`;
    }
  }
  for (const env of container.env ?? []) {
    const cm = env.valueFrom?.configMapKeyRef;
    if (cm && !cm.optional) {
      const found = store.get<ConfigMap>('ConfigMap', ns, cm.name);
      if (!found) return `configmap "${cm.name}" not found`;
      if (!(cm.key in (found.data ?? {})) && !(cm.key in ((found as { binaryData?: object }).binaryData ?? {}))) {
        return `couldn't find key ${cm.key} in ConfigMap ${ns}/${cm.name}`;
      }
    }
    const sec = env.valueFrom?.secretKeyRef;
    if (sec && !sec.optional) {
      const found = store.get<Secret>('Secret', ns, sec.name);
      if (!found) return `secret "${sec.name}" not found`;
      if (!(sec.key in (found.data ?? {})) && !(sec.key in (found.stringData ?? {}))) {
        return `couldn't find key ${sec.key} in Secret ${ns}/${sec.name}`;
      }
    }
  }
  return undefined;
}

/** The first volume whose ConfigMap/Secret is missing: `{volume, message}` in the FailedMount wording. */
export function missingVolumeSource(store: ObjectStore, pod: Pod): { volume: string; message: string } | undefined {
  const ns = pod.metadata.namespace ?? 'default';
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap && !v.configMap.optional && !store.get('ConfigMap', ns, v.configMap.name)) {
      return { volume: v.name, message: `configmap "${v.configMap.name}" not found` };
    }
    if (v.secret && !v.secret.optional && !store.get('Secret', ns, v.secret.secretName)) {
      return { volume: v.name, message: `secret "${v.secret.secretName}" not found` };
    }
  }
  return undefined;
}
