/**
 * The training loop of synthesis: optimiser steps on the current circuit, with the run's
 * step count and per-attempt budget, the attended-run controls taken between steps (a new
 * λ1 or learning rate holds for the rest of the run; prunes wait until the structure may
 * change), cancellation, per-step metrics and interval snapshots.
 */
import type { Fit, SetObjective } from './objective';
import type { Phase } from './events';
import type { SynthesisControl, SynthesisHooks } from './hooks';
import type { TrainState } from './train-state';
import type { Trainer } from './trainer';

/** Thrown out of the loop when the hooks say the run is cancelled. */
export class Cancelled extends Error {}

export interface TrainOptions {
  readonly lr: number;
  readonly l1: number;
  readonly l2?: number;
  /** The learning rate decays linearly to 10 % over the steps asked for. */
  readonly decay?: boolean;
  /** Stops the loop after a step when it returns true. */
  readonly until?: (fit: Fit, done: number) => boolean;
  /** Runs past the attempt's step budget (the polish). */
  readonly ignoreBudget?: boolean;
}

/** The stability guards of a schedule (schedule.ts `stability`). */
export interface StabilityOptions {
  /** Undo a step whose loss rises above this multiple of the previous one (0: off). */
  readonly spikeFactor: number;
  /** The learning rate is multiplied by this after each undo. */
  readonly spikeLrFactor: number;
  /** Gradient-norm clipping (0: off). */
  readonly clipNorm: number;
}

/** What the spike guard reports of an undone step. */
export interface SpikeRecord {
  readonly step: number;
  readonly phase: Phase;
  readonly loss: number;
  readonly before: number;
  readonly lr: number;
}

/** Undos in one training call before the guard gives up (the call then ends at the last good weights). */
export const MAX_SPIKES_PER_CALL = 12;

export class TrainLoop {
  /** Optimiser steps of the run so far (all attempts). */
  steps = 0;
  /** Step count at the start of the current attempt (budgets are per attempt). */
  attemptStart = 0;
  /** Prune thresholds received, applied at the next point where the structure may change. */
  pendingPrunes: number[] = [];
  /** Overrides set by attended-run controls; they hold for the rest of the run. */
  private readonly override: { lambda1?: number; lr?: number } = {};

  constructor(
    private readonly hooks: SynthesisHooks,
    private readonly trainer: Trainer,
    private readonly stepBudget: number,
    /** Called for each control taken (after the loop has applied it), to record it. */
    private readonly onControl: (c: SynthesisControl, phase: Phase) => void,
    private readonly stability: StabilityOptions = { spikeFactor: 0, spikeLrFactor: 0.5, clipNorm: 0 },
    /** Called for each step the spike guard undoes, to record it. */
    private readonly onSpike: (s: SpikeRecord) => void = () => {},
  ) {}

  get budgetLeft(): number {
    return this.stepBudget - (this.steps - this.attemptStart);
  }

  /**
   * Up to `n` optimiser steps on `state` (fewer if the budget runs out or `until` returns
   * true); the weights change in place.
   */
  async train(
    state: TrainState,
    objective: SetObjective,
    n: number,
    phase: Phase,
    opts: TrainOptions,
  ): Promise<{ fit: Fit | undefined; done: number }> {
    const { hooks } = this;
    const { circuit, adam } = state;
    const { spikeFactor, spikeLrFactor, clipNorm } = this.stability;
    let fit: Fit | undefined;
    let done = 0;
    // the spike guard: the weights and optimiser state before the last kept step, and that step's loss
    let kept: { w: Float64Array; adam: ReturnType<typeof adam.state>; fit: Fit } | undefined;
    let lrScale = 1;
    let spikes = 0;
    for (; done < n;) {
      if (hooks.between) this.takeControls(await hooks.between(), phase);
      if (hooks.cancelled?.()) throw new Cancelled();
      if (!opts.ignoreBudget && this.budgetLeft <= 0) break;
      const baseLr = (this.override.lr ?? opts.lr) * lrScale;
      const lr = opts.decay ? baseLr * (1 - (0.9 * done) / Math.max(1, n)) : baseLr;
      const l1 = this.override.lambda1 ?? opts.l1;
      adam.settings = { ...adam.settings, lr };
      this.steps++;
      done++;
      const saved = spikeFactor > 0 ? { w: Float64Array.from(circuit.weights), adam: adam.state() } : undefined;
      // interval snapshots are the weights after every `every` steps, taken as the next step
      // starts from them: that step's own fit is their loss
      const every = hooks.snapshotEvery ?? 0;
      const before =
        every > 0 && hooks.onSnapshot && this.steps > 1 && (this.steps - 1) % every === 0 ? Float64Array.from(circuit.weights) : undefined;
      fit = await this.trainer.step({ objective, w: circuit.weights, adam, reg: { l1, l2: opts.l2 ?? 0 }, step: this.steps, clipNorm });
      if (kept && saved && !(fit.loss <= spikeFactor * kept.fit.loss)) {
        // the last kept step's update led here: back to the weights before it, at a smaller learning rate
        circuit.weights.set(kept.w);
        adam.restore(kept.adam);
        await this.trainer.sync(circuit, adam);
        lrScale *= spikeLrFactor;
        spikes++;
        this.onSpike({ step: this.steps, phase, loss: fit.loss, before: kept.fit.loss, lr: (this.override.lr ?? opts.lr) * lrScale });
        fit = kept.fit;
        if (spikes >= MAX_SPIKES_PER_CALL) break;
        continue;
      }
      if (saved) kept = { ...saved, fit };
      hooks.onStep?.({
        step: this.steps,
        phase,
        preregLoss: fit.preregLoss,
        loss: fit.loss,
        l1: fit.l1,
        lambda1: l1,
        softLinks: circuit.weights.length,
      });
      if (before) {
        hooks.onSnapshot?.({
          step: this.steps - 1,
          reason: 'interval',
          links: circuit.links.slice(),
          weights: before,
          preregLoss: fit.preregLoss,
        });
      }
      if (!Number.isFinite(fit.loss)) break;
      if (opts.until?.(fit, done)) break;
    }
    return { fit, done };
  }

  /**
   * Work outside the optimiser steps (the certificate's trials) calls this now and then: the
   * hooks may hold the run and pass controls (recorded like any others), and a cancelled run
   * stops here.
   */
  async poll(phase: Phase): Promise<void> {
    if (this.hooks.between) this.takeControls(await this.hooks.between(), phase);
    if (this.hooks.cancelled?.()) throw new Cancelled();
  }

  /** Applies controls received between steps; prunes wait for a point where the structure may change. */
  private takeControls(controls: readonly SynthesisControl[], phase: Phase): void {
    for (const c of controls) {
      if (c.kind === 'set') {
        if (c.lambda1 !== undefined) this.override.lambda1 = c.lambda1;
        if (c.lr !== undefined) this.override.lr = c.lr;
      } else {
        this.pendingPrunes.push(c.threshold);
      }
      this.onControl(c, phase);
    }
  }

  /** The largest prune threshold asked for since the last call, or undefined; forgets them. */
  takePrune(): number | undefined {
    if (!this.pendingPrunes.length) return undefined;
    const threshold = Math.max(...this.pendingPrunes);
    this.pendingPrunes = [];
    return threshold;
  }
}
