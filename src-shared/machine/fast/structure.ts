/**
 * What the fast engine needs to know about a machine, derived once from the compiled
 * engine's analysis (slots, links, the coordinates each port can hold):
 *
 * - which neurons depend on the weights (the others — timer, input, constants — are
 *   *static*: their outputs depend only on the driving string and are computed once by the
 *   compiled engine);
 * - which neurons are *live* (reach an observed port);
 * - the coordinates each live port really needs (`compare` reads only ":number", `dot`
 *   only the coordinates both of its inputs can hold);
 * - the strongly connected components of the weight-dependent live neurons, in
 *   topological order: a component without internal links runs each cycle range at once,
 *   an accumulator whose only internal links are its self-links runs as a linear scan, and
 *   any other component (a recurrent machine) cycle by cycle.
 */
import { ROOT } from '../../vvalue/path-layout';
import { CompiledMachine, type LiveLink } from '../compiled';
import { neuronType } from '../neuron-types';
import { linksToMatrix, type WeightedLink } from '../spec';

/** The machine uses something the fast engine does not implement; the caller falls back to the compiled engine. */
export class FastEngineUnsupported extends Error {
  constructor(message: string) {
    super(`${message}; use the compiled engine (--engine compiled)`);
    this.name = 'FastEngineUnsupported';
  }
}

/** An input port whose values the loss compares, at ":number" only or on every coordinate. */
export interface ObservedPort {
  readonly neuron: string;
  readonly port: string;
  readonly coordinates: 'root' | 'all';
}

/** Neuron types the fast engine runs when they depend on the weights. */
export const FAST_TYPES: ReadonlySet<string> = new Set(['accum', 'norm', 'dot', 'compare']);

export type ComponentKind = 'ff' | 'scan' | 'rec';

export interface Component {
  readonly kind: ComponentKind;
  /** Neuron indices (into CompiledMachine.slots), in spec order. */
  readonly neurons: readonly number[];
  /** Links (indices into `FastStructure.links`) between neurons of this component. */
  readonly internal: readonly number[];
}

/** A link from a source coordinate run to a destination coordinate run of equal length. */
export interface Run {
  readonly srcPos: number;
  readonly dstPos: number;
  readonly count: number;
}

export interface UsedLink {
  readonly link: LiveLink;
  /** Position in the weight table. */
  readonly slot: number;
  readonly runs: readonly Run[];
  /** Source neuron is static (its series does not depend on the weights). */
  readonly staticSource: boolean;
}

export class FastStructure {
  readonly nNeurons: number;
  readonly neuronOfIn: Int32Array;
  readonly neuronOfOut: Int32Array;
  readonly types: readonly string[];
  readonly dependent: Uint8Array;
  readonly live: Uint8Array;
  /** Coordinates (layout indices) per input slot; empty when the port is not computed. */
  readonly inCoords: Int32Array[];
  /** Coordinates per output slot. */
  readonly outCoords: Int32Array[];
  /** Links into live weight-dependent neurons from live sources, with their coordinate runs. */
  readonly links: UsedLink[] = [];
  readonly components: Component[] = [];
  /** Input slots observed by the loss, in the order given. -1: the port does not exist or nothing reaches it. */
  readonly observedSlots: Int32Array;
  /** Static output slots whose series some used link reads. */
  readonly staticOutputs: number[] = [];

  constructor(
    readonly oracle: CompiledMachine,
    readonly observed: readonly ObservedPort[],
  ) {
    const m = oracle;
    const n = m.slots.length;
    this.nNeurons = n;
    this.neuronOfIn = new Int32Array(m.nIn).fill(-1);
    this.neuronOfOut = new Int32Array(m.nOut).fill(-1);
    this.types = m.slots.map((s) => s.spec.type);
    m.slots.forEach((s, i) => {
      const t = neuronType(s.spec.type);
      for (let q = 0; q < t.inputs.length; q++) this.neuronOfIn[s.inBase + q] = i;
      for (let q = 0; q < t.outputs.length; q++) this.neuronOfOut[s.outBase + q] = i;
    });
    const ownerIn = (slot: number) => this.neuronOfIn[slot] as number;
    const ownerOut = (slot: number) => this.neuronOfOut[slot] as number;

    // observed ports: inputs of sinks (types without outputs)
    this.observedSlots = Int32Array.from(observed, (o) => {
      const k = m.slots.findIndex((s) => s.spec.name === o.neuron);
      if (k < 0) return -1;
      const s = m.slots[k]!;
      const t = neuronType(s.spec.type);
      const q = t.inputs.indexOf(o.port);
      if (q < 0) return -1;
      if (t.outputs.length > 0) throw new FastEngineUnsupported(`the observed port ${o.neuron}.${o.port} belongs to a neuron with outputs`);
      return s.inBase + q;
    });
    const observedSet = new Set(Array.from(this.observedSlots).filter((s) => s >= 0));

    // weight-dependent neurons: reached from a trainable link
    // (an observed sink counts as one: its loss is computed like any other)
    const dep = new Uint8Array(n);
    for (const l of m.links) if (l.param >= 0) dep[ownerIn(l.dst)] = 1;
    for (const s of observedSet) dep[ownerIn(s)] = 1;
    for (let changed = true; changed;) {
      changed = false;
      for (const l of m.links) {
        const d = ownerIn(l.dst);
        if (!dep[d] && dep[ownerOut(l.src)]) {
          dep[d] = 1;
          changed = true;
        }
      }
    }
    this.dependent = dep;

    // live neurons: reach an observed port (a sink reads only its observed ports)
    const live = new Uint8Array(n);
    for (const s of observedSet) live[ownerIn(s)] = 1;
    const reads = (dst: number) => {
      const k = ownerIn(dst);
      return neuronType(this.types[k]!).outputs.length > 0 || observedSet.has(dst);
    };
    for (let changed = true; changed;) {
      changed = false;
      for (const l of m.links) {
        const s = ownerOut(l.src);
        if (!live[s] && live[ownerIn(l.dst)] && reads(l.dst)) {
          live[s] = 1;
          changed = true;
        }
      }
    }
    this.live = live;
    const active = (k: number) => live[k] === 1 && dep[k] === 1;
    for (let k = 0; k < n; k++) {
      const t = this.types[k]!;
      if (active(k) && !FAST_TYPES.has(t) && neuronType(t).outputs.length > 0) {
        throw new FastEngineUnsupported(
          `the fast engine does not run "${t}" neurons (${m.slots[k]!.spec.name}) that depend on the weights`,
        );
      }
    }

    // coordinates
    const root = m.layout.indexOf(ROOT);
    const rootOnly = (paths: Int32Array) => (paths.includes(root) ? Int32Array.of(root) : new Int32Array(0));
    this.inCoords = Array.from({ length: m.nIn }, () => new Int32Array(0));
    this.outCoords = Array.from({ length: m.nOut }, () => new Int32Array(0));
    m.slots.forEach((s, k) => {
      const t = neuronType(s.spec.type);
      const inP = (q: number) => m.inPaths[s.inBase + q] as Int32Array;
      const outP = (q: number) => m.outPaths[s.outBase + q] as Int32Array;
      if (!live[k]) return;
      if (!dep[k]) {
        for (let q = 0; q < t.outputs.length; q++) this.outCoords[s.outBase + q] = outP(q);
        return;
      }
      switch (s.spec.type) {
        case 'accum':
          this.outCoords[s.outBase] = outP(0);
          this.inCoords[s.inBase] = outP(0);
          this.inCoords[s.inBase + 1] = outP(0);
          break;
        case 'norm':
          this.outCoords[s.outBase] = Int32Array.of(root);
          this.inCoords[s.inBase] = inP(0);
          break;
        case 'dot': {
          const both = inP(0).filter((c) => inP(1).includes(c));
          this.outCoords[s.outBase] = Int32Array.of(root);
          this.inCoords[s.inBase] = both;
          this.inCoords[s.inBase + 1] = both;
          break;
        }
        case 'compare':
          this.outCoords[s.outBase] = Int32Array.of(root);
          this.outCoords[s.outBase + 1] = Int32Array.of(root);
          this.inCoords[s.inBase] = rootOnly(inP(0));
          this.inCoords[s.inBase + 1] = rootOnly(inP(1));
          break;
        default: // a sink: its observed ports
          for (let q = 0; q < t.inputs.length; q++) {
            const slot = s.inBase + q;
            const i = Array.from(this.observedSlots).indexOf(slot);
            if (i < 0) continue;
            this.inCoords[slot] = observed[i]!.coordinates === 'root' ? rootOnly(inP(q)) : inP(q);
          }
      }
    });

    // used links and their coordinate runs
    const staticOut = new Set<number>();
    for (const link of m.links) {
      const d = ownerIn(link.dst);
      const s = ownerOut(link.src);
      if (!active(d) || !live[s]) continue;
      const runs = coordinateRuns(this.outCoords[link.src]!, this.inCoords[link.dst]!);
      if (runs.length === 0) continue;
      const staticSource = !dep[s];
      if (staticSource) staticOut.add(link.src);
      this.links.push({ link, slot: this.links.length, runs, staticSource });
    }
    this.staticOutputs = [...staticOut].sort((a, b) => a - b);

    // strongly connected components of the active neurons, in topological order
    const nodes = Array.from({ length: n }, (_, k) => k).filter(active);
    const succ = new Map<number, number[]>(nodes.map((k) => [k, []]));
    this.links.forEach((u) => {
      if (u.staticSource) return;
      succ.get(ownerOut(u.link.src))!.push(ownerIn(u.link.dst));
    });
    const comps = tarjan(nodes, (k) => succ.get(k) ?? []).reverse();
    const compOf = new Int32Array(n).fill(-1);
    comps.forEach((c, i) => c.forEach((k) => (compOf[k] = i)));
    const internal: number[][] = comps.map(() => []);
    this.links.forEach((u, i) => {
      if (u.staticSource) return;
      const cs = compOf[ownerOut(u.link.src)] as number;
      if (cs === compOf[ownerIn(u.link.dst)]) internal[cs]!.push(i);
    });
    comps.forEach((c, i) => {
      const ks = [...c].sort((a, b) => a - b);
      const own = internal[i]!;
      let kind: ComponentKind = 'rec';
      if (own.length === 0) kind = 'ff';
      else if (ks.length === 1 && this.types[ks[0]!] === 'accum') kind = 'scan';
      this.components.push({ kind, neurons: ks, internal: own });
    });
  }

  get layoutSize(): number {
    return this.oracle.layout.size;
  }

  private staticPart: CompiledMachine | undefined;

  /**
   * The static neurons alone (with the fixed links among them) as a compiled machine: what
   * the static series are read from, at a fraction of the cost of running the whole machine.
   */
  staticMachine(): CompiledMachine {
    if (this.staticPart) return this.staticPart;
    const m = this.oracle;
    const isStatic = (k: number) => this.dependent[k] === 0;
    const neurons = m.slots.filter((_, k) => isStatic(k)).map((s) => s.spec);
    const fixed: WeightedLink[] = [];
    for (const l of m.links) {
      const d = this.neuronOfIn[l.dst] as number;
      const s = this.neuronOfOut[l.src] as number;
      if (l.param >= 0 || !isStatic(d) || !isStatic(s)) continue;
      const ds = m.slots[d]!;
      const ss = m.slots[s]!;
      fixed.push({
        to: ds.spec.name,
        toPort: neuronType(ds.spec.type).inputs[l.dst - ds.inBase]!,
        from: ss.spec.name,
        fromPort: neuronType(ss.spec.type).outputs[l.src - ss.outBase]!,
        weight: l.weight,
      });
    }
    this.staticPart = new CompiledMachine({ neurons, fixed: linksToMatrix(fixed), trainable: {} }, { alphabet: m.alphabet });
    return this.staticPart;
  }

  /** Where static output slot `slot` lives in staticMachine(): its offset (-1: always empty) and its coordinates' indices there. */
  staticSource(slot: number): { offset: number; coords: Int32Array } {
    const m = this.oracle;
    const sm = this.staticMachine();
    const s = m.slots[this.neuronOfOut[slot] as number]!;
    const port = neuronType(s.spec.type).outputs[slot - s.outBase]!;
    return {
      offset: sm.outputOffset(s.spec.name, port),
      coords: Int32Array.from(this.outCoords[slot]!, (c) => sm.layout.indexOf(m.layout.path(c))),
    };
  }
}

/** Runs of coordinates present in both sorted lists, consecutive in both. */
export function coordinateRuns(src: Int32Array, dst: Int32Array): Run[] {
  const runs: Run[] = [];
  let i = 0;
  let j = 0;
  while (i < src.length && j < dst.length) {
    const a = src[i] as number;
    const b = dst[j] as number;
    if (a < b) i++;
    else if (a > b) j++;
    else {
      const last = runs[runs.length - 1];
      if (last && last.srcPos + last.count === i && last.dstPos + last.count === j) {
        runs[runs.length - 1] = { ...last, count: last.count + 1 };
      } else runs.push({ srcPos: i, dstPos: j, count: 1 });
      i++;
      j++;
    }
  }
  return runs;
}

/** Tarjan's strongly connected components (iterative), in reverse topological order. */
function tarjan(nodes: readonly number[], succ: (k: number) => readonly number[]): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: [number, number][] = [[start, 0]];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      const next = succ(v);
      if (i < next.length) {
        top[1] = i + 1;
        const w = next[i]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const u = work[work.length - 1]![0];
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: number[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
          if (w === v) break;
        }
        out.push(comp);
      }
    }
  }
  return out;
}
