import { parseTime } from '../../../../k8s/meta.js';
import type { StoreEvent } from '../../store/objectStore.js';
import type { Controller, ControllerContext } from '../controller.js';
import { finishedCondition, type Job } from './types.js';

/**
 * The TTL-after-finished controller
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/ttlafterfinished/ttlafterfinished_controller.go):
 * a finished Job with `ttlSecondsAfterFinished` is deleted (with its pods) once that many seconds passed since
 * its Complete or Failed condition's transition (`timeLeft` / `jobFinishTime`); until then it wakes at the expiry.
 */
export class TtlAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished';

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(event: StoreEvent): string[] {
    if (event.kind !== 'Job' || event.type === 'DELETED') return [];
    const job = event.object as Job;
    // needsCleanup: a TTL and a finished Job.
    if (job.spec?.ttlSecondsAfterFinished === undefined || !finishedCondition(job)) return [];
    return [`${job.metadata.namespace}/${job.metadata.name}`];
  }

  sync(key: string): void {
    const slash = key.indexOf('/');
    const job = this.ctx.store.get<Job>('Job', key.slice(0, slash), key.slice(slash + 1));
    if (!job || job.metadata.deletionTimestamp || job.spec.ttlSecondsAfterFinished === undefined) return;
    const finished = finishedCondition(job);
    const at = parseTime(finished?.lastTransitionTime);
    if (at === undefined) return;
    const expireAt = at + job.spec.ttlSecondsAfterFinished * 1000;
    if (this.ctx.clock.now() < expireAt) {
      this.ctx.requeueAt(this.name, key, expireAt);
      return;
    }
    // Foreground deletion upstream; the simulator's store removes the Job and collects its pods.
    this.ctx.store.delete('Job', job.metadata.namespace, job.metadata.name!);
  }
}
