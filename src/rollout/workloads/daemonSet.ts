/**
 * The DaemonSet: kubectl's viewer (statusViewer.ts daemonSetStatus), the pods of the current
 * template (label `controller-revision-hash` = the revision's hash, pkg/controller/daemon/update.go
 * constructHistory / util.GetPodTemplateWithGeneration), the controller's FailedCreate events, and
 * OnDelete as a strategy the gate cannot roll out.
 */
import { controllerOf } from '../../k8s/meta.js';
import type { DaemonSet } from '../../k8s/objects.js';
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
import { daemonSetStatus } from '../statusViewer.js';
import { CONTROLLER_REVISION_HASH, podsAtRevision, revisionWithTemplate } from './controllerRevisions.js';
import {
  onDeleteFailure,
  onDeleteRestored,
  onProgress,
  onRevisionPods,
  readyCounts,
  type RolloutKind,
} from './rolloutKind.js';

/** The hash of the template being rolled out (its revision's `controller-revision-hash` label). */
export function currentHash(snapshot: WorkloadSnapshot): string | undefined {
  const ds = daemonSetOf(snapshot);
  if (!ds) return undefined;
  return revisionWithTemplate(ds, snapshot.revisions ?? [], ds.spec.template)?.metadata.labels?.[
    CONTROLLER_REVISION_HASH
  ];
}

function line(snapshot: WorkloadSnapshot, context: RolloutContext): string {
  const ds = daemonSetOf(snapshot);
  if (!ds) return `Waiting for daemon set "${context.name ?? ''}" to be created...`;
  const status = onDeleteRestored(ds, context) ?? daemonSetStatus(ds);
  return (status.error ?? status.message).replace(/\n$/, '');
}

/** The DaemonSet of the snapshot (a snapshot of another kind has none). */
export function daemonSetOf(snapshot: WorkloadSnapshot): DaemonSet | undefined {
  return snapshot.workload?.kind === 'DaemonSet' ? (snapshot.workload as DaemonSet) : undefined;
}

const base: Omit<RolloutKind<WorkloadSnapshot>, 'detectors'> = {
  kind: 'DaemonSet',
  object: daemonSetOf,
  exists: (snapshot) => daemonSetOf(snapshot) !== undefined,
  revision: (snapshot) => {
    const w = daemonSetOf(snapshot);
    return w ? revisionWithTemplate(w, snapshot.revisions ?? [], w.spec.template)?.revision : undefined;
  },
  readiness: (snapshot) => {
    const w = daemonSetOf(snapshot);
    if (!w) return { oldReady: 0, newReady: 0 };
    const owned = snapshot.pods.filter((p) => controllerOf(p)?.uid === w.metadata.uid);
    return readyCounts(owned, podsAtRevision(w, snapshot.pods, currentHash(snapshot)));
  },
  status: (snapshot, context) => {
    const w = daemonSetOf(snapshot);
    return w ? (onDeleteRestored(w, context) ?? daemonSetStatus(w)) : undefined;
  },
  line,
  observed: (snapshot, context) => {
    const w = daemonSetOf(snapshot);
    return !!w && generationObserved(w, context);
  },
  revisionPods: (snapshot) => {
    const w = daemonSetOf(snapshot);
    return { pods: w ? podsAtRevision(w, snapshot.pods, currentHash(snapshot)) : [], events: snapshot.events };
  },
  progress: (snapshot, context) => {
    const status = daemonSetOf(snapshot)?.status ?? {};
    return {
      label: `daemon set "${daemonSetOf(snapshot)?.metadata.name ?? context.name ?? ''}"`,
      line: line(snapshot, context),
      counts:
        `${status.updatedNumberScheduled ?? 0} of ${status.desiredNumberScheduled ?? 0} updated, ` +
        `${status.numberReady ?? 0} ready, ${status.numberAvailable ?? 0} available`,
      moved: `${status.updatedNumberScheduled ?? 0}/${status.numberReady ?? 0}/${status.numberAvailable ?? 0}`,
    };
  },
  cannotRollOut: (snapshot, _line, context) => {
    if (context.mode === 'rollback') return undefined;
    const ds = daemonSetOf(snapshot);
    if (ds?.spec.updateStrategy?.type !== 'OnDelete') return undefined;
    const name = ds.metadata.name ?? '';
    return onDeleteFailure(
      'daemonset',
      name,
      `kubectl delete pod -l ${selectorText(ds)} --field-selector spec.nodeName=<node>`,
    );
  },
};

function selectorText(ds: DaemonSet): string {
  return Object.entries(ds.spec.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export const daemonSetRollout: RolloutKind<WorkloadSnapshot> = {
  ...base,
  detectors: [
    onRevisionPods('invalidImage', base, detectInvalidImage),
    onRevisionPods('imagePull', base, detectImagePull),
    onRevisionPods('configError', base, detectConfigError),
    onRevisionPods('crashLoop', base, detectCrashLoop),
    {
      name: 'failedCreate',
      detect: (s, c, p, n) => detectFailedCreate({ workload: daemonSetOf(s), events: s.events }, c, p, n),
    },
    onRevisionPods('unschedulable', base, detectUnschedulable),
    onProgress('stall', base, detectStall),
    onProgress('timeout', base, detectTimeout),
  ],
};
