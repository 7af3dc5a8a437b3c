import type { KubeObject } from '../../../../k8s/objects.js';
import type { StatefulSet } from '../../../../k8s/statefulSet.js';
import { defaultPodSpec } from '../../store/builtinKinds.js';

/**
 * SetDefaults_StatefulSet (pkg/apis/apps/v1/defaults.go,
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/apps/v1/defaults.go): OrderedReady,
 * RollingUpdate with partition 0 (only when the type was left out or `rollingUpdate` is given: an
 * explicit `type: RollingUpdate` without `rollingUpdate` keeps it nil, which kubectl's status viewer
 * reads differently), Retain/Retain, one replica, ten revisions. `maxUnavailable` is not defaulted:
 * that happens only with the MaxUnavailableStatefulSet gate on (beta since 1.35; the facade claims 1.32).
 */
export function defaultStatefulSet(obj: KubeObject): void {
  const set = obj as StatefulSet;
  set.spec ??= { selector: {}, template: {} };
  const spec = set.spec;
  spec.podManagementPolicy ||= 'OrderedReady';
  spec.updateStrategy ??= {};
  if (!spec.updateStrategy.type) {
    spec.updateStrategy.type = 'RollingUpdate';
    spec.updateStrategy.rollingUpdate ??= {};
  }
  if (spec.updateStrategy.type === 'RollingUpdate' && spec.updateStrategy.rollingUpdate)
    spec.updateStrategy.rollingUpdate.partition ??= 0;
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.template ??= {};
  defaultPodSpec(spec.template.spec);
  // SetDefaults_PersistentVolumeClaimSpec on each template (pkg/apis/core/v1/defaults.go), and the
  // Pending phase the template's zero status encodes to.
  for (const claim of spec.volumeClaimTemplates ?? []) {
    claim.apiVersion ??= 'v1';
    claim.kind ??= 'PersistentVolumeClaim';
    claim.spec ??= {};
    claim.spec.volumeMode ??= 'Filesystem';
    claim.status ??= { phase: 'Pending' };
  }
}
