/**
 * Behavioural traces for the circuit diff: run a machine on probe strings with the
 * compiled engine and flatten, per neuron, what it emits at every cycle into one vector.
 *
 * A neuron's trace is, for each probe string, each cycle 1..T, each output port of its type
 * (for a sink such as `output`, which has none, its input ports: that is where its result
 * is read) and each coordinate the type can hold there (see traceCoordinates), the value
 * there. Two machines traced on the same
 * probes therefore give vectors of the same length with the same meaning per entry.
 */
import { CompiledMachine } from '../machine/compiled';
import { drivingSymbols, neuronType, type InputMode } from '../machine/neuron-types';
import type { MachineSpec } from '../machine/spec';
import { ROOT } from '../vvalue/path-layout';
import type { Path, VValue } from '../vvalue/vvalue';

export interface TraceOptions {
  /** Cycles per string; default 10 per character plus 20 (every character is seen, then its effects settle). */
  readonly cycles?: number;
  /** Cycles of each string, in the order of the strings (overrides `cycles`). */
  readonly cyclesPerString?: readonly number[];
  /**
   * Called after the machine ran string `index` (its history then holds that string's
   * `cycles` cycles), e.g. to read other figures from the same run.
   */
  readonly afterRun?: (machine: CompiledMachine, index: number, cycles: number) => void;
  /** How the input neuron reads the strings (default: characters). */
  readonly mode?: InputMode;
}

/** Probe strings used when none are given: the training string and the defect cases. */
export const DEFAULT_PROBES: readonly string[] = ['test string.', 'aaaa.', 'a.b.c.d.e.', 'abcdefg.', 'mississippi.'];

/** The probe alphabet: every character (or token) of the strings plus `.` (the `eos` character), sorted. */
export function probeAlphabet(strings: readonly string[], mode: InputMode = 'characters'): string[] {
  const set = new Set<string>(['.']);
  for (const s of strings) for (const c of drivingSymbols(s, mode)) set.add(c);
  return [...set].sort();
}

function cyclesFor(s: string, options: TraceOptions, index: number): number {
  const c = options.cyclesPerString?.[index] ?? options.cycles ?? 10 * [...s].length + 20;
  if (!Number.isInteger(c) || c < 1) throw new RangeError(`cycles for "${s}" must be an integer ≥ 1, got ${c}`);
  return c;
}

/** Trace entries per cycle of each neuron of `spec` (the width of its trace; see the module comment). */
export function traceWidths(spec: MachineSpec, strings: readonly string[], mode: InputMode = 'characters'): Map<string, number> {
  const alphabet = probeAlphabet(strings, mode);
  return new Map(
    spec.neurons.map((n) => [n.name, traceCoordinates(n.type, alphabet, n.params).coords.reduce((k, list) => k + list.length, 0)]),
  );
}

/** Per-neuron traces of `spec` on `strings` (see the module comment). */
export function neuronTraces(
  spec: MachineSpec,
  strings: readonly string[] = DEFAULT_PROBES,
  options: TraceOptions = {},
): Map<string, Float64Array> {
  return runTraces(spec, strings, options, false).traces;
}

/**
 * What a neuron does on the probes, for the alignment's behavioural cost:
 *   - `trace`: its trace (as neuronTraces);
 *   - `nonlinearity` ν in [0, 1]: the share of the variation of its outputs that no affine
 *     function of its inputs explains, ‖residual‖ / ‖outputs − mean‖ after a least-squares
 *     fit of every output coordinate on every input coordinate (and 1) over all probe cycles.
 *     0 means that on these probes the neuron acted as an affine map of what it received:
 *     an accumulator always, a compare whose hinge was never crossed (a relay), a constant.
 *     Undefined for sinks, whose trace is their input.
 */
export interface NeuronProfiles {
  readonly traces: Map<string, Float64Array>;
  readonly nonlinearity: Map<string, number>;
}

/**
 * A neuron counts as affine on the probes when ν is at most this (exact relays give ν of
 * about 1e-15; a hinge crossed on a single cycle of a few hundred gives about 1e-2).
 */
export const AFFINE_TOLERANCE = 1e-6;

/** Traces and nonlinearities of every neuron of `spec` on `strings` (see NeuronProfiles). */
export function neuronProfiles(spec: MachineSpec, strings: readonly string[] = DEFAULT_PROBES, options: TraceOptions = {}): NeuronProfiles {
  const { traces, inputs, sizes } = runTraces(spec, strings, options, true);
  const nonlinearity = new Map<string, number>();
  for (const n of spec.neurons) {
    const x = inputs.get(n.name);
    if (!x) continue;
    const { outputSize, inputSize } = sizes.get(n.name)!;
    nonlinearity.set(n.name, unexplainedShare(traces.get(n.name)!, outputSize, x, inputSize));
  }
  return { traces, nonlinearity };
}

/**
 * The behavioural evidence for aligning `specA` with `specB` on the same probes, to spread
 * into alignCircuits' options: `alignCircuits(a, b, alignmentEvidence(a, b))`.
 */
export function alignmentEvidence(
  specA: MachineSpec,
  specB: MachineSpec,
  strings: readonly string[] = DEFAULT_PROBES,
  options: TraceOptions = {},
): AlignmentEvidence {
  return pairEvidence(neuronProfiles(specA, strings, options), neuronProfiles(specB, strings, options));
}

/** The evidence of alignmentEvidence from two profiles computed separately (e.g. one per task, so a UI stays responsive). */
export function pairEvidence(a: NeuronProfiles, b: NeuronProfiles): AlignmentEvidence {
  return { traces: { a: a.traces, b: b.traces }, nonlinearity: { a: a.nonlinearity, b: b.nonlinearity } };
}

export interface AlignmentEvidence {
  traces: { a: Map<string, Float64Array>; b: Map<string, Float64Array> };
  nonlinearity: { a: Map<string, number>; b: Map<string, number> };
}

function runTraces(
  spec: MachineSpec,
  strings: readonly string[],
  options: TraceOptions,
  withInputs: boolean,
): {
  traces: Map<string, Float64Array>;
  inputs: Map<string, Float64Array>;
  sizes: Map<string, { outputSize: number; inputSize: number }>;
} {
  const alphabet = probeAlphabet(strings, options.mode);
  const everything: Path[] = [ROOT, ...alphabet.map((c) => [c])];
  const machine = new CompiledMachine(spec, { alphabet });
  const w = machine.paramVector(spec.trainable);
  const perCycle = new Map<
    string,
    { ports: readonly string[]; coords: readonly Path[][]; useInputs: boolean; size: number; inPorts: readonly string[] }
  >();
  let cyclesTotal = 0;
  strings.forEach((s, i) => (cyclesTotal += cyclesFor(s, options, i)));
  const out = new Map<string, Float64Array>();
  const ins = new Map<string, Float64Array>();
  const sizes = new Map<string, { outputSize: number; inputSize: number }>();
  for (const n of spec.neurons) {
    const c = traceCoordinates(n.type, alphabet, n.params);
    const size = c.coords.reduce((k, list) => k + list.length, 0);
    // inputs of non-sinks, every coordinate of every input port (what an affine fit may use)
    const inPorts = withInputs && !c.useInputs ? neuronType(n.type).inputs : [];
    perCycle.set(n.name, { ...c, size, inPorts });
    out.set(n.name, new Float64Array(size * cyclesTotal));
    sizes.set(n.name, { outputSize: size, inputSize: inPorts.length * everything.length });
    if (withInputs && !c.useInputs) ins.set(n.name, new Float64Array(inPorts.length * everything.length * cyclesTotal));
  }
  const cursor = new Map<string, number>(spec.neurons.map((n) => [n.name, 0]));
  const inCursor = new Map<string, number>(spec.neurons.map((n) => [n.name, 0]));
  // Read straight from the engine's history buffers: per neuron, the (slot offset, path index)
  // of every trace entry, resolved once; -1 (an inert neuron or a coordinate the machine
  // never holds) reads as 0.
  const reads = new Map<string, { out: Int32Array; outPath: Int32Array; outIsInput: boolean; inp: Int32Array; inPath: Int32Array }>();
  for (const n of spec.neurons) {
    const { ports, coords, useInputs, inPorts } = perCycle.get(n.name)!;
    const out: number[] = [];
    const outPath: number[] = [];
    ports.forEach((port, i) => {
      const offset = useInputs ? machine.inputOffset(n.name, port) : machine.outputOffset(n.name, port);
      for (const path of coords[i]!) {
        const idx = offset < 0 ? -1 : machine.layout.indexOf(path);
        out.push(idx < 0 ? -1 : offset);
        outPath.push(idx);
      }
    });
    const inp: number[] = [];
    const inPath: number[] = [];
    for (const port of inPorts) {
      const offset = machine.inputOffset(n.name, port);
      for (const path of everything) {
        const idx = offset < 0 ? -1 : machine.layout.indexOf(path);
        inp.push(idx < 0 ? -1 : offset);
        inPath.push(idx);
      }
    }
    reads.set(n.name, {
      out: Int32Array.from(out),
      outPath: Int32Array.from(outPath),
      outIsInput: useInputs,
      inp: Int32Array.from(inp),
      inPath: Int32Array.from(inPath),
    });
  }
  for (const [index, s] of strings.entries()) {
    const cycles = cyclesFor(s, options, index);
    machine.run(w, { inputString: s, inputMode: options.mode ?? 'characters' }, cycles);
    options.afterRun?.(machine, index, cycles);
    for (const n of spec.neurons) {
      const r = reads.get(n.name)!;
      const vec = out.get(n.name)!;
      const inVec = ins.get(n.name);
      let k = cursor.get(n.name)!;
      let j = inCursor.get(n.name)!;
      for (let t = 1; t <= cycles; t++) {
        for (let e = 0; e < r.out.length; e++) {
          const offset = r.out[e] as number;
          vec[k++] =
            offset < 0
              ? 0
              : r.outIsInput
                ? machine.readInput(t, offset, r.outPath[e] as number)
                : machine.readOutput(t, offset, r.outPath[e] as number);
        }
        if (inVec) {
          for (let e = 0; e < r.inp.length; e++) {
            const offset = r.inp[e] as number;
            inVec[j++] = offset < 0 ? 0 : machine.readInput(t, offset, r.inPath[e] as number);
          }
        }
      }
      cursor.set(n.name, k);
      inCursor.set(n.name, j);
    }
  }
  return { traces: out, inputs: ins, sizes };
}

/**
 * ‖y − fit‖ / ‖y − ȳ‖ for the least-squares affine fit of every column of `y` (cycles ×
 * `ny`, row-major) on the columns of `x` (cycles × `nx`) and a constant; 0 when y is
 * constant. Columns of x are orthonormalised by modified Gram–Schmidt (one pass: ν is compared with 1e-6, far above its round-off), dropping those
 * (numerically) in the span of the previous ones, and each y column is projected off them.
 */
export function unexplainedShare(y: ArrayLike<number>, ny: number, x: ArrayLike<number>, nx: number): number {
  const T = ny > 0 ? y.length / ny : 0;
  if (T === 0) return 0;
  const basis: Float64Array[] = [];
  const addColumn = (v: Float64Array): void => {
    let n0 = 0;
    for (let i = 0; i < T; i++) n0 += (v[i] as number) ** 2;
    if (!(n0 > 0)) return;
    for (const q of basis) {
      let d = 0;
      for (let i = 0; i < T; i++) d += (v[i] as number) * (q[i] as number);
      if (d !== 0) for (let i = 0; i < T; i++) v[i] = (v[i] as number) - d * (q[i] as number);
    }
    let n1 = 0;
    for (let i = 0; i < T; i++) n1 += (v[i] as number) ** 2;
    if (!(n1 > 1e-20 * n0)) return;
    const inv = 1 / Math.sqrt(n1);
    for (let i = 0; i < T; i++) v[i] = (v[i] as number) * inv;
    basis.push(v);
  };
  addColumn(new Float64Array(T).fill(1));
  for (let c = 0; c < nx; c++) {
    const v = new Float64Array(T);
    for (let i = 0; i < T; i++) v[i] = x[i * nx + c] as number;
    addColumn(v);
  }
  let residual = 0;
  let spread = 0;
  for (let c = 0; c < ny; c++) {
    const v = new Float64Array(T);
    let mean = 0;
    for (let i = 0; i < T; i++) mean += v[i] = y[i * ny + c] as number;
    mean /= T;
    for (let i = 0; i < T; i++) spread += ((v[i] as number) - mean) ** 2;
    for (const q of basis) {
      let d = 0;
      for (let i = 0; i < T; i++) d += (v[i] as number) * (q[i] as number);
      if (d !== 0) for (let i = 0; i < T; i++) v[i] = (v[i] as number) - d * (q[i] as number);
    }
    for (let i = 0; i < T; i++) residual += (v[i] as number) ** 2;
  }
  if (!(spread > 0)) return 0;
  return Math.min(1, Math.sqrt(residual / spread));
}

/**
 * The ports a trace of a neuron of type `type` reads (its outputs; the inputs of a sink)
 * and, per port, the coordinates the type can hold there given inputs that may hold any
 * coordinate (the scalar and every character). Leaving out coordinates a type can never
 * hold (the characters of a compare's scalar ports, say) keeps shared structural zeros
 * from inflating correlations.
 */
export function traceCoordinates(
  type: string,
  alphabet: readonly string[],
  params?: VValue,
): { ports: readonly string[]; coords: readonly Path[][]; useInputs: boolean } {
  const t = neuronType(type);
  const everything: Path[] = [ROOT, ...alphabet.map((c) => [c])];
  if (t.outputs.length === 0) return { ports: t.inputs, coords: t.inputs.map(() => everything), useInputs: true };
  const ctx = params === undefined ? { alphabet } : { alphabet, params };
  const paths = t.outputPaths(
    t.inputs.map(() => everything),
    ctx,
  );
  const coords = t.outputs.map((_, i) =>
    [...(paths[i] ?? [])].sort((x, y) => {
      const a = x.join('\u0000');
      const b = y.join('\u0000');
      return a < b ? -1 : a > b ? 1 : 0;
    }),
  );
  return { ports: t.outputs, coords, useInputs: false };
}

interface Moments {
  readonly mean: number;
  /** Σ (x − mean)². */
  readonly ss: number;
  readonly constant: boolean;
}

function moments(a: ArrayLike<number>): Moments {
  const n = a.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[i] as number;
  mean = n > 0 ? mean / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] as number) - mean;
    ss += x * x;
  }
  // round-off of a sum of n values of this size counts as constant
  const scale = Math.max(Math.abs(mean), 1);
  return { mean, ss, constant: !(ss > 1e-20 * scale * scale * n) };
}

/** Pearson correlation of two equally long vectors; undefined when either is constant (up to round-off). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number | undefined {
  const n = a.length;
  if (n !== b.length || n === 0) return undefined;
  const ma = moments(a);
  const mb = moments(b);
  if (ma.constant || mb.constant) return undefined;
  let sab = 0;
  for (let i = 0; i < n; i++) sab += ((a[i] as number) - ma.mean) * ((b[i] as number) - mb.mean);
  return Math.max(-1, Math.min(1, sab / Math.sqrt(ma.ss * mb.ss)));
}

/**
 * Behavioural distance 1 − |corr| in [0, 1]. Two constant traces (up to round-off) are at
 * distance 0 when they hold the same value (e.g. two silent neurons) and 1 otherwise; a
 * constant against a varying trace, or traces of different lengths, are at distance 1.
 */
export function behaviouralDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 1;
  if (a.length === 0) return 0;
  const ma = moments(a);
  const mb = moments(b);
  if (ma.constant && mb.constant) {
    return Math.abs(ma.mean - mb.mean) <= 1e-9 * Math.max(1, Math.abs(ma.mean), Math.abs(mb.mean)) ? 0 : 1;
  }
  const r = correlation(a, b);
  return r === undefined ? 1 : 1 - Math.abs(r);
}
