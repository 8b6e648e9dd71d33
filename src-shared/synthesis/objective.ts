/**
 * The training objective of synthesis: the problem's loss (spec §5 for the duplicate
 * detector) summed over a set of strings, each with its own window (grown by an optional
 * curriculum), plus the regulariser once.
 */
import type { GradientMode } from '../machine/neuron-types';
import { circuitLoss, type CircuitLoss } from '../problems/loss';
import type { TeacherTargets } from '../problems/targets';
import { assertParameterOrder, circuitToSpec, type Circuit } from './circuit';
import { windowAt, type Curriculum, type DataString } from './dataset';

export interface Fit {
  /** Σ over strings of the squared output differences. */
  readonly preregLoss: number;
  /** preregLoss + λ1·l1 + λ2·l2. */
  readonly loss: number;
  readonly l1: number;
  readonly l2: number;
  /** Largest squared difference of one output at one cycle, over all strings. */
  readonly worstError: number;
}

export interface StringFit {
  readonly preregLoss: number;
  readonly worstError: number;
}

export interface Regularisation {
  readonly l1: number;
  readonly l2: number;
}

export class SetObjective {
  readonly loss: CircuitLoss;

  /** `alphabet`: every symbol the strings make the input emit; `targets`: the teacher's (it carries the task). */
  constructor(
    circuit: Circuit,
    readonly strings: readonly DataString[],
    alphabet: readonly string[],
    readonly mode: GradientMode,
    readonly curriculum: Curriculum | undefined,
    targets: TeacherTargets,
  ) {
    assertParameterOrder(circuit);
    this.loss = circuitLoss(circuitToSpec(circuit), targets.task, alphabet, targets);
  }

  /** The fit of string `i` at training step `step`; with `grad`, adds that string's gradient. */
  fitOne(w: Float64Array, i: number, step: number, grad?: Float64Array): StringFit {
    const s = this.strings[i] as DataString;
    return this.loss.fit(w, s.text, windowAt(s, step, this.curriculum), this.mode, grad);
  }

  /**
   * Adds up per-string fits (and gradients, in string order, then the regulariser's), so
   * the result does not depend on which thread computed which string.
   */
  combine(w: Float64Array, reg: Regularisation, parts: readonly StringFit[], grads?: readonly Float64Array[], grad?: Float64Array): Fit {
    let prereg = 0;
    let worst = 0;
    for (const p of parts) {
      prereg += p.preregLoss;
      if (p.worstError > worst) worst = p.worstError;
    }
    if (grad && grads) {
      for (const g of grads) for (let k = 0; k < grad.length; k++) grad[k] = (grad[k] as number) + (g[k] as number);
    }
    const [l1, l2] = this.loss.regulariser(w);
    if (grad) this.loss.addRegulariserGradient(w, reg.l1, reg.l2, grad);
    return { preregLoss: prereg, loss: prereg + reg.l1 * l1 + reg.l2 * l2, l1, l2, worstError: worst };
  }

  /**
   * Losses before the regulariser of many weight vectors at training step `step` (an
   * evolution-strategies population, evaluated string by string in one pass per string):
   * each equal to `evaluate(w, …, step).preregLoss` of that vector alone.
   */
  preregLosses(ws: readonly Float64Array[], step: number): number[] {
    const out = new Array<number>(ws.length).fill(0);
    this.strings.forEach((s) => {
      const fits = this.loss.fitMany(ws, s.text, windowAt(s, step, this.curriculum), this.mode);
      fits.forEach((f, c) => (out[c] = (out[c] as number) + f.preregLoss));
    });
    return out;
  }

  /** Fit of `w` at training step `step` (curriculum windows); with `grad`, adds the gradient. */
  evaluate(w: Float64Array, reg: Regularisation, step: number, grad?: Float64Array): Fit {
    const parts: StringFit[] = [];
    const grads: Float64Array[] = [];
    this.strings.forEach((_, i) => {
      const g = grad ? this.scratch(i, w.length) : undefined;
      parts.push(this.fitOne(w, i, step, g));
      if (g) grads.push(g);
    });
    return this.combine(w, reg, parts, grad ? grads : undefined, grad);
  }

  private readonly buffers: Float64Array[] = [];

  /** A zeroed per-string gradient buffer. */
  scratch(i: number, n: number): Float64Array {
    let b = this.buffers[i];
    if (!b || b.length !== n) {
      b = new Float64Array(n);
      this.buffers[i] = b;
    } else b.fill(0);
    return b;
  }

  /**
   * How much each soft link carries: |w| times the root-mean-square size of its source's
   * output over the training set. A small weight on a large signal (an accumulator's
   * count) can matter more than a larger weight on a small one.
   */
  contributions(w: Float64Array): Float64Array {
    const acc = new Float64Array(w.length);
    let cycles = 0;
    for (const s of this.strings) cycles += this.loss.addSourceActivity(w, s.text, s.cycles, acc);
    return acc.map((a, i) => Math.abs(w[i] as number) * Math.sqrt(a / Math.max(1, cycles)));
  }

  /** Fit on the full windows, without gradient. */
  fitFull(w: Float64Array): Fit {
    return this.evaluate(w, { l1: 0, l2: 0 }, Number.MAX_SAFE_INTEGER);
  }
}
