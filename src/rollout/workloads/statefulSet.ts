/**
 * The StatefulSet: kubectl's viewer (statusViewer.ts statefulSetStatus, partitions included), the
 * pods of the update revision (label `controller-revision-hash` = the revision's name,
 * pkg/controller/statefulset/stateful_set_utils.go newVersionedStatefulSetPod), the controller's
 * FailedCreate events, and OnDelete as a strategy the gate cannot roll out.
 *
 * An OrderedReady StatefulSet whose new pod never becomes Ready blocks forever (kubernetes#67250):
 * the pod-level detectors see that pod, so the gate fails fast instead of waiting.
 */
import type { ControllerRevision, KubeEvent, Pod, StatefulSet } from '../../k8s/objects.js';
import {
  detectConfigError,
  detectCrashLoop,
  detectFailedCreate,
  detectImagePull,
  detectInvalidImage,
  detectStall,
  detectTimeout,
  detectUnschedulable,
} from '../detectors/index.js';
import { generationObserved } from '../detectors/progressDeadline.js';
import type { RolloutContext } from '../snapshot.js';
import { statefulSetStatus } from '../statusViewer.js';
import { podsAtRevision, revisionWithTemplate } from './controllerRevisions.js';
import { onDeleteFailure, onProgress, onRevisionPods, type RolloutKind } from './rolloutKind.js';

/** One observation of a StatefulSet with its history, pods and their events. */
export interface StatefulSetSnapshot {
  statefulSet?: StatefulSet;
  revisions: ControllerRevision[];
  pods: Pod[];
  events: KubeEvent[];
}

/** The name of the revision being rolled out: the one holding the current template, else the status's. */
export function updateRevisionName(snapshot: StatefulSetSnapshot): string | undefined {
  const set = snapshot.statefulSet;
  if (!set) return undefined;
  const byTemplate = revisionWithTemplate(set, snapshot.revisions, set.spec.template);
  return (
    byTemplate?.metadata.name ??
    (set.status?.observedGeneration === set.metadata.generation ? set.status?.updateRevision : undefined)
  );
}

function line(snapshot: StatefulSetSnapshot, context: RolloutContext): string {
  const set = snapshot.statefulSet;
  if (!set) return `Waiting for statefulset "${context.name ?? ''}" to be created...`;
  const status = statefulSetStatus(set);
  return (status.error ?? status.message).replace(/\n$/, '');
}

const base: Omit<RolloutKind<StatefulSetSnapshot>, 'detectors'> = {
  kind: 'StatefulSet',
  exists: (snapshot) => snapshot.statefulSet !== undefined,
  status: (snapshot) => (snapshot.statefulSet ? statefulSetStatus(snapshot.statefulSet) : undefined),
  line,
  observed: (snapshot, context) => !!snapshot.statefulSet && generationObserved(snapshot.statefulSet, context),
  revisionPods: (snapshot) => ({
    pods: snapshot.statefulSet ? podsAtRevision(snapshot.statefulSet, snapshot.pods, updateRevisionName(snapshot)) : [],
    events: snapshot.events,
  }),
  progress: (snapshot, context) => {
    const set = snapshot.statefulSet;
    const status = set?.status ?? {};
    const replicas = set?.spec.replicas ?? 1;
    const partition = set?.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    const target = Math.max(0, replicas - partition);
    return {
      label: `statefulset "${set?.metadata.name ?? context.name ?? ''}"`,
      line: line(snapshot, context),
      counts:
        `${status.updatedReplicas ?? 0} of ${target} updated, ${status.readyReplicas ?? 0} ready, ` +
        `${status.availableReplicas ?? 0} available`,
    };
  },
  cannotRollOut: (snapshot) => {
    const set = snapshot.statefulSet;
    if (set?.spec.updateStrategy?.type !== 'OnDelete') return undefined;
    const name = set.metadata.name ?? '';
    const last = Math.max(0, (set.spec.replicas ?? 1) - 1);
    return onDeleteFailure('statefulset', name, `kubectl delete pod ${name}-${last}, ..., ${name}-0`);
  },
};

export const statefulSetRollout: RolloutKind<StatefulSetSnapshot> = {
  ...base,
  detectors: [
    onRevisionPods('invalidImage', base, detectInvalidImage),
    onRevisionPods('imagePull', base, detectImagePull),
    onRevisionPods('configError', base, detectConfigError),
    onRevisionPods('crashLoop', base, detectCrashLoop),
    {
      name: 'failedCreate',
      detect: (s, c, p, n) => detectFailedCreate({ workload: s.statefulSet, events: s.events }, c, p, n),
    },
    onRevisionPods('unschedulable', base, detectUnschedulable),
    onProgress('stall', base, detectStall),
    onProgress('timeout', base, detectTimeout),
  ],
};
