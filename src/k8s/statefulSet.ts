/**
 * `apps/v1` StatefulSet: the object shape the simulator's controller, the API facade and the gate
 * read, as the API defines it
 * (https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/api/apps/v1/types.go).
 */
import type { IntOrString, KubeObject, LabelSelector, ObjectMeta, PodTemplateSpec } from './objects.js';

/** `apps.StatefulSetRevisionLabel`: the name of the ControllerRevision a pod was made from. */
export { POD_REVISION_LABEL as STATEFULSET_REVISION_LABEL } from './controllerRevision.js';
/** `apps.StatefulSetPodNameLabel`. */
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** `apps.PodIndexLabel` (feature PodIndexLabel, on by default since 1.28). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export type PodManagementPolicy = 'OrderedReady' | 'Parallel';
export type RetentionPolicyType = 'Retain' | 'Delete';

export interface StatefulSetUpdateStrategy {
  type?: 'RollingUpdate' | 'OnDelete' | string;
  rollingUpdate?: { partition?: number; maxUnavailable?: IntOrString };
}

export interface PersistentVolumeClaimTemplate {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface StatefulSetSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  volumeClaimTemplates?: PersistentVolumeClaimTemplate[];
  serviceName?: string;
  podManagementPolicy?: PodManagementPolicy | string;
  updateStrategy?: StatefulSetUpdateStrategy;
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: RetentionPolicyType; whenScaled?: RetentionPolicyType };
  ordinals?: { start?: number };
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  availableReplicas: number;
  conditions?: unknown[];
}

export interface StatefulSet extends KubeObject {
  spec: StatefulSetSpec;
  status?: StatefulSetStatus;
}
