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
  /** Scale the gradient down to this Euclidean norm before the optimiser sees it (0 or absent: no clipping). */
  readonly clipNorm?: number;
}

/** Scales `g` in place to Euclidean norm `max` when it is longer; returns the norm before. */
export function clipToNorm(g: Float64Array, max: number): number {
  let sq = 0;
  for (let i = 0; i < g.length; i++) sq += (g[i] as number) * (g[i] as number);
  const norm = Math.sqrt(sq);
  if (max > 0 && norm > max) {
    const f = max / norm;
    for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * f;
  }
  return norm;
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

  async step({ objective, w, adam, reg, step, clipNorm }: StepContext): Promise<Fit> {
    if (this.grad.length !== w.length) this.grad = new Float64Array(w.length);
    else this.grad.fill(0);
    const fit = objective.evaluate(w, reg, step, this.grad);
    if (clipNorm) clipToNorm(this.grad, clipNorm);
    adam.update(w, this.grad);
    return fit;
  }

  async sync(): Promise<void> {}

  async close(): Promise<void> {}
}
