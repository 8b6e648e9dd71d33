/**
 * The optimiser interface of synthesis: one step changes the weights in place and returns
 * the training fit before the change. Exact gradients and evolution strategies both
 * implement it, so a schedule runs unchanged with either.
 */
import type { Adam } from '../optim/adam';
import type { Circuit } from './circuit';
import type { Fit, Regularisation, SetObjective } from './objective';

export interface StepContext {
  readonly objective: SetObjective;
  readonly w: Float64Array;
  readonly adam: Adam;
  readonly reg: Regularisation;
  /** Optimiser steps of the run so far, this one included (curriculum windows, ES streams). */
  readonly step: number;
}

export interface Trainer {
  readonly kind: 'gradient' | 'es';
  step(ctx: StepContext): Promise<Fit>;
  /** The circuit or the optimiser state changed (cut, backtrack, reset): replicas must reload. */
  sync(circuit: Circuit, adam: Adam): Promise<void>;
  close(): Promise<void>;
}

/** Exact (or prototype-rule) reverse-mode gradients and Adam. */
export class GradientTrainer implements Trainer {
  readonly kind = 'gradient';
  private grad = new Float64Array(0);

  async step({ objective, w, adam, reg, step }: StepContext): Promise<Fit> {
    if (this.grad.length !== w.length) this.grad = new Float64Array(w.length);
    else this.grad.fill(0);
    const fit = objective.evaluate(w, reg, step, this.grad);
    adam.update(w, this.grad);
    return fit;
  }

  async sync(): Promise<void> {}

  async close(): Promise<void> {}
}
