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
import { FastProgram, type Lane } from './program';
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
  /** Candidate lanes of the region (1: one weight vector per pass). */
  readonly K: number;
}

const CACHE = 24;
/**
 * Largest memory of one candidate-lane pass: past it the K candidates' series no longer
 * stay in the core's cache and a pass costs more per candidate than single passes
 * (measured: 8 lanes are 2–3× faster per candidate on a 20-link machine, slower on the
 * 1486-link one).
 */
const CANDIDATE_BYTES = 1 << 20;

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

  /**
   * The program and memory for `lanes`. With `candidates`, a forward-only program in that
   * many candidate lanes, or ('auto') in as many as the backend offers and fit
   * CANDIDATE_BYTES (possibly 1).
   */
  private prepare(lanes: readonly Lane[], candidates?: number | 'auto'): Prepared {
    const key = `${candidates ?? 'full'}\u0002` + lanes.map((l) => `${l.cycles}\u0001${l.text}`).join('\u0000');
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
    const program = new FastProgram(this.structure, lanes, candidates !== undefined);
    let K = typeof candidates === 'number' ? candidates : 1;
    if (candidates === 'auto') while (2 * K <= this.backend.candidateLanes && 2 * K * program.nF * 8 <= CANDIDATE_BYTES) K *= 2;
    const region = this.backend.alloc(program.nF, program.ints.length, K);
    region.i().set(program.ints);
    const f = region.f();
    for (const [at, values] of program.constants) {
      if (K === 1) f.set(values, at);
      else for (let j = 0; j < values.length; j++) f.fill(values[j] as number, (at + j) * K, (at + j + 1) * K);
    }
    const prepared = { program, region, K };
    this.cache.set(key, prepared);
    if (this.cache.size > CACHE) {
      const [oldKey, old] = this.cache.entries().next().value as [string, Prepared];
      this.cache.delete(oldKey);
      this.backend.release(old.region);
    }
    return prepared;
  }

  /** Candidate lanes `fitCandidates` uses for `lanes` on this machine and backend. */
  candidateLanesFor(lanes: readonly Lane[]): number {
    return this.backend.candidateLanes <= 1 ? 1 : this.prepare(lanes, 'auto').K;
  }

  /** Writes the weights `w` (and each scan's two coefficients) of candidate `c` of K into F. */
  private gather(f: Float64Array, p: FastProgram, w: Float64Array, K: number, c: number): void {
    const { linkParam, linkFixed } = this;
    const wBase = p.wBase;
    for (let k = 0; k < linkParam.length; k++) {
      const q = linkParam[k] as number;
      f[(wBase + k) * K + c] = q >= 0 ? (w[q] as number) : (linkFixed[k] as number);
    }
    this.scanLinks.forEach(({ slots, second }, i) => {
      let all = 0;
      let two = 0;
      for (let j = 0; j < slots.length; j++) {
        const x = f[(wBase + (slots[j] as number)) * K + c] as number;
        all += x;
        if (second[j]) two += x;
      }
      f[(p.alphaBase + 2 * i) * K + c] = all;
      f[(p.alphaBase + 2 * i + 1) * K + c] = two;
    });
  }

  /** Writes the targets of every lane into F (the same value in each of the K candidate lanes). */
  private fillTargets(f: Float64Array, p: FastProgram, lanes: readonly Lane[], target: TargetFn, K: number): void {
    const st = this.structure;
    const S = p.S;
    p.observed.forEach((o, i) => {
      const coords = st.observedSlots[i]! >= 0 ? st.inCoords[st.observedSlots[i]!]! : new Int32Array(0);
      lanes.forEach((lane, l) => {
        const off = p.offsets[l]!;
        coords.forEach((c, r) => {
          const row = o.tgt + r * S + off;
          if (K === 1) for (let t = 1; t <= lane.cycles; t++) f[row + t] = target(l, i, t, c);
          else for (let t = 1; t <= lane.cycles; t++) f.fill(target(l, i, t, c), (row + t) * K, (row + t + 1) * K);
        });
      });
    });
  }

  /** Per lane, the sums and largest squared differences of candidate `c` of K. */
  private results(f: Float64Array, p: FastProgram, lanes: readonly Lane[], target: TargetFn, K: number, c: number): LaneResult[] {
    const root = 0;
    return lanes.map((lane, l) => {
      const sums = new Float64Array(p.observed.length);
      const worst = new Float64Array(p.observed.length);
      p.observed.forEach((o, i) => {
        if (o.rows > 0) {
          sums[i] = f[(o.res + 2 * l) * K + c] as number;
          worst[i] = f[(o.res + 2 * l + 1) * K + c] as number;
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
  }

  /**
   * Runs every lane with weights `w` and compares the observed ports with `target`: per
   * lane the sums and largest squared differences. With `grad`, adds d(Σ of all sums)/dw.
   */
  fit(w: Float64Array, lanes: readonly Lane[], target: TargetFn, mode: GradientMode, grad?: Float64Array): LaneResult[] {
    if (w.length !== this.oracle.paramCount) throw new Error(`expected ${this.oracle.paramCount} weights, got ${w.length}`);
    if (grad && grad.length !== w.length) throw new Error(`gradient buffer must have ${w.length} entries`);
    const { program: p, region } = this.prepare(lanes);
    this.gather(region.f(), p, w, 1, 0);
    this.fillTargets(region.f(), p, lanes, target, 1);
    region.exec(p.forward.start, p.forward.end, 0);
    const results = this.results(region.f(), p, lanes, target, 1, 0);
    if (grad) {
      const back = p.backward![mode];
      region.exec(back.start, back.end, 0);
      const f = region.f();
      const { linkParam } = this;
      const gBase = p.gBase;
      for (let k = 0; k < linkParam.length; k++) {
        const q = linkParam[k] as number;
        if (q >= 0) grad[q] = (grad[q] as number) + (f[gBase + k] as number);
      }
    }
    return results;
  }

  /**
   * The figures of many weight vectors (candidates, e.g. an evolution-strategies
   * population) on the same lanes, without gradients: per candidate, per lane, what `fit`
   * returns for it alone. On a backend with candidate lanes, up to `candidateLanes`
   * candidates go through one pass of the forward program (each F element holds one value
   * per candidate; fewer lanes when their memory would outgrow the cache, see
   * CANDIDATE_BYTES; `candidateLanes` forces a number); elsewhere they run one after the
   * other.
   */
  fitCandidates(ws: readonly Float64Array[], lanes: readonly Lane[], target: TargetFn, candidateLanes?: number): LaneResult[][] {
    if (ws.length === 0) throw new RangeError('a population needs at least one candidate, got 0');
    for (const [i, w] of ws.entries()) {
      if (w.length !== this.oracle.paramCount)
        throw new Error(`candidate ${i}: expected ${this.oracle.paramCount} weights, got ${w.length}`);
    }
    if (candidateLanes !== undefined && !(candidateLanes >= 1 && candidateLanes <= this.backend.candidateLanes)) {
      throw new RangeError(
        `candidate lanes must be in [1, ${this.backend.candidateLanes}] on the ${this.backend.name} backend, got ${candidateLanes}`,
      );
    }
    if (this.backend.candidateLanes <= 1 || ws.length === 1) return ws.map((w) => this.fit(w, lanes, target, 'exact'));
    const { program: p, region, K } = this.prepare(lanes, candidateLanes ?? 'auto');
    this.fillTargets(region.f(), p, lanes, target, K);
    const out: LaneResult[][] = [];
    for (let first = 0; first < ws.length; first += K) {
      const f = region.f();
      // a short last chunk repeats its last candidate in the spare lanes
      for (let c = 0; c < K; c++) this.gather(f, p, ws[Math.min(first + c, ws.length - 1)]!, K, c);
      region.exec(p.forward.start, p.forward.end, 0);
      const g = region.f();
      for (let c = 0; c < K && first + c < ws.length; c++) out.push(this.results(g, p, lanes, target, K, c));
    }
    return out;
  }
}
