/**
 * Runs one sequence of lifecycle steps on ONE long-lived served cluster (see serveCluster.ts),
 * keeping the model of model.ts in step, and checks every invariant after every step. The first
 * broken invariant ends the sequence with an Error that names the step, what the oracle expected
 * and what happened (fast-check then shrinks the sequence).
 *
 * Invariants: each verdict (exit code, run result, reasons) is the oracle's; the Deployment runs
 * the model's template (a bad deploy ends on the last good one, a newer template by someone else is
 * never overwritten) with the replicas the scaler set; no apply conflicts with the gate's own or a
 * person's imperative writes, and a person's change that the gate takes over is named in its log;
 * a no-op run bumps no generation; no gate bookkeeping lands in a ReplicaSet; nothing is left
 * paused; a killed run's lease blocks no run a minute later; only a second concurrent run is Locked.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { ImageBehaviour } from '../../src/cluster/sim/kubelet/types.js';
import {
  afterDeploy,
  deployVerdict,
  describeStep,
  imageFor,
  initialModel,
  isGood,
  LOCKED,
  seenAtStart,
  seenByKilledRun,
  SUPERSEDED,
  undoTarget,
  written,
  type Behaviour,
  type ExpectedRun,
  type Model,
  type Step,
} from './model.js';
import { hpaManaged, ServedCluster, verdictLine, type GateOutcome } from './serveCluster.js';

const BEHAVIOURS: Record<Behaviour, ImageBehaviour> = {
  good: {},
  flaky: { flakyPulls: 1 },
  missing: { pull: 'missing' },
  crash: { crash: true },
  'never-ready': { ready: 'never' },
};
const KUBECTL_MANAGERS = new Set(['kubectl-set', 'kubectl-edit', 'kubectl']);
const GATE_ANNOTATION = /^rollout-gate\.dev\//;
/**
 * Invariants to leave unchecked (env LIFECYCLE_SKIP, comma-separated tags such as
 * `replicasets,generation`): only to explore past a known failure; the model may then drift.
 */
const SKIPPED = new Set((process.env.LIFECYCLE_SKIP ?? '').split(',').filter(Boolean));

/** Counters over every sequence run, for the README's figures table. */
export interface LifecycleFigures {
  sequences: number;
  steps: number;
  gateRuns: number;
  verdictsChecked: number;
  kubectlCommands: number;
  /** Sequences that broke an invariant (shrinking attempts included). */
  failures: number;
  /** Steps by kind. */
  kinds: Record<string, number>;
}

export function newFigures(): LifecycleFigures {
  return { sequences: 0, steps: 0, gateRuns: 0, verdictsChecked: 0, kubectlCommands: 0, failures: 0, kinds: {} };
}

/** Runs `steps` plus a final redeploy of the last good template; throws on the first broken invariant. */
export async function runSequence(steps: Step[], figures: LifecycleFigures): Promise<void> {
  figures.sequences++;
  const c = await ServedCluster.start([hpaManaged('web', 'web:good-0', 2), hpaManaged('api', 'api:1', 1)]);
  const runner = new SequenceRunner(c, figures);
  try {
    const all: Step[] = [...steps, { kind: 'redeploy' }];
    for (const [i, step] of all.entries()) {
      figures.steps++;
      figures.kinds[step.kind] = (figures.kinds[step.kind] ?? 0) + 1;
      const problems = [...(await runner.step(step, i + 1)), ...runner.state()].filter(
        (p) => !SKIPPED.has(/^\[([a-z-]+)\]/.exec(p)?.[1] ?? ''),
      );
      if (problems.length > 0) {
        figures.failures++;
        throw new Error(
          `${describeStep(step, i + 1)}: ${problems.join('; ')}\n` +
            `  model: ${JSON.stringify(runner.model)}\n` +
            `  steps: ${all.map((s, j) => describeStep(s, j + 1)).join(' | ')}`,
        );
      }
    }
  } finally {
    await c.close();
  }
}

class SequenceRunner {
  model: Model = initialModel('web:good-0', 2);
  /** Virtual time of the last kill, if any. */
  private killedAt?: number;

  constructor(
    private readonly c: ServedCluster,
    private readonly figures: LifecycleFigures,
  ) {}

  private manifests(image: string) {
    return [hpaManaged('web', image), hpaManaged('api', 'api:1')];
  }

  private fresh(b: Behaviour, index: number, sub = ''): string {
    const image = imageFor(b, index, sub);
    this.c.plant(image, BEHAVIOURS[b]);
    return image;
  }

  async step(s: Step, i: number): Promise<string[]> {
    const c = this.c;
    switch (s.kind) {
      case 'deploy':
        return this.deploy(this.fresh(s.behaviour, i), s.behaviour);
      case 'deploy-while-scaling': {
        const image = this.fresh(s.behaviour, i);
        return this.deploy(image, s.behaviour, async () => {
          const problems = await this.scale(s.replicas, s.by);
          return problems;
        });
      }
      case 'deploy-superseded': {
        const image = this.fresh('never-ready', i);
        const theirs = this.fresh(s.behaviour, i, 'b');
        const before = seenAtStart(this.model);
        const running = this.gate(image);
        if (!(await c.until(() => c.image('web') === image || running.done)))
          return [`[apply] the gate did not apply ${image}`];
        const status = await c.setImageQuickly('web', 'web', theirs);
        const out = await running.outcome;
        const problems =
          status === 200 ? this.verdict('gate', out, SUPERSEDED, before) : [`[harness] set image: HTTP ${status}`];
        this.model = written(written(before, image, 'never-ready', 'rollout-gate'), theirs, s.behaviour, 'kubectl-set');
        return [...problems, ...(await this.settle())];
      }
      case 'redeploy': {
        const before = seenAtStart(this.model);
        const target = before.lastGood[0]!;
        const noop = target === before.current && before.available;
        const generation = c.deployment('web')?.metadata.generation;
        const out = await this.gate(target).outcome;
        const want: ExpectedRun = noop
          ? { exit: 0, result: 'succeeded', web: { result: 'unchanged' }, api: ['unchanged'] }
          : deployVerdict('good');
        const problems = this.verdict('gate', out, want, before, !noop);
        const after = c.deployment('web')?.metadata.generation;
        if (noop && after !== generation)
          problems.push(
            `[generation] a no-op run moved the generation ${generation} -> ${after} (the gate's bookkeeping bumps it)`,
          );
        // After a no-op the manifest is the template's source again (a person's equal value is no drift).
        this.model = noop
          ? { ...before, writer: 'rollout-gate' }
          : afterDeploy(before, target, before.behaviours[target] ?? 'good', undefined);
        return problems;
      }
      case 'scale': {
        const problems = await this.scale(s.replicas, s.by);
        return [...problems, ...(await this.settle())];
      }
      case 'kubectl': {
        const image = this.fresh(s.behaviour, i);
        const result =
          s.command === 'set-image'
            ? await this.kubectl('set', 'image', 'deployment/web', `web=${image}`)
            : await this.edit(image);
        const expected =
          s.command === 'set-image' ? 'deployment.apps/web image updated\n' : 'deployment.apps/web edited\n';
        if (result.code !== 0 || result.stdout !== expected)
          return [`[harness] kubectl ${s.command}: exit ${result.code} ${result.stdout}${result.stderr}`];
        this.model = written(
          this.model,
          image,
          s.behaviour,
          s.command === 'set-image' ? 'kubectl-set' : 'kubectl-edit',
        );
        return this.settle();
      }
      case 'kubectl-undo': {
        const target = undoTarget(this.model);
        if (!target) return [];
        const result = await this.kubectl('rollout', 'undo', 'deployment/web');
        if (result.code !== 0) return [`[harness] kubectl rollout undo: exit ${result.code} ${result.stderr}`];
        this.model = written(this.model, target, this.model.behaviours[target] ?? 'good', 'kubectl');
        return this.settle();
      }
      case 'kubectl-annotate': {
        const result = await this.kubectl('annotate', 'deployment/web', `example.com/step=${i}`, '--overwrite');
        return result.code === 0 ? [] : [`[harness] kubectl annotate: exit ${result.code} ${result.stderr}`];
      }
      case 'concurrent': {
        const first = this.fresh(s.first, i);
        const second = this.fresh(s.second, i, 'b');
        const before = seenAtStart(this.model);
        const running = this.gate(first);
        if (!(await c.until(() => c.image('web') === first || running.done)))
          return [`[apply] the gate did not apply ${first}`];
        const problems = this.verdict('second run', await this.gate(second).outcome, LOCKED, before, false);
        const out = await running.outcome;
        problems.push(...this.verdict('first run', out, deployVerdict(s.first), before));
        problems.push(...this.landed(before, s.first));
        this.model = afterDeploy(before, first, s.first, c.image('web'));
        return problems;
      }
      case 'kill': {
        const image = this.fresh(s.behaviour, i);
        const before = seenByKilledRun(this.model);
        const killed = await c.startKillable(this.manifests(image));
        let done: GateOutcome | undefined;
        void killed.outcome.then((o) => (done = o));
        await c.until(() => c.image('web') === image || done !== undefined);
        if (c.image('web') !== image) {
          killed.kill();
          return [
            `[apply] the run to be killed did not apply ${image}: ${done ? verdictLine(done.result) : 'no answer'}`,
          ];
        }
        killed.kill();
        this.killedAt = c.now;
        c.advance(61);
        this.model = written(before, image, s.behaviour, 'killed run');
        return this.settle();
      }
    }
  }

  /** A gate run of `image` (with the api sibling), pending. */
  private gate(image: string): { outcome: Promise<GateOutcome>; done: boolean } {
    this.figures.gateRuns++;
    const run = { outcome: this.c.gate(this.manifests(image)), done: false };
    void run.outcome.then(() => (run.done = true));
    return run;
  }

  private async deploy(image: string, b: Behaviour, during?: () => Promise<string[]>): Promise<string[]> {
    const c = this.c;
    const before = seenAtStart(this.model);
    const running = this.gate(image);
    const problems: string[] = [];
    if (during) {
      if (await c.until(() => c.image('web') === image || running.done)) problems.push(...(await during()));
      else problems.push(`[apply] the gate did not apply ${image}`);
    }
    const out = await running.outcome;
    problems.push(...this.verdict('gate', out, deployVerdict(b), before));
    if (!isGood(b)) problems.push(...this.landed(before, b));
    const replicas = this.model.replicas;
    this.model = { ...afterDeploy(before, image, b, c.image('web')), replicas };
    return problems;
  }

  /** A bad deploy must end on one of the last good templates the gate knows of. */
  private landed(before: Model, b: Behaviour): string[] {
    if (isGood(b)) return [];
    const image = this.c.image('web');
    return image && before.lastGood.includes(image)
      ? []
      : [`[rollback-target] the bad deploy ends on ${image}, not on the last good ${before.lastGood.join(' or ')}`];
  }

  private async scale(replicas: number, by: 'hpa' | 'kubectl'): Promise<string[]> {
    this.model = { ...this.model, replicas };
    if (by === 'hpa') {
      const status = await this.c.autoscale('web', replicas);
      return status === 200 ? [] : [`[harness] autoscaler: HTTP ${status}`];
    }
    const result = await this.kubectl('scale', 'deployment/web', `--replicas=${replicas}`);
    return result.code === 0 ? [] : [`[harness] kubectl scale: exit ${result.code} ${result.stderr}`];
  }

  /** Compares a gate run with the oracle; `before` is the model when the run started. */
  private verdict(label: string, out: GateOutcome, want: ExpectedRun, before: Model, takesOver = true): string[] {
    this.figures.verdictsChecked++;
    const r = out.result;
    const web = r.workloads.find((w) => w.name === 'web');
    const api = r.workloads.find((w) => w.name === 'api');
    const got = `exit ${out.exitCode} ${verdictLine(r)}`;
    const problems: string[] = [];
    const wrong =
      out.exitCode !== want.exit ||
      r.result !== want.result ||
      r.reason !== want.reason ||
      web?.result !== want.web.result ||
      (want.web.reasons ? !want.web.reasons.includes(web.reason ?? '') : web.reason !== undefined) ||
      !want.api.includes(api?.result ?? 'absent');
    if (wrong) {
      const expected = `exit ${want.exit} ${want.result}${want.reason ? ` ${want.reason}` : ''}, web ${want.web.result}${want.web.reasons ? ` ${want.web.reasons.join('|')}` : ''}, api ${want.api.join('|')}`;
      let why = '';
      if (r.reason === 'Locked' && want.reason !== 'Locked' && this.killedAt !== undefined)
        why = ` (a killed run's lease still blocks, ${Math.round((this.c.now - this.killedAt) / 1000)} s of cluster time after the kill)`;
      problems.push(`[${why ? 'lease' : 'verdict'}] ${label}: ${got}, the oracle says ${expected}${why}`);
    }
    for (const e of r.errors)
      if (/conflict/i.test(e.message)) problems.push(`[conflict] ${label}: apply conflict: ${e.message}`);
    // The run says who changed what: a person's field it takes over is named (a drift line).
    if (
      takesOver &&
      !wrong &&
      KUBECTL_MANAGERS.has(before.writer) &&
      want.reason !== 'Locked' &&
      !out.log.lines.some((l) => l.includes(`"${before.writer}"`) || new RegExp(`\\b${before.writer}\\b`).test(l))
    )
      problems.push(
        `[drift] ${label}: took over the template last written by ${before.writer} without naming it in the log`,
      );
    return problems;
  }

  /** The cluster state the model predicts, after every step. */
  state(): string[] {
    const c = this.c;
    const d = c.deployment('web');
    const problems: string[] = [];
    if (c.image('web') !== this.model.current)
      problems.push(
        `[template] web runs ${c.image('web')}, the model says ${this.model.current} (written by ${this.model.writer})`,
      );
    if (d?.spec.replicas !== this.model.replicas)
      problems.push(`[replicas] web has ${d?.spec.replicas} replicas, the scaler set ${this.model.replicas}`);
    if (d?.spec.paused) problems.push('[paused] web is left paused');
    const copied = c
      .replicaSets('web')
      .flatMap((rs) => Object.keys(rs.metadata.annotations ?? {}).filter((k) => GATE_ANNOTATION.test(k)));
    if (copied.length > 0)
      problems.push(`[replicasets] gate bookkeeping copied into ReplicaSets: ${[...new Set(copied)].join(', ')}`);
    return problems;
  }

  /** Waits until a good current template has rolled out (then the next run sees it fully available). */
  private async settle(): Promise<string[]> {
    const m = this.model;
    const behaviour = m.behaviours[m.current] ?? 'good';
    if (!isGood(behaviour)) {
      this.model = { ...m, available: false };
      return [];
    }
    const ok = await this.c.until(() => this.c.image('web') === m.current && this.c.rolledOut('web'));
    this.model = { ...m, available: ok };
    return ok ? [] : [`[settle] ${m.current} did not roll out`];
  }

  private kubectl(...args: string[]) {
    this.figures.kubectlCommands++;
    return this.c.kubectl.run(...args);
  }

  /** `kubectl edit deployment/web` with an editor that replaces the image, as a person would. */
  private edit(image: string): Promise<{ code: number; stdout: string; stderr: string }> {
    this.figures.kubectlCommands++;
    const dir = this.c.kubectl.dir;
    const editor = `sed -i -e 's|image: ${this.model.current}$|image: ${image}|'`;
    return new Promise((resolve) => {
      execFile(
        'kubectl',
        ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), 'edit', 'deployment/web'],
        { timeout: 60_000, env: { ...process.env, HOME: dir, KUBE_EDITOR: editor } },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }
}
