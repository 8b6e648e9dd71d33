/**
 * Unattended synthesis (spec §5, automated): a dense phase, then sparsification rounds —
 * raise λ1, cut, drop what cannot matter, retrain — with automatic backtracking, then a
 * polish. Coarse rounds cut many small weights at once and halve a cut that does not
 * recover; below `fineBelow` soft links (or when coarse cuts stop working) the rounds try
 * one neuron or one link at a time. Every decision is an event with the numbers behind it.
 *
 * Deterministic: the same schedule (seed included) gives the same circuit, bit for bit.
 */
import { Adam } from '../optim/adam';
import { neuronType } from '../machine/neuron-types';
import { linkLabel, type Link, type MachineSpec } from '../machine/spec';
import { Rng } from '../util/rng';
import { TargetCache } from '../problems/duplicates/loss';
import {
  applyMerges,
  applyNeuronMerges,
  duplicateNeurons,
  linkKey,
  circuitToSpec,
  complement,
  copyCircuit,
  deadLinks,
  interneuronsOf,
  keepLinks,
  parallelMerges,
  sortedLinks,
  type Circuit,
} from './circuit';
import { alphabetOf } from './dataset';
import type { ControlRecord, Phase, StepMetrics, SynthesisEvent } from './events';
import { SetObjective, type Fit } from './objective';
import type { Schedule } from './schedule';
import { regrowPool, startCircuit, STREAM } from './start';
import { runTestSuite, type TestReport } from './test-suite';
import { GradientTrainer, type Trainer } from './trainer';

export interface SynthesisHooks {
  onStep?(m: StepMetrics): void;
  onEvent?(e: SynthesisEvent): void;
  /** Polled between steps; true ends the run (reason `cancelled`) after a polish-free report. */
  cancelled?(): boolean;
  /** The optimiser to use; default: exact gradients (the host supplies ES with worker threads). */
  trainer?: Trainer;
  /** A starting circuit that overrides the schedule's start point (e.g. resuming). */
  circuit?: Circuit;
  /**
   * Awaited between optimiser steps: may hold the run (pause) and returns the attended-run
   * controls to apply now (each recorded as a `control` event).
   */
  between?(): Promise<readonly SynthesisControl[]> | readonly SynthesisControl[];
  /**
   * Receives the circuit at the start, after every accepted cut and prune, every
   * `snapshotEvery` steps (the weights that step starts from) and at the end. (A cut's
   * circuit is the last snapshot minus the links its event names; a backtrack restores it.)
   */
  onSnapshot?(s: CircuitSnapshot): void;
  /** Interval snapshots every this many steps (0 or absent: none). */
  snapshotEvery?: number;
}

/** The attended-run controls of the 2022 workflow. */
export type SynthesisControl = ControlRecord;

export interface CircuitSnapshot {
  /** Optimiser steps done to reach these weights. */
  readonly step: number;
  readonly reason: 'start' | 'interval' | 'cut' | 'accept' | 'backtrack' | 'prune' | 'final';
  readonly links: readonly Link[];
  readonly weights: Float64Array;
  /**
   * Training loss without regulariser of exactly these weights, on the windows of the step
   * that follows (step + 1; full windows without a curriculum): what that step reports.
   */
  readonly preregLoss: number;
}

export type StopReason = Extract<SynthesisEvent, { kind: 'stop' }>['reason'];

export interface SynthesisResult {
  readonly spec: MachineSpec;
  readonly circuit: Circuit;
  readonly softLinks: number;
  /** Fit on the training set's full windows, after the polish. */
  readonly train: Fit;
  /** The schedule's validation strings (training-side data the run may use to decide). */
  readonly validation: TestReport;
  /** The held-out test suite (never used by the run). */
  readonly test: TestReport;
  readonly steps: number;
  readonly stopReason: StopReason;
  readonly events: readonly SynthesisEvent[];
}

interface Candidate {
  readonly rule: string;
  /** Soft links to remove (indices into the current circuit). */
  readonly drop: readonly number[];
}

interface RetrainOutcome {
  readonly accepted: boolean;
  readonly preregLoss: number;
  readonly steps: number;
  readonly outOfBudget: boolean;
}

class Cancelled extends Error {}

interface Attempt {
  readonly circuit: Circuit;
  readonly spec: MachineSpec;
  readonly train: Fit;
  readonly validation: TestReport;
  readonly stopReason: StopReason;
  readonly passed: boolean;
  readonly verdict: string;
  readonly rank: number;
}

export class Synthesizer {
  private circuit: Circuit;
  private adam: Adam;
  private objective!: SetObjective;
  private readonly trainer: Trainer;
  private readonly targets = new TargetCache();
  private readonly alphabet: string[];
  private readonly events: SynthesisEvent[] = [];
  private steps = 0;
  private round = 0;
  private regrows = 0;
  private lambda1: number;
  /** The soft links the run started with: what regrowing draws from. */
  private pool: readonly Link[];
  /** Interneurons of a pruned start (at most fineBelow soft links): regrowing may use them all. */
  private startNeurons: readonly string[] = [];
  /** Step count at the start of the current attempt (budgets are per attempt). */
  private attemptStart = 0;
  /** Overrides set by attended-run controls; they hold for the rest of the run. */
  private override: { lambda1?: number; lr?: number } = {};
  /** Prune thresholds received, applied at the next point where the structure may change. */
  private pendingPrunes: number[] = [];

  constructor(
    private readonly schedule: Schedule,
    private readonly hooks: SynthesisHooks = {},
  ) {
    this.circuit = this.startingCircuit(0);
    this.pool = hooks.circuit ? this.circuit.links.slice() : regrowPool(schedule.start, this.circuit, schedule.seed);
    this.startNeurons = this.prunedStartNeurons();
    this.adam = this.freshAdam(schedule.optimizer.lr);
    this.trainer = hooks.trainer ?? new GradientTrainer();
    if (schedule.estimator.kind === 'es' && this.trainer.kind !== 'es') {
      throw new Error('this schedule asks for evolution strategies: pass an ES trainer in the hooks');
    }
    this.alphabet = alphabetOf([schedule.training.strings, schedule.testSuite]);
    this.lambda1 = schedule.rounds.l1.start;
  }

  private freshAdam(lr: number, size = this.circuit.weights.length): Adam {
    return new Adam(size, { ...this.schedule.optimizer, lr });
  }

  private emit(e: SynthesisEvent): void {
    this.events.push(e);
    this.hooks.onEvent?.(e);
  }

  private base() {
    return { step: this.steps, softLinks: this.circuit.weights.length };
  }

  /** Recompiles the objective for the current structure and lets the trainer resync. */
  private async rebuild(): Promise<void> {
    const s = this.schedule;
    const mode = s.estimator.kind === 'gradient' ? s.estimator.gradients : 'exact';
    this.objective = new SetObjective(this.circuit, s.training.strings, this.alphabet, mode, s.training.curriculum, this.targets);
    await this.trainer.sync(this.circuit, this.adam);
  }

  private get budgetLeft(): number {
    return this.schedule.stop.stepBudget - (this.steps - this.attemptStart);
  }

  /** Attempts after the first start from a fresh random initialisation (seed stream `attempt`). */
  private get canRestart(): boolean {
    return !this.hooks.circuit && this.schedule.start.kind !== 'matrix';
  }

  private prunedStartNeurons(): string[] {
    return this.circuit.links.length <= this.schedule.rounds.fineBelow ? interneuronsOf(this.circuit) : [];
  }

  private startingCircuit(attempt: number): Circuit {
    if (this.hooks.circuit) return copyCircuit(this.hooks.circuit);
    const seed = attempt === 0 ? this.schedule.seed : new Rng(this.schedule.seed, STREAM.restart, attempt).nextUint32() >>> 1;
    return startCircuit(this.schedule.start, seed);
  }

  /**
   * Up to `n` optimiser steps (fewer if the budget runs out or `until` returns true).
   * The learning rate decays linearly to 10 % over the n steps when `decay` is set.
   */
  private async train(
    n: number,
    phase: Phase,
    opts: { lr: number; l1: number; l2?: number; decay?: boolean; until?: (fit: Fit, done: number) => boolean; ignoreBudget?: boolean },
  ): Promise<{ fit: Fit | undefined; done: number }> {
    let fit: Fit | undefined;
    let done = 0;
    for (; done < n;) {
      if (this.hooks.between) this.takeControls(await this.hooks.between(), phase);
      if (this.hooks.cancelled?.()) throw new Cancelled();
      if (!opts.ignoreBudget && this.budgetLeft <= 0) break;
      const baseLr = this.override.lr ?? opts.lr;
      const lr = opts.decay ? baseLr * (1 - (0.9 * done) / Math.max(1, n)) : baseLr;
      const l1 = this.override.lambda1 ?? opts.l1;
      this.adam.settings = { ...this.adam.settings, lr };
      this.steps++;
      done++;
      // interval snapshots are the weights after every `every` steps, taken as the next step
      // starts from them: that step's own fit is their loss
      const every = this.hooks.snapshotEvery ?? 0;
      const before =
        every > 0 && this.hooks.onSnapshot && this.steps > 1 && (this.steps - 1) % every === 0
          ? Float64Array.from(this.circuit.weights)
          : undefined;
      fit = await this.trainer.step({
        objective: this.objective,
        w: this.circuit.weights,
        adam: this.adam,
        reg: { l1, l2: opts.l2 ?? 0 },
        step: this.steps,
      });
      this.hooks.onStep?.({
        step: this.steps,
        phase,
        preregLoss: fit.preregLoss,
        loss: fit.loss,
        l1: fit.l1,
        lambda1: l1,
        softLinks: this.circuit.weights.length,
      });
      if (before)
        this.hooks.onSnapshot?.({
          step: this.steps - 1,
          reason: 'interval',
          links: this.circuit.links.slice(),
          weights: before,
          preregLoss: fit.preregLoss,
        });
      if (!Number.isFinite(fit.loss)) break;
      if (opts.until?.(fit, done)) break;
    }
    return { fit, done };
  }

  /** Records controls received between steps; prunes wait for a point where the structure may change. */
  private takeControls(controls: readonly SynthesisControl[], phase: Phase): void {
    for (const c of controls) {
      if (c.kind === 'set') {
        if (c.lambda1 !== undefined) {
          this.override.lambda1 = c.lambda1;
          this.lambda1 = c.lambda1;
        }
        if (c.lr !== undefined) this.override.lr = c.lr;
      } else {
        this.pendingPrunes.push(c.threshold);
      }
      this.emit({ kind: 'control', ...this.base(), control: c, phase });
    }
  }

  /** Applies pending prunes (every soft link with |w| below the largest threshold goes). */
  private async applyPrunes(): Promise<boolean> {
    if (!this.pendingPrunes.length) return false;
    const threshold = Math.max(...this.pendingPrunes);
    this.pendingPrunes = [];
    const drop = Array.from(this.circuit.weights.keys()).filter((i) => Math.abs(this.circuit.weights[i] as number) < threshold);
    const linksBefore = this.circuit.weights.length;
    const removed = drop.length ? this.removeLinks(drop, false, this.schedule.rounds.retrain.lr) : [];
    this.emit({ kind: 'prune', ...this.base(), threshold, removed, linksBefore });
    if (drop.length) {
      this.simplify(false, this.schedule.rounds.retrain.lr);
      await this.rebuild();
    }
    this.snapshot('prune');
    return drop.length > 0;
  }

  /** Hands the current circuit to the snapshot hook, with the loss of exactly these weights. */
  private snapshot(reason: CircuitSnapshot['reason']): void {
    if (!this.hooks.onSnapshot) return;
    const weights = Float64Array.from(this.circuit.weights);
    const preregLoss = this.objective.evaluate(weights, { l1: 0, l2: 0 }, this.steps + 1).preregLoss;
    this.hooks.onSnapshot({ step: this.steps, reason, links: this.circuit.links.slice(), weights, preregLoss });
  }

  /** Removes soft links (old indices), following with the optimiser state. */
  private removeLinks(drop: readonly number[], resetOptimizer: boolean, lr: number): Link[] {
    const keep = complement(this.circuit, drop);
    const removed = drop.map((i) => this.circuit.links[i] as Link);
    this.circuit = keepLinks(this.circuit, keep);
    this.adam = resetOptimizer ? this.freshAdam(lr) : this.adam.trimmed(keep);
    return removed;
  }

  /** Drops dead links, merges parallel links and duplicate neurons, with events. */
  private simplify(resetOptimizer: boolean, lr: number): void {
    const r = this.schedule.rounds;
    if (r.mergeParallel) {
      const merges = parallelMerges(this.circuit);
      if (merges.length) {
        const { circuit, keep } = applyMerges(this.circuit, merges);
        this.circuit = circuit;
        this.adam = resetOptimizer ? this.freshAdam(lr) : this.adam.trimmed(keep);
        this.emit({ kind: 'merge', ...this.base(), merged: merges.map((m) => m.label) });
      }
      const allowed = new Set([...this.pool, ...this.circuit.links].map(linkKey));
      const duplicates = duplicateNeurons(this.circuit, allowed);
      if (duplicates.length) {
        this.circuit = applyNeuronMerges(this.circuit, duplicates);
        this.adam = this.freshAdam(lr);
        this.emit({
          kind: 'merge',
          ...this.base(),
          merged: duplicates.map((d) => `neuron ${d.removed} into ${d.kept} (×${d.factor.toPrecision(4)})`),
        });
      }
    }
    if (r.dropDead) {
      const dead = deadLinks(this.circuit);
      if (dead.length) {
        const removed = this.removeLinks(dead, resetOptimizer, lr);
        this.emit({ kind: 'drop-dead', ...this.base(), removed });
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
    // a retrain whose loss stopped being finite never recovers (train() stops before `until` sees it)
    const finite = fit !== undefined && Number.isFinite(fit.loss);
    const accepted = finite && !aborted && last <= target;
    return { accepted, preregLoss: last, steps: done, outOfBudget: !accepted && this.budgetLeft <= 0 };
  }

  /** Soft link indices from the least to the most contributing (ties by index). */
  private byContribution(): { order: number[]; contribution: Float64Array } {
    const contribution = this.objective.contributions(this.circuit.weights);
    const order = Array.from(contribution.keys()).sort((a, b) => (contribution[a] as number) - (contribution[b] as number) || a - b);
    return { order, contribution };
  }

  /**
   * Coarse cut of the current circuit by the schedule's rule, scaled by `scale`
   * (backtracking). Links are ranked by contribution (|w| × their source's RMS activity);
   * the threshold rule compares |w| itself.
   */
  private coarseCut(scale: number, threshold: number): Candidate | undefined {
    const w = this.circuit.weights;
    const { order } = this.byContribution();
    const cut = this.schedule.rounds.cut;
    let k: number;
    let rule: string;
    if (cut.kind === 'threshold') {
      k = Array.from(w).filter((x) => Math.abs(x) < threshold).length;
      k = Math.floor(k * scale);
      rule = `threshold ${threshold.toPrecision(3)}`;
      if (k < 1) return undefined;
      const byMagnitude = Array.from(w.keys()).sort((a, b) => Math.abs(w[a] as number) - Math.abs(w[b] as number) || a - b);
      return { rule, drop: byMagnitude.slice(0, k) };
    }
    if (cut.kind === 'fraction') {
      k = Math.floor(w.length * cut.fraction * scale);
      rule = `fraction ${(cut.fraction * scale).toPrecision(3)}`;
    } else {
      k = Math.floor(cut.count * scale);
      rule = `count ${k}`;
    }
    if (k < 1) return undefined;
    return { rule, drop: order.slice(0, Math.min(k, w.length)) };
  }

  /** Fine candidates: each interneuron (all its soft links), least contributing first, then each link. */
  private fineCandidates(): Candidate[] {
    const { links } = this.circuit;
    const { order, contribution } = this.byContribution();
    const outContribution = (n: string) => links.reduce((s, l, i) => s + (l.from === n ? (contribution[i] as number) : 0), 0);
    const neurons = interneuronsOf(this.circuit)
      .map((n) => [n, outContribution(n)] as const)
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    const out: Candidate[] = neurons.map(([n]) => ({
      rule: `neuron ${n}`,
      drop: links.flatMap((l, i) => (l.to === n || l.from === n ? [i] : [])),
    }));
    for (const i of order) out.push({ rule: `link ${linkLabel(links[i] as Link)}`, drop: [i] });
    return out;
  }

  async run(): Promise<SynthesisResult> {
    const s = this.schedule;
    const attempts = this.canRestart ? s.restarts.max + 1 : 1;
    let best: Attempt | undefined;
    let cancelled = false;
    for (let attempt = 0; attempt < attempts && !cancelled; attempt++) {
      if (attempt > 0) {
        this.circuit = this.startingCircuit(attempt);
        this.pool = regrowPool(s.start, this.circuit, s.seed);
        this.startNeurons = this.prunedStartNeurons();
        this.adam = this.freshAdam(s.optimizer.lr);
        this.lambda1 = s.rounds.l1.start;
        this.regrows = 0;
        this.attemptStart = this.steps;
        this.emit({ kind: 'restart', ...this.base(), attempt: attempt + 1, reason: best?.verdict ?? '' });
      }
      const a = await this.attempt();
      cancelled = a.stopReason === 'cancelled';
      if (!best || a.rank < best.rank) best = a;
      if (a.passed) break;
    }
    const a = best as Attempt;
    this.circuit = a.circuit;
    if (this.hooks.onSnapshot) {
      await this.rebuild();
      this.snapshot('final');
    }
    this.emit({ kind: 'stop', ...this.base(), reason: a.stopReason, preregLoss: a.train.preregLoss });
    return {
      spec: a.spec,
      circuit: a.circuit,
      softLinks: a.circuit.weights.length,
      train: a.train,
      validation: a.validation,
      test: runTestSuite(a.spec, s.testSuite, this.targets),
      steps: this.steps,
      stopReason: a.stopReason,
      events: this.events,
    };
  }

  /** One attempt from the current starting circuit: passes of dense training, sparsification, polish, regrow. */
  private async attempt(): Promise<Attempt> {
    const s = this.schedule;
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
        if (train.preregLoss <= s.regrow.above || this.regrows >= s.regrow.max || this.budgetLeft <= 0) break;
        outcome = 'regrow';
      }
    } catch (e) {
      if (!(e instanceof Cancelled)) throw e;
      stopReason = 'cancelled';
    }
    train ??= this.objective.fitFull(this.circuit.weights);
    const spec = circuitToSpec(this.circuit);
    const validation = runTestSuite(spec, s.restarts.validation, this.targets);
    const links = this.circuit.weights.length;
    const r = s.restarts;
    const failures = [
      // written as !(x <= bound) so that NaN fails
      !(train.preregLoss <= r.trainLoss) ? `training loss ${train.preregLoss.toPrecision(3)} > ${r.trainLoss}` : '',
      !(validation.worst <= r.validationWorst) ? `validation worst ${validation.worst.toPrecision(3)} > ${r.validationWorst}` : '',
      links > r.links ? `${links} soft links > ${r.links}` : '',
    ].filter(Boolean);
    this.emit({
      kind: 'verdict',
      ...this.base(),
      passed: failures.length === 0,
      trainLoss: train.preregLoss,
      validationWorst: validation.worst,
      failures,
    });
    return {
      circuit: copyCircuit(this.circuit),
      spec,
      train,
      validation,
      stopReason,
      passed: failures.length === 0,
      verdict: failures.join(', '),
      // fewer failures first, then the validation error, then the size
      rank: failures.length * 1e9 + (Number.isNaN(validation.worst) ? 1e9 : Math.min(validation.worst, 1e6) * 1e3) + links,
    };
  }

  /** Polish: a fresh optimiser, a decaying learning rate, the polish λ1; the fit on full windows. */
  private async polish(): Promise<Fit> {
    const s = this.schedule;
    if (s.polish.steps > 0) {
      this.emit({ kind: 'phase', phase: 'polish', ...this.base() });
      this.adam = this.freshAdam(s.polish.lr);
      await this.trainer.sync(this.circuit, this.adam);
      await this.train(s.polish.steps, 'polish', { lr: s.polish.lr, l1: s.polish.l1, decay: true, ignoreBudget: true });
    }
    return this.objective.fitFull(this.circuit.weights);
  }

  /**
   * Prune-and-regrow: every link of the starting circuit between neurons the circuit
   * still uses comes back (new ones at regrow.scale·N(0,1), seeded), so that training
   * can rewire what pruning got wrong.
   */
  private regrow(round: number): void {
    const s = this.schedule;
    const used = new Set(this.circuit.base.neurons.filter((n) => !neuronType(n.type).interneuron).map((n) => n.name));
    // a pruned start names the neurons meant to be used, even those it has lost links of
    for (const n of this.startNeurons) used.add(n);
    for (const l of this.circuit.links) {
      used.add(l.to);
      used.add(l.from);
    }
    const have = new Map(this.circuit.links.map((l, i) => [linkLabel(l), this.circuit.weights[i] as number]));
    const rng = new Rng(s.seed, STREAM.regrow, round);
    // parameter order is the sorted order: the weights below follow it
    const links = sortedLinks(this.pool.filter((l) => used.has(l.to) && used.has(l.from)));
    const weights = Float64Array.from(links, (l) => have.get(linkLabel(l)) ?? s.regrow.scale * rng.normal());
    const before = this.circuit.weights.length;
    this.circuit = { base: this.circuit.base, links, weights };
    this.adam = this.freshAdam(s.optimizer.lr);
    this.lambda1 = s.rounds.l1.start;
    this.emit({ kind: 'regrow', ...this.base(), round, added: links.length - before });
  }

  /** One pass: train the current circuit (dense-like), then sparsify until a stop rule fires. */
  private async pass(denseSteps: number, lr: number): Promise<StopReason | 'regrow'> {
    const s = this.schedule;
    this.emit({ kind: 'phase', phase: 'dense', ...this.base() });
    this.adam = this.freshAdam(lr);
    await this.trainer.sync(this.circuit, this.adam);
    const dense = await this.train(denseSteps, 'dense', {
      lr,
      l1: s.dense.l1,
      l2: s.dense.l2,
      decay: s.dense.lrDecay,
      // a prune asked for during the dense phase ends it: sparsification starts there
      until: (fit) => fit.preregLoss <= s.dense.until || this.pendingPrunes.length > 0,
    });
    let best = dense.fit?.preregLoss ?? this.objective.fitFull(this.circuit.weights).preregLoss;
    this.emit({ kind: 'phase', phase: 'sparsify', ...this.base() });
    this.simplify(false, s.rounds.retrain.lr);
    await this.rebuild();
    let fine = this.circuit.weights.length <= s.rounds.fineBelow;
    let scale = 1;
    let threshold = s.rounds.cut.kind === 'threshold' ? s.rounds.cut.threshold : 0;
    if (fine) {
      best = await this.enterFine('below fineBelow at the start');
      if (this.shouldRegrow(best)) return 'regrow';
    }
    for (;;) {
      // prunes asked for during the last round apply between rounds (a backtrack cannot undo them)
      await this.applyPrunes();
      if (this.circuit.weights.length <= s.stop.targetLinks) return 'target';
      if (this.budgetLeft <= 0) return 'budget';
      this.round++;
      const round = this.round;
      const candidates = fine ? this.fineCandidates().slice(0, s.rounds.fineTries) : [];
      if (!fine) {
        const c = this.coarseCut(scale, threshold);
        if (c) candidates.push(c);
      }
      if (candidates.length === 0) {
        // coarse cuts have shrunk to nothing: continue one at a time
        fine = true;
        best = await this.enterFine('coarse cuts no longer recover');
        if (this.shouldRegrow(best)) return 'regrow';
        continue;
      }
      let accepted = false;
      for (let attempt = 0; attempt < candidates.length; attempt++) {
        const c = candidates[attempt] as Candidate;
        const target = Math.max(fine ? s.rounds.accept.fineCeiling : s.rounds.accept.ceiling, (1 + s.rounds.accept.tolerance) * best);
        const saved = { circuit: copyCircuit(this.circuit), adam: this.adam };
        const linksBefore = this.circuit.weights.length;
        const lr = fine ? s.rounds.retrain.fineLr : s.rounds.retrain.lr;
        const reset = fine || s.rounds.retrain.optimizer === 'reset';
        const removed = this.removeLinks(c.drop, reset, lr);
        this.emit({
          kind: 'cut',
          ...this.base(),
          round,
          attempt: attempt + 1,
          rule: c.rule,
          removed,
          linksBefore,
          lambda1: this.lambda1,
          target,
        });
        this.simplify(reset, lr);
        await this.rebuild();
        const r = await this.retrain(target, fine);
        if (r.accepted) {
          this.emit({ kind: 'accept', ...this.base(), round, preregLoss: r.preregLoss, target, retrainSteps: r.steps });
          this.snapshot('accept');
          best = Math.min(best, r.preregLoss);
          this.lambda1 = Math.min(this.lambda1 * s.rounds.l1.factor, s.rounds.l1.max);
          if (s.rounds.cut.kind === 'threshold') threshold *= s.rounds.cut.factor;
          scale = Math.min(1, scale / s.rounds.backtrack.gentler);
          accepted = true;
          break;
        }
        const restored = linksBefore - this.circuit.weights.length;
        this.circuit = saved.circuit;
        this.adam = saved.adam;
        await this.rebuild();
        const next = r.outOfBudget
          ? 'step budget spent'
          : fine
            ? attempt + 1 < candidates.length
              ? `try ${(candidates[attempt + 1] as Candidate).rule}`
              : 'no candidate left'
            : `cut ${s.rounds.backtrack.gentler}× as much`;
        this.emit({ kind: 'backtrack', ...this.base(), round, preregLoss: r.preregLoss, target, retrainSteps: r.steps, restored, next });
        if (r.outOfBudget) return 'budget';
        if (!fine) scale *= s.rounds.backtrack.gentler;
      }
      if (!accepted && fine) return 'stalled';
      if (!fine && this.circuit.weights.length <= s.rounds.fineBelow) {
        fine = true;
        best = await this.enterFine(`${this.circuit.weights.length} soft links ≤ fineBelow ${s.rounds.fineBelow}`);
        if (this.shouldRegrow(best)) return 'regrow';
      }
    }
  }

  /** A polished fit this far from exact means the structure is wrong: regrow if allowed. */
  private shouldRegrow(polishedLoss: number): boolean {
    const s = this.schedule;
    return (
      polishedLoss > s.regrow.above &&
      this.regrows < s.regrow.max &&
      this.budgetLeft > 0 &&
      this.circuit.weights.length <= s.rounds.fineBelow
    );
  }

  /**
   * Switches to one-at-a-time cuts: polishes the circuit first (fresh optimiser, no λ1) so
   * that each candidate is judged against the best this structure can do.
   */
  private async enterFine(reason: string): Promise<number> {
    const s = this.schedule;
    this.emit({ kind: 'fine', ...this.base(), reason });
    this.adam = this.freshAdam(s.rounds.retrain.fineLr);
    await this.trainer.sync(this.circuit, this.adam);
    const { fit } = await this.train(s.polish.steps, 'sparsify', { lr: s.rounds.retrain.fineLr, l1: 0, decay: true });
    return fit?.preregLoss ?? this.objective.fitFull(this.circuit.weights).preregLoss;
  }
}

/** Runs a schedule to the end. */
export function synthesize(schedule: Schedule, hooks?: SynthesisHooks): Promise<SynthesisResult> {
  return new Synthesizer(schedule, hooks).run();
}
