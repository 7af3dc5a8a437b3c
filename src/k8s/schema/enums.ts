/**
 * Values the API server accepts for string fields that are Go enums (`// +enum` types in
 * k8s.io/api). The published OpenAPI documents carry no `enum` for them, so they are listed here
 * by definition and property; the API server's validation refuses anything else with
 * `Unsupported value` (e.g. validatePullPolicy in
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go).
 * An entry ending in `[]` applies to the items of a list. Deployment strategy types and the
 * restart policies a Deployment allows are checked by src/k8s/validation/deployment.ts, with the
 * API server's own messages.
 */
export const enumValues: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'io.k8s.api.core.v1.Container': {
    imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
    terminationMessagePolicy: ['File', 'FallbackToLogsOnError'],
  },
  'io.k8s.api.core.v1.ContainerPort': { protocol: ['SCTP', 'TCP', 'UDP'] },
  'io.k8s.api.core.v1.ServicePort': { protocol: ['SCTP', 'TCP', 'UDP'] },
  'io.k8s.api.core.v1.ServiceSpec': {
    type: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
    sessionAffinity: ['ClientIP', 'None'],
    externalTrafficPolicy: ['Cluster', 'Local'],
    internalTrafficPolicy: ['Cluster', 'Local'],
    ipFamilyPolicy: ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
  },
  'io.k8s.api.core.v1.PodSpec': {
    dnsPolicy: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
    preemptionPolicy: ['Never', 'PreemptLowerPriority'],
  },
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': {
    'accessModes[]': ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'],
    volumeMode: ['Block', 'Filesystem'],
  },
  'io.k8s.api.core.v1.Toleration': {
    operator: ['Equal', 'Exists'],
    effect: ['NoExecute', 'NoSchedule', 'PreferNoSchedule'],
  },
  'io.k8s.api.core.v1.NodeSelectorRequirement': { operator: ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'] },
  'io.k8s.api.core.v1.HTTPGetAction': { scheme: ['HTTP', 'HTTPS'] },
};
