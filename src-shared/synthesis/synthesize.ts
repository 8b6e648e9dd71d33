/**
 * Unattended synthesis (spec §5, automated): a dense phase, then sparsification rounds —
 * raise λ1, cut, drop what cannot matter, retrain — with automatic backtracking, then a
 * polish. Coarse rounds cut many small weights at once and halve a cut that does not
 * recover; below `fineBelow` soft links (or when coarse cuts stop working) the rounds try
 * one neuron or one link at a time. Every decision is an event with the numbers behind it.
 *
 * The parts: cut-policy.ts (what a round cuts, when a cut is accepted), train-loop.ts (the
 * optimiser steps, budget and controls), train-state.ts (the circuit and its optimiser as
 * one value), attempts.ts (verdicts and restarts). This class runs the phases in order.
 *
 * Deterministic: the same schedule (seed included) gives the same circuit, bit for bit.
 */
import { neuronType } from '../machine/neuron-types';
import { linkLabel, type Link } from '../machine/spec';
import { Rng } from '../util/rng';
import { sinkNeurons } from '../problems/frame';
import { symbolsOf, type Problem } from '../problems/problem';
import { frameOf } from '../problems/problem-frame';
import { taskOf, TeacherTargets } from '../problems/targets';
import { certificateContext, MinimalityCheck, NotSolvedError, type Certificate } from './minimality';
import {
  circuitToSpec,
  copyCircuit,
  deadLinks,
  duplicateNeurons,
  interneuronsOf,
  linkKey,
  parallelMerges,
  sortedLinks,
  type Circuit,
} from './circuit';
import type { SynthesisEvent } from './events';
import type { CircuitSnapshot, StopReason, SynthesisHooks, SynthesisResult } from './hooks';
import { SetObjective, type Fit } from './objective';
import type { Schedule } from './schedule';
import { defaultProblem, regrowPool, STREAM } from './start';
import { runTestSuite } from './test-suite';
import { diagnose } from './diagnosis';
import { GradientTrainer, type Trainer } from './trainer';
import { acceptTarget, afterBacktrack, coarseCut, fineCandidates, shouldRegrow, type Candidate } from './cut-policy';
import { Cancelled, TrainLoop, type TrainOptions } from './train-loop';
import { saveState, StateSurgery, type OptimizerFollow, type TrainState } from './train-state';
import { attemptCount, attemptFailures, betterAttempt, judgeAttempt, startingCircuit, type Attempt } from './attempts';

export type { CircuitSnapshot, StopReason, SynthesisControl, SynthesisHooks, SynthesisResult } from './hooks';

interface RetrainOutcome {
  readonly accepted: boolean;
  readonly preregLoss: number;
  readonly steps: number;
  readonly outOfBudget: boolean;
}

export class Synthesizer {
  /** The circuit being trained and its optimiser, replaced together. */
  private state: TrainState;
  private objective!: SetObjective;
  private readonly surgery: StateSurgery;
  private readonly loop: TrainLoop;
  private readonly trainer: Trainer;
  /** The problem the run solves, its teacher's targets and the neurons its outputs are read from. */
  private readonly problem: Problem;
  private readonly targets: TeacherTargets;
  private readonly sinks: readonly string[];
  private readonly alphabet: string[];
  private readonly events: SynthesisEvent[] = [];
  private round = 0;
  private regrows = 0;
  private lambda1: number;
  /** The soft links the run started with: what regrowing draws from. */
  private pool: readonly Link[];
  /** Interneurons of a pruned start (at most fineBelow soft links): regrowing may use them all. */
  private startNeurons: readonly string[] = [];

  constructor(
    private readonly schedule: Schedule,
    private readonly hooks: SynthesisHooks = {},
  ) {
    this.problem = hooks.problem ?? defaultProblem();
    this.targets = new TeacherTargets(taskOf(this.problem));
    this.sinks = sinkNeurons(frameOf(this.problem));
    this.surgery = new StateSurgery(schedule.optimizer);
    const circuit = startingCircuit(schedule, 0, hooks.circuit, this.problem);
    this.pool = hooks.circuit ? circuit.links.slice() : regrowPool(schedule.start, circuit, schedule.seed, this.problem);
    this.startNeurons = this.prunedStartNeurons(circuit);
    this.state = this.surgery.fresh(circuit, schedule.optimizer.lr);
    this.trainer = hooks.trainer ?? new GradientTrainer();
    if (schedule.estimator.kind === 'es' && this.trainer.kind !== 'es') {
      throw new Error('this schedule asks for evolution strategies: pass an ES trainer in the hooks');
    }
    this.alphabet = symbolsOf(
      [...schedule.training.strings, ...schedule.testSuite].map((s) => s.text),
      this.targets.task.mode,
    );
    this.lambda1 = schedule.rounds.l1.start;
    this.loop = new TrainLoop(
      hooks,
      this.trainer,
      schedule.stop.stepBudget,
      (control, phase) => {
        if (control.kind === 'set' && control.lambda1 !== undefined) this.lambda1 = control.lambda1;
        this.emit({ kind: 'control', ...this.stamp(), control, phase });
      },
      schedule.stability,
      (spike) => this.emit({ kind: 'spike', softLinks: this.softLinks, ...spike }),
    );
  }

  private get softLinks(): number {
    return this.state.circuit.weights.length;
  }

  private emit(e: SynthesisEvent): void {
    this.events.push(e);
    this.hooks.onEvent?.(e);
  }

  /** The step and circuit size that every event carries. */
  private stamp(): { step: number; softLinks: number } {
    return { step: this.loop.steps, softLinks: this.softLinks };
  }

  /** Recompiles the objective for the current structure and lets the trainer resync. */
  private async rebuild(): Promise<void> {
    const s = this.schedule;
    const mode = s.estimator.kind === 'gradient' ? s.estimator.gradients : 'exact';
    this.objective = new SetObjective(this.state.circuit, s.training.strings, this.alphabet, mode, s.training.curriculum, this.targets);
    await this.trainer.sync(this.state.circuit, this.state.adam);
  }

  /** A fresh optimiser at `lr` for the current circuit, handed to the trainer. */
  private async resetOptimizer(lr: number): Promise<void> {
    this.state = this.surgery.fresh(this.state.circuit, lr);
    await this.trainer.sync(this.state.circuit, this.state.adam);
  }

  private train(n: number, phase: Parameters<TrainLoop['train']>[3], opts: TrainOptions): ReturnType<TrainLoop['train']> {
    return this.loop.train(this.state, this.objective, n, phase, opts);
  }

  private prunedStartNeurons(circuit: TrainState['circuit']): string[] {
    return circuit.links.length <= this.schedule.rounds.fineBelow ? interneuronsOf(circuit) : [];
  }

  /** Applies pending prunes (every soft link with |w| below the largest threshold goes). */
  private async applyPrunes(): Promise<boolean> {
    const threshold = this.loop.takePrune();
    if (threshold === undefined) return false;
    const w = this.state.circuit.weights;
    const drop = Array.from(w.keys()).filter((i) => Math.abs(w[i] as number) < threshold);
    const linksBefore = this.softLinks;
    const removed = drop.length ? this.removeLinks(drop, { reset: false }) : [];
    this.emit({ kind: 'prune', ...this.stamp(), threshold, removed, linksBefore });
    if (drop.length) {
      this.simplify({ reset: false });
      await this.rebuild();
    }
    this.snapshot('prune');
    return drop.length > 0;
  }

  /** Hands the current circuit to the snapshot hook, with the loss of exactly these weights. */
  private snapshot(reason: CircuitSnapshot['reason']): void {
    if (!this.hooks.onSnapshot) return;
    const { circuit } = this.state;
    const weights = Float64Array.from(circuit.weights);
    const preregLoss = this.objective.evaluate(weights, { l1: 0, l2: 0 }, this.loop.steps + 1).preregLoss;
    this.hooks.onSnapshot({ step: this.loop.steps, reason, links: circuit.links.slice(), weights, preregLoss });
  }

  private removeLinks(drop: readonly number[], follow: OptimizerFollow): Link[] {
    const { state, removed } = this.surgery.removeLinks(this.state, drop, follow);
    this.state = state;
    return removed;
  }

  /** Drops dead links, merges parallel links and duplicate neurons, with events. */
  private simplify(follow: OptimizerFollow): void {
    const r = this.schedule.rounds;
    const lr = follow.reset ? follow.lr : r.retrain.lr;
    if (r.mergeParallel) {
      const merges = parallelMerges(this.state.circuit);
      if (merges.length) {
        this.state = this.surgery.mergeParallel(this.state, merges, follow);
        this.emit({ kind: 'merge', ...this.stamp(), merged: merges.map((m) => m.label) });
      }
      const allowed = new Set([...this.pool, ...this.state.circuit.links].map(linkKey));
      const duplicates = duplicateNeurons(this.state.circuit, allowed);
      if (duplicates.length) {
        this.state = this.surgery.mergeNeurons(this.state, duplicates, lr);
        this.emit({
          kind: 'merge',
          ...this.stamp(),
          merged: duplicates.map((d) => `neuron ${d.removed} into ${d.kept} (×${d.factor.toPrecision(4)})`),
        });
      }
    }
    if (r.dropDead) {
      const dead = deadLinks(this.state.circuit, this.sinks);
      if (dead.length) {
        const removed = this.removeLinks(dead, follow);
        this.emit({ kind: 'drop-dead', ...this.stamp(), removed });
      }
    }
  }

  /** Retrains after a cut until the loss is back at `target` (checked every chunk) or the budget is spent. */
  private async retrain(target: number, fine: boolean): Promise<RetrainOutcome> {
    const { retrain } = this.schedule.rounds;
    const lr = fine ? retrain.fineLr : retrain.lr;
    const budget = fine ? retrain.fineBudget : retrain.budget;
    const l1 = fine ? this.schedule.rounds.l1.fine : this.lambda1;
    let last = Number.POSITIVE_INFINITY;
    let aborted = false;
    const { done, fit } = await this.train(budget, 'sparsify', {
      lr,
      l1,
      decay: fine,
      until: (fit, n) => {
        last = fit.preregLoss;
        if (n % retrain.chunk !== 0 && n !== budget) return false;
        if (last <= target) return true;
        if (last > retrain.abortFactor * target) {
          aborted = true;
          return true;
        }
        return false;
      },
    });
    // a retrain whose loss stopped being finite never recovers (the loop stops before `until` sees it)
    const finite = fit !== undefined && Number.isFinite(fit.loss);
    const accepted = finite && !aborted && last <= target;
    return { accepted, preregLoss: last, steps: done, outOfBudget: !accepted && this.loop.budgetLeft <= 0 };
  }

  async run(): Promise<SynthesisResult> {
    const s = this.schedule;
    const attempts = attemptCount(s, this.hooks.circuit !== undefined);
    let best: { attempt: Attempt; certificate: Certificate | undefined } | undefined;
    let cancelled = false;
    let restartReason = '';
    for (let attempt = 0; attempt < attempts && !cancelled; attempt++) {
      if (attempt > 0) {
        const circuit = startingCircuit(s, attempt, this.hooks.circuit, this.problem);
        this.pool = regrowPool(s.start, circuit, s.seed, this.problem);
        this.startNeurons = this.prunedStartNeurons(circuit);
        this.state = this.surgery.fresh(circuit, s.optimizer.lr);
        this.lambda1 = s.rounds.l1.start;
        this.regrows = 0;
        this.loop.attemptStart = this.loop.steps;
        this.emit({ kind: 'restart', ...this.stamp(), attempt: attempt + 1, reason: restartReason });
      }
      let a = await this.attempt();
      cancelled = a.stopReason === 'cancelled';
      let certificate: Certificate | undefined;
      if (s.certificate.enabled && !cancelled) {
        const c = await this.certify(a);
        if (c) ({ attempt: a, certificate } = c);
        cancelled = this.hooks.cancelled?.() === true;
      }
      if (betterAttempt(a, best?.attempt)) best = { attempt: a, certificate };
      restartReason = a.verdict;
      if (!a.passed) continue;
      // a certified circuit above the target is a different, larger solution: a fresh start may find the smaller one
      const links = a.circuit.weights.length;
      if (!(certificate && s.certificate.restartAbove && links > s.stop.targetLinks)) break;
      restartReason = `certified at ${links} soft links, more than the target ${s.stop.targetLinks}`;
    }
    const { attempt: a, certificate } = best as { attempt: Attempt; certificate: Certificate | undefined };
    this.state = { ...this.state, circuit: a.circuit };
    if (this.hooks.onSnapshot) {
      await this.rebuild();
      this.snapshot('final');
    }
    this.emit({ kind: 'stop', ...this.stamp(), reason: a.stopReason, preregLoss: a.train.preregLoss });
    return {
      spec: a.spec,
      circuit: a.circuit,
      softLinks: a.circuit.weights.length,
      train: a.train,
      validation: a.validation,
      test: runTestSuite(a.spec, s.testSuite, this.targets),
      steps: this.loop.steps,
      stopReason: a.stopReason,
      passed: a.passed,
      verdict: a.verdict,
      events: this.events,
      ...(certificate ? { certificate } : {}),
    };
  }

  /**
   * The minimality certificate of an attempt's result (minimality.ts): moves that keep the
   * verdict are kept and the smaller circuit is polished; a `certificate` event records the
   * evidence, or why there is none. Returns the certified attempt, or nothing when refused.
   */
  private async certify(a: Attempt): Promise<{ attempt: Attempt; certificate: Certificate } | undefined> {
    const s = this.schedule;
    const linksBefore = a.circuit.weights.length;
    const bounds = { trainLoss: s.restarts.trainLoss, validationWorst: s.restarts.validationWorst };
    const refuse = (refused: string): undefined => {
      this.emit({
        kind: 'certificate',
        ...this.stamp(),
        softLinks: linksBefore,
        linksBefore,
        removals: [],
        necessary: [],
        bypasses: [],
        bounds,
        trainLoss: a.train.preregLoss,
        validationWorst: a.validation.worst,
        trials: 0,
        trialSteps: 0,
        refused,
      });
      return undefined;
    };
    if (!a.passed) return refuse(`the result fails its verdict: ${a.verdict}`);
    // a bypass may add a direct link only where the start could have had one (any link for a bare matrix start)
    const pool = new Set(this.pool.map(linkKey));
    const anyLink = s.start.kind === 'matrix' && s.start.architecture === undefined;
    const ctx = certificateContext(s, this.problem, {
      poll: () => this.loop.poll('polish'),
      ...(anyLink ? {} : { allowed: (l: Link) => pool.has(linkKey(l)) }),
    });
    let checked: { circuit: Circuit; certificate: Certificate };
    try {
      checked = await new MinimalityCheck(ctx).certify(a.circuit);
    } catch (e) {
      if (e instanceof Cancelled) return refuse('the run was stopped during the check');
      if (e instanceof NotSolvedError) return refuse(e.message);
      throw e;
    }
    let attempt = a;
    if (checked.circuit.weights.length < linksBefore) {
      attempt = await this.polished(checked.circuit, a.stopReason);
      // a polish that loses the verdict (never seen) leaves the certified weights as they were
      if (!attempt.passed) attempt = this.judged(checked.circuit, a.stopReason);
    }
    const c = checked.certificate;
    this.state = { ...this.state, circuit: attempt.circuit };
    this.emit({
      kind: 'certificate',
      ...this.stamp(),
      linksBefore,
      removals: c.removals,
      necessary: c.necessary,
      bypasses: c.bypasses,
      bounds,
      trainLoss: attempt.train.preregLoss,
      validationWorst: attempt.validation.worst,
      trials: c.trials,
      trialSteps: c.steps,
    });
    return { attempt, certificate: { ...c, trainLoss: attempt.train.preregLoss, validationWorst: attempt.validation.worst } };
  }

  /** `circuit` polished (the schedule's polish), judged as an attempt; a stop during the polish keeps what it reached. */
  private async polished(circuit: Circuit, stopReason: StopReason): Promise<Attempt> {
    this.state = this.surgery.fresh(copyCircuit(circuit), this.schedule.polish.lr);
    await this.rebuild();
    try {
      await this.polish();
    } catch (e) {
      if (!(e instanceof Cancelled)) throw e;
    }
    return this.judged(this.state.circuit, stopReason);
  }

  /** The verdict of `circuit` as it is. */
  private judged(circuit: Circuit, stopReason: StopReason): Attempt {
    const s = this.schedule;
    const objective = new SetObjective(circuit, s.training.strings, this.alphabet, 'exact', undefined, this.targets);
    const train = objective.fitFull(circuit.weights);
    const spec = circuitToSpec(circuit);
    const validation = runTestSuite(spec, s.restarts.validation, this.targets);
    const failures = attemptFailures(s.restarts, train, validation, circuit.weights.length);
    return judgeAttempt(circuit, spec, train, validation, stopReason, failures);
  }

  /** One attempt from the current starting circuit: passes of dense training, sparsification, polish, regrow. */
  private async attempt(): Promise<Attempt> {
    const s = this.schedule;
    const attemptStart = this.events.length;
    let stopReason: StopReason;
    let train: Fit | undefined;
    try {
      await this.rebuild();
      this.snapshot('start');
      let outcome = await this.pass(s.dense.steps, s.optimizer.lr);
      for (;;) {
        if (outcome === 'regrow') {
          // the structure cannot fit exactly: regrow links among its neurons and go again
          this.regrows++;
          this.regrow(this.regrows);
          await this.rebuild();
          outcome = await this.pass(s.regrow.steps, s.regrow.lr);
          continue;
        }
        stopReason = outcome;
        train = await this.polish();
        if (train.preregLoss <= s.regrow.above || this.regrows >= s.regrow.max || this.loop.budgetLeft <= 0) break;
        outcome = 'regrow';
      }
    } catch (e) {
      if (!(e instanceof Cancelled)) throw e;
      stopReason = 'cancelled';
    }
    train ??= this.objective.fitFull(this.state.circuit.weights);
    const spec = circuitToSpec(this.state.circuit);
    const validation = runTestSuite(spec, s.restarts.validation, this.targets);
    const failures = attemptFailures(s.restarts, train, validation, this.softLinks);
    const diagnosis = failures.length ? diagnose(this.events.slice(attemptStart), stopReason) : [];
    this.emit({
      kind: 'verdict',
      ...this.stamp(),
      passed: failures.length === 0,
      trainLoss: train.preregLoss,
      validationWorst: validation.worst,
      failures,
      ...(diagnosis.length ? { diagnosis } : {}),
    });
    const judged = judgeAttempt(this.state.circuit, spec, train, validation, stopReason, failures);
    return diagnosis.length ? { ...judged, verdict: `${judged.verdict} (${diagnosis.join('; ')})` } : judged;
  }

  /** Polish: a fresh optimiser, a decaying learning rate, the polish λ1; the fit on full windows. */
  private async polish(): Promise<Fit> {
    const s = this.schedule;
    if (s.polish.steps > 0) {
      this.emit({ kind: 'phase', phase: 'polish', ...this.stamp() });
      await this.resetOptimizer(s.polish.lr);
      await this.train(s.polish.steps, 'polish', { lr: s.polish.lr, l1: s.polish.l1, decay: true, ignoreBudget: true });
    }
    return this.objective.fitFull(this.state.circuit.weights);
  }

  /**
   * Prune-and-regrow: every link of the starting circuit between neurons the circuit
   * still uses comes back (new ones at regrow.scale·N(0,1), seeded), so that training
   * can rewire what pruning got wrong.
   */
  private regrow(round: number): void {
    const s = this.schedule;
    const { circuit } = this.state;
    const used = new Set(circuit.base.neurons.filter((n) => !neuronType(n.type).interneuron).map((n) => n.name));
    // a pruned start names the neurons meant to be used, even those it has lost links of
    for (const n of this.startNeurons) used.add(n);
    for (const l of circuit.links) {
      used.add(l.to);
      used.add(l.from);
    }
    const have = new Map(circuit.links.map((l, i) => [linkLabel(l), circuit.weights[i] as number]));
    const rng = new Rng(s.seed, STREAM.regrow, round);
    // parameter order is the sorted order: the weights below follow it
    const links = sortedLinks(this.pool.filter((l) => used.has(l.to) && used.has(l.from)));
    const weights = Float64Array.from(links, (l) => have.get(linkLabel(l)) ?? s.regrow.scale * rng.normal());
    const before = circuit.weights.length;
    this.state = this.surgery.fresh({ base: circuit.base, links, weights }, s.optimizer.lr);
    this.lambda1 = s.rounds.l1.start;
    this.emit({ kind: 'regrow', ...this.stamp(), round, added: links.length - before });
  }

  /** One pass: train the current circuit (dense-like), then sparsify until a stop rule fires. */
  private async pass(denseSteps: number, lr: number): Promise<StopReason | 'regrow'> {
    const s = this.schedule;
    const r = s.rounds;
    this.emit({ kind: 'phase', phase: 'dense', ...this.stamp() });
    await this.resetOptimizer(lr);
    const dense = await this.train(denseSteps, 'dense', {
      lr,
      l1: s.dense.l1,
      l2: s.dense.l2,
      decay: s.dense.lrDecay,
      // a prune asked for during the dense phase ends it: sparsification starts there
      until: (fit) => fit.preregLoss <= s.dense.until || this.loop.pendingPrunes.length > 0,
    });
    let best = dense.fit?.preregLoss ?? this.objective.fitFull(this.state.circuit.weights).preregLoss;
    this.emit({ kind: 'phase', phase: 'sparsify', ...this.stamp() });
    this.simplify({ reset: false });
    await this.rebuild();
    let fine = this.softLinks <= r.fineBelow;
    let scale = 1;
    let threshold = r.cut.kind === 'threshold' ? r.cut.threshold : 0;
    const regrowNow = (polished: number): boolean => shouldRegrow(s, polished, this.regrows, this.loop.budgetLeft, this.softLinks);
    if (fine) {
      best = await this.enterFine('below fineBelow at the start');
      if (regrowNow(best)) return 'regrow';
    }
    for (;;) {
      // prunes asked for during the last round apply between rounds (a backtrack cannot undo them)
      await this.applyPrunes();
      if (this.softLinks <= s.stop.targetLinks) return 'target';
      if (this.loop.budgetLeft <= 0) return 'budget';
      this.round++;
      const round = this.round;
      const candidates = fine ? fineCandidates(this.objective, this.state.circuit).slice(0, r.fineTries) : [];
      if (!fine) {
        const c = coarseCut(this.objective, this.state.circuit, r.cut, scale, threshold);
        if (c) candidates.push(c);
      }
      if (candidates.length === 0) {
        // coarse cuts have shrunk to nothing: continue one at a time
        fine = true;
        best = await this.enterFine('coarse cuts no longer recover');
        if (regrowNow(best)) return 'regrow';
        continue;
      }
      let accepted = false;
      for (let attempt = 0; attempt < candidates.length; attempt++) {
        const c = candidates[attempt] as Candidate;
        const target = acceptTarget(r, fine, best);
        const saved = saveState(this.state);
        const linksBefore = this.softLinks;
        const lr = fine ? r.retrain.fineLr : r.retrain.lr;
        const follow: OptimizerFollow = fine || r.retrain.optimizer === 'reset' ? { reset: true, lr } : { reset: false };
        const removed = this.removeLinks(c.drop, follow);
        this.emit({
          kind: 'cut',
          ...this.stamp(),
          round,
          attempt: attempt + 1,
          rule: c.rule,
          removed,
          linksBefore,
          lambda1: this.lambda1,
          target,
        });
        this.simplify(follow);
        await this.rebuild();
        const outcome = await this.retrain(target, fine);
        if (outcome.accepted) {
          this.emit({ kind: 'accept', ...this.stamp(), round, preregLoss: outcome.preregLoss, target, retrainSteps: outcome.steps });
          this.snapshot('accept');
          best = Math.min(best, outcome.preregLoss);
          this.lambda1 = Math.min(this.lambda1 * r.l1.factor, r.l1.max);
          if (r.cut.kind === 'threshold') threshold *= r.cut.factor;
          scale = Math.min(1, scale / r.backtrack.gentler);
          accepted = true;
          break;
        }
        const restored = linksBefore - this.softLinks;
        this.state = saved;
        await this.rebuild();
        const next = afterBacktrack(r, fine, outcome.outOfBudget, candidates[attempt + 1]);
        this.emit({
          kind: 'backtrack',
          ...this.stamp(),
          round,
          preregLoss: outcome.preregLoss,
          target,
          retrainSteps: outcome.steps,
          restored,
          next,
        });
        if (outcome.outOfBudget) return 'budget';
        if (!fine) scale *= r.backtrack.gentler;
      }
      if (!accepted && fine) return 'stalled';
      if (!fine && this.softLinks <= r.fineBelow) {
        fine = true;
        best = await this.enterFine(`${this.softLinks} soft links ≤ fineBelow ${r.fineBelow}`);
        if (regrowNow(best)) return 'regrow';
      }
    }
  }

  /**
   * Switches to one-at-a-time cuts: polishes the circuit first (fresh optimiser, no λ1) so
   * that each candidate is judged against the best this structure can do.
   */
  private async enterFine(reason: string): Promise<number> {
    const s = this.schedule;
    this.emit({ kind: 'fine', ...this.stamp(), reason });
    await this.resetOptimizer(s.rounds.retrain.fineLr);
    const { fit } = await this.train(s.polish.steps, 'sparsify', { lr: s.rounds.retrain.fineLr, l1: 0, decay: true });
    return fit?.preregLoss ?? this.objective.fitFull(this.state.circuit.weights).preregLoss;
  }
}

/** Runs a schedule to the end. */
export function synthesize(schedule: Schedule, hooks?: SynthesisHooks): Promise<SynthesisResult> {
  return new Synthesizer(schedule, hooks).run();
}
