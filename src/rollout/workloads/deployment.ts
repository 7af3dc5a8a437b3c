/**
 * The Deployment: kubectl's viewer (statusViewer.ts), the new ReplicaSet's pods, the
 * Deployment-only detectors (ReplicaFailure, ProgressDeadlineExceeded) between the pod-level and
 * the progress-level ones, and a paused Deployment as the reason it cannot roll out.
 */
import { parseTime } from '../../k8s/meta.js';
import {
  detectProgressDeadline,
  detectReplicaFailure,
  detectStall,
  detectTimeout,
  detectUnschedulable,
} from '../detectors/index.js';
import { generationObserved } from '../detectors/progressDeadline.js';
import { progressLine, viewStatus } from '../progressLine.js';
import type { Pod, ReplicaSet } from '../../k8s/objects.js';
import { controlledReplicaSets, newRevisionOf, podsOf, replicaSetHash, revisionOf } from '../revisions.js';
import type { WorkloadSnapshot } from '../snapshot.js';
import { onProgress, onRevisionPods, podLevelDetectors, readyCounts, type RolloutKind } from './rolloutKind.js';

const base: Omit<RolloutKind<WorkloadSnapshot>, 'detectors'> = {
  kind: 'Deployment',
  object: (snapshot) => snapshot.deployment,
  exists: (snapshot) => snapshot.deployment !== undefined,
  revision: (snapshot) => (snapshot.deployment ? revisionOf(snapshot.deployment) : undefined),
  readiness: (snapshot) => {
    const deployment = snapshot.deployment;
    if (!deployment) return { oldReady: 0, newReady: 0, templates: [] };
    const owned = controlledReplicaSets(deployment, snapshot.replicaSets);
    const rsOf = new Map<Pod, ReplicaSet>();
    for (const rs of owned) for (const pod of podsOf(rs, snapshot.pods)) rsOf.set(pod, rs);
    // A ReplicaSet is one template: its pod-template-hash (an undo scales the old one back up).
    const templateOf = (pod: Pod) => {
      const rs = rsOf.get(pod);
      return rs ? { hash: replicaSetHash(rs) ?? rs.metadata.name ?? '', template: rs.spec.template } : undefined;
    };
    return readyCounts([...rsOf.keys()], newRevisionOf(deployment, owned, snapshot.pods).pods, templateOf);
  },
  status: viewStatus,
  line: progressLine,
  observed: (snapshot, context) => !!snapshot.deployment && generationObserved(snapshot.deployment, context),
  revisionPods: (snapshot) => ({
    pods: newRevisionOf(snapshot.deployment, snapshot.replicaSets, snapshot.pods).pods,
    events: snapshot.events,
  }),
  progress: (snapshot, context) => {
    const deployment = snapshot.deployment;
    const status = deployment?.status ?? {};
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    return {
      label: `deployment "${deployment?.metadata.name ?? context.name ?? ''}"`,
      line: progressLine(snapshot, context),
      counts:
        `${status.updatedReplicas ?? 0} of ${deployment?.spec.replicas ?? 1} updated, ` +
        `${status.readyReplicas ?? 0} ready, ${status.availableReplicas ?? 0} available`,
      moved: `${status.updatedReplicas ?? 0}/${status.readyReplicas ?? 0}/${status.availableReplicas ?? 0}`,
      progressAt: parseTime(progressing?.lastUpdateTime),
    };
  },
  cannotRollOut: (snapshot, line) => {
    const deployment = snapshot.deployment;
    if (!deployment?.spec.paused) return undefined;
    const name = deployment.metadata.name ?? '';
    return {
      reason: 'Paused',
      message:
        `deployment "${name}" is paused, so its new template will not roll out; resume it with ` +
        `'kubectl rollout resume deployment/${name}' (or remove spec.paused) and run the gate again`,
      evidence: [{ reason: 'Paused', message: line }],
    };
  },
};

export const deploymentRollout: RolloutKind<WorkloadSnapshot> = {
  ...base,
  detectors: [
    ...podLevelDetectors(base),
    { name: 'replicaFailure', detect: detectReplicaFailure },
    onRevisionPods('unschedulable', base, detectUnschedulable),
    { name: 'progressDeadline', detect: detectProgressDeadline },
    onProgress('stall', base, detectStall),
    onProgress('timeout', base, detectTimeout),
  ],
};
