import { ApiError } from '../../../../k8s/apiError.js';
import { clone, newControllerRef } from '../../../../k8s/meta.js';
import type { KubeObject, OwnerReference, Pod } from '../../../../k8s/objects.js';
import type { StatefulSet } from '../../../../k8s/statefulSet.js';
import type { ControllerContext } from '../controller.js';
import {
  getPersistentVolumeClaims,
  identityMatches,
  podInOrdinalRange,
  retentionPolicy,
  setControllerRef,
  storageMatches,
  updateIdentity,
  updateStorage,
} from './statefulSetUtils.js';

const COMPONENT = 'statefulset-controller';

/**
 * Creates, updates and deletes a StatefulSet's pods and claims, and records the events a real
 * cluster shows for each, after pkg/controller/statefulset/stateful_pod_control.go
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/statefulset/stateful_pod_control.go).
 * The PVC retention policy (StatefulSetAutoDeletePVC, GA in 1.32) is expressed through owner
 * references, so the store's garbage collection deletes the claims with their owner.
 */
export class StatefulPodControl {
  constructor(private readonly ctx: ControllerContext) {}

  /** CreateStatefulPod: the claims first, then the pod; `create Pod web-0 in StatefulSet web successful`. */
  createStatefulPod(set: StatefulSet, pod: Pod): void {
    try {
      this.createPersistentVolumeClaims(set, pod);
    } catch (err) {
      this.recordPodEvent('create', set, pod, err as Error);
      throw err;
    }
    let created: Pod;
    try {
      created = this.ctx.store.create('Pod', pod);
    } catch (err) {
      // An AlreadyExists error is returned without an event (the informer was behind).
      if (!(err instanceof ApiError && err.code === 409)) this.recordPodEvent('create', set, pod, err as Error);
      throw err;
    }
    this.updatePodClaimForRetentionPolicy(set, created);
    this.recordPodEvent('create', set, pod);
  }

  /**
   * UpdateStatefulPod: restores the pod's identity and storage (creating missing claims) and the
   * claims' retention owners; writes only when something was off.
   */
  updateStatefulPod(set: StatefulSet, stored: Pod): void {
    const pod = clone(stored);
    let consistent = true;
    if (!identityMatches(set, pod)) {
      updateIdentity(set, pod);
      consistent = false;
    }
    if (!storageMatches(set, pod)) {
      updateStorage(set, pod);
      consistent = false;
      try {
        this.createPersistentVolumeClaims(set, pod);
      } catch (err) {
        this.recordPodEvent('update', set, pod, err as Error);
        throw err;
      }
    }
    if (!this.claimsMatchRetentionPolicy(set, pod)) {
      this.updatePodClaimForRetentionPolicy(set, pod);
      consistent = false;
    }
    if (consistent) return;
    try {
      this.ctx.store.update('Pod', pod);
    } catch (err) {
      this.recordPodEvent('update', set, pod, err as Error);
      throw err;
    }
    this.recordPodEvent('update', set, pod);
  }

  /** DeleteStatefulPod: `delete Pod web-2 in StatefulSet web successful`. */
  deleteStatefulPod(set: StatefulSet, pod: Pod): void {
    try {
      this.ctx.store.delete('Pod', pod.metadata.namespace, pod.metadata.name ?? '');
    } catch (err) {
      this.recordPodEvent('delete', set, pod, err as Error);
      throw err;
    }
    this.recordPodEvent('delete', set, pod);
  }

  /** createMissingPersistentVolumeClaims: for a Pending pod whose claim was deleted under it. */
  createMissingPersistentVolumeClaims(set: StatefulSet, pod: Pod): void {
    this.createPersistentVolumeClaims(set, pod);
    this.updatePodClaimForRetentionPolicy(set, pod);
  }

  /**
   * createPersistentVolumeClaims: creates each missing claim (`create Claim data-web-0 Pod web-0 in
   * StatefulSet web success`); a claim being deleted is an error, so the pod waits for it to go.
   */
  createPersistentVolumeClaims(set: StatefulSet, pod: Pod): void {
    const errors: string[] = [];
    for (const { claim } of getPersistentVolumeClaims(set, pod)) {
      const name = claim.metadata.name ?? '';
      const existing = this.ctx.store.get('PersistentVolumeClaim', claim.metadata.namespace, name);
      if (existing) {
        if (existing.metadata.deletionTimestamp) errors.push(`pvc ${name} is being deleted`);
        continue;
      }
      try {
        this.ctx.store.create('PersistentVolumeClaim', claim as KubeObject);
        this.recordClaimEvent('create', set, pod, name);
      } catch (err) {
        errors.push(`failed to create PVC ${name}: ${(err as Error).message}`);
        if (!(err instanceof ApiError && err.code === 409))
          this.recordClaimEvent('create', set, pod, name, err as Error);
      }
    }
    if (errors.length > 0) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  }

  /** ClaimsMatchRetentionPolicy: every existing claim of the pod has the owners the policy asks for. */
  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    return this.claimsOf(set, pod).every((claim) => isClaimOwnerUpToDate(claim, set, pod));
  }

  /** UpdatePodClaimForRetentionPolicy: rewrites the owners of the pod's claims that are off. */
  updatePodClaimForRetentionPolicy(set: StatefulSet, pod: Pod): void {
    for (const claim of this.claimsOf(set, pod)) {
      if (isClaimOwnerUpToDate(claim, set, pod)) continue;
      const next = clone(claim);
      next.metadata.ownerReferences = wantedOwners(claim, set, pod);
      if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
      this.ctx.store.update('PersistentVolumeClaim', next);
    }
  }

  /**
   * PodClaimIsStale: with `whenScaled: Delete`, a claim still owned by an earlier pod of the same
   * name blocks the pod's creation until the garbage collector has removed it.
   */
  podClaimIsStale(set: StatefulSet, pod: Pod): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    return this.claimsOf(set, pod).some((claim) =>
      (claim.metadata.ownerReferences ?? []).some(
        (ref) => ref.kind === 'Pod' && ref.name === pod.metadata.name && ref.uid !== (pod.metadata.uid ?? ''),
      ),
    );
  }

  private claimsOf(set: StatefulSet, pod: Pod): KubeObject[] {
    return getPersistentVolumeClaims(set, pod)
      .map(({ claim }) =>
        this.ctx.store.get('PersistentVolumeClaim', set.metadata.namespace, claim.metadata.name ?? ''),
      )
      .filter((c): c is KubeObject => c !== undefined);
  }

  /** recordPodEvent. */
  private recordPodEvent(verb: string, set: StatefulSet, pod: Pod, err?: Error): void {
    const title = verb[0]!.toUpperCase() + verb.slice(1);
    const name = `${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    if (!err) this.ctx.events.record(set, 'Normal', `Successful${title}`, `${verb} Pod ${name} successful`, COMPONENT);
    else
      this.ctx.events.record(
        set,
        'Warning',
        `Failed${title}`,
        `${verb} Pod ${name} failed error: ${err.message}`,
        COMPONENT,
      );
  }

  /** recordClaimEvent. */
  private recordClaimEvent(verb: string, set: StatefulSet, pod: Pod, claim: string, err?: Error): void {
    const title = verb[0]!.toUpperCase() + verb.slice(1);
    const where = `Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    if (!err)
      this.ctx.events.record(set, 'Normal', `Successful${title}`, `${verb} Claim ${claim} ${where} success`, COMPONENT);
    else
      this.ctx.events.record(
        set,
        'Warning',
        `Failed${title}`,
        `${verb} Claim ${claim} for ${where} failed error: ${err.message}`,
        COMPONENT,
      );
  }
}

const isSetRef = (ref: OwnerReference, set: StatefulSet) =>
  ref.apiVersion === 'apps/v1' && ref.kind === 'StatefulSet' && ref.name === set.metadata.name;
const isPodRef = (ref: OwnerReference, pod: Pod) => ref.kind === 'Pod' && ref.name === pod.metadata.name;

/**
 * updateClaimOwnerRefForSetAndPod: the claim's other owners, plus the set as controller when the
 * claim goes with the set (`whenDeleted: Delete`, pod in range) and the pod as controller when it goes
 * with the pod (`whenScaled: Delete`, pod scaled away). Another controller of the claim is never fought.
 */
function wantedOwners(claim: KubeObject, set: StatefulSet, pod: Pod): OwnerReference[] {
  const refs = claim.metadata.ownerReferences ?? [];
  const others = refs.filter((r) => !isSetRef(r, set) && !isPodRef(r, pod));
  const policy = retentionPolicy(set);
  if (policy.whenDeleted === 'Retain' && policy.whenScaled === 'Retain') return others;
  if (others.some((r) => r.controller)) return others; // hasUnexpectedController
  const scaledDown = !podInOrdinalRange(pod, set);
  const out = [...others];
  if (policy.whenScaled === 'Delete' && scaledDown && pod.metadata.uid) out.push(newControllerRef(pod, 'v1', 'Pod'));
  if (policy.whenDeleted === 'Delete' && !(policy.whenScaled === 'Delete' && scaledDown))
    out.push(setControllerRef(set));
  return out;
}

/** isClaimOwnerUpToDate, comparing the owners that matter (the set's and the pod's). */
export function isClaimOwnerUpToDate(claim: KubeObject, set: StatefulSet, pod: Pod): boolean {
  const key = (refs: OwnerReference[]) =>
    refs
      .filter((r) => isSetRef(r, set) || isPodRef(r, pod))
      .map((r) => `${r.kind}/${r.name}/${r.uid}/${r.controller === true}`)
      .sort()
      .join(',');
  return key(claim.metadata.ownerReferences ?? []) === key(wantedOwners(claim, set, pod));
}
