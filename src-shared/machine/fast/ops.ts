/**
 * The instruction set of the fast engine's kernel programs.
 *
 * A program is a flat Int32 array of instructions `[opcode, operands…]` over two memories:
 * F, float64 values (time series, weights, results), and I, int32 (the program itself, the
 * lane table, sparse index lists). Every F operand is an element index into F, every I
 * operand an element index into I. Two executors run the same programs: `exec-ts.ts` (plain
 * TypeScript) and the WebAssembly module built from `src-wasm/kernels.ts`, which repeats
 * these numbers (a mismatch is detected when the module loads).
 *
 * Time series are coordinate-major: a port with n coordinates is n rows of S values, S the
 * sum over lanes of (cycles + 1). Lane l occupies [off_l, off_l + T_l] of each row, its slot
 * off_l being cycle 0. The lane table at I[hdr]: S, nLanes, then (off_l, T_l) per lane.
 * Kernels ("per lane" below) touch cycles 1..T_l of each lane only.
 */
export const Op = {
  /** ZERO p len: F[p .. p+len) = 0 */
  ZERO: 1,
  /** AXPY y len n (w_i x_i)×n: F[y+j] += Σ_i F[w_i]·F[x_i+j] for j < len */
  AXPY: 2,
  /** DOT g len n (o_i x_i)×n: F[o_i] += Σ_j F[g+j]·F[x_i+j] */
  DOT: 3,
  /** SPAXPY y w nnz offI valF: F[y + I[offI+k]] += F[w]·F[valF+k] for k < nnz */
  SPAXPY: 4,
  /** SPDOT g o nnz offI valF: F[o] += Σ_k F[g + I[offI+k]]·F[valF+k] */
  SPDOT: 5,
  /** ZT0 p rows: cycle-0 slot of every lane of `rows` rows at p set to 0 */
  ZT0: 6,
  /** ACC o x1 x2 rows: per lane o = x1 + x2 */
  ACC: 7,
  /** SCAN o x1 x2 rows a: per lane o[t] = x1[t] + x2[t] + F[a]·o[t-1] */
  SCAN: 8,
  /** SCANB g rows a: per lane, t from T-1 down to 1: g[t] += F[a]·g[t+1] */
  SCANB: 9,
  /** NORM o x rows: per lane o[t] = max(0, max_r |x_r[t]|) */
  NORM: 10,
  /** NORMB o x go gx rows: per lane gx = dnorm/dx · go (ties share), written (cycle 0: 0) */
  NORMB: 11,
  /** DOTN o x1 x2 rows: per lane o[t] = clip(Σ_r x1_r[t]·x2_r[t], ±4) */
  DOTN: 12,
  /** DOTNB x1 x2 go gx1 gx2 rows: per lane gradients written (cycle 0: 0) */
  DOTNB: 13,
  /** CMP oT oF a b: per lane d = a − b, oT = relu(d), oF = relu(−d) (single rows) */
  CMP: 14,
  /** CMPB a b goT goF ga gb: per lane ga = goT·relu'(d) − goF·relu'(−d), gb = −ga, written; ga/gb −1 = not needed */
  CMPB: 15,
  /** SQERR x tgt g rows out: per lane Σ (x−tgt)² → F[out+2l], largest (x−tgt)² → F[out+2l+1]; g ≥ 0: g = 2(x−tgt) written (cycle 0: 0) */
  SQERR: 16,
  /** AXPYSET y len n (w_i x_i)×n: F[y+j] = Σ_i F[w_i]·F[x_i+j] (the first group into a block: no zeroing needed) */
  AXPYSET: 17,
  /**
   * AXPYDOT set y z len n (w_i x_i o_i)×n: F[y+j] (= if set, else +=) Σ_i F[w_i]·F[x_i+j] and
   * F[o_i] += Σ_j F[x_i+j]·F[z+j] — a source's output gradient and its links' weight
   * gradients in one pass over the consumers' input gradients
   */
  AXPYDOT: 18,
  /**
   * RECF nLinks bodyLen (dst src count w gdst gsrc)×nLinks body…: a recurrent component's
   * forward pass, per lane cycle by cycle: for each internal link run
   * F[dst+t+rS] += F[w]·F[src+t−1+rS] (r < count), then the body (neuron instructions,
   * bodyLen ints) on cycle t alone
   */
  RECF: 19,
  /**
   * RECB (same operands, the body holding gradient kernels): per lane from the last cycle
   * down, the body on cycle t, then F[gsrc+t−1+rS] += F[w]·F[gdst+t+rS] for links with gdst ≥ 0
   */
  RECB: 20,
} as const;

/** Operand count of each fixed-size instruction (AXPY and DOT carry 2n more, AXPYDOT 3n, RECF and RECB their tables and bodies). */
export const OP_SIZE: Readonly<Record<number, number>> = {
  [Op.ZERO]: 2,
  [Op.AXPY]: 3,
  [Op.DOT]: 3,
  [Op.AXPYSET]: 3,
  [Op.SPAXPY]: 5,
  [Op.SPDOT]: 5,
  [Op.ZT0]: 2,
  [Op.ACC]: 4,
  [Op.SCAN]: 5,
  [Op.SCANB]: 3,
  [Op.NORM]: 3,
  [Op.NORMB]: 5,
  [Op.DOTN]: 4,
  [Op.DOTNB]: 6,
  [Op.CMP]: 4,
  [Op.CMPB]: 6,
  [Op.SQERR]: 5,
};
