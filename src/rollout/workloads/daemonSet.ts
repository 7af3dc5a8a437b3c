/**
 * The DaemonSet: kubectl's viewer (statusViewer.ts daemonSetStatus), the pods of the current
 * template (label `controller-revision-hash` = the revision's hash, pkg/controller/daemon/update.go
 * constructHistory / util.GetPodTemplateWithGeneration), the controller's FailedCreate events, and
 * OnDelete as a strategy the gate cannot roll out (revisionKind.ts).
 */
import type { DaemonSet } from '../../k8s/objects.js';
import { daemonSetStatus } from '../statusViewer.js';
import { CONTROLLER_REVISION_HASH, revisionWithTemplate } from './controllerRevisions.js';
import { revisionKind } from './revisionKind.js';

export const daemonSetRollout = revisionKind<DaemonSet>({
  kind: 'DaemonSet',
  noun: 'daemon set',
  viewer: daemonSetStatus,
  // The hash of the template being rolled out: its revision's `controller-revision-hash` label.
  revisionLabel: (ds, snapshot) =>
    revisionWithTemplate(ds, snapshot.revisions ?? [], ds.spec.template)?.metadata.labels?.[CONTROLLER_REVISION_HASH],
  counts: (ds) => ({
    updated: ds?.status?.updatedNumberScheduled ?? 0,
    target: ds?.status?.desiredNumberScheduled ?? 0,
    ready: ds?.status?.numberReady ?? 0,
    available: ds?.status?.numberAvailable ?? 0,
  }),
  onDeleteHint: (ds) => {
    const selector = Object.entries(ds.spec.selector.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return `kubectl delete pod -l ${selector} --field-selector spec.nodeName=<node>`;
  },
});
