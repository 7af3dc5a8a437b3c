/**
 * What a StatefulSet's and a DaemonSet's modules share: both keep their history in
 * ControllerRevisions, label their pods with the revision being rolled out, have kubectl viewers
 * that refuse OnDelete, and record FailedCreate events on themselves. A module gives the few
 * answers that differ (revisionKind's spec); the rest of RolloutKind is built here once.
 */
import { controllerOf } from '../../k8s/meta.js';
import type { DaemonSet, StatefulSet } from '../../k8s/objects.js';
import { detectFailedCreate, detectStall, detectTimeout, detectUnschedulable } from '../detectors/index.js';
import { generationObserved } from '../detectors/progressDeadline.js';
import type { RolloutContext, WorkloadSnapshot } from '../snapshot.js';
import type { StatusResult } from '../statusViewer.js';
import { podsAtRevision, podTemplateOf, revisionWithTemplate } from './controllerRevisions.js';
import {
  onDeleteFailure,
  onDeleteRestored,
  onProgress,
  onRevisionPods,
  podLevelDetectors,
  readyCounts,
  type RolloutKind,
} from './rolloutKind.js';

export interface RevisionKindSpec<W extends StatefulSet | DaemonSet> {
  kind: W['kind'] & ('StatefulSet' | 'DaemonSet');
  /** How kubectl names the kind in its lines: `statefulset`, `daemon set`. */
  noun: string;
  /** kubectl's status viewer (statusViewer.ts). */
  viewer(workload: W): StatusResult;
  /** The `controller-revision-hash` label of the pods of the revision being rolled out. */
  revisionLabel(workload: W, snapshot: WorkloadSnapshot): string | undefined;
  /** updated / of how many / ready / available, from the workload's status. */
  counts(workload: W | undefined): { updated: number; target: number; ready: number; available: number };
  /** How a person rolls out an OnDelete workload of this kind: which pods to delete. */
  onDeleteHint(workload: W): string;
}

/** The RolloutKind of a ControllerRevision-backed workload, from its spec. */
export function revisionKind<W extends StatefulSet | DaemonSet>(
  spec: RevisionKindSpec<W>,
): RolloutKind<WorkloadSnapshot> {
  const of = (snapshot: WorkloadSnapshot): W | undefined =>
    snapshot.workload?.kind === spec.kind ? (snapshot.workload as W) : undefined;
  const pods = (snapshot: WorkloadSnapshot) => {
    const w = of(snapshot);
    return w ? podsAtRevision(w, snapshot.pods, spec.revisionLabel(w, snapshot)) : [];
  };
  const status = (snapshot: WorkloadSnapshot, context: RolloutContext): StatusResult | undefined => {
    const w = of(snapshot);
    return w ? (onDeleteRestored(w, context) ?? spec.viewer(w)) : undefined;
  };
  const line = (snapshot: WorkloadSnapshot, context: RolloutContext): string => {
    const viewed = status(snapshot, context);
    if (!viewed) return `Waiting for ${spec.noun} "${context.name ?? ''}" to be created...`;
    return (viewed.error ?? viewed.message).replace(/\n$/, '');
  };
  const base: Omit<RolloutKind<WorkloadSnapshot>, 'detectors'> = {
    kind: spec.kind,
    object: of,
    exists: (snapshot) => of(snapshot) !== undefined,
    revision: (snapshot) => {
      const w = of(snapshot);
      return w ? revisionWithTemplate(w, snapshot.revisions ?? [], w.spec.template)?.revision : undefined;
    },
    readiness: (snapshot) => {
      const w = of(snapshot);
      if (!w) return { oldReady: 0, newReady: 0, templates: [] };
      const owned = snapshot.pods.filter((p) => controllerOf(p)?.uid === w.metadata.uid);
      return readyCounts(owned, pods(snapshot), podTemplateOf(w, snapshot.revisions ?? []));
    },
    status,
    line,
    observed: (snapshot, context) => {
      const w = of(snapshot);
      return !!w && generationObserved(w, context);
    },
    revisionPods: (snapshot) => ({ pods: pods(snapshot), events: snapshot.events }),
    progress: (snapshot, context) => {
      const w = of(snapshot);
      const c = spec.counts(w);
      return {
        label: `${spec.noun} "${w?.metadata.name ?? context.name ?? ''}"`,
        line: line(snapshot, context),
        counts: `${c.updated} of ${c.target} updated, ${c.ready} ready, ${c.available} available`,
        moved: `${c.updated}/${c.ready}/${c.available}`,
      };
    },
    cannotRollOut: (snapshot, _line, context) => {
      const w = of(snapshot);
      if (context.mode === 'rollback' || w?.spec.updateStrategy?.type !== 'OnDelete') return undefined;
      return onDeleteFailure(
        spec.kind.toLowerCase() as 'statefulset' | 'daemonset',
        w.metadata.name ?? '',
        spec.onDeleteHint(w),
      );
    },
  };
  return {
    ...base,
    detectors: [
      ...podLevelDetectors(base),
      {
        name: 'failedCreate',
        detect: (s, c, p, n) => detectFailedCreate({ workload: of(s), events: s.events }, c, p, n),
      },
      onRevisionPods('unschedulable', base, detectUnschedulable),
      onProgress('stall', base, detectStall),
      onProgress('timeout', base, detectTimeout),
    ],
  };
}
