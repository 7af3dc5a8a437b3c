import type { Condition, Pod } from '../../../../k8s/objects.js';
import type { StoreEvent } from '../../store/objectStore.js';
import { timestamp } from '../../store/timestamp.js';
import type { Controller, ControllerContext } from '../controller.js';

/**
 * The pod garbage collector's orphan rule (pkg/controller/podgc/gc_controller.go gcOrphaned,
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podgc/gc_controller.go):
 * pods bound to a node that is still gone after the 40 s quarantine are marked Failed with a
 * `DisruptionTarget` condition (`DeletionByPodGC`, `PodGC: node no longer exists`) and deleted with
 * a zero grace period (no kubelet is left to confirm). Upstream checks every 20 s; the check runs
 * here exactly at the end of the quarantine. A DaemonSet's node removed from the cluster thus loses
 * its pod, as on a real cluster.
 */
const QUARANTINE_MS = 40_000;

export class PodGcController implements Controller {
  readonly name = 'podgc';

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(event: StoreEvent): string[] {
    if (event.kind === 'Node' && event.type === 'DELETED')
      this.ctx.requeueAt(this.name, event.object.metadata.name!, this.ctx.clock.now() + QUARANTINE_MS);
    return [];
  }

  sync(nodeName: string): void {
    const store = this.ctx.store;
    if (store.get('Node', undefined, nodeName)) return; // the node came back
    const pods = store.list<Pod>('Pod', undefined, { fieldSelector: { 'spec.nodeName': nodeName } });
    for (const pod of pods) {
      let current = pod;
      const phase = pod.status?.phase;
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        const condition: Condition = {
          type: 'DisruptionTarget',
          status: 'True',
          lastTransitionTime: timestamp(this.ctx.clock.now()),
          reason: 'DeletionByPodGC',
          message: 'PodGC: node no longer exists',
        };
        const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), condition];
        current = store.update<Pod>(
          'Pod',
          { ...pod, status: { ...pod.status, phase: 'Failed', conditions } },
          { subresource: 'status' },
        );
      }
      store.delete('Pod', current.metadata.namespace, current.metadata.name!, { gracePeriodSeconds: 0 });
    }
  }
}
