/**
 * Behaviour of two circuits side by side: both run on the same strings; per string, per
 * cycle, the problem's compared outputs of each (the duplicates problem: output.dict-1 =
 * the largest count of one character, output.dict-2 = the count of `.`, both read at the
 * output neuron's inputs), their difference B − A, the expected output (the problem's
 * teacher's, src-shared/problems/targets.ts), error figures of each side against it, and
 * per aligned neuron pair the two neurons' traces on that string compared coordinate by
 * coordinate (each output port and path: its signed correlation and the largest |B − A|),
 * so a figure always names the port it was computed on and a flipped or rescaled signal
 * does not hide behind one pooled number.
 *
 * A scalar output is plotted as its value; a tree output (a list, say) as its Euclidean
 * norm per cycle, while its error figures compare it element by element (every path either
 * side or the teacher holds).
 *
 * Pure: the compiled engine runs in-process; nothing is read or written.
 */
import { CompiledMachine } from '../machine/compiled';
import { drivingSymbols, INPUT_PERIOD, type InputMode } from '../machine/neuron-types';
import type { MachineSpec } from '../machine/spec';
import { TargetCache } from '../problems/duplicates/loss';
import { isUnder, outputLabel, type Problem } from '../problems/problem';
import type { OutputTargets, Task, TeacherTargets } from '../problems/targets';
import { DEFAULT_TEST_SUITE, DEFAULT_TRAINING_SET, type DataString } from '../synthesis/dataset';
import { pathKey, type Path } from '../vvalue/vvalue';
import type { Alignment } from './align';
import { correlation, neuronTraces, probeAlphabet, traceCoordinates, traceWidths } from './traces';

export type { DataString } from '../synthesis/dataset';

/** Per-cycle values of the compared outputs, one array per output (index = cycle − 1); a tree output as its norm. */
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
  /**
   * Per trace coordinate (when both neurons hold the same coordinates, e.g. the same type):
   * its label (`port`, or `port/path` for a coordinate under the root), the signed Pearson
   * correlation of A's and B's values over the string's cycles (null when either is
   * constant) and the largest |B − A| over the cycles. Empty when the coordinates differ.
   */
  readonly coordinates: readonly CoordinateBehaviour[];
  /**
   * The weakest signed correlation over the coordinates (−1 is as unalike as it gets), and
   * the coordinate it is on; null when no coordinate varies on both sides or the
   * coordinates differ.
   */
  readonly correlation: number | null;
  readonly correlationAt: string | null;
  /** The largest |B − A| over every coordinate and cycle, and the coordinate it is on; null when the coordinates differ. */
  readonly maxAbsDiff: number | null;
  readonly maxAbsDiffAt: string | null;
}

export interface CoordinateBehaviour {
  readonly label: string;
  readonly correlation: number | null;
  readonly maxAbsDiff: number;
}

export interface StringBehaviour {
  readonly text: string;
  readonly cycles: number;
  /** The compared outputs, in the order of every PortSeries (`dict-1` for output.dict-1, else neuron.port/under). */
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
  /** The teacher's targets, shared between calls (they carry the task); default: the hand-crafted detector's. */
  readonly targets?: TeacherTargets;
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

/** A typed-in string with the window the test suite would give it (one period per symbol, plus 10 cycles). */
export function probeString(text: string, cycles?: number, mode: InputMode = 'characters'): DataString {
  return { text, cycles: cycles ?? INPUT_PERIOD * drivingSymbols(text, mode).length + 10 };
}

/** Strings that show the 2022 circuits' defects: five dots (the dot count past 4) and a character four times. */
export const DEFECT_PROBES: readonly DataString[] = [probeString('a.b.c.d.e.'), probeString('aaaa.'), probeString('mississippi.')];

/**
 * The string sets offered by the behaviour view: for the duplicate detector (no problem
 * given) its defect probes, training set and test suite; for a problem, its training,
 * validation and test strings.
 */
export function defaultStringSets(problem?: Problem): ReadonlyArray<{ readonly name: string; readonly strings: readonly DataString[] }> {
  if (problem && problem.name !== 'duplicates') {
    return [
      { name: 'training', strings: problem.data.training },
      { name: 'validation', strings: problem.data.validation },
      { name: 'test suite', strings: problem.data.test },
    ];
  }
  return [
    { name: 'defects', strings: DEFECT_PROBES },
    { name: 'training', strings: DEFAULT_TRAINING_SET },
    { name: 'test suite', strings: DEFAULT_TEST_SUITE },
  ];
}

/** The name of a compared output in the behaviour view: the port for the output neuron's root, else neuron.port/under. */
export function portName(o: Task['outputs'][number]): string {
  return o.neuron === 'output' && o.under.length === 0 ? o.port : outputLabel(o);
}

/** What one side holds at one compared output: per cycle, every compared path (and the teacher's value there). */
interface OutputTable {
  readonly width: number;
  readonly got: Float64Array;
  readonly expected: Float64Array;
}

/** The compared outputs of `m` after a run, path by path beside the targets (as the loss compares them). */
function readOutputs(m: CompiledMachine, task: Task, targets: readonly OutputTargets[], cycles: number): OutputTable[] {
  return task.outputs.map((o, j) => {
    const target = targets[j] as OutputTargets;
    const offset = m.inputOffset(o.neuron, o.port);
    const paths = new Map<string, Path>();
    if (o.compare === 'scalar') paths.set(pathKey(o.under), o.under);
    else for (const p of m.inputPaths(o.neuron, o.port)) if (isUnder(p, o.under)) paths.set(pathKey(p), p);
    for (const p of target.paths) paths.set(pathKey(p), p);
    const list = [...paths.values()];
    const column = new Map(target.paths.map((p, i) => [pathKey(p), i]));
    const width = list.length;
    const got = new Float64Array(cycles * width);
    const expected = new Float64Array(cycles * width);
    list.forEach((p, i) => {
      const k = offset < 0 ? -1 : m.layout.indexOf(p);
      const c = column.get(pathKey(p));
      for (let t = 1; t <= cycles; t++) {
        if (k >= 0) got[(t - 1) * width + i] = m.readInput(t, offset, k);
        if (c !== undefined) expected[(t - 1) * width + i] = target.values[(t - 1) * target.paths.length + c] as number;
      }
    });
    return { width, got, expected };
  });
}

/** Per cycle the value (one column) or the Euclidean norm (a tree) of a table's rows. */
function series(values: Float64Array, width: number, cycles: number, scalar: boolean): Float64Array {
  const out = new Float64Array(cycles);
  for (let t = 0; t < cycles; t++) {
    if (scalar) out[t] = values[t * width] as number;
    else {
      let s = 0;
      for (let i = 0; i < width; i++) s += (values[t * width + i] as number) ** 2;
      out[t] = Math.sqrt(s);
    }
  }
  return out;
}

/** Error figures of the tables against their targets, element by element (every cycle, output and path). */
function tableErrors(tables: readonly OutputTable[], ports: readonly string[], cycles: number): ErrorFigures {
  let maxAbs = 0;
  let sum = 0;
  let n = 0;
  let worstCycle = 0;
  let worstPort = ports[0] ?? '';
  tables.forEach((tb, j) => {
    for (let t = 0; t < cycles; t++) {
      for (let i = 0; i < tb.width; i++) {
        const d = (tb.got[t * tb.width + i] as number) - (tb.expected[t * tb.width + i] as number);
        sum += d * d;
        n++;
        if (Math.abs(d) > maxAbs) {
          maxAbs = Math.abs(d);
          worstCycle = t + 1;
          worstPort = ports[j] ?? '';
        }
      }
    }
  });
  return { maxAbs, mse: n > 0 ? sum / n : 0, worstCycle, worstPort };
}

/** Error figures of `got` against `expected`: scalar outputs, one series per port (tables one path wide). */
export function errorFigures(got: PortSeries, expected: PortSeries, ports: readonly string[] = ['dict-1', 'dict-2']): ErrorFigures {
  const tables = got.map((series, j) => ({ width: 1, got: series, expected: expected[j]! }));
  return tableErrors(tables, ports, got[0]?.length ?? 0);
}

/** The labels of a neuron's trace coordinates (`port` for the root, `port/path` under it); see traces.ts. */
function coordinateLabels(spec: MachineSpec, name: string, alphabet: readonly string[]): string[] {
  const n = spec.neurons.find((x) => x.name === name);
  if (!n) return [];
  const { ports, coords } = traceCoordinates(n.type, alphabet, n.params);
  return ports.flatMap((port, i) => (coords[i] ?? []).map((p) => (p.length === 0 ? port : `${port}/${p.join('/')}`)));
}

/** Coordinate by coordinate figures of two traces of the same coordinates (cycles × labels.length, row-major). */
function compareCoordinates(traceA: Float64Array, traceB: Float64Array, labels: readonly string[], cycles: number): CoordinateBehaviour[] {
  const width = labels.length;
  return labels.map((label, k) => {
    const a = new Float64Array(cycles);
    const b = new Float64Array(cycles);
    let maxAbsDiff = 0;
    for (let t = 0; t < cycles; t++) {
      a[t] = traceA[t * width + k] as number;
      b[t] = traceB[t * width + k] as number;
      const d = Math.abs((b[t] as number) - (a[t] as number));
      if (!(d <= maxAbsDiff)) maxAbsDiff = d;
    }
    return { label, correlation: correlation(a, b) ?? null, maxAbsDiff };
  });
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
  const targets = options.targets ?? new TargetCache();
  const task = targets.task;
  const mode = task.mode;
  const alphabet = probeAlphabet(texts, mode);
  const ports = task.outputs.map(portName);
  const namesA = new Set(specA.neurons.map((n) => n.name));
  const namesB = new Set(specB.neurons.map((n) => n.name));
  const pairs = (options.alignment?.pairs ?? []).filter((p) => namesA.has(p.a) && namesB.has(p.b));
  const cyclesPerString = strings.map((s) => s.cycles);

  // Each machine runs once per string: with pairs to compare, the trace run also reads the
  // outputs (same alphabet, weights and strings, so the same figures as a run of its own).
  const tablesA: OutputTable[][] = [];
  const tablesB: OutputTable[][] = [];
  const reader = (into: OutputTable[][]) => (m: CompiledMachine, index: number, cycles: number) => {
    const s = strings[index] as DataString;
    into[index] = readOutputs(m, task, targets.get(s.text, cycles).outputs, cycles);
  };
  const run = (spec: MachineSpec, into: OutputTable[][]): Map<string, Float64Array> => {
    if (pairs.length > 0) return neuronTraces(spec, texts, { cyclesPerString, afterRun: reader(into), mode });
    const machine = new CompiledMachine(spec, { alphabet });
    const w = machine.paramVector(spec.trainable);
    strings.forEach((s, i) => {
      machine.run(w, { inputString: s.text, inputMode: mode }, s.cycles);
      reader(into)(machine, i, s.cycles);
    });
    return new Map();
  };
  const tracesA = run(specA, tablesA);
  const tracesB = run(specB, tablesB);
  const widthsA = traceWidths(specA, texts, mode);
  const widthsB = traceWidths(specB, texts, mode);
  const scalar = task.outputs.map((o) => o.compare === 'scalar');

  let cycleOffset = 0;
  return strings.map((s, i) => {
    const ta = tablesA[i]!;
    const tb = tablesB[i]!;
    const a = ta.map((x, j) => series(x.got, x.width, s.cycles, scalar[j] as boolean));
    const b = tb.map((x, j) => series(x.got, x.width, s.cycles, scalar[j] as boolean));
    const expected = ta.map((x, j) => series(x.expected, x.width, s.cycles, scalar[j] as boolean));
    const difference = a.map((x, j) => Float64Array.from(x, (v, t) => (b[j]![t] as number) - v));
    const neurons = pairs.map((p): NeuronPairBehaviour => {
      const wa = widthsA.get(p.a)!;
      const wb = widthsB.get(p.b)!;
      const traceA = tracesA.get(p.a)!.slice(cycleOffset * wa, (cycleOffset + s.cycles) * wa);
      const traceB = tracesB.get(p.b)!.slice(cycleOffset * wb, (cycleOffset + s.cycles) * wb);
      const labels = coordinateLabels(specA, p.a, alphabet);
      const same = wa === wb && labels.length === wa && labels.join('\u0000') === coordinateLabels(specB, p.b, alphabet).join('\u0000');
      const coordinates = same ? compareCoordinates(traceA, traceB, labels, s.cycles) : [];
      let weakest: CoordinateBehaviour | undefined;
      let largest: CoordinateBehaviour | undefined;
      for (const c of coordinates) {
        if (c.correlation !== null && (weakest === undefined || c.correlation < (weakest.correlation as number))) weakest = c;
        if (largest === undefined || c.maxAbsDiff > largest.maxAbsDiff) largest = c;
      }
      return {
        a: p.a,
        b: p.b,
        widthA: wa,
        widthB: wb,
        traceA,
        traceB,
        levelA: levels(traceA, wa, s.cycles),
        levelB: levels(traceB, wb, s.cycles),
        coordinates,
        correlation: weakest?.correlation ?? null,
        correlationAt: weakest?.label ?? null,
        maxAbsDiff: largest?.maxAbsDiff ?? null,
        maxAbsDiffAt: largest?.label ?? null,
      };
    });
    cycleOffset += s.cycles;
    return {
      text: s.text,
      cycles: s.cycles,
      ports,
      a,
      b,
      expected,
      difference,
      errorA: tableErrors(ta, ports, s.cycles),
      errorB: tableErrors(tb, ports, s.cycles),
      neurons,
    };
  });
}
