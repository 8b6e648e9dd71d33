/**
 * The plain-TypeScript executor of fast-engine programs (see ops.ts for the instruction set),
 * and the per-cycle neuron kernels it shares with the recurrent-component loop.
 *
 * The neuron kernels take a cycle range [t0, t1) inside one lane; rows are S apart. They
 * follow the registry's conventions at the non-smooth points: relu'(0) = ½, the clip of
 * `dot` at exactly ±4 passes ½, and a max-norm tie shares the gradient equally.
 */
import { DOT_CLIP } from '../neuron-types';
import { Op, OP_SIZE } from './ops';

type F = Float64Array;

export function accRange(f: F, o: number, x1: number, x2: number, rows: number, S: number, t0: number, t1: number): void {
  for (let r = 0; r < rows; r++) {
    const ro = o + r * S;
    const r1 = x1 + r * S;
    const r2 = x2 + r * S;
    for (let t = t0; t < t1; t++) f[ro + t] = (f[r1 + t] as number) + (f[r2 + t] as number);
  }
}

export function normRange(f: F, o: number, x: number, rows: number, S: number, t0: number, t1: number): void {
  for (let t = t0; t < t1; t++) {
    let m = 0;
    for (let r = 0; r < rows; r++) {
      const a = Math.abs(f[x + r * S + t] as number);
      if (a > m) m = a;
    }
    f[o + t] = m;
  }
}

export function normBackRange(f: F, o: number, x: number, go: number, gx: number, rows: number, S: number, t0: number, t1: number): void {
  for (let t = t0; t < t1; t++) {
    const g = f[go + t] as number;
    const m = f[o + t] as number;
    if (g === 0 || m === 0) {
      for (let r = 0; r < rows; r++) f[gx + r * S + t] = 0;
      continue;
    }
    let ties = 0;
    for (let r = 0; r < rows; r++) if (Math.abs(f[x + r * S + t] as number) === m) ties++;
    const share = g / ties;
    for (let r = 0; r < rows; r++) {
      const v = f[x + r * S + t] as number;
      f[gx + r * S + t] = Math.abs(v) === m ? (v > 0 ? share : -share) : 0;
    }
  }
}

export function dotRange(f: F, o: number, x1: number, x2: number, rows: number, S: number, t0: number, t1: number): void {
  for (let t = t0; t < t1; t++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += (f[x1 + r * S + t] as number) * (f[x2 + r * S + t] as number);
    f[o + t] = s > DOT_CLIP ? DOT_CLIP : s < -DOT_CLIP ? -DOT_CLIP : s;
  }
}

export function dotBackRange(
  f: F,
  x1: number,
  x2: number,
  go: number,
  gx1: number,
  gx2: number,
  rows: number,
  S: number,
  t0: number,
  t1: number,
): void {
  for (let t = t0; t < t1; t++) {
    let g = f[go + t] as number;
    let s = 0;
    for (let r = 0; r < rows; r++) s += (f[x1 + r * S + t] as number) * (f[x2 + r * S + t] as number);
    const a = Math.abs(s);
    if (a > DOT_CLIP || g === 0) g = 0;
    else if (a === DOT_CLIP) g *= 0.5;
    for (let r = 0; r < rows; r++) {
      const i = r * S + t;
      const v1 = f[x1 + i] as number;
      const v2 = f[x2 + i] as number;
      f[gx1 + i] = g === 0 ? 0 : g * v2;
      f[gx2 + i] = g === 0 ? 0 : g * v1;
    }
  }
}

function reluGrad(d: number): number {
  return d > 0 ? 1 : d === 0 ? 0.5 : 0;
}

export function cmpRange(f: F, oT: number, oF: number, a: number, b: number, t0: number, t1: number): void {
  for (let t = t0; t < t1; t++) {
    const d = (f[a + t] as number) - (f[b + t] as number);
    f[oT + t] = d > 0 ? d : 0;
    f[oF + t] = d < 0 ? -d : 0;
  }
}

export function cmpBackRange(f: F, a: number, b: number, goT: number, goF: number, ga: number, gb: number, t0: number, t1: number): void {
  for (let t = t0; t < t1; t++) {
    const d = (f[a + t] as number) - (f[b + t] as number);
    const g = (f[goT + t] as number) * reluGrad(d) - (f[goF + t] as number) * reluGrad(-d);
    if (ga >= 0) f[ga + t] = g;
    if (gb >= 0) f[gb + t] = -g;
  }
}

/** Runs the instructions I[start .. end) with the lane table at I[hdr]. */
export function execTs(f: F, I: Int32Array, start: number, end: number, hdr: number): void {
  const S = I[hdr] as number;
  const nLanes = I[hdr + 1] as number;
  let pc = start;
  while (pc < end) {
    const op = I[pc] as number;
    const a = pc + 1;
    switch (op) {
      case Op.ZERO:
        f.fill(0, I[a], (I[a] as number) + (I[a + 1] as number));
        break;
      case Op.AXPYSET:
      case Op.AXPY: {
        const y = I[a] as number;
        const len = I[a + 1] as number;
        const n = I[a + 2] as number;
        if (op === Op.AXPYSET) f.fill(0, y, y + len);
        let i = 0;
        for (; i + 4 <= n; i += 4) {
          const p = a + 3 + 2 * i;
          const w0 = f[I[p] as number] as number;
          const s0 = I[p + 1] as number;
          const w1 = f[I[p + 2] as number] as number;
          const s1 = I[p + 3] as number;
          const w2 = f[I[p + 4] as number] as number;
          const s2 = I[p + 5] as number;
          const w3 = f[I[p + 6] as number] as number;
          const s3 = I[p + 7] as number;
          for (let j = 0; j < len; j++) {
            f[y + j] =
              (f[y + j] as number) +
              w0 * (f[s0 + j] as number) +
              w1 * (f[s1 + j] as number) +
              w2 * (f[s2 + j] as number) +
              w3 * (f[s3 + j] as number);
          }
        }
        for (; i < n; i++) {
          const p = a + 3 + 2 * i;
          const w = f[I[p] as number] as number;
          const s = I[p + 1] as number;
          for (let j = 0; j < len; j++) f[y + j] = (f[y + j] as number) + w * (f[s + j] as number);
        }
        pc = a + 3 + 2 * n;
        continue;
      }
      case Op.AXPYDOT: {
        const set = I[a] as number;
        const y = I[a + 1] as number;
        const z = I[a + 2] as number;
        const len = I[a + 3] as number;
        const n = I[a + 4] as number;
        if (set) f.fill(0, y, y + len);
        for (let i = 0; i < n; i++) {
          const p = a + 5 + 3 * i;
          const w = f[I[p] as number] as number;
          const x = I[p + 1] as number;
          const o = I[p + 2] as number;
          // two plain loops: V8 compiles each tighter than one loop doing both
          for (let j = 0; j < len; j++) f[y + j] = (f[y + j] as number) + w * (f[x + j] as number);
          let acc = 0;
          for (let j = 0; j < len; j++) acc += (f[x + j] as number) * (f[z + j] as number);
          f[o] = (f[o] as number) + acc;
        }
        pc = a + 5 + 3 * n;
        continue;
      }
      case Op.DOT: {
        const g = I[a] as number;
        const len = I[a + 1] as number;
        const n = I[a + 2] as number;
        for (let i = 0; i < n; i++) {
          const p = a + 3 + 2 * i;
          const o = I[p] as number;
          const s = I[p + 1] as number;
          let acc = 0;
          for (let j = 0; j < len; j++) acc += (f[g + j] as number) * (f[s + j] as number);
          f[o] = (f[o] as number) + acc;
        }
        pc = a + 3 + 2 * n;
        continue;
      }
      case Op.SPAXPY: {
        const y = I[a] as number;
        const w = f[I[a + 1] as number] as number;
        const nnz = I[a + 2] as number;
        const off = I[a + 3] as number;
        const val = I[a + 4] as number;
        for (let k = 0; k < nnz; k++) {
          const i = y + (I[off + k] as number);
          f[i] = (f[i] as number) + w * (f[val + k] as number);
        }
        break;
      }
      case Op.SPDOT: {
        const g = I[a] as number;
        const o = I[a + 1] as number;
        const nnz = I[a + 2] as number;
        const off = I[a + 3] as number;
        const val = I[a + 4] as number;
        let acc = 0;
        for (let k = 0; k < nnz; k++) acc += (f[g + (I[off + k] as number)] as number) * (f[val + k] as number);
        f[o] = (f[o] as number) + acc;
        break;
      }
      case Op.ZT0: {
        const p = I[a] as number;
        const rows = I[a + 1] as number;
        for (let r = 0; r < rows; r++) for (let l = 0; l < nLanes; l++) f[p + r * S + (I[hdr + 2 + 2 * l] as number)] = 0;
        break;
      }
      case Op.SCANB: {
        const g = I[a] as number;
        const rows = I[a + 1] as number;
        const c = f[I[a + 2] as number] as number;
        for (let l = 0; l < nLanes; l++) {
          const off = I[hdr + 2 + 2 * l] as number;
          const T = I[hdr + 3 + 2 * l] as number;
          for (let r = 0; r < rows; r++) {
            const row = g + r * S + off;
            let next = f[row + T] as number;
            for (let t = T - 1; t >= 1; t--) {
              next = (f[row + t] as number) + c * next;
              f[row + t] = next;
            }
          }
        }
        break;
      }
      case Op.SQERR: {
        const x = I[a] as number;
        const tgt = I[a + 1] as number;
        const g = I[a + 2] as number;
        const rows = I[a + 3] as number;
        const out = I[a + 4] as number;
        for (let l = 0; l < nLanes; l++) {
          const off = I[hdr + 2 + 2 * l] as number;
          const T = I[hdr + 3 + 2 * l] as number;
          let sum = 0;
          let worst = 0;
          for (let r = 0; r < rows; r++) {
            const base = r * S + off;
            if (g >= 0) f[g + base] = 0;
            for (let t = 1; t <= T; t++) {
              const d = (f[x + base + t] as number) - (f[tgt + base + t] as number);
              const e = d * d;
              sum += e;
              if (worst === worst && !(e <= worst)) worst = e; // NaN wins
              if (g >= 0) f[g + base + t] = 2 * d;
            }
          }
          f[out + 2 * l] = sum;
          f[out + 2 * l + 1] = worst;
        }
        break;
      }
      case Op.RECF:
      case Op.RECB: {
        const nLinks = I[a] as number;
        const bodyLen = I[a + 1] as number;
        const tab = a + 2;
        const body = tab + 6 * nLinks;
        for (let l = 0; l < nLanes; l++) {
          const off = I[hdr + 2 + 2 * l] as number;
          const T = I[hdr + 3 + 2 * l] as number;
          if (op === Op.RECF) {
            for (let t = off + 1; t <= off + T; t++) {
              recLinks(f, I, tab, nLinks, S, t, true);
              recBody(f, I, body, body + bodyLen, S, t);
            }
          } else {
            for (let t = off + T; t >= off + 1; t--) {
              recBody(f, I, body, body + bodyLen, S, t);
              recLinks(f, I, tab, nLinks, S, t, false);
            }
          }
        }
        pc = body + bodyLen;
        continue;
      }
      default:
        perLane(f, I, op, a, S, nLanes, hdr);
    }
    pc = a + (OP_SIZE[op] ?? fail(op));
  }
}

function fail(op: number): never {
  throw new Error(`fast engine: unknown instruction ${op}`);
}

/** One cycle of a recurrent component's internal links (see Op.RECF / Op.RECB). */
function recLinks(f: F, I: Int32Array, tab: number, n: number, S: number, t: number, forward: boolean): void {
  for (let k = 0; k < n; k++) {
    const q = tab + 6 * k;
    const count = I[q + 2] as number;
    const w = f[I[q + 3] as number] as number;
    let y: number;
    let x: number;
    if (forward) {
      y = (I[q] as number) + t;
      x = (I[q + 1] as number) + t - 1;
    } else {
      const g = I[q + 4] as number;
      if (g < 0) continue;
      y = (I[q + 5] as number) + t - 1;
      x = g + t;
    }
    for (let r = 0; r < count; r++) f[y + r * S] = (f[y + r * S] as number) + w * (f[x + r * S] as number);
  }
}

/** A recurrent component's neuron instructions I[pc .. end) on cycle t alone. */
function recBody(f: F, I: Int32Array, pc: number, end: number, S: number, t: number): void {
  while (pc < end) {
    const op = I[pc] as number;
    kernel(f, I, op, pc + 1, S, t, t + 1, t - 1, false);
    pc += 1 + (OP_SIZE[op] ?? fail(op));
  }
}

/** The neuron kernels: each lane's cycles 1..T, and cycle 0 of written gradients set to 0. */
function perLane(f: F, I: Int32Array, op: number, a: number, S: number, nLanes: number, hdr: number): void {
  for (let l = 0; l < nLanes; l++) {
    const off = I[hdr + 2 + 2 * l] as number;
    kernel(f, I, op, a, S, off + 1, off + 1 + (I[hdr + 3 + 2 * l] as number), off, true);
  }
}

/**
 * A neuron instruction on cycles [t0, t1) of one lane whose cycle 0 is at `off`; with
 * `zero`, the gradient kernels also set that cycle-0 slot of what they write to 0.
 */
function kernel(f: F, I: Int32Array, op: number, a: number, S: number, t0: number, t1: number, off: number, zero: boolean): void {
  const o = (k: number) => I[a + k] as number;
  switch (op) {
    case Op.ACC:
      accRange(f, o(0), o(1), o(2), o(3), S, t0, t1);
      break;
    case Op.SCAN: {
      const c = f[o(4)] as number;
      for (let r = 0; r < o(3); r++) {
        const ro = o(0) + r * S;
        const r1 = o(1) + r * S;
        const r2 = o(2) + r * S;
        let prev = f[ro + off] as number;
        for (let t = t0; t < t1; t++) {
          prev = (f[r1 + t] as number) + (f[r2 + t] as number) + c * prev;
          f[ro + t] = prev;
        }
      }
      break;
    }
    case Op.NORM:
      normRange(f, o(0), o(1), o(2), S, t0, t1);
      break;
    case Op.NORMB:
      normBackRange(f, o(0), o(1), o(2), o(3), o(4), S, t0, t1);
      if (zero) for (let r = 0; r < o(4); r++) f[o(3) + r * S + off] = 0;
      break;
    case Op.DOTN:
      dotRange(f, o(0), o(1), o(2), o(3), S, t0, t1);
      break;
    case Op.DOTNB:
      dotBackRange(f, o(0), o(1), o(2), o(3), o(4), o(5), S, t0, t1);
      if (zero)
        for (let r = 0; r < o(5); r++) {
          f[o(3) + r * S + off] = 0;
          f[o(4) + r * S + off] = 0;
        }
      break;
    case Op.CMP:
      cmpRange(f, o(0), o(1), o(2), o(3), t0, t1);
      break;
    case Op.CMPB:
      cmpBackRange(f, o(0), o(1), o(2), o(3), o(4), o(5), t0, t1);
      if (zero && o(4) >= 0) f[o(4) + off] = 0;
      if (zero && o(5) >= 0) f[o(5) + off] = 0;
      break;
    default:
      fail(op);
  }
}
