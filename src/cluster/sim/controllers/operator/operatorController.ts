import { apiGroupOf, clone, rfc3339 } from '../../../../k8s/meta.js';
import type { KubeObject } from '../../../../k8s/objects.js';
import type { OperatorSpec } from '../../scenario/scenario.js';
import type { StoreEvent } from '../../store/objectStore.js';
import type { Controller, ControllerContext } from '../controller.js';

/** Where an object's timeline started: its uid and generation then, and when (ms). */
interface Start {
  uid: string;
  generation: number;
  at: number;
}

/**
 * The operators of custom resource kinds the simulator does not run (scenario `operators`), as
 * kwok's stages: a timeline of statuses per kind (or per object), each written at `after` from
 * the object's creation or its latest generation change (a new spec starts the timeline again, as
 * a real operator reconciles a new spec). Every write sets `status.observedGeneration` to the
 * generation it acted on, as operators following the Kubernetes API conventions do
 * (https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#typical-status-properties),
 * and a condition's `lastTransitionTime` moves only when its status changes.
 */
export class OperatorController implements Controller {
  readonly name = 'operator';
  private readonly starts = new Map<string, Start>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly operators: readonly OperatorSpec[],
  ) {}

  keysFor(event: StoreEvent): string[] {
    if (event.type === 'DELETED') {
      this.starts.delete(keyOf(event.kind, event.object));
      return [];
    }
    return this.operatorFor(event.object) ? [keyOf(event.kind, event.object)] : [];
  }

  sync(key: string): void {
    const [kind, namespace, name] = splitKey(key);
    const obj = this.ctx.store.get(kind, namespace || undefined, name);
    const operator = obj && this.operatorFor(obj);
    if (!obj || !operator) return;
    const now = this.ctx.clock.now();
    const generation = obj.metadata.generation ?? 0;
    let start = this.starts.get(key);
    if (!start || start.uid !== obj.metadata.uid || start.generation !== generation) {
      start = { uid: obj.metadata.uid ?? '', generation, at: now };
      this.starts.set(key, start);
    }
    const due = operator.steps.filter((s) => s.afterMs <= now - start.at);
    const nextStep = operator.steps.find((s) => s.afterMs > now - start.at);
    if (nextStep) this.ctx.requeueAt(this.name, key, start.at + nextStep.afterMs);
    if (due.length === 0) return;
    const old = (obj.status ?? {}) as Record<string, unknown>;
    let status: Record<string, unknown> = { ...old };
    for (const step of due) status = { ...status, ...clone(step.status) };
    status.observedGeneration = generation;
    if (Array.isArray(status.conditions)) status.conditions = this.stamped(status.conditions, old.conditions, now);
    if (JSON.stringify(status) === JSON.stringify(old)) return;
    this.ctx.store.update(kind, { ...clone(obj), status }, { subresource: 'status' });
  }

  /** The operator of this object: one naming it first, else one for its whole kind. */
  private operatorFor(obj: KubeObject): OperatorSpec | undefined {
    const mine = this.operators.filter(
      (o) => o.kind === obj.kind && apiGroupOf(o.apiVersion) === apiGroupOf(obj.apiVersion),
    );
    return mine.find((o) => o.name === obj.metadata.name) ?? mine.find((o) => o.name === undefined);
  }

  /** Conditions with `lastTransitionTime` kept while their status stays, else now. */
  private stamped(conditions: unknown[], previous: unknown, now: number): unknown[] {
    const before = Array.isArray(previous) ? (previous as Array<Record<string, unknown>>) : [];
    return conditions.map((c) => {
      const condition = c as Record<string, unknown>;
      const old = before.find((p) => p.type === condition.type);
      const since = old && old.status === condition.status ? old.lastTransitionTime : undefined;
      return { ...condition, lastTransitionTime: since ?? rfc3339(now) };
    });
  }
}

function keyOf(kind: string, obj: KubeObject): string {
  return `${kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

function splitKey(key: string): [string, string, string] {
  const [kind, namespace, ...name] = key.split('/');
  return [kind ?? '', namespace ?? '', name.join('/')];
}
