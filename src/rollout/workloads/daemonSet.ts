/**
 * The DaemonSet: kubectl's viewer (statusViewer.ts daemonSetStatus), the pods of the current
 * template (label `controller-revision-hash` = the revision's hash, pkg/controller/daemon/update.go
 * constructHistory / util.GetPodTemplateWithGeneration), the controller's FailedCreate events, and
 * OnDelete as a strategy the gate cannot roll out.
 */
import type { ControllerRevision, DaemonSet, KubeEvent, Pod } from '../../k8s/objects.js';
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
import { daemonSetStatus } from '../statusViewer.js';
import { CONTROLLER_REVISION_HASH, podsAtRevision, revisionWithTemplate } from './controllerRevisions.js';
import { onDeleteFailure, onProgress, onRevisionPods, type RolloutKind } from './rolloutKind.js';

/** One observation of a DaemonSet with its history, pods and their events. */
export interface DaemonSetSnapshot {
  daemonSet?: DaemonSet;
  revisions: ControllerRevision[];
  pods: Pod[];
  events: KubeEvent[];
}

/** The hash of the template being rolled out (its revision's `controller-revision-hash` label). */
export function currentHash(snapshot: DaemonSetSnapshot): string | undefined {
  const ds = snapshot.daemonSet;
  if (!ds) return undefined;
  return revisionWithTemplate(ds, snapshot.revisions, ds.spec.template)?.metadata.labels?.[CONTROLLER_REVISION_HASH];
}

function line(snapshot: DaemonSetSnapshot, context: RolloutContext): string {
  const ds = snapshot.daemonSet;
  if (!ds) return `Waiting for daemon set "${context.name ?? ''}" to be created...`;
  const status = daemonSetStatus(ds);
  return (status.error ?? status.message).replace(/\n$/, '');
}

const base: Omit<RolloutKind<DaemonSetSnapshot>, 'detectors'> = {
  kind: 'DaemonSet',
  exists: (snapshot) => snapshot.daemonSet !== undefined,
  status: (snapshot) => (snapshot.daemonSet ? daemonSetStatus(snapshot.daemonSet) : undefined),
  line,
  observed: (snapshot, context) => !!snapshot.daemonSet && generationObserved(snapshot.daemonSet, context),
  revisionPods: (snapshot) => ({
    pods: snapshot.daemonSet ? podsAtRevision(snapshot.daemonSet, snapshot.pods, currentHash(snapshot)) : [],
    events: snapshot.events,
  }),
  progress: (snapshot, context) => {
    const status = snapshot.daemonSet?.status ?? {};
    return {
      label: `daemon set "${snapshot.daemonSet?.metadata.name ?? context.name ?? ''}"`,
      line: line(snapshot, context),
      counts:
        `${status.updatedNumberScheduled ?? 0} of ${status.desiredNumberScheduled ?? 0} updated, ` +
        `${status.numberReady ?? 0} ready, ${status.numberAvailable ?? 0} available`,
    };
  },
  cannotRollOut: (snapshot) => {
    const ds = snapshot.daemonSet;
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

export const daemonSetRollout: RolloutKind<DaemonSetSnapshot> = {
  ...base,
  detectors: [
    onRevisionPods('invalidImage', base, detectInvalidImage),
    onRevisionPods('imagePull', base, detectImagePull),
    onRevisionPods('configError', base, detectConfigError),
    onRevisionPods('crashLoop', base, detectCrashLoop),
    {
      name: 'failedCreate',
      detect: (s, c, p, n) => detectFailedCreate({ workload: s.daemonSet, events: s.events }, c, p, n),
    },
    onRevisionPods('unschedulable', base, detectUnschedulable),
    onProgress('stall', base, detectStall),
    onProgress('timeout', base, detectTimeout),
  ],
};
