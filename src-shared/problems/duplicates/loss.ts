/**
 * The loss of spec §5: run the trainable machine beside the hand-crafted detector on a
 * string for T cycles, add after each cycle the squared differences of the two output
 * scalars, then λ1·Σ|w| + λ2·Σw² over the soft links outside the timer and input rows.
 */
import { CompiledMachine } from '../../machine/compiled';
import { fastMachineFor, getDefaultEngine, type EngineName } from '../../machine/engine-choice';
import type { FastMachine } from '../../machine/fast/engine';
import type { GradientMode } from '../../machine/neuron-types';
import type { MachineSpec } from '../../machine/spec';
import { ROOT } from '../../vvalue/path-layout';
import { OUTPUT_NEURON, OUTPUT_PORTS, UNREGULARISED_ROWS } from './base';
import { handcraftedDetector } from './handcrafted';

export const TRAINING_STRING = 'test string.';

export interface LossSettings {
  /** Cycles T of the run (full back-propagation through all of them). */
  readonly cycles: number;
  /** λ1, the weight of Σ|w|. */
  readonly l1: number;
  /** λ2, the weight of Σw². */
  readonly l2: number;
  readonly gradients: GradientMode;
}

export const DEFAULT_LOSS: LossSettings = { cycles: 140, l1: 0.001, l2: 0, gradients: 'exact' };

export interface LossReport {
  /** Σ over cycles of the squared output differences, before the regulariser. */
  readonly preregLoss: number;
  /** preregLoss + λ1·l1 + λ2·l2. */
  readonly loss: number;
  /** Σ|w| over regularised soft links. */
  readonly l1: number;
  /** Σw² over regularised soft links. */
  readonly l2: number;
  readonly softLinks: number;
  /** Largest squared difference of one output at one cycle. */
  readonly worstError: number;
}

/** Validates loss settings, naming the offending field. */
export function checkLossSettings(s: LossSettings): void {
  if (!Number.isInteger(s.cycles) || s.cycles < 1 || s.cycles > 100_000) {
    throw new RangeError(`cycles must be an integer in [1, 100000], got ${s.cycles}`);
  }
  for (const key of ['l1', 'l2'] as const) {
    if (!Number.isFinite(s[key]) || s[key] < 0) throw new RangeError(`${key} must be a finite number ≥ 0, got ${s[key]}`);
  }
  if (s.gradients !== 'exact' && s.gradients !== 'prototype') {
    throw new RangeError(`gradients must be "exact" or "prototype", got ${String(s.gradients)}`);
  }
}

function alphabetOf(strings: Iterable<string>): string[] {
  const set = new Set<string>(['.']);
  for (const s of strings) for (const c of s) set.add(c);
  return [...set];
}

/** The two target scalars per cycle of the hand-crafted detector, cached per string and length. */
export class TargetCache {
  private readonly cache = new Map<string, Float64Array>();
  private readonly spec = handcraftedDetector();
  private machine: CompiledMachine | undefined;
  private weights: Float64Array = new Float64Array(0);

  get(s: string, cycles: number): Float64Array {
    const key = `${cycles}\u0000${s}`;
    let t = this.cache.get(key);
    if (!t) {
      const m = this.machineFor(s);
      t = readOutputs(m, this.weights, s, cycles);
      this.cache.set(key, t);
    }
    return t;
  }

  private machineFor(s: string): CompiledMachine {
    const known = this.machine?.alphabet ?? [];
    if (!this.machine || [...s].some((c) => !known.includes(c))) {
      this.machine = new CompiledMachine(this.spec, { alphabet: alphabetOf([s, ...known]) });
      this.weights = this.machine.paramVector(this.spec.trainable);
    }
    return this.machine;
  }
}

/** Runs `m` and returns output.dict-1 and output.dict-2 per cycle, interleaved. */
function readOutputs(m: CompiledMachine, w: Float64Array, s: string, cycles: number): Float64Array {
  m.run(w, { inputString: s }, cycles);
  const out = new Float64Array(2 * cycles);
  const root = m.layout.indexOf(ROOT);
  const offsets = OUTPUT_PORTS.map((p) => m.inputOffset(OUTPUT_NEURON, p));
  for (let t = 1; t <= cycles; t++) {
    offsets.forEach((o, j) => {
      out[2 * (t - 1) + j] = o < 0 ? 0 : m.readInput(t, o, root);
    });
  }
  return out;
}

/** The ports the loss compares, at their ":number". */
const OBSERVED = OUTPUT_PORTS.map((port) => ({ neuron: OUTPUT_NEURON, port, coordinates: 'root' as const }));

/**
 * Loss and exact gradient of one machine structure, for any weights and strings. `machine`
 * is the compiled engine (traces, parameter order); fits run on the fast engine unless
 * `engine` is `compiled` or the machine is outside what the fast engine supports
 * (`fastUnsupported` then says why).
 */
export class DetectorLoss {
  readonly machine: CompiledMachine;
  readonly fast: FastMachine | undefined;
  readonly fastUnsupported: string | undefined;
  private readonly regularised: Uint8Array;
  private readonly targets: TargetCache;

  private readonly root: number;
  /** Input offsets of output.dict-1 and output.dict-2 (-1 when absent). */
  private readonly offsets: readonly number[];
  private diff = new Float64Array(0);

  /** `strings`: every string this evaluator will see (they fix the alphabet). */
  constructor(spec: MachineSpec, strings: Iterable<string>, targets = new TargetCache(), engine: EngineName = getDefaultEngine()) {
    this.machine = new CompiledMachine(spec, { alphabet: alphabetOf(strings) });
    const fast = fastMachineFor(this.machine, OBSERVED, engine);
    this.fast = fast.machine;
    this.fastUnsupported = fast.reason;
    this.root = this.machine.layout.indexOf(ROOT);
    this.offsets = OUTPUT_PORTS.map((p) => this.machine.inputOffset(OUTPUT_NEURON, p));
    this.regularised = Uint8Array.from(this.machine.params, (l) => (UNREGULARISED_ROWS.has(l.to) ? 0 : 1));
    this.targets = targets;
  }

  get paramCount(): number {
    return this.machine.paramCount;
  }

  /** Regulariser terms of `w`: [Σ|w|, Σw²] over regularised links. */
  regulariser(w: Float64Array): [number, number] {
    let l1 = 0;
    let l2 = 0;
    for (let i = 0; i < w.length; i++) {
      if (!this.regularised[i]) continue;
      const x = w[i] as number;
      l1 += Math.abs(x);
      l2 += x * x;
    }
    return [l1, l2];
  }

  /** Adds the gradient of λ1·Σ|w| + λ2·Σw² (regularised links only) to `grad`. */
  addRegulariserGradient(w: Float64Array, l1: number, l2: number, grad: Float64Array): void {
    for (let i = 0; i < w.length; i++) {
      if (!this.regularised[i]) continue;
      const x = w[i] as number;
      grad[i] = (grad[i] as number) + l1 * Math.sign(x) + 2 * l2 * x;
    }
  }

  /**
   * The squared output differences of weights `w` on string `s` over `cycles` cycles (no
   * regulariser): their sum and their largest element. With `grad`, adds d(sum)/dw.
   */
  fit(w: Float64Array, s: string, cycles: number, mode: GradientMode, grad?: Float64Array): { preregLoss: number; worstError: number } {
    if (!Number.isInteger(cycles) || cycles < 1 || cycles > 100_000) {
      throw new RangeError(`cycles must be an integer in [1, 100000], got ${cycles}`);
    }
    const target = this.targets.get(s, cycles);
    if (this.fast) {
      const [r] = this.fast.fit(w, [{ text: s, cycles }], (_l, j, t) => target[2 * (t - 1) + j] as number, mode, grad);
      const a = r!.worst[0] as number;
      const b = r!.worst[1] as number;
      return {
        preregLoss: (r!.sums[0] as number) + (r!.sums[1] as number),
        worstError: Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b),
      };
    }
    const m = this.machine;
    m.run(w, { inputString: s }, cycles);
    const { root, offsets } = this;
    if (this.diff.length < 2 * cycles) this.diff = new Float64Array(2 * cycles);
    const diff = this.diff;
    let prereg = 0;
    let worst = 0;
    for (let t = 1; t <= cycles; t++) {
      for (let j = 0; j < 2; j++) {
        const o = offsets[j] as number;
        const y = o < 0 ? 0 : m.readInput(t, o, root);
        const d = y - (target[2 * (t - 1) + j] as number);
        diff[2 * (t - 1) + j] = d;
        const e = d * d;
        prereg += e;
        // NaN wins: a machine whose output is not a number has no bounded error
        if (!(e <= worst)) worst = e;
      }
    }
    if (grad) {
      m.backward(
        (t, gIn) => {
          for (let j = 0; j < 2; j++) {
            const o = offsets[j] as number;
            if (o >= 0) gIn[o + root] = (gIn[o + root] as number) + 2 * (diff[2 * (t - 1) + j] as number);
          }
        },
        mode,
        grad,
      );
    }
    return { preregLoss: prereg, worstError: worst };
  }

  /**
   * Loss of weights `w` on string `s`. When `grad` is given, dLoss/dw is added to it
   * (regulariser included).
   */
  evaluate(w: Float64Array, s: string, settings: LossSettings, grad?: Float64Array): LossReport {
    const { preregLoss, worstError } = this.fit(w, s, settings.cycles, settings.gradients, grad);
    const [l1, l2] = this.regulariser(w);
    if (grad) this.addRegulariserGradient(w, settings.l1, settings.l2, grad);
    return {
      preregLoss,
      loss: preregLoss + settings.l1 * l1 + settings.l2 * l2,
      l1,
      l2,
      softLinks: w.length,
      worstError,
    };
  }
}
