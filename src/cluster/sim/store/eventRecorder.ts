import type { KubeEvent, KubeObject } from '../../../k8s/objects.js';
import type { Clock } from '../../../clock/clock.js';
import type { ObjectStore } from './objectStore.js';
import { timestamp } from './timestamp.js';

/**
 * Records Kubernetes Events the way client-go's recorder does: one Event object per
 * (object, type, reason, message), whose `count` and `lastTimestamp` grow on repeats.
 */
export class EventRecorder {
  private sequence = 0;
  /** involved object uid -> event names, oldest first (cheap look-ups without scanning every event). */
  private readonly byObject = new Map<string, string[]>();
  /** (involved uid, type, reason, message) -> event name, so repeats are found without scanning an object's events. */
  private readonly byKey = new Map<string, string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
  ) {}

  record(
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component: string,
    host?: string,
  ): void {
    const namespace = involved.metadata.namespace ?? 'default';
    const now = timestamp(this.clock.now());
    const dedupKey = `${involved.metadata.uid ?? ''}\u0000${type}\u0000${reason}\u0000${message}`;
    const knownName = this.byKey.get(dedupKey);
    const existing = knownName === undefined ? undefined : this.store.get<KubeEvent>('Event', namespace, knownName);
    if (existing) {
      this.store.update('Event', { ...existing, count: (existing.count ?? 1) + 1, lastTimestamp: now });
      return;
    }
    const name = `${involved.metadata.name}.${(0x180000000 + this.sequence++).toString(16)}`;
    const event: KubeEvent = {
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: involved.metadata.name,
        namespace,
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component, ...(host ? { host } : {}) },
      reportingComponent: component,
    };
    this.store.create('Event', event);
    this.byKey.set(dedupKey, name);
    const uid = involved.metadata.uid ?? '';
    const names = this.byObject.get(uid) ?? [];
    names.push(name);
    this.byObject.set(uid, names);
  }

  /** Events about one object (by uid), oldest first. */
  eventsFor(obj: KubeObject): KubeEvent[] {
    const names = this.byObject.get(obj.metadata.uid ?? '') ?? [];
    const namespace = obj.metadata.namespace ?? 'default';
    return names
      .map((n) => this.store.get<KubeEvent>('Event', namespace, n))
      .filter((e): e is KubeEvent => e !== undefined);
  }
}
