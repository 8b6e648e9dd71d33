/**
 * Optimal assignment on a rectangular cost matrix (Kuhn–Munkres with potentials, the
 * O(n²·m) shortest-augmenting-path form of Jonker–Volgenant).
 *
 * Without a threshold, every row of the smaller side is matched. With `threshold`, any
 * row or column may stay unmatched: leaving one row and one column unmatched costs
 * `threshold`, so a pair costing more than `threshold` is never made. Infinite costs mark
 * forbidden pairs (they are never made; with no threshold the smaller side must still be
 * fully matchable through finite entries).
 *
 * Ties are broken deterministically: the result depends only on the matrix (rows are
 * inserted in order, and among equal reduced costs the lowest column index wins), and a
 * pair exactly at the threshold is kept.
 */

export interface AssignmentOptions {
  /** Cost of leaving a row and a column unmatched (each unmatched side costs half). */
  readonly threshold?: number;
}

export interface Assignment {
  /** Column matched to each row, or -1. */
  readonly rowToCol: Int32Array;
  /** Row matched to each column, or -1. */
  readonly colToRow: Int32Array;
  /** Σ cost over matched pairs. */
  readonly cost: number;
  /** cost + threshold/2 per unmatched row or column (equal to cost without a threshold). */
  readonly objective: number;
}

export type CostMatrix = readonly ArrayLike<number>[];

/**
 * Minimum-cost assignment of `n` rows to `m` columns with n ≤ m, every row matched
 * (e-maxx formulation, 1-based internally). `at(i, j)` is the cost of row i, column j.
 */
function solveFull(n: number, m: number, at: (i: number, j: number) => number): Int32Array {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: row matched to column j (1-based), 0 = free
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0] as number;
      let delta = Infinity;
      let j1 = -1;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = at(i0 - 1, j - 1) - (u[i0] as number) - (v[j] as number);
        if (cur < (minv[j] as number)) {
          minv[j] = cur;
          way[j] = j0;
        }
        if ((minv[j] as number) < delta) {
          delta = minv[j] as number;
          j1 = j;
        }
      }
      if (j1 < 0 || delta === Infinity) throw new RangeError('no finite assignment exists (too many forbidden pairs)');
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j] as number] = (u[p[j] as number] as number) + delta;
          v[j] = (v[j] as number) - delta;
        } else {
          minv[j] = (minv[j] as number) - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0] as number;
      p[j0] = p[j1] as number;
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowToCol = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if ((p[j] as number) > 0) rowToCol[(p[j] as number) - 1] = j - 1;
  return rowToCol;
}

function checkMatrix(cost: CostMatrix): number {
  const m = cost.length === 0 ? 0 : (cost[0] as ArrayLike<number>).length;
  cost.forEach((row, i) => {
    if (row.length !== m) throw new RangeError(`cost row ${i} has ${row.length} entries, expected ${m}`);
    for (let j = 0; j < m; j++) {
      const c = row[j] as number;
      if (Number.isNaN(c) || c === -Infinity) throw new RangeError(`cost[${i}][${j}] is ${c}`);
    }
  });
  return m;
}

/** Optimal assignment of the rows of `cost` to its columns (see the module comment). */
export function assign(cost: CostMatrix, options: AssignmentOptions = {}): Assignment {
  const n = cost.length;
  const m = checkMatrix(cost);
  const c = (i: number, j: number): number => (cost[i] as ArrayLike<number>)[j] as number;
  const rowToCol = new Int32Array(n).fill(-1);
  const colToRow = new Int32Array(m).fill(-1);
  const { threshold } = options;
  if (threshold !== undefined) {
    if (!Number.isFinite(threshold) || threshold < 0) throw new RangeError(`threshold must be finite and ≥ 0, got ${threshold}`);
    // Square (n+m) matrix: [C | row i unmatched (diagonal)] over [column j unmatched (diagonal) | 0].
    const half = threshold / 2;
    const N = n + m;
    const at = (i: number, j: number): number => {
      if (i < n) {
        if (j < m) {
          const x = c(i, j);
          // a pair above the threshold is never better than leaving both unmatched
          return x > threshold ? Infinity : x;
        }
        return j - m === i ? half : Infinity;
      }
      if (j < m) return i - n === j ? half : Infinity;
      return 0;
    };
    const full = solveFull(N, N, at);
    for (let i = 0; i < n; i++) {
      const j = full[i] as number;
      if (j < m) {
        rowToCol[i] = j;
        colToRow[j] = i;
      }
    }
  } else if (n <= m) {
    const r = solveFull(n, m, c);
    r.forEach((j, i) => {
      rowToCol[i] = j;
      colToRow[j] = i;
    });
  } else {
    const r = solveFull(m, n, (i, j) => c(j, i));
    r.forEach((i, j) => {
      rowToCol[i] = j;
      colToRow[j] = i;
    });
  }
  let total = 0;
  let unmatched = 0;
  rowToCol.forEach((j, i) => {
    if (j >= 0) total += c(i, j);
    else unmatched++;
  });
  colToRow.forEach((i) => {
    if (i < 0) unmatched++;
  });
  return { rowToCol, colToRow, cost: total, objective: total + (threshold === undefined ? 0 : (threshold / 2) * unmatched) };
}
