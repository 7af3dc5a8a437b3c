import { describe, expect, it } from '@jest/globals';
import { Annotations } from '../../src/k8s/objects.js';
import { observePreApply, parseLastGood, planRollback, type RollbackPlan } from '../../src/rollback/lastGood.js';
import { PAUSED_UNDO_ERROR } from '../../src/rollback/undoPatch.js';
import { deployment, replicaSet, template } from '../rollout/builders.js';

const good1 = replicaSet({ revision: 1, image: 'web:1', hash: 'h1', replicas: 0 });
const broken2 = replicaSet({
  revision: 2,
  image: 'web:2',
  hash: 'h2',
  replicas: 0,
  annotations: { [Annotations.changeCause]: 'v2' },
});
const current3 = replicaSet({ revision: 3, image: 'web:3', hash: 'h3', replicas: 3, available: 3 });
const failing4 = replicaSet({ revision: 4, image: 'web:4', hash: 'h4', replicas: 1 });

const failed = (annotations: Record<string, string> = {}, extra = {}) =>
  deployment({ image: 'web:4', revision: 4, annotations, resourceVersion: '4242', ...extra });

describe('planRollback', () => {
  it('goes to the recorded last good revision past a broken previous one', () => {
    const d = failed({ [Annotations.lastGoodRevision]: '1/h1' });
    const before = { existed: true, revision: 2, podTemplateHash: 'h2', fullyAvailable: false };
    const plan = planRollback({ deployment: d, replicaSets: [good1, broken2, failing4], before }) as RollbackPlan;
    expect(plan.kind).toBe('rollback');
    expect(plan.source).toBe('last-good');
    expect(plan.targetRevision).toBe(1);
    expect(plan.template).toEqual(template('web:1'));
    expect(plan.explanation).toBe(
      'rolling deployment "web" back to web:1, the template of revision 1 (ReplicaSet web-h1): the last revision the gate saw fully available (recorded 1/h1)',
    );
  });
  it('with no record and a stuck previous revision, goes to an older ReplicaSet still serving all its replicas', () => {
    // A person set a broken image (revision 2, never available); the old ReplicaSet kept its 3 pods.
    const serving1 = replicaSet({ revision: 1, image: 'web:1', hash: 'h1', replicas: 3, available: 3 });
    const stuck2 = replicaSet({ revision: 2, image: 'web:2', hash: 'h2', replicas: 1 });
    const d = deployment({ image: 'web:2', revision: 2, resourceVersion: '7' });
    const before = observePreApply(d, [serving1, stuck2]);
    expect(before).toMatchObject({ existed: true, revision: 2, fullyAvailable: false, servingHashes: ['h1'] });
    const plan = planRollback({ deployment: failed(), replicaSets: [serving1, stuck2, failing4], before });
    expect(plan).toMatchObject({ kind: 'rollback', source: 'serving', targetRevision: 1, targetReplicaSet: 'web-h1' });
    expect((plan as RollbackPlan).explanation).toBe(
      'rolling deployment "web" back to web:1, the template of revision 1 (ReplicaSet web-h1): revision 1, still serving all its replicas before this run' +
        '; skipped: the previous revision 2 was not fully available before this run',
    );
    // Scaled down (not serving): nothing to go back to.
    const gone = replicaSet({ revision: 1, image: 'web:1', hash: 'h1', replicas: 0 });
    const none = planRollback({
      deployment: failed(),
      replicaSets: [gone, stuck2, failing4],
      before: observePreApply(d, [gone, stuck2]),
    });
    expect(none).toMatchObject({ kind: 'none', reason: 'NoGoodRevision' });
  });
  it('prefers the revision fully available at the run start over an older record (a person rolled back to it)', () => {
    // The record says 1/h1; a person then rolled out web:3 (or undid to it) and it was fully
    // available when this run started: that is the newest revision the gate saw good.
    const d = failed({ [Annotations.lastGoodRevision]: '1/h1' });
    const before = { existed: true, revision: 3, podTemplateHash: 'h3', fullyAvailable: true };
    const plan = planRollback({ deployment: d, replicaSets: [good1, current3, failing4], before }) as RollbackPlan;
    expect(plan).toMatchObject({ kind: 'rollback', source: 'previous', targetRevision: 3, targetReplicaSet: 'web-h3' });
    expect(plan.template).toEqual(template('web:3'));
    // Not fully available then: the record wins.
    const notThen = planRollback({
      deployment: d,
      replicaSets: [good1, current3, failing4],
      before: { ...before, fullyAvailable: false },
    });
    expect(notThen).toMatchObject({ kind: 'rollback', source: 'last-good', targetRevision: 1 });
  });
  it('matches the recorded hash even after a rollback renumbered the revision', () => {
    const renumbered = replicaSet({
      revision: 5,
      image: 'web:1',
      hash: 'h1',
      annotations: { [Annotations.revisionHistory]: '1' },
    });
    const plan = planRollback({
      deployment: failed({ [Annotations.lastGoodRevision]: '1/h1' }),
      replicaSets: [renumbered, failing4],
    });
    expect(plan).toMatchObject({ kind: 'rollback', targetRevision: 5, targetReplicaSet: 'web-h1' });
  });
  it('falls back to the previous revision only if it was fully available before this run', () => {
    const rss = [good1, current3, failing4];
    const yes = planRollback({
      deployment: failed(),
      replicaSets: rss,
      before: { existed: true, revision: 3, podTemplateHash: 'h3', fullyAvailable: true },
    });
    expect(yes).toMatchObject({ kind: 'rollback', source: 'previous', targetRevision: 3 });
    const no = planRollback({
      deployment: failed(),
      replicaSets: rss,
      before: { existed: true, revision: 3, podTemplateHash: 'h3', fullyAvailable: false },
    });
    expect(no).toEqual({
      kind: 'none',
      reason: 'NoGoodRevision',
      message:
        'no known good revision of deployment "web" to roll back to (the previous revision 3 was not fully available before this run)',
    });
  });
  it('with revisionHistoryLimit 0 uses the stored template', () => {
    const stored = JSON.stringify(template('web:1'));
    const plan = planRollback({
      deployment: failed({ [Annotations.lastGoodRevision]: '1/h1', [Annotations.lastGoodTemplate]: stored }),
      replicaSets: [failing4],
    }) as RollbackPlan;
    expect(plan.source).toBe('stored-template');
    expect(plan.targetRevision).toBeUndefined();
    expect(plan.apply.spec.template).toEqual({
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'web:1' }] },
    });
  });
  it("refuses a paused Deployment with kubectl's message", () => {
    const d = failed({ [Annotations.lastGoodRevision]: '1/h1' }, { paused: true });
    expect(planRollback({ deployment: d, replicaSets: [good1, failing4] })).toEqual({
      kind: 'none',
      reason: 'Paused',
      message: PAUSED_UNDO_ERROR,
    });
  });
  it("the precondition carries the resourceVersion; annotations follow kubectl plus the gate's own", () => {
    const d = failed({ [Annotations.lastGoodRevision]: '2/h2', [Annotations.changeCause]: 'v4', team: 'a' });
    const plan = planRollback({ deployment: d, replicaSets: [broken2, failing4] }) as RollbackPlan;
    expect(plan.precondition).toEqual({ resourceVersion: '4242' });
    // The rollback is a server-side apply whose resourceVersion is the precondition; the gate's own
    // bookkeeping and the controller's annotations are not part of it.
    expect(plan.apply.metadata).toEqual({
      name: 'web',
      namespace: 'default',
      resourceVersion: '4242',
      annotations: { [Annotations.changeCause]: 'v2' },
    });
    expect(plan.annotations).toEqual({
      [Annotations.revision]: '4',
      [Annotations.changeCause]: 'v2',
      [Annotations.lastGoodRevision]: '2/h2',
    });
  });
  it('never rolls back to the failing template', () => {
    const d = failed({ [Annotations.lastGoodRevision]: '4/h4' });
    expect(planRollback({ deployment: d, replicaSets: [failing4] })).toMatchObject({
      kind: 'none',
      reason: 'AlreadyAtTarget',
    });
  });
});

describe('records', () => {
  it('parses the annotation', () => {
    expect(parseLastGood('3/5d8f7c9b')).toEqual({ revision: 3, podTemplateHash: '5d8f7c9b' });
    expect(parseLastGood('3')).toEqual({ revision: 3 });
    expect(parseLastGood('x')).toBeUndefined();
  });
  it('observes the pre-apply state', () => {
    const d = deployment({ image: 'web:3', revision: 3, updated: 3, total: 3 });
    expect(observePreApply(d, [good1, current3])).toMatchObject({
      existed: true,
      revision: 3,
      podTemplateHash: 'h3',
      fullyAvailable: true,
    });
  });
});
