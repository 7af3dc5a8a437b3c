/**
 * The model of one Deployment's life and the oracle of every step, as pure functions of data:
 * which template it runs, which one is its last good, what replicas the scaler set, who last
 * wrote the template, and what a gate run must answer. The runner (lifecycle.test.ts) drives the
 * served cluster through the same steps and compares.
 *
 * "Last good" follows README "What the gate judges": the newest template the gate saw fully available (a run that
 * succeeded, or the template a run found fully available when it started). Only a run that
 * finished can have recorded what it saw at its start, so when a killed run is the only one that
 * saw a template available, both that template and the one before it are accepted as the target.
 */
import fc from 'fast-check';

export type Good = 'good' | 'flaky';
export type Bad = 'missing' | 'crash' | 'never-ready';
export type Behaviour = Good | Bad;
export const GOOD: Good[] = ['good', 'flaky'];
export const BAD: Bad[] = ['missing', 'crash', 'never-ready'];
export const isGood = (b: Behaviour): b is Good => b === 'good' || b === 'flaky';

/** Who can change replicas: an HPA (scale subresource, manager horizontal-pod-autoscaler) or `kubectl scale`. */
export type Scaler = 'hpa' | 'kubectl';

export type Step =
  /** A gate run deploying a fresh image. */
  | { kind: 'deploy'; behaviour: Behaviour }
  /** A gate run deploying a bad image while the scaler changes replicas mid-rollout. */
  | { kind: 'deploy-while-scaling'; behaviour: Bad; replicas: number; by: Scaler }
  /** A gate run deploying a never-ready image; a person sets a fresh image mid-rollout (kubectl set image's patch). */
  | { kind: 'deploy-superseded'; behaviour: Good }
  /** A gate run deploying the last good template again (a no-op when it is running and available). */
  | { kind: 'redeploy' }
  | { kind: 'scale'; replicas: number; by: Scaler }
  /** A person runs `kubectl set image` or `kubectl edit` with a fresh image. */
  | { kind: 'kubectl'; command: 'set-image' | 'edit'; behaviour: Behaviour }
  | { kind: 'kubectl-undo' }
  | { kind: 'kubectl-annotate' }
  /** Two gate runs at once: the second starts once the first has applied. */
  | { kind: 'concurrent'; first: Behaviour; second: Behaviour }
  /** A gate run killed (SIGKILL) right after its apply, then a minute and a second of cluster time. */
  | { kind: 'kill'; behaviour: Behaviour };

const behaviour = fc.constantFrom<Behaviour>('good', 'flaky', 'missing', 'crash', 'never-ready');
const bad = fc.constantFrom<Bad>(...BAD);
const replicas = fc.integer({ min: 2, max: 4 });
const scaler = fc.constantFrom<Scaler>('hpa', 'kubectl');

/** Steps, weighted towards gate runs (what the proof is about); kubectl steps cost a process each. */
export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: behaviour.map((b) => ({ kind: 'deploy' as const, behaviour: b })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ behaviour: bad, replicas, by: scaler })
      .map((s) => ({ kind: 'deploy-while-scaling' as const, ...s })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Good>(...GOOD).map((b) => ({ kind: 'deploy-superseded' as const, behaviour: b })),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'redeploy' as const }) },
  { weight: 2, arbitrary: fc.record({ replicas, by: scaler }).map((s) => ({ kind: 'scale' as const, ...s })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ command: fc.constantFrom<'set-image' | 'edit'>('set-image', 'edit'), behaviour })
      .map((s) => ({ kind: 'kubectl' as const, ...s })),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'kubectl-undo' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'kubectl-annotate' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ first: behaviour, second: behaviour }).map((s) => ({ kind: 'concurrent' as const, ...s })),
  },
  { weight: 1, arbitrary: behaviour.map((b) => ({ kind: 'kill' as const, behaviour: b })) },
);

/** Who last wrote the template: the gate, or the field manager of a person's kubectl command. */
export type Writer = 'cluster' | 'rollout-gate' | 'killed run' | 'kubectl-set' | 'kubectl-edit' | 'kubectl';

export interface Model {
  /** The image of the template in the cluster. */
  current: string;
  /** Images by revision, oldest first, each once (the ReplicaSets `kubectl rollout undo` picks from). */
  history: string[];
  behaviours: Record<string, Behaviour>;
  /** Whether `current` has rolled out and is fully available. */
  available: boolean;
  /** Last good images a finished gate run knows of: [0] newest; a rollback must land on one of them. */
  lastGood: string[];
  /** Replicas as the scaler last set them. */
  replicas: number;
  writer: Writer;
}

export function initialModel(image: string, replicas: number): Model {
  return {
    current: image,
    history: [image],
    behaviours: { [image]: 'good' },
    available: true,
    lastGood: [image],
    replicas,
    writer: 'cluster',
  };
}

/** What a gate run must answer. */
export interface ExpectedRun {
  exit: number;
  result: string;
  /** The run's own reason (Locked) if any. */
  reason?: string;
  web: { result: string; reasons?: string[] };
  /** The untouched sibling in every run: its acceptable results ('absent': not reported). */
  api: string[];
}

export const REASONS: Record<Bad, string[]> = {
  missing: ['ErrImagePull', 'ImagePullBackOff'],
  crash: ['CrashLoopBackOff'],
  'never-ready': ['Stalled', 'ProgressDeadlineExceeded', 'Timeout'],
};

export const imageFor = (b: Behaviour, index: number, sub = '') => `web:${b}-${index}${sub}`;

/** The model once a person or a run wrote `image` to the template. */
export function written(m: Model, image: string, b: Behaviour, writer: Writer): Model {
  return {
    ...m,
    current: image,
    history: [...m.history.filter((i) => i !== image), image],
    behaviours: { ...m.behaviours, [image]: b },
    available: false,
    writer,
  };
}

/** A run starting now sees `current` fully available: it is the last good from then on. */
export function seenAtStart(m: Model): Model {
  return m.available ? { ...m, lastGood: [m.current] } : m;
}

/** A run that will be killed sees `current` available: it may have recorded it, or not (see the module doc). */
export function seenByKilledRun(m: Model): Model {
  return m.available && m.current !== m.lastGood[0] ? { ...m, lastGood: [m.current, ...m.lastGood] } : m;
}

/** The verdict of a gate run deploying a fresh image of behaviour `b`. */
export function deployVerdict(b: Behaviour): ExpectedRun {
  return isGood(b)
    ? { exit: 0, result: 'succeeded', web: { result: 'succeeded' }, api: ['unchanged'] }
    : { exit: 1, result: 'rolled-back', web: { result: 'rolled-back', reasons: REASONS[b] }, api: ['unchanged'] };
}

export const LOCKED: ExpectedRun = {
  exit: 3,
  result: 'failed',
  reason: 'Locked',
  web: { result: 'failed', reasons: ['Locked'] },
  // Leased by the first run too; a run may stop at its first locked Deployment.
  api: ['failed', 'absent'],
};

export const SUPERSEDED: ExpectedRun = {
  exit: 3,
  result: 'failed',
  web: { result: 'failed', reasons: ['Superseded'] },
  api: ['unchanged'],
};

/** After a gate run of `image` (behaviour `b`) finished and was judged: the model it leaves. */
export function afterDeploy(m: Model, image: string, b: Behaviour, rolledBackTo: string | undefined): Model {
  const applied = written(m, image, b, 'rollout-gate');
  // Verified by the gate either way: the new template or the restored one is fully available.
  if (isGood(b)) return { ...applied, lastGood: [image], available: true };
  // Rolled back: the restored template's ReplicaSet becomes the newest revision.
  const target = rolledBackTo ?? m.lastGood[0]!;
  const restored = written(applied, target, m.behaviours[target] ?? 'good', 'rollout-gate');
  return { ...restored, lastGood: [target], available: true };
}

/** `kubectl rollout undo`: the previous revision, or undefined when there is none. */
export function undoTarget(m: Model): string | undefined {
  return m.history.length >= 2 ? m.history[m.history.length - 2] : undefined;
}

/** A one-line description of a step, with the images it uses. */
export function describeStep(s: Step, index: number): string {
  switch (s.kind) {
    case 'deploy':
      return `#${index} gate deploys ${imageFor(s.behaviour, index)}`;
    case 'deploy-while-scaling':
      return `#${index} gate deploys ${imageFor(s.behaviour, index)} while ${s.by} scales to ${s.replicas}`;
    case 'deploy-superseded':
      return `#${index} gate deploys ${imageFor('never-ready', index)}, kubectl set image ${imageFor(s.behaviour, index, 'b')} mid-rollout`;
    case 'redeploy':
      return `#${index} gate redeploys the last good template`;
    case 'scale':
      return `#${index} ${s.by} scales to ${s.replicas}`;
    case 'kubectl':
      return `#${index} kubectl ${s.command} ${imageFor(s.behaviour, index)}`;
    case 'kubectl-undo':
      return `#${index} kubectl rollout undo`;
    case 'kubectl-annotate':
      return `#${index} kubectl annotate`;
    case 'concurrent':
      return `#${index} gate deploys ${imageFor(s.first, index)} and, at once, ${imageFor(s.second, index, 'b')}`;
    case 'kill':
      return `#${index} gate deploys ${imageFor(s.behaviour, index)} and is killed after the apply`;
  }
}
