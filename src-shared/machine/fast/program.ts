/**
 * Lays out one batch of lanes (strings with their cycle counts) in memory and emits the
 * forward and backward kernel programs for it (instruction set: ops.ts).
 *
 * Down movement: every link from a source outside its destination's component is one
 * shifted multiply-add over whole time series (row-runs of coordinates, all lanes at once),
 * grouped per destination so a kernel reads the destination once for many sources; sparse
 * static sources (the one-hot driving input) become index lists. Backward: each component,
 * in reverse order, first gathers dL/d(outputs) from its consumers (the same shifted
 * products, grouped per source), then runs its neurons' derivatives; the weight gradient
 * is formed once at the end, one dot product per link over all cycles and lanes.
 *
 * A recurrent component (strongly connected, run cycle by cycle) is one RECF instruction
 * forward and one RECB backward: its internal link runs as a table and its neurons'
 * per-cycle kernels as a body, looped over cycles inside the executor. A forward-only
 * program (no gradient memory) serves candidate lanes, where each F element holds one value
 * per weight vector.
 */
import { neuronType, type GradientMode } from '../neuron-types';
import { Op } from './ops';
import type { Component, FastStructure, UsedLink } from './structure';

export interface Lane {
  readonly text: string;
  readonly cycles: number;
}

/** A range of instructions, I[start .. end). */
export interface Segment {
  readonly start: number;
  readonly end: number;
}

const DENSE_FRACTION = 0.3;

export class FastProgram {
  readonly S: number;
  readonly offsets: readonly number[];
  readonly nF: number;
  /** Int memory: the lane table at 0, then the programs and sparse lists. */
  readonly ints: Int32Array;
  /** Float values that are constant for this batch (static series, sparse values), as (index, values) pairs. */
  readonly constants: readonly (readonly [number, Float64Array])[];
  readonly forward: Segment;
  /** The backward programs (undefined for a forward-only program). */
  readonly backward: Readonly<Record<GradientMode, Segment>> | undefined;
  /** F index of each link's weight, of each scan's two coefficients, of each link's gradient. */
  readonly wBase: number;
  readonly alphaBase: number;
  readonly gBase: number;
  /** Per observed port: results (sum, worst per lane), target block, rows. */
  readonly observed: readonly { readonly res: number; readonly tgt: number; readonly rows: number }[];
  readonly scans: readonly Component[];

  /**
   * `forwardOnly`: no gradient memory and no backward programs (candidate lanes, where every
   * F element is replicated per candidate, need only the loss).
   */
  constructor(
    readonly st: FastStructure,
    readonly lanes: readonly Lane[],
    forwardOnly = false,
  ) {
    const m = st.oracle;
    let S = 0;
    const offsets: number[] = [];
    for (const l of lanes) {
      offsets.push(S);
      S += l.cycles + 1;
    }
    this.S = S;
    this.offsets = offsets;

    // ---- float memory
    let nF = 0;
    const take = (n: number) => {
      const at = nF;
      nF += n;
      return at;
    };
    this.wBase = take(st.links.length);
    this.scans = st.components.filter((c) => c.kind === 'scan');
    this.alphaBase = take(2 * this.scans.length);
    this.gBase = forwardOnly ? -1 : take(st.links.length);
    const obsRes = Array.from(st.observedSlots, () => take(2 * lanes.length));
    const zeroRow = take(S);
    const xBlock = new Int32Array(m.nIn).fill(-1);
    const oBlock = new Int32Array(m.nOut).fill(-1);
    const goBlock = new Int32Array(m.nOut).fill(-1);
    const gxOwn = new Int32Array(m.nIn).fill(-1);
    const activeNeurons = st.components.flatMap((c) => c.neurons);
    for (const k of activeNeurons) forEachIn(st, k, (slot) => (xBlock[slot] = take(st.inCoords[slot]!.length * S)));
    for (const k of forwardOnly ? [] : activeNeurons) forEachOut(st, k, (slot) => (goBlock[slot] = take(st.outCoords[slot]!.length * S)));
    for (const k of forwardOnly ? [] : activeNeurons) {
      const type = st.types[k]!;
      if (type === 'accum') continue;
      forEachIn(st, k, (slot) => {
        if (st.inCoords[slot]!.length > 0) gxOwn[slot] = take(st.inCoords[slot]!.length * S);
      });
    }
    for (const k of activeNeurons) forEachOut(st, k, (slot) => (oBlock[slot] = take(st.outCoords[slot]!.length * S)));

    // static series: run the compiled engine once per lane
    const constants: (readonly [number, Float64Array])[] = [];
    const staticSeries = new Map<number, Float64Array>(); // out slot -> rows × S
    if (st.staticOutputs.length > 0) {
      for (const slot of st.staticOutputs) staticSeries.set(slot, new Float64Array(st.outCoords[slot]!.length * S));
      const sm = st.staticMachine();
      const sources = st.staticOutputs.map((slot) => st.staticSource(slot));
      lanes.forEach((lane, l) => {
        sm.run(new Float64Array(0), { inputString: lane.text }, lane.cycles);
        st.staticOutputs.forEach((slot, i) => {
          const series = staticSeries.get(slot)!;
          const { offset, coords } = sources[i]!;
          if (offset < 0) return;
          coords.forEach((c, r) => {
            if (c < 0) return;
            for (let t = 1; t <= lane.cycles; t++) series[r * S + offsets[l]! + t] = sm.readOutput(t, offset, c);
          });
        });
      });
    }
    const ints: number[] = [S, lanes.length];
    lanes.forEach((l, i) => ints.push(offsets[i]!, l.cycles));
    /** A sparse index list: its offsets (placed in I after the programs, at `off`), its values in F at `val`. */
    type SparseRef = { off: number; val: number; nnz: number; offs: number[] };
    const sparse = new Map<string, SparseRef>();
    const denseStatic = new Map<number, number>();
    /** Instructions whose offset operand (at `at`) waits for `sp.off`. */
    const patch: { at: number; sp: SparseRef }[] = [];
    const staticDenseBlock = (slot: number) => {
      let at = denseStatic.get(slot);
      if (at === undefined) {
        const series = staticSeries.get(slot)!;
        at = take(series.length);
        constants.push([at, series]);
        denseStatic.set(slot, at);
      }
      return at;
    };
    /** Sparse list of a static source run, offsets relative to the destination run's first row (shifted one cycle). */
    const sparseRun = (slot: number, srcPos: number, count: number) => {
      const key = `${slot}:${srcPos}:${count}`;
      let sp = sparse.get(key);
      if (sp) return sp;
      const series = staticSeries.get(slot)!;
      const offs: number[] = [];
      const vals: number[] = [];
      for (let r = 0; r < count; r++) {
        const base = (srcPos + r) * S;
        for (let i = 0; i < S - 1; i++) {
          const v = series[base + i] as number;
          if (v !== 0) {
            offs.push(r * S + i + 1);
            vals.push(v);
          }
        }
      }
      sp = { off: -1, val: take(vals.length), nnz: vals.length, offs };
      constants.push([sp.val, Float64Array.from(vals)]);
      sparse.set(key, sp);
      return sp;
    };
    const isSparse = (slot: number, srcPos: number, count: number) => {
      const series = staticSeries.get(slot)!;
      let nnz = 0;
      for (let i = srcPos * S; i < (srcPos + count) * S; i++) if (series[i] !== 0) nnz++;
      return nnz < DENSE_FRACTION * count * S;
    };
    const srcBlock = (u: UsedLink) => (u.staticSource ? staticDenseBlock(u.link.src) : (oBlock[u.link.src] as number));

    const ownerIn = (slot: number) => st.neuronOfIn[slot] as number;
    const internalSet = new Set(st.components.flatMap((c) => c.internal));

    const gxOf = (slot: number, mode: GradientMode): number => {
      const k = ownerIn(slot);
      const s = m.slots[k]!;
      if (st.types[k] === 'accum') {
        if (slot === s.inBase && mode === 'prototype') return -1;
        return goBlock[s.outBase] as number;
      }
      return gxOwn[slot] as number;
    };
    const obsIndex = new Map<number, number>();
    st.observedSlots.forEach((slot, i) => {
      if (slot >= 0) obsIndex.set(slot, i);
    });
    const tgtBlock = Array.from(st.observedSlots, (slot) => (slot >= 0 ? take(st.inCoords[slot]!.length * S) : -1));
    this.observed = Array.from(st.observedSlots, (slot, i) => ({
      res: obsRes[i]!,
      tgt: tgtBlock[i]!,
      rows: slot >= 0 ? st.inCoords[slot]!.length : 0,
    }));

    // ---- programs
    let segStart = ints.length;
    const flush = (): Segment => {
      const seg = { start: segStart, end: ints.length };
      segStart = ints.length;
      return seg;
    };
    /** The groups of one block: the one covering the whole block (if any) first, writing instead of adding. */
    const emitAxpy = (groups: Map<string, { y: number; len: number; terms: number[] }>, block: number, size: number, firstSlot: number) => {
      const all = [...groups.values()];
      const full = all.findIndex((g) => g.y === block + firstSlot && g.len === size - 1);
      if (full < 0) {
        if (size > 0) ints.push(Op.ZERO, block, size);
      } else all.unshift(...all.splice(full, 1));
      all.forEach((g, k) => ints.push(k === 0 && full >= 0 ? Op.AXPYSET : Op.AXPY, g.y, g.len, g.terms.length / 2, ...g.terms));
    };
    const addTerm = (groups: Map<string, { y: number; len: number; terms: number[] }>, y: number, len: number, w: number, x: number) => {
      const key = `${y}:${len}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { y, len, terms: [] }));
      g.terms.push(w, x);
    };

    // forward
    const linksInto = new Map<number, UsedLink[]>();
    const linksFrom = new Map<number, UsedLink[]>();
    st.links.forEach((u) => {
      (linksInto.get(u.link.dst) ?? linksInto.set(u.link.dst, []).get(u.link.dst)!).push(u);
      if (!u.staticSource) (linksFrom.get(u.link.src) ?? linksFrom.set(u.link.src, []).get(u.link.src)!).push(u);
    });
    for (const comp of st.components) {
      for (const k of comp.neurons) {
        forEachIn(st, k, (slot) => {
          const groups = new Map<string, { y: number; len: number; terms: number[] }>();
          const sparseOps: { y: number; w: number; sp: SparseRef }[] = [];
          for (const u of linksInto.get(slot) ?? []) {
            if (internalSet.has(u.slot)) continue;
            for (const r of u.runs) {
              const y = (xBlock[slot] as number) + r.dstPos * S;
              if (u.staticSource && isSparse(u.link.src, r.srcPos, r.count)) {
                const sp = sparseRun(u.link.src, r.srcPos, r.count);
                sparseOps.push({ y, w: this.wBase + u.slot, sp });
              } else addTerm(groups, y + 1, r.count * S - 1, this.wBase + u.slot, srcBlock(u) + r.srcPos * S);
            }
          }
          emitAxpy(groups, xBlock[slot] as number, st.inCoords[slot]!.length * S, 1);
          // (after the groups: the first of those may write the block rather than add to it)
          for (const { y, w, sp } of sparseOps) {
            ints.push(Op.SPAXPY, y, w, sp.nnz, -1, sp.val);
            patch.push({ at: ints.length - 2, sp });
          }
        });
      }
      if (comp.kind === 'rec') {
        ints.push(...this.recProgram(comp, 'forward', xBlock, oBlock, goBlock, gxOf, zeroRow));
        continue;
      }
      for (const k of comp.neurons) {
        const s = m.slots[k]!;
        const x = (q: number) => xBlock[s.inBase + q] as number;
        const o = (q: number) => oBlock[s.outBase + q] as number;
        const rows = (q: number) => st.inCoords[s.inBase + q]!.length;
        switch (st.types[k]) {
          case 'accum':
            if (comp.kind === 'scan') ints.push(Op.SCAN, o(0), x(0), x(1), rows(0), this.alphaBase + 2 * this.scans.indexOf(comp));
            else ints.push(Op.ACC, o(0), x(0), x(1), rows(0));
            break;
          case 'norm':
            ints.push(Op.NORM, o(0), x(0), rows(0));
            break;
          case 'dot':
            ints.push(Op.DOTN, o(0), x(0), x(1), rows(0));
            break;
          case 'compare':
            ints.push(Op.CMP, o(0), o(1), rows(0) > 0 ? x(0) : zeroRow, rows(1) > 0 ? x(1) : zeroRow);
            break;
          default:
            forEachIn(st, k, (slot) => {
              const i = obsIndex.get(slot);
              if (i === undefined || st.inCoords[slot]!.length === 0) return;
              ints.push(Op.SQERR, xBlock[slot] as number, tgtBlock[i]!, gxOwn[slot] as number, st.inCoords[slot]!.length, obsRes[i]!);
            });
        }
      }
    }
    this.forward = flush();

    const backward = (mode: GradientMode): Segment => {
      ints.push(Op.ZERO, this.gBase, st.links.length);
      for (let ci = st.components.length - 1; ci >= 0; ci--) {
        const comp = st.components[ci]!;
        for (const k of comp.neurons) {
          forEachOut(st, k, (slot) => {
            // dL/d(this output) from the consumers, and those links' weight gradients, in one pass
            const block = goBlock[slot] as number;
            const groups = new Map<string, { y: number; z: number; len: number; terms: number[] }>();
            for (const u of linksFrom.get(slot) ?? []) {
              if (internalSet.has(u.slot)) continue;
              const g = gxOf(u.link.dst, mode);
              if (g < 0) continue;
              for (const r of u.runs) {
                const y = block + r.srcPos * S;
                const len = r.count * S - 1;
                const key = `${y}:${len}`;
                let grp = groups.get(key);
                if (!grp) groups.set(key, (grp = { y, z: (oBlock[slot] as number) + r.srcPos * S, len, terms: [] }));
                grp.terms.push(this.wBase + u.slot, g + r.dstPos * S + 1, this.gBase + u.slot);
              }
            }
            // (the block's last slot, dL/d(output) at the last cycle, is never written: always 0)
            const size = st.outCoords[slot]!.length * S;
            const all = [...groups.values()];
            const full = all.findIndex((grp) => grp.y === block && grp.len === size - 1);
            if (full < 0) {
              if (size > 0) ints.push(Op.ZERO, block, size);
            } else all.unshift(...all.splice(full, 1));
            all.forEach((grp, n) =>
              ints.push(Op.AXPYDOT, n === 0 && full >= 0 ? 1 : 0, grp.y, grp.z, grp.len, grp.terms.length / 3, ...grp.terms),
            );
          });
        }
        if (comp.kind === 'rec') {
          ints.push(...this.recProgram(comp, mode, xBlock, oBlock, goBlock, gxOf, zeroRow));
        } else {
          for (const k of comp.neurons) {
            const s = m.slots[k]!;
            const x = (q: number) => xBlock[s.inBase + q] as number;
            const o = (q: number) => oBlock[s.outBase + q] as number;
            const go = (q: number) => goBlock[s.outBase + q] as number;
            const gx = (q: number) => gxOwn[s.inBase + q] as number;
            const rows = (q: number) => st.inCoords[s.inBase + q]!.length;
            switch (st.types[k]) {
              case 'accum':
                if (comp.kind === 'scan')
                  ints.push(Op.SCANB, go(0), rows(0), this.alphaBase + 2 * this.scans.indexOf(comp) + (mode === 'exact' ? 0 : 1));
                break;
              case 'norm':
                if (rows(0) > 0) ints.push(Op.NORMB, o(0), x(0), go(0), gx(0), rows(0));
                break;
              case 'dot':
                if (rows(0) > 0) ints.push(Op.DOTNB, x(0), x(1), go(0), gx(0), gx(1), rows(0));
                break;
              case 'compare':
                ints.push(Op.CMPB, rows(0) > 0 ? x(0) : zeroRow, rows(1) > 0 ? x(1) : zeroRow, go(0), go(1), gx(0), gx(1));
                break;
              default:
            }
          }
        }
        for (const k of comp.neurons) {
          if (st.types[k] !== 'accum') continue;
          const s = m.slots[k]!;
          ints.push(Op.ZT0, goBlock[s.outBase] as number, st.outCoords[s.outBase]!.length);
        }
      }
      // the other weight gradients (links from static sources and inside components): one
      // dot product per link run over every cycle and lane
      const dots = new Map<string, { y: number; len: number; terms: number[] }>();
      for (const u of st.links) {
        if (!u.staticSource && !internalSet.has(u.slot)) continue;
        const g = gxOf(u.link.dst, mode);
        if (g < 0) continue;
        for (const r of u.runs) {
          const gy = g + r.dstPos * S;
          if (u.staticSource && isSparse(u.link.src, r.srcPos, r.count)) {
            const sp = sparseRun(u.link.src, r.srcPos, r.count);
            ints.push(Op.SPDOT, gy, this.gBase + u.slot, sp.nnz, -1, sp.val);
            patch.push({ at: ints.length - 2, sp });
          } else addTerm(dots, gy + 1, r.count * S - 1, this.gBase + u.slot, srcBlock(u) + r.srcPos * S);
        }
      }
      for (const d of dots.values()) ints.push(Op.DOT, d.y, d.len, d.terms.length / 2, ...d.terms);
      return flush();
    };
    this.backward = forwardOnly ? undefined : { exact: backward('exact'), prototype: backward('prototype') };
    for (const sp of sparse.values()) {
      sp.off = ints.length;
      ints.push(...sp.offs);
    }
    for (const p of patch) ints[p.at] = p.sp.off;
    this.ints = Int32Array.from(ints);
    this.constants = constants;
    this.nF = nF;
  }

  /**
   * A recurrent component's RECF instruction (forward) or RECB instruction (gradients in
   * `mode`): its internal link runs as a table, then its neurons' per-cycle kernels.
   */
  private recProgram(
    comp: Component,
    pass: 'forward' | GradientMode,
    xBlock: Int32Array,
    oBlock: Int32Array,
    goBlock: Int32Array,
    gxOf: (slot: number, mode: GradientMode) => number,
    zeroRow: number,
  ): number[] {
    const st = this.st;
    const S = this.S;
    const mode: GradientMode = pass === 'forward' ? 'exact' : pass;
    const table: number[] = [];
    for (const i of comp.internal) {
      const u = st.links[i]!;
      const g = pass === 'forward' ? -1 : gxOf(u.link.dst, mode);
      for (const r of u.runs) {
        table.push(
          (xBlock[u.link.dst] as number) + r.dstPos * S,
          (oBlock[u.link.src] as number) + r.srcPos * S,
          r.count,
          this.wBase + u.slot,
          g < 0 ? -1 : g + r.dstPos * S,
          pass === 'forward' ? -1 : (goBlock[u.link.src] as number) + r.srcPos * S,
        );
      }
    }
    const body: number[] = [];
    for (const k of comp.neurons) {
      const s = st.oracle.slots[k]!;
      const rows = (q: number) => st.inCoords[s.inBase + q]!.length;
      const x = (q: number) => (rows(q) > 0 ? (xBlock[s.inBase + q] as number) : zeroRow);
      const o = (q: number) => oBlock[s.outBase + q] as number;
      const go = (q: number) => goBlock[s.outBase + q] as number;
      const gx = (q: number) => gxOf(s.inBase + q, mode);
      const type = st.types[k]!;
      if (pass === 'forward') {
        if (type === 'accum') body.push(Op.ACC, o(0), x(0), x(1), rows(0));
        else if (type === 'norm') body.push(Op.NORM, o(0), x(0), rows(0));
        else if (type === 'dot') body.push(Op.DOTN, o(0), x(0), x(1), rows(0));
        else if (type === 'compare') body.push(Op.CMP, o(0), o(1), x(0), x(1));
        else throw new Error(`fast engine: no per-cycle kernel for "${type}"`);
      } else if (type === 'norm') {
        if (rows(0) > 0) body.push(Op.NORMB, o(0), x(0), go(0), gx(0), rows(0));
      } else if (type === 'dot') {
        if (rows(0) > 0) body.push(Op.DOTNB, x(0), x(1), go(0), gx(0), gx(1), rows(0));
      } else if (type === 'compare') body.push(Op.CMPB, x(0), x(1), go(0), go(1), gx(0), gx(1));
      // accum: its input gradients are its output gradient (shared rows)
    }
    return [pass === 'forward' ? Op.RECF : Op.RECB, table.length / 6, body.length, ...table, ...body];
  }
}

function forEachIn(st: FastStructure, k: number, f: (slot: number) => void): void {
  const s = st.oracle.slots[k]!;
  const n = neuronType(s.spec.type).inputs.length;
  for (let q = 0; q < n; q++) f(s.inBase + q);
}

function forEachOut(st: FastStructure, k: number, f: (slot: number) => void): void {
  const s = st.oracle.slots[k]!;
  const n = neuronType(s.spec.type).outputs.length;
  for (let q = 0; q < n; q++) f(s.outBase + q);
}
