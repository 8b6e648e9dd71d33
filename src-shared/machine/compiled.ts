/**
 * The compiled engine: a machine with a static matrix (no `Self`) turned into flat arrays.
 *
 * Every coordinate any port can hold is interned once (a fixpoint over the neuron types'
 * `outputPaths`), every port becomes a dense slice over that path layout, and every link
 * touches only the coordinates its source port can hold. Forward runs the two-stroke
 * cycle of spec §2 and keeps every cycle's inputs and outputs; backward is exact
 * back-propagation through time over that history (or the prototype's truncated rule).
 */
import { PathLayout, ROOT } from '../vvalue/path-layout';
import { pathKey, type Path, type VValue } from '../vvalue/vvalue';
import { neuronProblem, neuronType, type GradientMode, type Kernel, type NeuronEnv, type NeuronType } from './neuron-types';
import { matrixLinks, type Link, type MachineSpec, type NeuronSpec } from './spec';

export interface CompileOptions {
  /** Symbols (characters or word tokens) the `input` neuron may emit: the union over every string it will read. */
  readonly alphabet: readonly string[];
}

/**
 * Longest path (labels) a port may hold, and most coordinates all ports together may hold.
 * Path inference stops with an error beyond either: only a loop that nests trees deeper
 * every cycle gets there (e.g. two `push` neurons feeding each other's `item`), and such a
 * machine has no finite coordinate set to compile.
 */
export const MAX_PATH_LENGTH = 64;
export const MAX_COORDINATES = 100_000;

/** One neuron the engine runs: its spec and the first of its input and output port slots. */
export interface NeuronSlots {
  readonly spec: NeuronSpec;
  readonly inBase: number;
  readonly outBase: number;
  readonly kernel: Kernel;
}

/** Adds dL/d(input) of cycle `t` into `gIn` (slot-major, D per slot). */
export type InputSeed = (t: number, gIn: Float64Array) => void;

/** A link the engine uses: input slot ← output slot, a parameter index (-1: fixed) and the fixed weight. */
export interface LiveLink {
  readonly dst: number;
  readonly src: number;
  readonly param: number;
  readonly weight: number;
}

export interface CycleTrace {
  readonly inputs: Readonly<Record<string, VValue>>;
  readonly outputs: Readonly<Record<string, VValue>>;
}

export class CompiledMachine {
  readonly layout: PathLayout;
  /** Coordinates per port slice. */
  readonly sliceSize: number;
  /** The trainable links, in parameter order. */
  readonly params: readonly Link[];
  /** Links the engine ignores (missing neuron or port), for diagnostics. */
  readonly ignored: readonly Link[];
  readonly alphabet: readonly string[];

  /** The neurons the engine runs (inert interneurons left out), in spec order. */
  readonly slots: NeuronSlots[] = [];
  /** Every link between port slots the engine uses (trainable then fixed). */
  readonly links: readonly LiveLink[];
  /** Interneurons without links to other neurons: not run, their ports are always empty. */
  private readonly inert = new Map<string, NeuronType>();
  private readonly byName = new Map<string, NeuronSlots>();
  readonly nIn: number;
  readonly nOut: number;
  /** Per input slot: the layout indices of the coordinates it can hold (sorted). */
  readonly inPaths: Int32Array[] = [];
  /** Per output slot: the layout indices of the coordinates it can hold (sorted). */
  readonly outPaths: Int32Array[] = [];

  // The down movement as rows: row r is one input coordinate (port slot × path) and sums
  // entries rowStart[r] .. rowStart[r+1]-1, each a source coordinate times a link weight.
  private readonly rowDst: Int32Array;
  private readonly rowStart: Int32Array;
  private readonly entrySrc: Int32Array;
  /** Entry → parameter index, or -1 when the entry belongs to a fixed link. */
  private readonly entryParam: Int32Array;
  /** Fixed weights per entry (0 for trainable entries). */
  private readonly entryFixed: Float64Array;
  /** The weight of each entry during the current run. */
  private readonly entryWeight: Float64Array;
  /** Per-entry gradient scratch of backward(). */
  private readonly entryGrad: Float64Array;
  /** Parameter → output slot of its source port, or -1 when the link is ignored. */
  private readonly paramSource: Int32Array;

  private inHist = new Float64Array(0);
  private outHist = new Float64Array(0);
  private gIn = new Float64Array(0);
  private gOutA = new Float64Array(0);
  private gOutB = new Float64Array(0);
  /** Cycles the history buffers can hold. */
  private histCycles = -1;
  private lastCycles = 0;

  constructor(spec: MachineSpec, options: CompileOptions) {
    if (spec.neurons.some((n) => n.type === 'Self')) {
      throw new Error('the compiled engine needs a static matrix; run machines with a Self neuron on the interpreter');
    }
    this.alphabet = [...new Set(options.alphabet)].sort();
    let nIn = 0;
    let nOut = 0;
    const ctxOf = (n: NeuronSpec) => ({ params: n.params, alphabet: this.alphabet });

    // 1. port slots, for the neurons that can do anything: every source and sink, and every
    //    interneuron linked to another neuron (an unlinked interneuron stays at zero)
    const trainable = matrixLinks(spec.trainable);
    const fixed = matrixLinks(spec.fixed);
    const linked = new Set<string>();
    for (const l of [...trainable, ...fixed]) {
      if (l.to === l.from) continue;
      linked.add(l.to);
      linked.add(l.from);
    }
    const seen = new Set<string>();
    const pending: { spec: NeuronSpec; inBase: number; outBase: number }[] = [];
    for (const n of spec.neurons) {
      if (seen.has(n.name)) throw new Error(`duplicate neuron name "${n.name}"`);
      seen.add(n.name);
      const problem = neuronProblem(n);
      if (problem) throw new Error(problem);
      const t = neuronType(n.type);
      if (t.interneuron && !linked.has(n.name)) {
        this.inert.set(n.name, t);
        continue;
      }
      pending.push({ spec: n, inBase: nIn, outBase: nOut });
      nIn += t.inputs.length;
      nOut += t.outputs.length;
    }
    this.nIn = nIn;
    this.nOut = nOut;
    const nameIndex = new Map(pending.map((p) => [p.spec.name, p]));
    const inSlot = (name: string, port: string): number => {
      const p = nameIndex.get(name);
      if (!p) return -1;
      const i = neuronType(p.spec.type).inputs.indexOf(port);
      return i < 0 ? -1 : p.inBase + i;
    };
    const outSlot = (name: string, port: string): number => {
      const p = nameIndex.get(name);
      if (!p) return -1;
      const i = neuronType(p.spec.type).outputs.indexOf(port);
      return i < 0 ? -1 : p.outBase + i;
    };

    // 2. links
    this.params = trainable.map(({ to, toPort, from, fromPort }) => ({ to, toPort, from, fromPort }));
    const ignored: Link[] = [];
    const live: { dst: number; src: number; param: number; weight: number }[] = [];
    trainable.forEach((l, i) => {
      const dst = inSlot(l.to, l.toPort);
      const src = outSlot(l.from, l.fromPort);
      if (dst < 0 || src < 0) ignored.push(l);
      else live.push({ dst, src, param: i, weight: 0 });
    });
    for (const l of fixed) {
      const dst = inSlot(l.to, l.toPort);
      const src = outSlot(l.from, l.fromPort);
      if (dst < 0 || src < 0) ignored.push(l);
      else live.push({ dst, src, param: -1, weight: l.weight });
    }
    this.ignored = ignored;
    this.links = live;
    this.paramSource = new Int32Array(trainable.length).fill(-1);
    for (const l of live) if (l.param >= 0) this.paramSource[l.param] = l.src;

    // 3. path inference: fixpoint of outputPaths over the link graph
    const inSets: Map<string, Path>[] = Array.from({ length: nIn }, () => new Map());
    const outSets: Map<string, Path>[] = Array.from({ length: nOut }, () => new Map());
    let coordinates = 0;
    const addAll = (target: Map<string, Path>, paths: Iterable<Path>, where: () => string): boolean => {
      let changed = false;
      for (const p of paths) {
        const k = pathKey(p);
        if (!target.has(k)) {
          if (p.length > MAX_PATH_LENGTH || ++coordinates > MAX_COORDINATES) {
            const what =
              p.length > MAX_PATH_LENGTH
                ? `paths longer than ${MAX_PATH_LENGTH} labels`
                : `more than ${MAX_COORDINATES} coordinates in all`;
            throw new Error(
              `${where()} would hold ${what} (${p.slice(0, 6).join('.')}…): a loop nests its trees deeper every cycle, so the machine has no finite set of coordinates`,
            );
          }
          target.set(k, p);
          changed = true;
        }
      }
      return changed;
    };
    for (let changed = true; changed;) {
      changed = false;
      for (const p of pending) {
        const t = neuronType(p.spec.type);
        const ins = t.inputs.map((_, i) => [...(inSets[p.inBase + i] as Map<string, Path>).values()]);
        const outs = t.outputPaths(ins, ctxOf(p.spec));
        outs.forEach((paths, q) => {
          if (addAll(outSets[p.outBase + q] as Map<string, Path>, paths, () => `${p.spec.name}.${t.outputs[q] ?? q}`)) changed = true;
        });
      }
      for (const l of live) {
        if (addAll(inSets[l.dst] as Map<string, Path>, (outSets[l.src] as Map<string, Path>).values(), () => `input slot ${l.dst}`)) {
          changed = true;
        }
      }
    }
    const layout = new PathLayout([ROOT]);
    for (const s of [...inSets, ...outSets]) for (const p of s.values()) layout.intern(p);
    this.layout = layout;
    this.sliceSize = layout.size;
    const toIdx = (s: Map<string, Path>) => Int32Array.from([...s.values()].map((p) => layout.indexOf(p)).sort((a, b) => a - b));
    this.inPaths = inSets.map(toIdx);
    this.outPaths = outSets.map(toIdx);

    // 4. kernels
    for (const p of pending) {
      const slots: NeuronSlots = { ...p, kernel: neuronType(p.spec.type).kernel(layout, ctxOf(p.spec)) };
      this.slots.push(slots);
      this.byName.set(p.spec.name, slots);
    }

    // 5. the down movement as rows of entries
    const D = this.sliceSize;
    const entries: { row: number; src: number; param: number; weight: number }[] = [];
    for (const l of live) {
      for (const k of this.outPaths[l.src] as Int32Array) {
        entries.push({ row: l.dst * D + k, src: l.src * D + k, param: l.param, weight: l.weight });
      }
    }
    entries.sort((a, b) => a.row - b.row || a.src - b.src);
    const rows: number[] = [];
    const starts: number[] = [];
    entries.forEach((e, i) => {
      if (rows.length === 0 || rows[rows.length - 1] !== e.row) {
        rows.push(e.row);
        starts.push(i);
      }
    });
    starts.push(entries.length);
    this.rowDst = Int32Array.from(rows);
    this.rowStart = Int32Array.from(starts);
    this.entrySrc = Int32Array.from(entries, (e) => e.src);
    this.entryParam = Int32Array.from(entries, (e) => e.param);
    this.entryFixed = Float64Array.from(entries, (e) => (e.param >= 0 ? 0 : e.weight));
    this.entryWeight = new Float64Array(entries.length);
    this.entryGrad = new Float64Array(entries.length);
  }

  get paramCount(): number {
    return this.params.length;
  }

  /** The trainable weights of `spec` in parameter order (same spec as compiled). */
  paramVector(trainable: VValue): Float64Array {
    const links = matrixLinks(trainable);
    if (links.length !== this.params.length) {
      throw new Error(`matrix has ${links.length} soft links, the compiled machine ${this.params.length}`);
    }
    return Float64Array.from(links, (l) => l.weight);
  }

  private loadWeights(w: Float64Array): void {
    if (w.length !== this.params.length) {
      throw new Error(`expected ${this.params.length} weights, got ${w.length}`);
    }
    const { entryParam, entryFixed, entryWeight } = this;
    for (let e = 0; e < entryWeight.length; e++) {
      const p = entryParam[e] as number;
      entryWeight[e] = p >= 0 ? (w[p] as number) : (entryFixed[e] as number);
    }
  }

  /** Grows the history buffers to hold `cycles` cycles (they are reused across runs). */
  private ensureHistory(cycles: number): void {
    if (cycles > this.histCycles) {
      this.inHist = new Float64Array((cycles + 1) * this.nIn * this.sliceSize);
      this.outHist = new Float64Array((cycles + 1) * this.nOut * this.sliceSize);
      this.histCycles = cycles;
    }
  }

  /** Runs `cycles` two-stroke cycles from the all-empty state and keeps the history. */
  run(w: Float64Array, env: NeuronEnv, cycles: number): void {
    if (!Number.isInteger(cycles) || cycles < 1) throw new RangeError(`cycles must be a positive integer, got ${cycles}`);
    this.loadWeights(w);
    this.ensureHistory(cycles);
    this.lastCycles = cycles;
    const D = this.sliceSize;
    const inStride = this.nIn * D;
    const outStride = this.nOut * D;
    const inHist = this.inHist;
    const outHist = this.outHist;
    const { rowDst, rowStart, entrySrc, entryWeight } = this;
    const nRows = rowDst.length;
    outHist.fill(0, 0, outStride);
    for (let t = 1; t <= cycles; t++) {
      const inBase = t * inStride;
      const prevOut = (t - 1) * outStride;
      inHist.fill(0, inBase, inBase + inStride);
      // down movement: inputs rebuilt from the previous outputs
      let e = 0;
      for (let r = 0; r < nRows; r++) {
        const end = rowStart[r + 1] as number;
        let acc = 0;
        for (; e < end; e++) acc += (entryWeight[e] as number) * (outHist[prevOut + (entrySrc[e] as number)] as number);
        inHist[inBase + (rowDst[r] as number)] = acc;
      }
      // up movement
      const outBase = t * outStride;
      for (const n of this.slots) n.kernel.forward(inHist, inBase + n.inBase * D, outHist, outBase + n.outBase * D, env);
    }
  }

  /**
   * Back-propagation through time over the last `run`: `seed` supplies dL/d(input) of each
   * cycle, the result is dL/dw for the trainable weights (added into `grad`).
   */
  backward(seed: InputSeed, mode: GradientMode, grad: Float64Array): void {
    const cycles = this.lastCycles;
    if (cycles < 1) throw new Error('backward() needs a run() first');
    if (grad.length !== this.params.length) throw new Error(`gradient buffer must have ${this.params.length} entries`);
    const D = this.sliceSize;
    const inStride = this.nIn * D;
    const outStride = this.nOut * D;
    const inHist = this.inHist;
    const outHist = this.outHist;
    const { rowDst, rowStart, entrySrc, entryWeight, entryGrad, entryParam } = this;
    const nRows = rowDst.length;
    entryGrad.fill(0);
    if (this.gIn.length !== inStride) {
      this.gIn = new Float64Array(inStride);
      this.gOutA = new Float64Array(outStride);
      this.gOutB = new Float64Array(outStride);
    }
    let gOut = this.gOutA.fill(0); // dL/d(output of cycle t); nothing reads the last outputs
    let gPrev = this.gOutB;
    const gIn = this.gIn;
    for (let t = cycles; t >= 1; t--) {
      gIn.fill(0);
      seed(t, gIn);
      const inBase = t * inStride;
      const outBase = t * outStride;
      for (const n of this.slots) {
        n.kernel.backward(inHist, inBase + n.inBase * D, outHist, outBase + n.outBase * D, gOut, n.outBase * D, gIn, n.inBase * D, mode);
      }
      if (t === 1) break; // outputs of cycle 0 are empty and constant
      gPrev.fill(0);
      const prevOut = (t - 1) * outStride;
      for (let r = 0; r < nRows; r++) {
        const g = gIn[rowDst[r] as number] as number;
        if (g === 0) continue;
        const end = rowStart[r + 1] as number;
        for (let e = rowStart[r] as number; e < end; e++) {
          const src = entrySrc[e] as number;
          entryGrad[e] = (entryGrad[e] as number) + g * (outHist[prevOut + src] as number);
          gPrev[src] = (gPrev[src] as number) + (entryWeight[e] as number) * g;
        }
      }
      const swap = gOut;
      gOut = gPrev;
      gPrev = swap;
    }
    for (let e = 0; e < entryGrad.length; e++) {
      const p = entryParam[e] as number;
      if (p >= 0) grad[p] = (grad[p] as number) + (entryGrad[e] as number);
    }
  }

  /**
   * Activity of each trainable link's source over the last run: adds Σ_t ‖output(t)‖² of
   * the source port to `acc[param]` (0 for ignored links) and returns the cycles counted.
   */
  addSourceActivity(acc: Float64Array): number {
    const D = this.sliceSize;
    const outStride = this.nOut * D;
    const perSlot = new Float64Array(this.nOut);
    for (let t = 1; t <= this.lastCycles; t++) {
      const base = t * outStride;
      for (let slot = 0; slot < this.nOut; slot++) {
        let s = 0;
        for (const k of this.outPaths[slot] as Int32Array) {
          const v = this.outHist[base + slot * D + k] as number;
          s += v * v;
        }
        perSlot[slot] = (perSlot[slot] as number) + s;
      }
    }
    for (let p = 0; p < this.paramSource.length; p++) {
      const src = this.paramSource[p] as number;
      if (src >= 0) acc[p] = (acc[p] as number) + (perSlot[src] as number);
    }
    return this.lastCycles;
  }

  /** Slot offset (within one cycle's input block) of a neuron's input port, or -1. */
  inputOffset(neuron: string, port: string): number {
    const n = this.byName.get(neuron);
    if (!n) return -1;
    const i = neuronType(n.spec.type).inputs.indexOf(port);
    return i < 0 ? -1 : (n.inBase + i) * this.sliceSize;
  }

  /** The coordinates a neuron's input port can hold (empty for an unknown or inert neuron). */
  inputPaths(neuron: string, port: string): Path[] {
    const n = this.byName.get(neuron);
    const i = n ? neuronType(n.spec.type).inputs.indexOf(port) : -1;
    if (!n || i < 0) return [];
    return Array.from(this.inPaths[n.inBase + i] as Int32Array, (k) => this.layout.path(k));
  }

  /** Reads coordinate `pathIdx` of input slot `offset` at cycle `t` of the last run. */
  readInput(t: number, offset: number, pathIdx: number): number {
    return this.inHist[t * this.nIn * this.sliceSize + offset + pathIdx] as number;
  }

  /** Slot offset (within one cycle's output block) of a neuron's output port, or -1 (unknown or inert neuron). */
  outputOffset(neuron: string, port: string): number {
    const n = this.byName.get(neuron);
    if (!n) return -1;
    const i = neuronType(n.spec.type).outputs.indexOf(port);
    return i < 0 ? -1 : (n.outBase + i) * this.sliceSize;
  }

  /** Reads coordinate `pathIdx` of output slot `offset` at cycle `t` of the last run. */
  readOutput(t: number, offset: number, pathIdx: number): number {
    return this.outHist[t * this.nOut * this.sliceSize + offset + pathIdx] as number;
  }

  /** Offset of cycle `t`'s input block inside the gradient buffer given to an InputSeed. */
  get inputStride(): number {
    return this.nIn * this.sliceSize;
  }

  /** Inputs and outputs of one neuron at every cycle of the last run, as V-values. */
  trace(neuron: string): CycleTrace[] {
    const n = this.byName.get(neuron);
    const inert = this.inert.get(neuron);
    if (!n && inert) {
      const empty = (ports: readonly string[]) => Object.fromEntries(ports.map((p) => [p, {}]));
      return Array.from({ length: this.lastCycles }, () => ({ inputs: empty(inert.inputs), outputs: empty(inert.outputs) }));
    }
    if (!n) throw new Error(`no neuron named "${neuron}"`);
    const t = neuronType(n.spec.type);
    const D = this.sliceSize;
    const out: CycleTrace[] = [];
    for (let c = 1; c <= this.lastCycles; c++) {
      const inputs: Record<string, VValue> = {};
      const outputs: Record<string, VValue> = {};
      t.inputs.forEach((port, i) => {
        const slot = n.inBase + i;
        inputs[port] = this.layout.read(this.inHist, c * this.nIn * D + slot * D, this.inPaths[slot]);
      });
      t.outputs.forEach((port, i) => {
        const slot = n.outBase + i;
        outputs[port] = this.layout.read(this.outHist, c * this.nOut * D + slot * D, this.outPaths[slot]);
      });
      out.push({ inputs, outputs });
    }
    return out;
  }

  get cyclesRun(): number {
    return this.lastCycles;
  }
}
