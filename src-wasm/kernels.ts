// The fast engine's kernel programs in WebAssembly (AssemblyScript, SIMD128).
//
// Same instruction set as src-shared/machine/fast/ops.ts (the opcodes below repeat those
// numbers; the loader checks them against `opcode(name)`), same memory model: F is float64
// at byte address fBase, I is int32 at iBase, every operand an element index. Built by
// `npm run build:wasm` into src-shared/machine/fast/wasm-binary.ts.

const ZERO: i32 = 1;
const AXPY: i32 = 2;
const DOT: i32 = 3;
const SPAXPY: i32 = 4;
const SPDOT: i32 = 5;
const ZT0: i32 = 6;
const ACC: i32 = 7;
const SCAN: i32 = 8;
const SCANB: i32 = 9;
const NORM: i32 = 10;
const NORMB: i32 = 11;
const DOTN: i32 = 12;
const DOTNB: i32 = 13;
const CMP: i32 = 14;
const CMPB: i32 = 15;
const SQERR: i32 = 16;
const AXPYSET: i32 = 17;
const AXPYDOT: i32 = 18;
const RECF: i32 = 19;
const RECB: i32 = 20;
const CLIP: f64 = 4.0;

let FB: usize = 0;
let IB: usize = 0;

@inline function fa(i: i32): usize {
  return FB + (<usize>i << 3);
}
@inline function F(i: i32): f64 {
  return load<f64>(fa(i));
}
@inline function setF(i: i32, v: f64): void {
  store<f64>(fa(i), v);
}
@inline function I(j: i32): i32 {
  return load<i32>(IB + (<usize>j << 2));
}

/** First byte free for the host's regions (16-byte aligned). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Writes the opcode numbers (ZERO … AXPYDOT, in ops.ts order) at byte address p, for the loader's check. */
export function opcodes(p: usize): i32 {
  store<i32>(p, ZERO);
  store<i32>(p + 4, AXPY);
  store<i32>(p + 8, DOT);
  store<i32>(p + 12, SPAXPY);
  store<i32>(p + 16, SPDOT);
  store<i32>(p + 20, ZT0);
  store<i32>(p + 24, ACC);
  store<i32>(p + 28, SCAN);
  store<i32>(p + 32, SCANB);
  store<i32>(p + 36, NORM);
  store<i32>(p + 40, NORMB);
  store<i32>(p + 44, DOTN);
  store<i32>(p + 48, DOTNB);
  store<i32>(p + 52, CMP);
  store<i32>(p + 56, CMPB);
  store<i32>(p + 60, SQERR);
  store<i32>(p + 64, AXPYSET);
  store<i32>(p + 68, AXPYDOT);
  store<i32>(p + 72, RECF);
  store<i32>(p + 76, RECB);
  return 20;
}

function axpy(y: i32, len: i32, n: i32, p: i32, set: bool): void {
  if (set) zero(y, len);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = p + 2 * i;
    const w0 = F(I(q));
    const w1 = F(I(q + 2));
    const w2 = F(I(q + 4));
    const w3 = F(I(q + 6));
    const v0 = f64x2.splat(w0);
    const v1 = f64x2.splat(w1);
    const v2 = f64x2.splat(w2);
    const v3 = f64x2.splat(w3);
    const yp = fa(y);
    const s0 = fa(I(q + 1));
    const s1 = fa(I(q + 3));
    const s2 = fa(I(q + 5));
    const s3 = fa(I(q + 7));
    let j = 0;
    for (; j + 2 <= len; j += 2) {
      const o = <usize>j << 3;
      let a = v128.load(yp + o);
      a = f64x2.add(a, f64x2.mul(v0, v128.load(s0 + o)));
      a = f64x2.add(a, f64x2.mul(v1, v128.load(s1 + o)));
      a = f64x2.add(a, f64x2.mul(v2, v128.load(s2 + o)));
      a = f64x2.add(a, f64x2.mul(v3, v128.load(s3 + o)));
      v128.store(yp + o, a);
    }
    if (j < len) {
      const o = <usize>j << 3;
      store<f64>(
        yp + o,
        load<f64>(yp + o) + w0 * load<f64>(s0 + o) + w1 * load<f64>(s1 + o) + w2 * load<f64>(s2 + o) + w3 * load<f64>(s3 + o),
      );
    }
  }
  for (; i < n; i++) {
    const q = p + 2 * i;
    const w = F(I(q));
    const v = f64x2.splat(w);
    const yp = fa(y);
    const s = fa(I(q + 1));
    let j = 0;
    for (; j + 2 <= len; j += 2) {
      const o = <usize>j << 3;
      v128.store(yp + o, f64x2.add(v128.load(yp + o), f64x2.mul(v, v128.load(s + o))));
    }
    if (j < len) {
      const o = <usize>j << 3;
      store<f64>(yp + o, load<f64>(yp + o) + w * load<f64>(s + o));
    }
  }
}

/** y += Σ w_i·x_i and o_i += Σ_j x_i[j]·z[j] (operands at p: (w x o)×n). */
function axpydot(y: i32, z: i32, len: i32, n: i32, p: i32, set: bool): void {
  if (set) zero(y, len);
  const yp = fa(y);
  const zp = fa(z);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = p + 3 * i;
    const w0 = F(I(q));
    const w1 = F(I(q + 3));
    const w2 = F(I(q + 6));
    const w3 = F(I(q + 9));
    const v0 = f64x2.splat(w0);
    const v1 = f64x2.splat(w1);
    const v2 = f64x2.splat(w2);
    const v3 = f64x2.splat(w3);
    const s0 = fa(I(q + 1));
    const s1 = fa(I(q + 4));
    const s2 = fa(I(q + 7));
    const s3 = fa(I(q + 10));
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= len; j += 2) {
      const o = <usize>j << 3;
      const zv = v128.load(zp + o);
      const x0 = v128.load(s0 + o);
      const x1 = v128.load(s1 + o);
      const x2 = v128.load(s2 + o);
      const x3 = v128.load(s3 + o);
      let acc = v128.load(yp + o);
      acc = f64x2.add(acc, f64x2.mul(v0, x0));
      acc = f64x2.add(acc, f64x2.mul(v1, x1));
      acc = f64x2.add(acc, f64x2.mul(v2, x2));
      acc = f64x2.add(acc, f64x2.mul(v3, x3));
      v128.store(yp + o, acc);
      a0 = f64x2.add(a0, f64x2.mul(x0, zv));
      a1 = f64x2.add(a1, f64x2.mul(x1, zv));
      a2 = f64x2.add(a2, f64x2.mul(x2, zv));
      a3 = f64x2.add(a3, f64x2.mul(x3, zv));
    }
    let r0 = hsum(a0);
    let r1 = hsum(a1);
    let r2 = hsum(a2);
    let r3 = hsum(a3);
    if (j < len) {
      const o = <usize>j << 3;
      const zv = load<f64>(zp + o);
      const x0 = load<f64>(s0 + o);
      const x1 = load<f64>(s1 + o);
      const x2 = load<f64>(s2 + o);
      const x3 = load<f64>(s3 + o);
      store<f64>(yp + o, load<f64>(yp + o) + w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3);
      r0 += x0 * zv;
      r1 += x1 * zv;
      r2 += x2 * zv;
      r3 += x3 * zv;
    }
    setF(I(q + 2), F(I(q + 2)) + r0);
    setF(I(q + 5), F(I(q + 5)) + r1);
    setF(I(q + 8), F(I(q + 8)) + r2);
    setF(I(q + 11), F(I(q + 11)) + r3);
  }
  for (; i < n; i++) {
    const q = p + 3 * i;
    const w = F(I(q));
    const v = f64x2.splat(w);
    const s = fa(I(q + 1));
    let a = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= len; j += 2) {
      const o = <usize>j << 3;
      const x = v128.load(s + o);
      v128.store(yp + o, f64x2.add(v128.load(yp + o), f64x2.mul(v, x)));
      a = f64x2.add(a, f64x2.mul(x, v128.load(zp + o)));
    }
    let r = hsum(a);
    if (j < len) {
      const o = <usize>j << 3;
      const x = load<f64>(s + o);
      store<f64>(yp + o, load<f64>(yp + o) + w * x);
      r += x * load<f64>(zp + o);
    }
    setF(I(q + 2), F(I(q + 2)) + r);
  }
}

@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

function dot(g: i32, len: i32, n: i32, p: i32): void {
  const gp = fa(g);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = p + 2 * i;
    const s0 = fa(I(q + 1));
    const s1 = fa(I(q + 3));
    const s2 = fa(I(q + 5));
    const s3 = fa(I(q + 7));
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= len; j += 2) {
      const o = <usize>j << 3;
      const gv = v128.load(gp + o);
      a0 = f64x2.add(a0, f64x2.mul(gv, v128.load(s0 + o)));
      a1 = f64x2.add(a1, f64x2.mul(gv, v128.load(s1 + o)));
      a2 = f64x2.add(a2, f64x2.mul(gv, v128.load(s2 + o)));
      a3 = f64x2.add(a3, f64x2.mul(gv, v128.load(s3 + o)));
    }
    let r0 = hsum(a0);
    let r1 = hsum(a1);
    let r2 = hsum(a2);
    let r3 = hsum(a3);
    if (j < len) {
      const o = <usize>j << 3;
      const gv = load<f64>(gp + o);
      r0 += gv * load<f64>(s0 + o);
      r1 += gv * load<f64>(s1 + o);
      r2 += gv * load<f64>(s2 + o);
      r3 += gv * load<f64>(s3 + o);
    }
    setF(I(q), F(I(q)) + r0);
    setF(I(q + 2), F(I(q + 2)) + r1);
    setF(I(q + 4), F(I(q + 4)) + r2);
    setF(I(q + 6), F(I(q + 6)) + r3);
  }
  for (; i < n; i++) {
    const q = p + 2 * i;
    const s = fa(I(q + 1));
    let a = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= len; j += 2) {
      const o = <usize>j << 3;
      a = f64x2.add(a, f64x2.mul(v128.load(gp + o), v128.load(s + o)));
    }
    let r = hsum(a);
    if (j < len) {
      const o = <usize>j << 3;
      r += load<f64>(gp + o) * load<f64>(s + o);
    }
    setF(I(q), F(I(q)) + r);
  }
}

function zero(p: i32, len: i32): void {
  memory.fill(fa(p), 0, <usize>len << 3);
}

@inline function relu1(d: f64): f64 {
  return d > 0 ? 1.0 : d == 0 ? 0.5 : 0.0;
}

/** Operand count of a neuron kernel instruction. */
function kernelSize(op: i32): i32 {
  if (op == ACC) return 4;
  if (op == SCAN) return 5;
  if (op == NORM) return 3;
  if (op == NORMB) return 5;
  if (op == DOTN) return 4;
  if (op == DOTNB) return 6;
  if (op == CMP) return 4;
  if (op == CMPB) return 6;
  unreachable();
  return 0;
}

/**
 * Neuron kernels on cycles [t0, t1) of one lane (its cycle-0 slot at `off`); rows S apart.
 * With `zero`, the gradient kernels also set the lane's cycle-0 slot of what they write to 0.
 */
function kernel(op: i32, a: i32, S: i32, t0: i32, t1: i32, off: i32, zero: bool): void {
  if (op == ACC) {
    const o = I(a);
    const x1 = I(a + 1);
    const x2 = I(a + 2);
    const rows = I(a + 3);
    for (let r = 0; r < rows; r++) {
      const op_ = fa(o + r * S);
      const p1 = fa(x1 + r * S);
      const p2 = fa(x2 + r * S);
      let t = t0;
      for (; t + 2 <= t1; t += 2) {
        const b = <usize>t << 3;
        v128.store(op_ + b, f64x2.add(v128.load(p1 + b), v128.load(p2 + b)));
      }
      for (; t < t1; t++) {
        const b = <usize>t << 3;
        store<f64>(op_ + b, load<f64>(p1 + b) + load<f64>(p2 + b));
      }
    }
  } else if (op == SCAN) {
    const o = I(a);
    const x1 = I(a + 1);
    const x2 = I(a + 2);
    const rows = I(a + 3);
    const c = F(I(a + 4));
    for (let r = 0; r < rows; r++) {
      const op_ = fa(o + r * S);
      const p1 = fa(x1 + r * S);
      const p2 = fa(x2 + r * S);
      let prev = load<f64>(op_ + (<usize>off << 3));
      for (let t = t0; t < t1; t++) {
        const b = <usize>t << 3;
        prev = load<f64>(p1 + b) + load<f64>(p2 + b) + c * prev;
        store<f64>(op_ + b, prev);
      }
    }
  } else if (op == NORM) {
    const o = I(a);
    const x = I(a + 1);
    const rows = I(a + 2);
    const op_ = fa(o);
    let t = t0;
    for (; t + 2 <= t1; t += 2) {
      let m = f64x2.splat(0);
      for (let r = 0; r < rows; r++) m = f64x2.pmax(m, f64x2.abs(v128.load(fa(x + r * S + t))));
      v128.store(op_ + (<usize>t << 3), m);
    }
    for (; t < t1; t++) {
      let m: f64 = 0;
      for (let r = 0; r < rows; r++) {
        const v = Math.abs(F(x + r * S + t));
        if (v > m) m = v;
      }
      setF(o + t, m);
    }
  } else if (op == NORMB) {
    const o = I(a);
    const x = I(a + 1);
    const go = I(a + 2);
    const gx = I(a + 3);
    const rows = I(a + 4);
    if (zero) for (let r = 0; r < rows; r++) setF(gx + r * S + off, 0);
    for (let t = t0; t < t1; t++) {
      const g = F(go + t);
      const m = F(o + t);
      if (g == 0 || m == 0) {
        for (let r = 0; r < rows; r++) setF(gx + r * S + t, 0);
        continue;
      }
      let ties = 0;
      for (let r = 0; r < rows; r++) if (Math.abs(F(x + r * S + t)) == m) ties++;
      const share = g / <f64>ties;
      for (let r = 0; r < rows; r++) {
        const v = F(x + r * S + t);
        setF(gx + r * S + t, Math.abs(v) == m ? (v > 0 ? share : -share) : 0);
      }
    }
  } else if (op == DOTN) {
    const o = I(a);
    const x1 = I(a + 1);
    const x2 = I(a + 2);
    const rows = I(a + 3);
    const hi = f64x2.splat(CLIP);
    const lo = f64x2.splat(-CLIP);
    let t = t0;
    for (; t + 2 <= t1; t += 2) {
      let s = f64x2.splat(0);
      for (let r = 0; r < rows; r++) s = f64x2.add(s, f64x2.mul(v128.load(fa(x1 + r * S + t)), v128.load(fa(x2 + r * S + t))));
      v128.store(fa(o + t), f64x2.pmax(f64x2.pmin(s, hi), lo));
    }
    for (; t < t1; t++) {
      let s: f64 = 0;
      for (let r = 0; r < rows; r++) s += F(x1 + r * S + t) * F(x2 + r * S + t);
      setF(o + t, s > CLIP ? CLIP : s < -CLIP ? -CLIP : s);
    }
  } else if (op == DOTNB) {
    const x1 = I(a);
    const x2 = I(a + 1);
    const go = I(a + 2);
    const gx1 = I(a + 3);
    const gx2 = I(a + 4);
    const rows = I(a + 5);
    if (zero)
      for (let r = 0; r < rows; r++) {
        setF(gx1 + r * S + off, 0);
        setF(gx2 + r * S + off, 0);
      }
    for (let t = t0; t < t1; t++) {
      let g = F(go + t);
      let s: f64 = 0;
      for (let r = 0; r < rows; r++) s += F(x1 + r * S + t) * F(x2 + r * S + t);
      const ab = Math.abs(s);
      if (ab > CLIP || g == 0) g = 0;
      else if (ab == CLIP) g *= 0.5;
      for (let r = 0; r < rows; r++) {
        const i = r * S + t;
        setF(gx1 + i, g == 0 ? 0 : g * F(x2 + i));
        setF(gx2 + i, g == 0 ? 0 : g * F(x1 + i));
      }
    }
  } else if (op == CMP) {
    const oT = I(a);
    const oF = I(a + 1);
    const pa = I(a + 2);
    const pb = I(a + 3);
    for (let t = t0; t < t1; t++) {
      const d = F(pa + t) - F(pb + t);
      setF(oT + t, d > 0 ? d : 0);
      setF(oF + t, d < 0 ? -d : 0);
    }
  } else if (op == CMPB) {
    const pa = I(a);
    const pb = I(a + 1);
    const goT = I(a + 2);
    const goF = I(a + 3);
    const ga = I(a + 4);
    const gb = I(a + 5);
    if (zero && ga >= 0) setF(ga + off, 0);
    if (zero && gb >= 0) setF(gb + off, 0);
    for (let t = t0; t < t1; t++) {
      const d = F(pa + t) - F(pb + t);
      const g = F(goT + t) * relu1(d) - F(goF + t) * relu1(-d);
      if (ga >= 0) setF(ga + t, g);
      if (gb >= 0) setF(gb + t, -g);
    }
  } else {
    unreachable();
  }
}

/** Runs the instructions I[start .. end) with the lane table at I[hdr]. */
export function exec(fBase: usize, iBase: usize, start: i32, end: i32, hdr: i32): void {
  FB = fBase;
  IB = iBase;
  const S = I(hdr);
  const nLanes = I(hdr + 1);
  let pc = start;
  while (pc < end) {
    const op = I(pc);
    const a = pc + 1;
    if (op == AXPY || op == AXPYSET) {
      const n = I(a + 2);
      axpy(I(a), I(a + 1), n, a + 3, op == AXPYSET);
      pc = a + 3 + 2 * n;
      continue;
    }
    if (op == AXPYDOT) {
      const n = I(a + 4);
      axpydot(I(a + 1), I(a + 2), I(a + 3), n, a + 5, I(a) != 0);
      pc = a + 5 + 3 * n;
      continue;
    }
    if (op == DOT) {
      const n = I(a + 2);
      dot(I(a), I(a + 1), n, a + 3);
      pc = a + 3 + 2 * n;
      continue;
    }
    if (op == ZERO) {
      zero(I(a), I(a + 1));
      pc = a + 2;
    } else if (op == SPAXPY) {
      const y = I(a);
      const w = F(I(a + 1));
      const nnz = I(a + 2);
      const offs = I(a + 3);
      const val = I(a + 4);
      for (let k = 0; k < nnz; k++) {
        const i = y + I(offs + k);
        setF(i, F(i) + w * F(val + k));
      }
      pc = a + 5;
    } else if (op == SPDOT) {
      const g = I(a);
      const o = I(a + 1);
      const nnz = I(a + 2);
      const offs = I(a + 3);
      const val = I(a + 4);
      let acc: f64 = 0;
      for (let k = 0; k < nnz; k++) acc += F(g + I(offs + k)) * F(val + k);
      setF(o, F(o) + acc);
      pc = a + 5;
    } else if (op == ZT0) {
      const p = I(a);
      const rows = I(a + 1);
      for (let r = 0; r < rows; r++) for (let l = 0; l < nLanes; l++) setF(p + r * S + I(hdr + 2 + 2 * l), 0);
      pc = a + 2;
    } else if (op == SCANB) {
      const g = I(a);
      const rows = I(a + 1);
      const c = F(I(a + 2));
      for (let l = 0; l < nLanes; l++) {
        const off = I(hdr + 2 + 2 * l);
        const T = I(hdr + 3 + 2 * l);
        for (let r = 0; r < rows; r++) {
          const row = g + r * S + off;
          let next = F(row + T);
          for (let t = T - 1; t >= 1; t--) {
            next = F(row + t) + c * next;
            setF(row + t, next);
          }
        }
      }
      pc = a + 3;
    } else if (op == SQERR) {
      const x = I(a);
      const tgt = I(a + 1);
      const g = I(a + 2);
      const rows = I(a + 3);
      const out = I(a + 4);
      for (let l = 0; l < nLanes; l++) {
        const off = I(hdr + 2 + 2 * l);
        const T = I(hdr + 3 + 2 * l);
        let sum: f64 = 0;
        let worst: f64 = 0;
        for (let r = 0; r < rows; r++) {
          const base = r * S + off;
          if (g >= 0) setF(g + base, 0);
          for (let t = 1; t <= T; t++) {
            const d = F(x + base + t) - F(tgt + base + t);
            const e = d * d;
            sum += e;
            if (worst == worst && !(e <= worst)) worst = e; // NaN wins
            if (g >= 0) setF(g + base + t, 2 * d);
          }
        }
        setF(out + 2 * l, sum);
        setF(out + 2 * l + 1, worst);
      }
      pc = a + 5;
    } else if (op == RECF || op == RECB) {
      const nLinks = I(a);
      const bodyLen = I(a + 1);
      const tab = a + 2;
      const body = tab + 6 * nLinks;
      for (let l = 0; l < nLanes; l++) {
        const off = I(hdr + 2 + 2 * l);
        const T = I(hdr + 3 + 2 * l);
        if (op == RECF) {
          for (let t = off + 1; t <= off + T; t++) {
            recLinks(tab, nLinks, S, t, true);
            recBody(body, body + bodyLen, S, t);
          }
        } else {
          for (let t = off + T; t >= off + 1; t--) {
            recBody(body, body + bodyLen, S, t);
            recLinks(tab, nLinks, S, t, false);
          }
        }
      }
      pc = body + bodyLen;
    } else {
      const size = kernelSize(op);
      for (let l = 0; l < nLanes; l++) {
        const off = I(hdr + 2 + 2 * l);
        kernel(op, a, S, off + 1, off + 1 + I(hdr + 3 + 2 * l), off, true);
      }
      pc = a + size;
    }
  }
}

/**
 * One cycle t of a recurrent component's internal links (table rows: dst src count w gdst
 * gsrc): forward, x[dst + t] += w·o[src + t − 1]; backward, go[gsrc + t − 1] += w·gx[gdst + t].
 */
function recLinks(tab: i32, n: i32, S: i32, t: i32, forward: bool): void {
  for (let k = 0; k < n; k++) {
    const q = tab + 6 * k;
    const count = I(q + 2);
    const w = F(I(q + 3));
    let y: i32;
    let x: i32;
    if (forward) {
      y = I(q) + t;
      x = I(q + 1) + t - 1;
    } else {
      const g = I(q + 4);
      if (g < 0) continue;
      y = I(q + 5) + t - 1;
      x = g + t;
    }
    for (let r = 0; r < count; r++) {
      const i = r * S;
      setF(y + i, F(y + i) + w * F(x + i));
    }
  }
}

/** A recurrent component's neuron kernels at cycle t (instructions I[pc .. end)). */
function recBody(pc: i32, end: i32, S: i32, t: i32): void {
  while (pc < end) {
    const op = I(pc);
    kernel(op, pc + 1, S, t, t + 1, 0, false);
    pc += 1 + kernelSize(op);
  }
}

// ---- candidate lanes: K weight vectors through the same program at once
//
// Every F element is K consecutive float64 values, one per candidate (element i of
// candidate c at byte FB + (i·K + c)·8; K even), so each kernel runs its scalar recipe on
// pairs of candidates with SIMD, in the same order of operations as `exec` (each
// candidate's figures are those of a run on its own). Forward instructions only; SQERR's
// gradient operand is ignored.

let KK: i32 = 2;

@inline function fk(i: i32): usize {
  return FB + ((<usize>i * <usize>KK) << 3);
}

function zeroK(p: i32, len: i32): void {
  memory.fill(fk(p), 0, (<usize>len * <usize>KK) << 3);
}

function axpyK(y: i32, len: i32, n: i32, p: i32, set: bool): void {
  if (set) zeroK(y, len);
  if (KK == 2) {
    axpy2(y, len, n, p);
    return;
  }
  const row = <usize>KK << 3;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = p + 2 * i;
    const w0 = fk(I(q));
    const w1 = fk(I(q + 2));
    const w2 = fk(I(q + 4));
    const w3 = fk(I(q + 6));
    let yp = fk(y);
    let s0 = fk(I(q + 1));
    let s1 = fk(I(q + 3));
    let s2 = fk(I(q + 5));
    let s3 = fk(I(q + 7));
    for (let j = 0; j < len; j++) {
      for (let o: usize = 0; o < row; o += 16) {
        let a = v128.load(yp + o);
        a = f64x2.add(a, f64x2.mul(v128.load(w0 + o), v128.load(s0 + o)));
        a = f64x2.add(a, f64x2.mul(v128.load(w1 + o), v128.load(s1 + o)));
        a = f64x2.add(a, f64x2.mul(v128.load(w2 + o), v128.load(s2 + o)));
        a = f64x2.add(a, f64x2.mul(v128.load(w3 + o), v128.load(s3 + o)));
        v128.store(yp + o, a);
      }
      yp += row;
      s0 += row;
      s1 += row;
      s2 += row;
      s3 += row;
    }
  }
  for (; i < n; i++) {
    const q = p + 2 * i;
    const w = fk(I(q));
    let yp = fk(y);
    let s = fk(I(q + 1));
    for (let j = 0; j < len; j++) {
      for (let o: usize = 0; o < row; o += 16) {
        v128.store(yp + o, f64x2.add(v128.load(yp + o), f64x2.mul(v128.load(w + o), v128.load(s + o))));
      }
      yp += row;
      s += row;
    }
  }
}

/** axpyK for two candidates: each term's two weights stay in one register. */
function axpy2(y: i32, len: i32, n: i32, p: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = p + 2 * i;
    const w0 = v128.load(fk(I(q)));
    const w1 = v128.load(fk(I(q + 2)));
    const w2 = v128.load(fk(I(q + 4)));
    const w3 = v128.load(fk(I(q + 6)));
    const yp = fk(y);
    const s0 = fk(I(q + 1));
    const s1 = fk(I(q + 3));
    const s2 = fk(I(q + 5));
    const s3 = fk(I(q + 7));
    const bytes = <usize>len << 4;
    for (let o: usize = 0; o < bytes; o += 16) {
      let a = v128.load(yp + o);
      a = f64x2.add(a, f64x2.mul(w0, v128.load(s0 + o)));
      a = f64x2.add(a, f64x2.mul(w1, v128.load(s1 + o)));
      a = f64x2.add(a, f64x2.mul(w2, v128.load(s2 + o)));
      a = f64x2.add(a, f64x2.mul(w3, v128.load(s3 + o)));
      v128.store(yp + o, a);
    }
  }
  for (; i < n; i++) {
    const q = p + 2 * i;
    const w = v128.load(fk(I(q)));
    const yp = fk(y);
    const s = fk(I(q + 1));
    const bytes = <usize>len << 4;
    for (let o: usize = 0; o < bytes; o += 16) v128.store(yp + o, f64x2.add(v128.load(yp + o), f64x2.mul(w, v128.load(s + o))));
  }
}

/** Forward neuron kernels of candidate lanes on cycles [t0, t1) of one lane. */
function kernelK(op: i32, a: i32, S: i32, t0: i32, t1: i32, off: i32): void {
  const row = <usize>KK << 3;
  if (op == ACC) {
    const rows = I(a + 3);
    for (let r = 0; r < rows; r++) {
      const op_ = fk(I(a) + r * S + t0);
      const p1 = fk(I(a + 1) + r * S + t0);
      const p2 = fk(I(a + 2) + r * S + t0);
      const bytes = <usize>(t1 - t0) * row;
      for (let b: usize = 0; b < bytes; b += 16) v128.store(op_ + b, f64x2.add(v128.load(p1 + b), v128.load(p2 + b)));
    }
  } else if (op == SCAN) {
    const rows = I(a + 3);
    const cp = fk(I(a + 4));
    for (let r = 0; r < rows; r++) {
      let op_ = fk(I(a) + r * S + off);
      let p1 = fk(I(a + 1) + r * S + t0);
      let p2 = fk(I(a + 2) + r * S + t0);
      for (let t = t0; t < t1; t++) {
        for (let o: usize = 0; o < row; o += 16) {
          const prev = v128.load(op_ + o);
          v128.store(op_ + row + o, f64x2.add(f64x2.add(v128.load(p1 + o), v128.load(p2 + o)), f64x2.mul(v128.load(cp + o), prev)));
        }
        op_ += row;
        p1 += row;
        p2 += row;
      }
    }
  } else if (op == NORM) {
    const o_ = I(a);
    const x = I(a + 1);
    const rows = I(a + 2);
    for (let t = t0; t < t1; t++) {
      const out = fk(o_ + t);
      for (let o: usize = 0; o < row; o += 16) {
        let m = f64x2.splat(0);
        for (let r = 0; r < rows; r++) m = f64x2.pmax(m, f64x2.abs(v128.load(fk(x + r * S + t) + o)));
        v128.store(out + o, m);
      }
    }
  } else if (op == DOTN) {
    const o_ = I(a);
    const x1 = I(a + 1);
    const x2 = I(a + 2);
    const rows = I(a + 3);
    const hi = f64x2.splat(CLIP);
    const lo = f64x2.splat(-CLIP);
    for (let t = t0; t < t1; t++) {
      const out = fk(o_ + t);
      for (let o: usize = 0; o < row; o += 16) {
        let s = f64x2.splat(0);
        for (let r = 0; r < rows; r++) s = f64x2.add(s, f64x2.mul(v128.load(fk(x1 + r * S + t) + o), v128.load(fk(x2 + r * S + t) + o)));
        v128.store(out + o, f64x2.pmax(f64x2.pmin(s, hi), lo));
      }
    }
  } else if (op == CMP) {
    const zero = f64x2.splat(0);
    let oT = fk(I(a) + t0);
    let oF = fk(I(a + 1) + t0);
    let pa = fk(I(a + 2) + t0);
    let pb = fk(I(a + 3) + t0);
    const bytes = <usize>(t1 - t0) * row;
    for (let b: usize = 0; b < bytes; b += 16) {
      const d = f64x2.sub(v128.load(pa + b), v128.load(pb + b));
      v128.store(oT + b, f64x2.pmax(zero, d));
      v128.store(oF + b, f64x2.pmax(zero, f64x2.neg(d)));
    }
  } else {
    unreachable();
  }
}

/** Runs the forward instructions I[start .. end) on K candidate lanes, the lane table at I[hdr]. */
export function execK(fBase: usize, iBase: usize, start: i32, end: i32, hdr: i32, K: i32): void {
  FB = fBase;
  IB = iBase;
  KK = K;
  const row = <usize>K << 3;
  const S = I(hdr);
  const nLanes = I(hdr + 1);
  let pc = start;
  while (pc < end) {
    const op = I(pc);
    const a = pc + 1;
    if (op == AXPY || op == AXPYSET) {
      const n = I(a + 2);
      axpyK(I(a), I(a + 1), n, a + 3, op == AXPYSET);
      pc = a + 3 + 2 * n;
    } else if (op == ZERO) {
      zeroK(I(a), I(a + 1));
      pc = a + 2;
    } else if (op == SPAXPY) {
      const y = I(a);
      const w = fk(I(a + 1));
      const nnz = I(a + 2);
      const offs = I(a + 3);
      const val = I(a + 4);
      for (let k = 0; k < nnz; k++) {
        const yp = fk(y + I(offs + k));
        const vp = fk(val + k);
        for (let o: usize = 0; o < row; o += 16) v128.store(yp + o, f64x2.add(v128.load(yp + o), f64x2.mul(v128.load(w + o), v128.load(vp + o))));
      }
      pc = a + 5;
    } else if (op == SQERR) {
      const x = I(a);
      const tgt = I(a + 1);
      const rows = I(a + 3);
      const out = I(a + 4);
      for (let l = 0; l < nLanes; l++) {
        const off = I(hdr + 2 + 2 * l);
        const T = I(hdr + 3 + 2 * l);
        for (let o: usize = 0; o < row; o += 16) {
          let sum = f64x2.splat(0);
          let worst = f64x2.splat(0);
          for (let r = 0; r < rows; r++) {
            let xp = fk(x + r * S + off + 1) + o;
            let tp = fk(tgt + r * S + off + 1) + o;
            for (let t = 1; t <= T; t++) {
              const d = f64x2.sub(v128.load(xp), v128.load(tp));
              const e = f64x2.mul(d, d);
              sum = f64x2.add(sum, e);
              // NaN wins: take e where worst is a number and e is not ≤ worst
              worst = v128.bitselect(e, worst, v128.andnot(f64x2.eq(worst, worst), f64x2.le(e, worst)));
              xp += row;
              tp += row;
            }
          }
          v128.store(fk(out + 2 * l) + o, sum);
          v128.store(fk(out + 2 * l + 1) + o, worst);
        }
      }
      pc = a + 5;
    } else if (op == RECF) {
      const nLinks = I(a);
      const bodyLen = I(a + 1);
      const tab = a + 2;
      const body = tab + 6 * nLinks;
      for (let l = 0; l < nLanes; l++) {
        const off = I(hdr + 2 + 2 * l);
        const T = I(hdr + 3 + 2 * l);
        for (let t = off + 1; t <= off + T; t++) {
          for (let k = 0; k < nLinks; k++) {
            const q = tab + 6 * k;
            const count = I(q + 2);
            const w = fk(I(q + 3));
            for (let r = 0; r < count; r++) {
              const yp = fk(I(q) + t + r * S);
              const xp = fk(I(q + 1) + t - 1 + r * S);
              for (let o: usize = 0; o < row; o += 16)
                v128.store(yp + o, f64x2.add(v128.load(yp + o), f64x2.mul(v128.load(w + o), v128.load(xp + o))));
            }
          }
          let p = body;
          while (p < body + bodyLen) {
            const bop = I(p);
            kernelK(bop, p + 1, S, t, t + 1, t - 1);
            p += 1 + kernelSize(bop);
          }
        }
      }
      pc = body + bodyLen;
    } else {
      const size = kernelSize(op);
      for (let l = 0; l < nLanes; l++) {
        const off = I(hdr + 2 + 2 * l);
        kernelK(op, a, S, off + 1, off + 1 + I(hdr + 3 + 2 * l), off);
      }
      pc = a + size;
    }
  }
}
