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
import { neuronType } from '../machine/neuron-types';
import type { MachineSpec } from '../machine/spec';
import { ROOT } from '../vvalue/path-layout';
import { get, type Path, type VValue } from '../vvalue/vvalue';

export interface TraceOptions {
  /** Cycles per string; default 10 per character plus 20 (every character is seen, then its effects settle). */
  readonly cycles?: number;
}

/** Probe strings used when none are given: the training string and the defect cases of issue 7. */
export const DEFAULT_PROBES: readonly string[] = ['test string.', 'aaaa.', 'a.b.c.d.e.', 'abcdefg.', 'mississippi.'];

/** The probe alphabet: every character of the strings plus `.` (the `eos` character), sorted. */
export function probeAlphabet(strings: readonly string[]): string[] {
  const set = new Set<string>(['.']);
  for (const s of strings) for (const c of s) set.add(c);
  return [...set].sort();
}

function cyclesFor(s: string, options: TraceOptions): number {
  return options.cycles ?? 10 * [...s].length + 20;
}

/** Per-neuron traces of `spec` on `strings` (see the module comment). */
export function neuronTraces(
  spec: MachineSpec,
  strings: readonly string[] = DEFAULT_PROBES,
  options: TraceOptions = {},
): Map<string, Float64Array> {
  const alphabet = probeAlphabet(strings);
  const machine = new CompiledMachine(spec, { alphabet });
  const w = machine.paramVector(spec.trainable);
  const perCycle = new Map<string, { ports: readonly string[]; coords: readonly Path[][]; useInputs: boolean; size: number }>();
  let cyclesTotal = 0;
  for (const s of strings) cyclesTotal += cyclesFor(s, options);
  const out = new Map<string, Float64Array>();
  for (const n of spec.neurons) {
    const c = traceCoordinates(n.type, alphabet, n.params);
    const size = c.coords.reduce((k, list) => k + list.length, 0);
    perCycle.set(n.name, { ...c, size });
    out.set(n.name, new Float64Array(size * cyclesTotal));
  }
  const cursor = new Map<string, number>(spec.neurons.map((n) => [n.name, 0]));
  for (const s of strings) {
    const cycles = cyclesFor(s, options);
    machine.run(w, { inputString: s }, cycles);
    for (const n of spec.neurons) {
      const { ports, coords, useInputs } = perCycle.get(n.name)!;
      const vec = out.get(n.name)!;
      let k = cursor.get(n.name)!;
      for (const cycle of machine.trace(n.name)) {
        const side: Readonly<Record<string, VValue>> = useInputs ? cycle.inputs : cycle.outputs;
        ports.forEach((port, i) => {
          const v = side[port] ?? {};
          for (const path of coords[i]!) vec[k++] = get(v, path);
        });
      }
      cursor.set(n.name, k);
    }
  }
  return out;
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
