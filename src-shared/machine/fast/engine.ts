/**
 * The fast engine: loss and exact gradient of a static machine against target series, over
 * a batch of lanes (strings with their cycle counts) in one pass.
 *
 * It runs the same two-stroke cycle as the compiled engine (`compiled.ts`, the oracle it is
 * tested against) but time-parallel wherever the link graph allows: see structure.ts for
 * the analysis and program.ts for the kernel programs. What it does not implement (the
 * `Self` neuron, neuron types without a fast kernel that depend on the weights) is refused
 * with a FastEngineUnsupported error, so a caller can fall back to the compiled engine.
 */
import type { CompiledMachine } from '../compiled';
import type { GradientMode } from '../neuron-types';
import { tsBackend, type FastBackend, type Region } from './backend';
import { accRange, cmpBackRange, cmpRange, dotBackRange, dotRange, normBackRange, normRange } from './exec-ts';
import { FastProgram, type Lane, type RecPlan, type Segment } from './program';
import { FastStructure, type ObservedPort } from './structure';

export { FastEngineUnsupported, type ObservedPort } from './structure';
export type { Lane } from './program';

/** Target of observed port `obs` in lane `lane` at cycle t (1-based), coordinate `coord` (a layout index). */
export type TargetFn = (lane: number, obs: number, t: number, coord: number) => number;

export interface LaneResult {
  /** Σ over cycles (and coordinates) of the squared differences, per observed port. */
  readonly sums: Float64Array;
  /** Largest squared difference of one coordinate at one cycle, per observed port (NaN wins). */
  readonly worst: Float64Array;
}

interface Prepared {
  readonly program: FastProgram;
  readonly region: Region;
}

const CACHE = 24;

export class FastMachine {
  readonly structure: FastStructure;
  private readonly cache = new Map<string, Prepared>();
  /** Per link slot: its parameter (-1: fixed) and its fixed weight. */
  private readonly linkParam: Int32Array;
  private readonly linkFixed: Float64Array;
  /** Per scan component: its internal link slots, and which of them enter the second input. */
  private readonly scanLinks: { slots: Int32Array; second: Uint8Array }[];

  constructor(
    readonly oracle: CompiledMachine,
    observed: readonly ObservedPort[],
    readonly backend: FastBackend = tsBackend,
  ) {
    this.structure = new FastStructure(oracle, observed);
    const st = this.structure;
    this.linkParam = Int32Array.from(st.links, (u) => u.link.param);
    this.linkFixed = Float64Array.from(st.links, (u) => (u.link.param >= 0 ? 0 : u.link.weight));
    this.scanLinks = st.components
      .filter((c) => c.kind === 'scan')
      .map((c) => {
        const first = oracle.slots[c.neurons[0]!]!.inBase;
        return {
          slots: Int32Array.from(c.internal, (i) => st.links[i]!.slot),
          second: Uint8Array.from(c.internal, (i) => (st.links[i]!.link.dst !== first ? 1 : 0)),
        };
      });
  }

  get paramCount(): number {
    return this.oracle.paramCount;
  }

  private prepare(lanes: readonly Lane[]): Prepared {
    const key = lanes.map((l) => `${l.cycles}\u0001${l.text}`).join('\u0000');
    const hit = this.cache.get(key);
    if (hit && !hit.region.live()) this.cache.delete(key);
    else if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    for (const l of lanes) {
      if (!Number.isInteger(l.cycles) || l.cycles < 1) throw new RangeError(`cycles must be a positive integer, got ${l.cycles}`);
    }
    const program = new FastProgram(this.structure, lanes);
    const region = this.backend.alloc(program.nF, program.ints.length);
    region.i().set(program.ints);
    const f = region.f();
    for (const [at, values] of program.constants) f.set(values, at);
    const prepared = { program, region };
    this.cache.set(key, prepared);
    if (this.cache.size > CACHE) {
      const [oldKey, old] = this.cache.entries().next().value as [string, Prepared];
      this.cache.delete(oldKey);
      this.backend.release(old.region);
    }
    return prepared;
  }

  /**
   * Runs every lane with weights `w` and compares the observed ports with `target`: per
   * lane the sums and largest squared differences. With `grad`, adds d(Σ of all sums)/dw.
   */
  fit(w: Float64Array, lanes: readonly Lane[], target: TargetFn, mode: GradientMode, grad?: Float64Array): LaneResult[] {
    const st = this.structure;
    if (w.length !== this.oracle.paramCount) throw new Error(`expected ${this.oracle.paramCount} weights, got ${w.length}`);
    if (grad && grad.length !== w.length) throw new Error(`gradient buffer must have ${w.length} entries`);
    const { program: p, region } = this.prepare(lanes);
    let f = region.f();
    // one gather of the weights
    const { linkParam, linkFixed } = this;
    const wBase = p.wBase;
    for (let k = 0; k < linkParam.length; k++) {
      const q = linkParam[k] as number;
      f[wBase + k] = q >= 0 ? (w[q] as number) : (linkFixed[k] as number);
    }
    this.scanLinks.forEach(({ slots, second }, i) => {
      let all = 0;
      let two = 0;
      for (let j = 0; j < slots.length; j++) {
        const x = f[wBase + (slots[j] as number)] as number;
        all += x;
        if (second[j]) two += x;
      }
      f[p.alphaBase + 2 * i] = all;
      f[p.alphaBase + 2 * i + 1] = two;
    });
    // targets
    const S = p.S;
    p.observed.forEach((o, i) => {
      const coords = st.observedSlots[i]! >= 0 ? st.inCoords[st.observedSlots[i]!]! : new Int32Array(0);
      lanes.forEach((lane, l) => {
        const off = p.offsets[l]!;
        coords.forEach((c, r) => {
          const row = o.tgt + r * S + off;
          for (let t = 1; t <= lane.cycles; t++) f[row + t] = target(l, i, t, c);
        });
      });
    });
    this.runSegments(region, p.forward, true);
    f = region.f();
    const root = 0;
    const results: LaneResult[] = lanes.map((lane, l) => {
      const sums = new Float64Array(p.observed.length);
      const worst = new Float64Array(p.observed.length);
      p.observed.forEach((o, i) => {
        if (o.rows > 0) {
          sums[i] = f[o.res + 2 * l] as number;
          worst[i] = f[o.res + 2 * l + 1] as number;
          return;
        }
        // nothing reaches this port: it stays zero
        let s = 0;
        let m = 0;
        for (let t = 1; t <= lane.cycles; t++) {
          const e = target(l, i, t, root) ** 2;
          s += e;
          if (m === m && !(e <= m)) m = e;
        }
        sums[i] = s;
        worst[i] = m;
      });
      return { sums, worst };
    });
    if (grad) {
      this.runSegments(region, p.backward[mode], false);
      f = region.f();
      const gBase = p.gBase;
      for (let k = 0; k < linkParam.length; k++) {
        const q = linkParam[k] as number;
        if (q >= 0) grad[q] = (grad[q] as number) + (f[gBase + k] as number);
      }
    }
    return results;
  }

  private runSegments(region: Region, segments: readonly Segment[], forward: boolean): void {
    for (const s of segments) {
      if (s.kind === 'ops') region.exec(s.start, s.end, 0);
      else if (forward) recForward(region.f(), region.i(), s.plan);
      else recBackward(region.f(), region.i(), s.plan);
    }
  }
}

/** A recurrent component's forward pass, cycle by cycle (internal links, then its neurons). */
function recForward(f: Float64Array, I: Int32Array, plan: RecPlan): void {
  const S = I[0] as number;
  const nLanes = I[1] as number;
  for (let l = 0; l < nLanes; l++) {
    const off = I[2 + 2 * l] as number;
    const T = I[3 + 2 * l] as number;
    const tab = plan.table;
    for (let t = off + 1; t <= off + T; t++) {
      for (let i = 0; i < tab.length; i += 6) {
        const dst = (tab[i] as number) + t;
        const src = (tab[i + 1] as number) + t - 1;
        const count = tab[i + 2] as number;
        const w = f[tab[i + 3] as number] as number;
        for (let r = 0; r < count; r++) f[dst + r * S] = (f[dst + r * S] as number) + w * (f[src + r * S] as number);
      }
      for (const n of plan.neurons) {
        const [x0 = -1, x1 = -1] = n.x;
        const rows = n.rows[0] ?? 0;
        switch (n.type) {
          case 'accum':
            accRange(f, n.o[0]!, x0, x1, rows, S, t, t + 1);
            break;
          case 'norm':
            normRange(f, n.o[0]!, x0, rows, S, t, t + 1);
            break;
          case 'dot':
            dotRange(f, n.o[0]!, x0, x1, rows, S, t, t + 1);
            break;
          case 'compare':
            cmpRange(f, n.o[0]!, n.o[1]!, x0, x1, t, t + 1);
            break;
          default:
            throw new Error(`fast engine: no per-cycle kernel for "${n.type}"`);
        }
      }
    }
  }
}

/** A recurrent component's backward pass: its neurons' derivatives, then its internal links, cycle by cycle from the last. */
function recBackward(f: Float64Array, I: Int32Array, plan: RecPlan): void {
  const S = I[0] as number;
  const nLanes = I[1] as number;
  for (let l = 0; l < nLanes; l++) {
    const off = I[2 + 2 * l] as number;
    const T = I[3 + 2 * l] as number;
    for (let t = off + T; t >= off + 1; t--) {
      for (const n of plan.neurons) {
        const [x0 = -1, x1 = -1] = n.x;
        const [gx0 = -1, gx1 = -1] = n.gx;
        const rows = n.rows[0] ?? 0;
        switch (n.type) {
          case 'norm':
            if (rows > 0) normBackRange(f, n.o[0]!, x0, n.go[0]!, gx0, rows, S, t, t + 1);
            break;
          case 'dot':
            if (rows > 0) dotBackRange(f, x0, x1, n.go[0]!, gx0, gx1, rows, S, t, t + 1);
            break;
          case 'compare':
            cmpBackRange(f, x0, x1, n.go[0]!, n.go[1]!, gx0, gx1, t, t + 1);
            break;
          default: // accum: its input gradients are its output gradient (shared rows)
        }
      }
      const tab = plan.table;
      for (let i = 0; i < tab.length; i += 6) {
        const gdst = tab[i + 4] as number;
        if (gdst < 0) continue;
        const g = gdst + t;
        const s = (tab[i + 5] as number) + t - 1;
        const count = tab[i + 2] as number;
        const w = f[tab[i + 3] as number] as number;
        for (let r = 0; r < count; r++) f[s + r * S] = (f[s + r * S] as number) + w * (f[g + r * S] as number);
      }
    }
  }
}
