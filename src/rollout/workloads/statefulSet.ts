/**
 * The StatefulSet: kubectl's viewer (statusViewer.ts statefulSetStatus, partitions included), the
 * pods of the update revision (label `controller-revision-hash` = the revision's name,
 * pkg/controller/statefulset/stateful_set_utils.go newVersionedStatefulSetPod), the controller's
 * FailedCreate events, and OnDelete as a strategy the gate cannot roll out.
 *
 * An OrderedReady StatefulSet whose new pod never becomes Ready blocks forever (kubernetes#67250):
 * the pod-level detectors see that pod, so the gate fails fast instead of waiting.
 */
import { controllerOf } from '../../k8s/meta.js';
import type { StatefulSet } from '../../k8s/objects.js';
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
import type { RolloutContext, WorkloadSnapshot } from '../snapshot.js';
import { statefulSetStatus } from '../statusViewer.js';
import { podsAtRevision, revisionWithTemplate } from './controllerRevisions.js';
import {
  onDeleteFailure,
  onDeleteRestored,
  onProgress,
  onRevisionPods,
  readyCounts,
  type RolloutKind,
} from './rolloutKind.js';

/** The name of the revision being rolled out: the one holding the current template, else the status's. */
export function updateRevisionName(snapshot: WorkloadSnapshot): string | undefined {
  const set = statefulSetOf(snapshot);
  if (!set) return undefined;
  const byTemplate = revisionWithTemplate(set, snapshot.revisions ?? [], set.spec.template);
  return (
    byTemplate?.metadata.name ??
    (set.status?.observedGeneration === set.metadata.generation ? set.status?.updateRevision : undefined)
  );
}

function line(snapshot: WorkloadSnapshot, context: RolloutContext): string {
  const set = statefulSetOf(snapshot);
  if (!set) return `Waiting for statefulset "${context.name ?? ''}" to be created...`;
  const status = onDeleteRestored(set, context) ?? statefulSetStatus(set);
  return (status.error ?? status.message).replace(/\n$/, '');
}

/** The StatefulSet of the snapshot (a snapshot of another kind has none). */
export function statefulSetOf(snapshot: WorkloadSnapshot): StatefulSet | undefined {
  return snapshot.workload?.kind === 'StatefulSet' ? (snapshot.workload as StatefulSet) : undefined;
}

const base: Omit<RolloutKind<WorkloadSnapshot>, 'detectors'> = {
  kind: 'StatefulSet',
  object: statefulSetOf,
  exists: (snapshot) => statefulSetOf(snapshot) !== undefined,
  revision: (snapshot) => {
    const w = statefulSetOf(snapshot);
    return w ? revisionWithTemplate(w, snapshot.revisions ?? [], w.spec.template)?.revision : undefined;
  },
  readiness: (snapshot) => {
    const w = statefulSetOf(snapshot);
    if (!w) return { oldReady: 0, newReady: 0 };
    const owned = snapshot.pods.filter((p) => controllerOf(p)?.uid === w.metadata.uid);
    return readyCounts(owned, podsAtRevision(w, snapshot.pods, updateRevisionName(snapshot)));
  },
  status: (snapshot, context) => {
    const w = statefulSetOf(snapshot);
    return w ? (onDeleteRestored(w, context) ?? statefulSetStatus(w)) : undefined;
  },
  line,
  observed: (snapshot, context) => {
    const w = statefulSetOf(snapshot);
    return !!w && generationObserved(w, context);
  },
  revisionPods: (snapshot) => {
    const w = statefulSetOf(snapshot);
    return { pods: w ? podsAtRevision(w, snapshot.pods, updateRevisionName(snapshot)) : [], events: snapshot.events };
  },
  progress: (snapshot, context) => {
    const set = statefulSetOf(snapshot);
    const status: Partial<NonNullable<StatefulSet['status']>> = set?.status ?? {};
    const replicas = set?.spec.replicas ?? 1;
    const partition = set?.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    const target = Math.max(0, replicas - partition);
    return {
      label: `statefulset "${set?.metadata.name ?? context.name ?? ''}"`,
      line: line(snapshot, context),
      counts:
        `${status.updatedReplicas ?? 0} of ${target} updated, ${status.readyReplicas ?? 0} ready, ` +
        `${status.availableReplicas ?? 0} available`,
      moved: `${status.updatedReplicas ?? 0}/${status.readyReplicas ?? 0}/${status.availableReplicas ?? 0}`,
    };
  },
  cannotRollOut: (snapshot, _line, context) => {
    if (context.mode === 'rollback') return undefined;
    const set = statefulSetOf(snapshot);
    if (set?.spec.updateStrategy?.type !== 'OnDelete') return undefined;
    const name = set.metadata.name ?? '';
    const last = Math.max(0, (set.spec.replicas ?? 1) - 1);
    return onDeleteFailure('statefulset', name, `kubectl delete pod ${name}-${last}, ..., ${name}-0`);
  },
};

export const statefulSetRollout: RolloutKind<WorkloadSnapshot> = {
  ...base,
  detectors: [
    onRevisionPods('invalidImage', base, detectInvalidImage),
    onRevisionPods('imagePull', base, detectImagePull),
    onRevisionPods('configError', base, detectConfigError),
    onRevisionPods('crashLoop', base, detectCrashLoop),
    {
      name: 'failedCreate',
      detect: (s, c, p, n) => detectFailedCreate({ workload: statefulSetOf(s), events: s.events }, c, p, n),
    },
    onRevisionPods('unschedulable', base, detectUnschedulable),
    onProgress('stall', base, detectStall),
    onProgress('timeout', base, detectTimeout),
  ],
};
