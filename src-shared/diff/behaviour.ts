/**
 * Behaviour of two circuits side by side (issue 7, "Behaviour"): both run on the same
 * strings; per string, per cycle, the problem's output coordinates of each (the duplicates
 * problem: output.dict-1 = the largest count of one character, output.dict-2 = the count
 * of `.`, both read at the output neuron's inputs), their difference B − A, the expected
 * output (the hand-crafted detector's, the problem's target, src-shared/problems/duplicates/
 * loss.ts), error figures of each side against it, and per aligned neuron pair the two
 * neurons' traces on that string with their correlation.
 *
 * Pure: the compiled engine runs in-process; nothing is read or written.
 */
import { CompiledMachine } from '../machine/compiled';
import type { MachineSpec } from '../machine/spec';
import { OUTPUT_NEURON, OUTPUT_PORTS } from '../problems/duplicates/base';
import { TargetCache } from '../problems/duplicates/loss';
import { DEFAULT_TEST_SUITE, DEFAULT_TRAINING_SET, windowFor, type DataString } from '../synthesis/dataset';
import { ROOT } from '../vvalue/path-layout';
import type { Alignment } from './align';
import { correlation, neuronTraces, probeAlphabet, traceWidths } from './traces';

export type { DataString } from '../synthesis/dataset';

/** Per-cycle values of the output ports, one array per port of OUTPUT_PORTS (index = cycle − 1). */
export type PortSeries = readonly Float64Array[];

export interface ErrorFigures {
  /** Largest |output − expected| over every cycle and output port. */
  readonly maxAbs: number;
  /** Mean of (output − expected)² over every cycle and output port. */
  readonly mse: number;
  /** Cycle (1-based) and port of maxAbs; cycle 0 when the error is 0 everywhere. */
  readonly worstCycle: number;
  readonly worstPort: string;
}

export interface NeuronPairBehaviour {
  readonly a: string;
  readonly b: string;
  /**
   * Entries per cycle of each trace (the neuron's output coordinates, see traces.ts): traceA
   * is cycles × widthA and traceB cycles × widthB, row-major. They differ when the two
   * neurons are of different types (or hold different coordinates).
   */
  readonly widthA: number;
  readonly widthB: number;
  readonly traceA: Float64Array;
  readonly traceB: Float64Array;
  /** Per cycle Σ of the trace's entries (the scalar plotted per neuron; for a compare true + false). */
  readonly levelA: Float64Array;
  readonly levelB: Float64Array;
  /** Pearson correlation of the two traces on this string; null when either is constant or widths differ. */
  readonly correlation: number | null;
}

export interface StringBehaviour {
  readonly text: string;
  readonly cycles: number;
  /** The output ports, in the order of every PortSeries (OUTPUT_PORTS). */
  readonly ports: readonly string[];
  readonly a: PortSeries;
  readonly b: PortSeries;
  readonly expected: PortSeries;
  /** b − a. */
  readonly difference: PortSeries;
  readonly errorA: ErrorFigures;
  readonly errorB: ErrorFigures;
  /** Per aligned pair, in the alignment's order (empty without an alignment). */
  readonly neurons: readonly NeuronPairBehaviour[];
}

export interface BehaviourOptions {
  /** Aligned pairs whose traces to compare (pairs naming a neuron missing from a side are skipped). */
  readonly alignment?: Alignment;
  /** Targets cache shared between calls (the hand-crafted detector's outputs). */
  readonly targets?: TargetCache;
}

const MAX_CYCLES = 100_000;

/** Validates a string set, naming the offending entry. */
export function checkStrings(strings: readonly DataString[]): void {
  if (strings.length === 0) throw new RangeError('no strings to run');
  strings.forEach((s, i) => {
    if (typeof s.text !== 'string' || s.text.length === 0) throw new RangeError(`string ${i + 1} is empty`);
    if (!Number.isInteger(s.cycles) || s.cycles < 1 || s.cycles > MAX_CYCLES) {
      throw new RangeError(`string ${i + 1} ("${s.text}"): cycles must be an integer in [1, ${MAX_CYCLES}], got ${s.cycles}`);
    }
  });
}

/** A typed-in string with the window the test suite would give it. */
export function probeString(text: string, cycles?: number): DataString {
  return { text, cycles: cycles ?? windowFor(text) };
}

/** Strings that show the 2022 circuits' defects: five dots (the dot count past 4) and a character four times. */
export const DEFECT_PROBES: readonly DataString[] = [probeString('a.b.c.d.e.'), probeString('aaaa.'), probeString('mississippi.')];

/** The default string sets offered by the behaviour view. */
export function defaultStringSets(): ReadonlyArray<{ readonly name: string; readonly strings: readonly DataString[] }> {
  return [
    { name: 'defects', strings: DEFECT_PROBES },
    { name: 'training', strings: DEFAULT_TRAINING_SET },
    { name: 'test suite', strings: DEFAULT_TEST_SUITE },
  ];
}

/** Output ports per cycle of `m` after a run (as the loss reads them). */
function readOutputs(m: CompiledMachine, cycles: number): Float64Array[] {
  const root = m.layout.indexOf(ROOT);
  return OUTPUT_PORTS.map((port) => {
    const o = m.inputOffset(OUTPUT_NEURON, port);
    const out = new Float64Array(cycles);
    if (o >= 0 && root >= 0) for (let t = 1; t <= cycles; t++) out[t - 1] = m.readInput(t, o, root);
    return out;
  });
}

/** Error figures of `got` against `expected`. */
export function errorFigures(got: PortSeries, expected: PortSeries, ports: readonly string[] = OUTPUT_PORTS): ErrorFigures {
  let maxAbs = 0;
  let sum = 0;
  let n = 0;
  let worstCycle = 0;
  let worstPort = ports[0] ?? '';
  got.forEach((series, j) => {
    const e = expected[j]!;
    for (let t = 0; t < series.length; t++) {
      const d = (series[t] as number) - (e[t] as number);
      sum += d * d;
      n++;
      if (Math.abs(d) > maxAbs) {
        maxAbs = Math.abs(d);
        worstCycle = t + 1;
        worstPort = ports[j] ?? '';
      }
    }
  });
  return { maxAbs, mse: n > 0 ? sum / n : 0, worstCycle, worstPort };
}

function levels(trace: Float64Array, width: number, cycles: number): Float64Array {
  const out = new Float64Array(cycles);
  for (let t = 0; t < cycles; t++) {
    let s = 0;
    for (let k = 0; k < width; k++) s += trace[t * width + k] as number;
    out[t] = s;
  }
  return out;
}

/** Runs `specA` and `specB` on `strings` (see the module comment). */
export function compareBehaviour(
  specA: MachineSpec,
  specB: MachineSpec,
  strings: readonly DataString[],
  options: BehaviourOptions = {},
): StringBehaviour[] {
  checkStrings(strings);
  const texts = strings.map((s) => s.text);
  const alphabet = probeAlphabet(texts);
  const targets = options.targets ?? new TargetCache();
  const namesA = new Set(specA.neurons.map((n) => n.name));
  const namesB = new Set(specB.neurons.map((n) => n.name));
  const pairs = (options.alignment?.pairs ?? []).filter((p) => namesA.has(p.a) && namesB.has(p.b));
  const cyclesPerString = strings.map((s) => s.cycles);

  // Each machine runs once per string: with pairs to compare, the trace run also reads the
  // outputs (same alphabet, weights and strings, so the same figures as a run of its own).
  const outputsA: PortSeries[] = [];
  const outputsB: PortSeries[] = [];
  const reader = (into: PortSeries[]) => (m: CompiledMachine, index: number, cycles: number) => void (into[index] = readOutputs(m, cycles));
  const run = (spec: MachineSpec, into: PortSeries[]): Map<string, Float64Array> => {
    if (pairs.length > 0) return neuronTraces(spec, texts, { cyclesPerString, afterRun: reader(into) });
    const machine = new CompiledMachine(spec, { alphabet });
    const w = machine.paramVector(spec.trainable);
    strings.forEach((s, i) => {
      machine.run(w, { inputString: s.text }, s.cycles);
      into[i] = readOutputs(machine, s.cycles);
    });
    return new Map();
  };
  const tracesA = run(specA, outputsA);
  const tracesB = run(specB, outputsB);
  const widthsA = traceWidths(specA, texts);
  const widthsB = traceWidths(specB, texts);

  let cycleOffset = 0;
  return strings.map((s, i) => {
    const a = outputsA[i]!;
    const b = outputsB[i]!;
    const target = targets.get(s.text, s.cycles);
    const expected = OUTPUT_PORTS.map((_, j) => Float64Array.from(target.outputs[j]?.values ?? new Float64Array(s.cycles)));
    const difference = a.map((x, j) => Float64Array.from(x, (v, t) => (b[j]![t] as number) - v));
    const neurons = pairs.map((p): NeuronPairBehaviour => {
      const wa = widthsA.get(p.a)!;
      const wb = widthsB.get(p.b)!;
      const traceA = tracesA.get(p.a)!.slice(cycleOffset * wa, (cycleOffset + s.cycles) * wa);
      const traceB = tracesB.get(p.b)!.slice(cycleOffset * wb, (cycleOffset + s.cycles) * wb);
      const r = wa === wb ? correlation(traceA, traceB) : undefined;
      return {
        a: p.a,
        b: p.b,
        widthA: wa,
        widthB: wb,
        traceA,
        traceB,
        levelA: levels(traceA, wa, s.cycles),
        levelB: levels(traceB, wb, s.cycles),
        correlation: r ?? null,
      };
    });
    cycleOffset += s.cycles;
    return {
      text: s.text,
      cycles: s.cycles,
      ports: OUTPUT_PORTS,
      a,
      b,
      expected,
      difference,
      errorA: errorFigures(a, expected),
      errorB: errorFigures(b, expected),
      neurons,
    };
  });
}
