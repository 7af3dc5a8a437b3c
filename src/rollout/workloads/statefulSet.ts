/**
 * The StatefulSet: kubectl's viewer (statusViewer.ts statefulSetStatus, partitions included), the
 * pods of the update revision (label `controller-revision-hash` = the revision's name,
 * pkg/controller/statefulset/stateful_set_utils.go newVersionedStatefulSetPod), the controller's
 * FailedCreate events, and OnDelete as a strategy the gate cannot roll out (revisionKind.ts).
 *
 * An OrderedReady StatefulSet whose new pod never becomes Ready blocks forever (kubernetes#67250):
 * the pod-level detectors see that pod, so the gate fails fast instead of waiting.
 */
import type { StatefulSet } from '../../k8s/objects.js';
import type { WorkloadSnapshot } from '../snapshot.js';
import { statefulSetStatus } from '../statusViewer.js';
import { revisionWithTemplate } from './controllerRevisions.js';
import { revisionKind } from './revisionKind.js';

/** The name of the revision being rolled out: the one holding the current template, else the status's. */
function updateRevisionName(set: StatefulSet, snapshot: WorkloadSnapshot): string | undefined {
  const byTemplate = revisionWithTemplate(set, snapshot.revisions ?? [], set.spec.template);
  return (
    byTemplate?.metadata.name ??
    (set.status?.observedGeneration === set.metadata.generation ? set.status?.updateRevision : undefined)
  );
}

export const statefulSetRollout = revisionKind<StatefulSet>({
  kind: 'StatefulSet',
  noun: 'statefulset',
  viewer: statefulSetStatus,
  revisionLabel: updateRevisionName,
  counts: (set) => {
    const status = set?.status;
    const replicas = set?.spec.replicas ?? 1;
    const partition = set?.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    return {
      updated: status?.updatedReplicas ?? 0,
      target: Math.max(0, replicas - partition),
      ready: status?.readyReplicas ?? 0,
      available: status?.availableReplicas ?? 0,
    };
  },
  onDeleteHint: (set) => {
    const name = set.metadata.name ?? '';
    return `kubectl delete pod ${name}-${Math.max(0, (set.spec.replicas ?? 1) - 1)}, ..., ${name}-0`;
  },
});
